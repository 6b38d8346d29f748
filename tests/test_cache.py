"""The generation cache can never serve a stale output: it keys on the backend's fingerprint
(model content, dtype, device, versions), the task's prompt version and the exact request;
several tk processes can share one TK_HOME; `tk cache info|clear`."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.errors import CacheError
from toolkit.tasks import TranslationRequest
from toolkit.translate import load_translator

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = [TranslationRequest(t, "de", "en") for t in
            ("Alibaba stellt Qwen3.5 vor.", "Der Umsatz stieg um 6,22 Prozent.")]


def translate(model: Path | str, **options: object) -> tuple[list[str], int, str]:
    """Texts, cache hits and the short fingerprint of one run through the cache."""
    translator = load_translator(str(model), "en", **options)
    texts = [t.text for t in translator.translate(REQUESTS)]
    return texts, translator.backend.hits, translator.fingerprint_short


def test_nothing_changed_is_a_hit(tiny_marian: Path) -> None:
    first, hits, fp = translate(tiny_marian)
    again, hits_again, fp_again = translate(tiny_marian)
    assert (hits, hits_again) == (0, 2) and again == first and fp_again == fp


def test_a_different_model_saved_into_the_same_folder_is_a_miss(
    tiny_marian: Path, tiny_marian_multi: Path, tmp_path: Path
) -> None:
    from tiny_models import build_marian

    folder = tmp_path / "my-model"
    shutil.copytree(tiny_marian, folder)
    first, _, fp = translate(folder)
    shutil.rmtree(folder)
    build_marian(folder, target_lang="en")  # same architecture, retrained tokenizer, ...
    import torch
    from transformers import MarianMTModel

    model = MarianMTModel.from_pretrained(folder)
    with torch.no_grad():
        model.lm_head.weight.mul_(-1)  # ... and other weights, saved where the old model was
    model.save_pretrained(folder)
    second, hits, fp2 = translate(folder)
    assert hits == 0 and fp2 != fp
    assert second != first  # the new weights' own output, not the old model's from the cache


@pytest.mark.parametrize("change", [{"max_new_tokens": 3}, {"dtype": "bfloat16"}, {"beams": 2}])
def test_a_setting_that_changes_output_is_a_miss(tiny_marian: Path, change: dict) -> None:
    translate(tiny_marian)
    _, hits, _ = translate(tiny_marian, **change)
    assert hits == 0


def test_a_new_prompt_version_is_a_miss(tiny_chat: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import toolkit.translate

    translator = load_translator(str(tiny_chat), "en")
    translator.translate(REQUESTS)
    fp = translator.fingerprint_short
    monkeypatch.setattr(toolkit.translate, "PROMPT_VERSION", "translate-test")
    monkeypatch.setattr("toolkit.tasks.translator.PROMPT_VERSION", "translate-test")
    again = load_translator(str(tiny_chat), "en")
    again.translate(REQUESTS)
    assert again.backend.hits == 0 and again.fingerprint_short != fp


def test_records_name_the_model_as_given_and_carry_the_fingerprint(
    tiny_marian: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    shutil.copytree(tiny_marian, work / "models" / "marian")
    (work / "a.txt").write_text("Alibaba stellt Qwen3.5 vor.", encoding="utf-8")
    monkeypatch.chdir(work)
    absolute = str(work / "models" / "marian")
    for spec in ("models/marian", absolute):
        result = CliRunner().invoke(main, ["translate", "--to", "en", "a.txt", "--model", spec,
                                           "--no-glossary", "-o", "out", "-q"])
        assert result.exit_code == 0, result.output
        record = json.loads((work / "out" / "translations.jsonl").read_text().splitlines()[0])
        assert record["model"] == "models/marian"  # never the machine's absolute path
        run = json.loads((work / "out" / "run.json").read_text())
        assert record["fingerprint"] and run["fingerprint"]["model"].startswith("sha256:")
        assert run["fingerprint"]["settings"]["dtype"] == "float32"
        assert set(run["fingerprint"]["versions"]) == {"tk", "transformers", "torch"}


def test_two_processes_share_one_cache(tiny_marian: Path, tk_home: Path, tmp_path: Path) -> None:
    """Two tk runs on the same TK_HOME at once: both finish, and the cache stays whole."""
    article = tmp_path / "a.txt"
    article.write_text("\n\n".join(f"Der Umsatz stieg um {i} Prozent." for i in range(12)),
                       encoding="utf-8")
    cmd = [sys.executable, "-m", "toolkit", "translate", "--to", "en", str(article), "--model",
           str(tiny_marian), "--no-glossary", "--no-checks", "-o", "-", "-q", "--threads", "1"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _, e in outs]
    assert outs[0][0] == outs[1][0] and len(outs[0][0].splitlines()) == 12
    db = sqlite3.connect(tk_home / "cache" / "generations.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT COUNT(*) FROM generations").fetchone()[0] == 12


def test_two_processes_converting_one_gguf_take_turns(tiny_gguf: Path, tk_home: Path) -> None:
    code = ("import sys; from toolkit.backends import load_backend; "
            "b = load_backend(sys.argv[1], threads=1); print(b.fingerprint.model)")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tiny_gguf)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _, e in outs]
    assert outs[0][0] == outs[1][0]
    folders = [p for p in (tk_home / "cache" / "gguf").iterdir() if p.is_dir()]
    assert len(folders) == 1 and (folders[0] / "tk-complete").is_file()  # no half-written copy


def test_a_corrupt_cache_is_one_line_naming_the_fix(tiny_marian: Path, tk_home: Path) -> None:
    path = tk_home / "cache" / "generations.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CacheError, match="tk cache clear"):
        load_translator(str(tiny_marian), "en")
    article = tk_home / "a.txt"
    article.write_text("Hallo.", encoding="utf-8")
    result = CliRunner().invoke(main, ["translate", "--to", "en", str(article), "--model",
                                       str(tiny_marian), "-q"])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_an_unwritable_tk_home_is_one_line(tiny_marian: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    monkeypatch.setenv("TK_HOME", str(blocker / "home"))
    with pytest.raises(CacheError, match="TK_HOME"):
        load_translator(str(tiny_marian), "en")


def test_cache_info_and_clear(tiny_marian: Path, tiny_gguf: Path) -> None:
    translate(tiny_marian)
    load_translator(str(tiny_gguf), "en")
    info = CliRunner().invoke(main, ["cache", "info"])
    assert info.exit_code == 0, info.output
    assert "generations" in info.output and "2 entries" in info.output
    assert "converted GGUF models" in info.output and "1 entries" in info.output
    only_gguf = CliRunner().invoke(main, ["cache", "clear", "--gguf"])
    assert "removed 1 converted GGUF models" in only_gguf.output
    cleared = CliRunner().invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0 and "removed 2 generations" in cleared.output
    assert translate(tiny_marian)[1] == 0  # translated anew


@pytest.mark.starter
@pytest.mark.slow
def test_what_an_earlier_run_cached_never_changes_an_output_on_int8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the real starter in int8 CTranslate2, which rows share a batch changes a few outputs.
    The cache plans its chunks over every request, cached or not, so a run whose cache holds
    a third of the requests (what a killed job leaves) writes what a fresh run writes."""
    import json

    from toolkit.cache import CachedBackend, GenerationCache
    from toolkit.tasks import TranslationRequest, Translator

    home = Path(os.environ.get("TK_STARTER_HOME", Path.home() / ".cache" / "tk"))
    if not (home / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").is_file():
        pytest.skip("the starter is not installed (tk models pull starter)")
    monkeypatch.setenv("TK_HOME", str(home))  # its conversions; the generations go to tmp_path
    from toolkit.backends import load_backend

    rows = [json.loads(line)["text"] for line in
            (Path(__file__).resolve().parent.parent / "corpus" / "clean" / "segments.jsonl")
            .read_text(encoding="utf-8").splitlines()][:48]
    backend = load_backend("starter", "ctranslate2", device="cpu")

    def run(name: str, prefill: list[str] | None = None) -> list[str]:
        cached = CachedBackend(backend, GenerationCache(tmp_path / name), namespace="t")
        translator = Translator(cached, max_new_tokens=48)
        if prefill:
            translator.translate([TranslationRequest(s, "de", "en") for s in prefill])
        return [t.text for t in translator.translate([TranslationRequest(s, "de", "en")
                                                      for s in rows])]

    assert run("half.sqlite", prefill=rows[::3]) == run("fresh.sqlite")
