"""`tk translate` end to end on tiny random-weight models loaded through the user's path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main

ARTICLE = (
    "Alibaba stellt Qwen3.5 vor\n\n"
    "Alibaba hat am 21. Februar sein KI-Modell Qwen3.5 vorgestellt. Es hat 397 Milliarden Parameter.\n\n"
    "- Die ADR fielen um 6,22% auf 135,80 €\n"
)
GLOSSARY = Path(__file__).resolve().parent.parent / "glossaries" / "ai-finance.tsv"


def _run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "qwen.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_folder_output_has_text_and_aligned_records(tiny_marian, article, tmp_path):
    out = tmp_path / "out"
    result = _run("translate", "--to", "en", str(article), "--model", str(tiny_marian),
                  "-g", str(GLOSSARY), "-o", str(out))
    assert result.exit_code == 0, result.output
    records = _records(out / "translations.jsonl")
    assert [r["id"] for r in records] == [
        "qwen:p01:s01", "qwen:p02:s01", "qwen:p02:s02", "qwen:p03:s01"]
    first = records[1]
    assert {"doc", "id", "source", "translation", "model", "engine", "lang", "checks"} <= set(first)
    assert first["model"] == str(tiny_marian) and first["engine"] == "transformers"
    assert first["lang"] == "en" and len(first["fingerprint"]) == 12
    assert first["source"].startswith("Alibaba hat am 21. Februar")
    # glossary enforcement ran and says what it did for every segment with terms
    assert first["checks"]["terms"]["found"]
    assert first["checks"]["numbers"]["checked"] >= 1
    assert "ok" in first["checks"]["language"]
    text = (out / "qwen.en.txt").read_text(encoding="utf-8")
    assert text.count("\n\n") == 2  # three paragraphs kept
    assert text.splitlines()[-1].startswith("- ")  # the list item stays an item


def test_stdin_to_jsonl_on_stdout(tiny_marian):
    result = _run("translate", "--to", "en", "-", "--model", str(tiny_marian), "--no-glossary",
                  "-o", "-", "-q", input="Alibaba stellt Qwen3.5 vor. Die Aktie steigt.")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["stdin:p01:s01", "stdin:p01:s02"]
    assert all(r["checks"]["terms"] is None for r in records)  # --no-glossary


def test_chat_model_folder_translates_into_chinese(tiny_chat, article, tmp_path):
    result = _run("translate", "--to", "zh", str(article), "--model", str(tiny_chat),
                  "--no-checks", "-o", "-", "--format", "tsv", "-q")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split("\t") == ["doc", "id", "source", "translation"]
    assert len(rows) == 4


def test_second_run_comes_from_the_cache_and_a_crash_keeps_finished_chunks(tiny_marian, monkeypatch):
    from toolkit import cache
    from toolkit.documents import Document
    from toolkit.translate import load_translator, translate_documents

    monkeypatch.setattr(cache, "CHUNK", 2)
    docs = [Document(id="d", text="Eins zwei drei.\n\nVier fünf.\n\nSechs sieben acht neun.\n\nZehn.")]
    translator = load_translator(str(tiny_marian), "en")
    inner = translator.backend.backend  # under the cache
    calls: list[int] = []
    real_generate = inner.generate

    def dies_after_first_chunk(requests, progress=None):
        if calls:
            raise KeyboardInterrupt  # the job is killed while the second chunk runs
        calls.append(len(requests))
        return real_generate(requests, progress)

    monkeypatch.setattr(inner, "generate", dies_after_first_chunk)
    with pytest.raises(KeyboardInterrupt):
        translate_documents(docs, translator, "en", checks=False)
    monkeypatch.setattr(inner, "generate", real_generate)

    resumed = load_translator(str(tiny_marian), "en")
    run = translate_documents(docs, resumed, "en", checks=False)
    assert resumed.backend.hits == 2  # the first chunk was not translated again
    again = load_translator(str(tiny_marian), "en")
    assert translate_documents(docs, again, "en", checks=False).records == run.records
    assert again.backend.hits == 4


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: _write(d / "empty.txt", b""), "empty"),
        (lambda d: _write(d / "latin1.txt", "Gr\xfc\xdfe aus K\xf6ln".encode("latin-1")), "UTF-8"),
        (lambda d: _write(d / "blob.txt", b"\x00\x01\x02binary\x00"), "binary"),
        (lambda d: _write(d / "docs.jsonl", b'{"text": "Hallo"}\n'), "id"),
    ],
)
def test_bad_input_is_one_line_and_nothing_is_written(tiny_marian, tmp_path, make, message):
    out = tmp_path / "out"
    result = _run("translate", "--to", "en", str(make(tmp_path)), "--model", str(tiny_marian),
                  "-o", str(out))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.output
    assert message.lower() in lines[0].lower()
    assert not out.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--to", "fr"], "unknown target language"),
        (["--to", "zh"], "cannot translate into 'zh'"),  # a de->en model asked for Chinese
    ],
)
def test_language_the_model_cannot_produce(tiny_marian, article, tmp_path, args, message):
    result = _run("translate", *args, str(article), "--model", str(tiny_marian), "-o", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_unknown_model_name_names_the_fix(article):
    result = _run("translate", "--to", "en", str(article), "--model", "no-such-model")
    assert result.exit_code == 1
    assert "tk models list" in result.output and "Traceback" not in result.output


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_enforcement_fixes_what_the_check_only_baseline_misses(tiny_marian, article):
    common = ["translate", "--to", "en", str(article), "--model", str(tiny_marian),
              "-g", str(GLOSSARY), "-o", "-", "-q"]
    baseline = [json.loads(x) for x in _run(*common, "--no-enforce").stdout.splitlines()]
    # forced while decoding: a random model cannot copy inline forms into place
    enforced = [json.loads(x) for x in _run(*common, "--retry", "force").stdout.splitlines()]
    missed = [t for r in baseline for t in r["checks"]["terms"]["violated"]]
    assert missed, "a random model should miss glossary terms without enforcement"
    assert not any(r["retried"] or r["checks"]["terms"]["enforced"] for r in baseline)
    # fewer terms missing; a forced retry shorter than the garbage before it counts as
    # dropped content and is refused, so not every one is fixed
    left = [t for r in enforced for t in r["checks"]["terms"]["violated"]]
    assert len(left) < len(missed)
    assert any(r["checks"]["terms"]["status"] == "enforced" for r in enforced)
