"""The CTranslate2 backend on tiny random models: converted from the user's folder (or .gguf),
the conversion cached and keyed on the model's content, outputs identical to the transformers
backend for greedy search on the same weights in float32, and segments that still miss a
glossary term retried on the constrained transformers path, as the records say."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.backends import GenerationRequest, load_backend
from toolkit.cli import main as cli
from toolkit.errors import ConfigError, ModelError
from toolkit.tasks import TranslationRequest, Translator

pytest.importorskip("ctranslate2")

GERMAN = [
    "Alibaba hat am Dienstag sein neues KI-Modell Qwen3.5 vorgestellt.",
    "Hallo.",
    "Die Mixture-of-Experts-Struktur aktiviert für jedes Token nur einen Teil der Parameter.",
    "Analysten erhöhten das Kursziel auf 200 US-Dollar je ADR.",
]
TINY = [("tiny_marian", "en"), ("tiny_marian_multi", "zh"), ("tiny_nllb", "zh"), ("tiny_t5", "zh"),
        ("tiny_chat", "en"), ("tiny_chat", "zh"), ("tiny_gguf", "en")]


def texts(model: Path, engine: str, target: str, **options: object) -> list[str]:
    backend = load_backend(str(model), engine, device="cpu", **options)
    translator = Translator(backend, max_new_tokens=20)
    return [t.text for t in translator.translate([TranslationRequest(s, "de", target)
                                                  for s in GERMAN])]


@pytest.mark.parametrize("fixture,target", TINY)
def test_float32_ctranslate2_writes_what_transformers_writes(
    fixture: str, target: str, request: pytest.FixtureRequest
) -> None:
    """Same weights, greedy, float32 on both: the same text for every model family (the
    language conventions, chat prompt and budgets carry over)."""
    model = request.getfixturevalue(fixture)
    expected = texts(model, "transformers", target, dtype="float32")
    assert len(set(expected)) == len(expected)  # the model's output depends on its input
    assert texts(model, "ctranslate2", target, dtype="float32") == expected


def test_int8_is_the_default_on_cpu_and_keys_its_own_fingerprint(tiny_marian: Path) -> None:
    int8 = load_backend(str(tiny_marian), "ctranslate2", device="cpu")
    f32 = load_backend(str(tiny_marian), "ctranslate2", device="cpu", dtype="float32")
    hf = load_backend(str(tiny_marian), "transformers", device="cpu")
    assert int8.compute_type == "int8" and f32.compute_type == "float32"
    assert int8.capabilities.constraints is False
    assert len({int8.fingerprint.key, f32.fingerprint.key, hf.fingerprint.key}) == 3
    assert int8.fingerprint.model == hf.fingerprint.model  # one content identity
    assert int8.fingerprint.versions["ctranslate2"]
    out = texts(tiny_marian, "ctranslate2", "en")
    assert all(t.strip() for t in out)


def test_the_conversion_is_cached_and_keyed_on_the_model_content(
    tiny_chat: Path, tmp_path: Path, tk_home: Path
) -> None:
    from toolkit.backends.ctranslate2 import cached_conversions

    model = tmp_path / "chat"
    shutil.copytree(tiny_chat, model)
    first = load_backend(str(model), "ctranslate2", device="cpu")
    stamp = (first.model_dir / "model.bin").stat().st_mtime_ns
    again = load_backend(str(model), "ctranslate2", device="cpu")
    assert again.model_dir == first.model_dir
    assert (again.model_dir / "model.bin").stat().st_mtime_ns == stamp  # reused, not redone
    assert len(cached_conversions()) == 1

    # Another model saved into the same folder is converted anew, never served the old one.
    from transformers import AutoModelForCausalLM

    other = AutoModelForCausalLM.from_pretrained(model)
    for p in other.parameters():
        p.data.mul_(-1)
    other.save_pretrained(model)
    renewed = load_backend(str(model), "ctranslate2", device="cpu")
    assert renewed.model_dir != first.model_dir
    assert renewed.fingerprint.model != first.fingerprint.model
    assert len(cached_conversions()) == 2


def test_a_missing_ctranslate2_package_is_one_line_naming_the_extra(
    tiny_marian: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # import fails as if not installed
    with pytest.raises(ModelError, match=r"tk-translate\[ctranslate2\]"):
        load_backend(str(tiny_marian), "ctranslate2")
    doc = tmp_path / "a.txt"
    doc.write_text("Hallo Welt.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["translate", "--to", "en", str(doc), "-m", str(tiny_marian),
                                      "--engine", "ctranslate2", "-q"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "pip install 'tk-translate[ctranslate2]'" in lines[0]


def test_devices_and_dtypes_it_cannot_serve_are_one_line(tiny_marian: Path) -> None:
    with pytest.raises(ConfigError, match="ctranslate2"):
        load_backend(str(tiny_marian), "ctranslate2", device="mps")
    with pytest.raises(ConfigError, match="bfloat16 is not available with --engine ctranslate2"):
        load_backend(str(tiny_marian), "ctranslate2", device="cpu", dtype="bfloat16")
    with pytest.raises(ConfigError, match="int8 needs --engine ctranslate2"):
        load_backend(str(tiny_marian), "transformers", device="cpu", dtype="int8")


def test_terms_still_missing_are_retried_on_the_constrained_transformers_path(
    tiny_chat: Path, tmp_path: Path
) -> None:
    """CTranslate2 cannot force a term: with --retry force the hints go first, then the
    segments that still miss one are retried with it forced on transformers, and each record
    names the engine (and fingerprint) its text came from."""
    glossary = tmp_path / "g.tsv"
    glossary.write_text("de\ten\tzh\nKI\tAI\t人工智能\nKursziel\tprice target\t目标价\n",
                        encoding="utf-8")
    doc = tmp_path / "a.txt"
    doc.write_text("\n\n".join(GERMAN) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["translate", "--to", "en", str(doc), "-m", str(tiny_chat),
                                      "--engine", "ctranslate2", "-g", str(glossary),
                                      "-o", str(out), "--max-new-tokens", "24", "--retry", "force"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "translations.jsonl").read_text().splitlines()]
    by_engine = {r["id"]: r["engine"] for r in records}
    assert set(by_engine.values()) == {"ctranslate2", "transformers"}
    run = json.loads((out / "run.json").read_text())
    assert run["retries"]["constrained"] == sum(e == "transformers" for e in by_engine.values())
    assert "kept from the constrained transformers path" in result.output
    prints = {e: {r["fingerprint"] for r in records if r["engine"] == e} for e in by_engine.values()}
    assert len(prints["ctranslate2"]) == len(prints["transformers"]) == 1
    assert prints["ctranslate2"] != prints["transformers"]
    assert all(r["checks"]["terms"]["violated"] == [] for r in records
               if r["engine"] == "transformers")  # forced: the term is in the text


def test_a_gguf_too_big_for_memory_is_refused_before_loading_naming_what_it_needs(
    tiny_gguf: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A .gguf is de-quantized on the transformers backend: tk says how much memory that takes
    and refuses, in one line, a file that would not fit, instead of swapping or being killed."""
    from toolkit.backends import gguf

    need = gguf.dequantized_bytes(tiny_gguf, 4)
    assert need > 0
    monkeypatch.setattr(gguf, "available_memory", lambda: need // 2)
    doc = tmp_path / "a.txt"
    doc.write_text("Hallo Welt.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["translate", "--to", "en", str(doc), "-m", str(tiny_gguf),
                                      "-q"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "de-quantizes to" in result.output and "--engine ctranslate2" in result.output
    monkeypatch.setattr(gguf, "available_memory", lambda: need * 2)
    result = CliRunner().invoke(cli, ["translate", "--to", "en", str(doc), "-m", str(tiny_gguf),
                                      "-q"])
    assert result.exit_code == 0, result.output


def test_both_engines_honour_the_models_generation_config(tiny_marian: Path,
                                                          tmp_path: Path) -> None:
    """A model that asks for at least N new tokens, or bans a word, gets that on CTranslate2
    too (min_decoding_length, suppress_sequences), with the same text as on transformers;
    what CTranslate2 cannot honour is named in its fingerprint."""
    from collections import Counter

    from transformers import GenerationConfig

    def save(name: str, **changes: object) -> Path:
        model = tmp_path / name
        shutil.copytree(tiny_marian, model)
        config = GenerationConfig.from_pretrained(model)
        for key, value in changes.items():
            setattr(config, key, value)
        config.save_pretrained(model)
        return model

    def run(model: Path, engine: str) -> list[object]:
        backend = load_backend(str(model), engine, device="cpu", dtype="float32")
        return Translator(backend, max_new_tokens=20).translate(
            [TranslationRequest(s, "de", "en") for s in GERMAN])

    longer = save("min-tokens", min_new_tokens=16, suppress_tokens=[5])
    hf, ct2 = run(longer, "transformers"), run(longer, "ctranslate2")
    assert [t.text for t in ct2] == [t.text for t in hf]
    assert all(t.new_tokens >= 16 for t in ct2)  # the minimum holds on CTranslate2 too
    settings = load_backend(str(longer), "ctranslate2", device="cpu",
                            dtype="float32").fingerprint.settings
    assert settings["generation"]["min_decoding_length"] == 16
    assert settings["not_honoured"] == ["suppress_tokens"]  # named, not dropped silently

    word = Counter(w for t in hf for w in t.text.split()).most_common(1)[0][0]
    plain = load_backend(str(tiny_marian), "transformers", device="cpu", dtype="float32")
    pad = GenerationConfig.from_pretrained(tiny_marian).bad_words_ids or []
    banned = save("banned", min_new_tokens=16, bad_words_ids=[*pad, plain.encode_target(word)])
    hf_banned, ct2_banned = run(banned, "transformers"), run(banned, "ctranslate2")
    assert [t.text for t in hf_banned] != [t.text for t in hf]  # the ban changes the output
    assert [t.text for t in ct2_banned] == [t.text for t in hf_banned]  # on both engines


def test_cpu_batches_count_hypotheses_and_fill_every_lane(tiny_marian: Path) -> None:
    backend = load_backend(str(tiny_marian), "ctranslate2", device="cpu", threads=2)
    assert (backend.inter_threads, backend.lanes) == (2, 2)
    assert backend.fingerprint.settings["batches"] == {  # part of what reproduces a run
        "lanes": 2, "max_batch_size": 32, "counts": "hypotheses", "max_batch_tokens": 8192}
    assert backend.rows_per_call == 32 * 2 * 3  # what the cache sends it at once
    texts = [f"Der Satz Nummer {i} ist kurz." for i in range(96)]
    for beams, rows in ((1, 16), (4, 8)):  # greedy: 3 rounds of 2 x 16; beam 4: 32 / 4 rows
        requests = [GenerationRequest(text=t, max_new_tokens=8, beams=beams) for t in texts]
        sizes = [len(rows_) for _, rows_, _ in backend.batches(requests)]
        assert max(sizes) == rows and sum(sizes) == 96 and len(sizes) % 2 == 0
        assert all(g.text for g in backend.generate(requests[:6]))
