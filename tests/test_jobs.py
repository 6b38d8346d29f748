"""Jobs: `tk translate -o DIR` streams its input into shards and a manifest; killed at any
moment it continues where it stopped with no record lost, duplicated or different; a rerun
with other settings is refused; --shard K/N splits a corpus exactly; a failing document is
recorded and retried; an out-of-memory batch is split. Real tiny models throughout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.documents import DocumentSource, iter_documents, shard_of

ROOT = Path(__file__).resolve().parent.parent


def corpus_docs(n: int) -> list[dict[str, str]]:
    """``n`` small documents cut from the corpus sentences (2 sentences each)."""
    rows = [json.loads(line) for line in
            (ROOT / "corpus" / "clean" / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows if r.get("kind", "text") == "text"]
    return [{"id": f"doc-{i:03d}", "text": " ".join(texts[2 * i:2 * i + 2])} for i in range(n)]


def write_jsonl(path: Path, docs: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs),
                    encoding="utf-8")
    return path


def records(folder: Path, name: str = "translations.jsonl") -> list[dict]:
    return [json.loads(line) for line in
            (folder / name).read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def glossary(tmp_path: Path) -> Path:
    path = tmp_path / "g.tsv"
    path.write_text("de\ten\tzh\nKI\tAI\t人工智能\nAlibaba\tAlibaba\t阿里巴巴\n"
                    "Mixture-of-Experts\tMixture of Experts\t混合专家\n", encoding="utf-8")
    return path


def command(inputs: Path, model: Path, out: Path, glossary: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "toolkit", "translate", "--to", "en", str(inputs),
            "-m", str(model), "-g", str(glossary), "-o", str(out), "--shard-size", "2",
            "--max-new-tokens", "24", "--threads", "1", "-q", *extra]


def shards_done(out: Path) -> int:
    try:
        return len(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["shards"])
    except (OSError, ValueError, KeyError):
        return 0


@pytest.mark.slow
def test_a_job_killed_again_and_again_ends_with_the_records_of_an_uninterrupted_run(
    tiny_chat: Path, glossary: Path, tmp_path: Path
) -> None:
    """kill -9 after the first shard, after the third, and in the middle of a shard; each
    time the same command again. The uninterrupted run has its own cache (nothing shared)."""
    inputs = write_jsonl(tmp_path / "in.jsonl", corpus_docs(12))
    env = {**os.environ, "TK_HOME": str(tmp_path / "home-ref")}
    ref = tmp_path / "ref"
    subprocess.run(command(inputs, tiny_chat, ref, glossary), env=env, check=True,
                   capture_output=True)
    expected = records(ref)
    assert len({r["id"] for r in expected}) == len(expected) == 24
    assert any(r["retried"] for r in expected)  # retries (forced terms) are part of the test

    out = tmp_path / "out"
    env = {**os.environ, "TK_HOME": str(tmp_path / "home")}
    kills = []
    for when in (1, 3, "mid-shard"):
        proc = subprocess.Popen(command(inputs, tiny_chat, out, glossary), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 180
        start = shards_done(out)
        while proc.poll() is None and time.monotonic() < deadline:
            done = shards_done(out)
            if (when == "mid-shard" and done > start) or (isinstance(when, int) and done >= when):
                if when == "mid-shard":
                    time.sleep(0.3)  # into the next shard
                break
            time.sleep(0.05)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills.append((when, shards_done(out)))
        proc.wait(timeout=60)
    # At least two kills landed (a machine fast enough to finish first would prove nothing).
    assert len(kills) >= 2, kills
    finish = subprocess.run(command(inputs, tiny_chat, out, glossary), env=env,
                            capture_output=True, text=True)
    assert finish.returncode == 0, finish.stderr
    got = records(out)
    assert [r["id"] for r in got] == [r["id"] for r in expected]  # none lost, none duplicated
    assert got == expected  # and none different
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete" and manifest["counts"]["documents_done"] == 12
    assert manifest["counts"]["segments_done"] == 24


def test_a_rerun_with_settings_that_change_the_output_is_refused_naming_them(
    tiny_marian: Path, glossary: Path, tmp_path: Path
) -> None:
    inputs = write_jsonl(tmp_path / "in.jsonl", corpus_docs(3))
    out = tmp_path / "out"
    base = ["translate", "--to", "en", str(inputs), "-m", str(tiny_marian), "-o", str(out), "-q",
            "--max-new-tokens", "8"]
    assert CliRunner().invoke(main, base).exit_code == 0
    before = (out / "translations.jsonl").read_bytes()
    for extra, named in ((["--beams", "2"], "beams"), (["-g", str(glossary)], "glossary"),
                         (["--no-enforce"], "enforce"), (["--shard-size", "1"], "shard_docs"),
                         (["--no-repair"], "repair"), (["--retry", "force"], "retry")):
        result = CliRunner().invoke(main, base + extra)
        assert result.exit_code != 0 and "Traceback" not in result.output
        assert "other settings" in result.output and named in result.output, result.output
    assert (out / "translations.jsonl").read_bytes() == before  # nothing written over it
    again = CliRunner().invoke(main, [a for a in base if a != "-q"])  # same settings: reused
    assert again.exit_code == 0 and "3 documents reused" in again.output


def test_shards_cover_the_input_exactly_once(tiny_marian: Path, tmp_path: Path) -> None:
    ids = [f"article-{i}" for i in range(300)]
    for n in (1, 2, 3, 7):
        shares = [shard_of(i, n) for i in ids]
        assert set(shares) == set(range(n))  # every share gets documents (300 of them)
    docs = corpus_docs(8)
    inputs = write_jsonl(tmp_path / "in.jsonl", docs)
    full = tmp_path / "full"
    base = ["translate", "--to", "en", str(inputs), "-m", str(tiny_marian), "-q",
            "--max-new-tokens", "8", "--no-glossary"]
    assert CliRunner().invoke(main, [*base, "-o", str(full)]).exit_code == 0
    parts = []
    for k in (1, 2, 3):
        out = tmp_path / f"part{k}"
        result = CliRunner().invoke(main, [*base, "-o", str(out), "--shard", f"{k}/3"])
        assert result.exit_code == 0, result.output
        parts += records(out)
        picked = [d.id for d in DocumentSource([inputs]).select((k, 3))]
        assert sorted({r["doc"] for r in records(out)}) == sorted(picked)
    assert sorted(parts, key=lambda r: r["id"]) == sorted(records(full), key=lambda r: r["id"])
    bad = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "x"), "--shard", "4/3"])
    assert bad.exit_code != 0 and "K must be between 1 and N" in bad.output


def test_a_failing_document_is_recorded_kept_apart_and_retried_on_the_next_run(
    tiny_marian: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit.backends.transformers import TransformersBackend
    from toolkit.errors import ModelError

    docs = corpus_docs(4)
    docs[1]["text"] = "Kaputt ist dieser Satz. " + docs[1]["text"]
    inputs = write_jsonl(tmp_path / "in.jsonl", docs)
    out = tmp_path / "out"
    base = ["translate", "--to", "en", str(inputs), "-m", str(tiny_marian), "-o", str(out),
            "-q", "--max-new-tokens", "8", "--no-glossary"]
    real = TransformersBackend.generate

    def flaky(self, requests, progress=None):
        if any("Kaputt" in r.text for r in requests):
            raise ModelError("injected failure on this input")
        return real(self, requests, progress)

    monkeypatch.setattr(TransformersBackend, "generate", flaky)
    result = CliRunner().invoke(main, base)
    assert result.exit_code != 0 and "1 document(s) failed (first: doc-001" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "incomplete"
    failed = [f for e in manifest["shards"] for f in e["failed"]]
    assert failed == [{"doc": "doc-001", "error": "ModelError: injected failure on this input"}]
    assert manifest["counts"]["documents_done"] == 3  # the others are kept
    status = CliRunner().invoke(main, ["jobs", "status", str(out)])
    assert "3 done, 1 remaining, 1 failed, of 4" in status.output
    assert not (out / "translations.jsonl").exists()  # not assembled while incomplete
    from toolkit.score.hypotheses import read_translations

    so_far = read_translations(out)  # a job under way is scored on its shards so far
    assert sorted(set(so_far.docs)) == ["doc-000", "doc-002", "doc-003"]

    monkeypatch.setattr(TransformersBackend, "generate", real)
    again = CliRunner().invoke(main, base)
    assert again.exit_code == 0, again.output
    assert [r["doc"] for r in records(out)].count("doc-001") == 3  # "Kaputt..." + its two
    assert sorted({r["doc"] for r in records(out)}) == [d["id"] for d in docs]
    status = json.loads(CliRunner().invoke(main, ["jobs", "status", str(out), "--json"]).output)
    assert status["status"] == "complete" and status["remaining"] == 0 and status["failed"] == 0


def test_an_out_of_memory_batch_is_split_and_the_outputs_do_not_change(
    tiny_marian: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    from toolkit.backends import load_backend
    from toolkit.tasks import TranslationRequest, Translator

    texts = [d["text"] for d in corpus_docs(6)]
    backend = load_backend(str(tiny_marian), device="cpu")
    translator = Translator(backend, max_new_tokens=12)
    expected = [t.text for t in translator.translate([TranslationRequest(x, "de", "en")
                                                      for x in texts])]
    real = backend.model.generate

    def small_memory(*args, **kwargs):
        if kwargs["input_ids"].shape[0] > 2:
            raise torch.OutOfMemoryError("CUDA out of memory (injected)")
        return real(*args, **kwargs)

    monkeypatch.setattr(backend.model, "generate", small_memory)
    got = [t.text for t in translator.translate([TranslationRequest(x, "de", "en")
                                                 for x in texts])]
    assert got == expected
    assert backend.oom_splits >= 2  # 6 -> 3 + 3 -> (1 + 2) + (1 + 2)


def test_parquet_and_saved_datasets_stream_to_the_same_records_as_jsonl(
    tiny_marian: Path, tmp_path: Path
) -> None:
    import datasets

    docs = corpus_docs(5)
    jsonl = write_jsonl(tmp_path / "in.jsonl", docs)
    data = datasets.Dataset.from_list(docs)
    data.to_parquet(str(tmp_path / "in.parquet"))
    data.save_to_disk(str(tmp_path / "in-dataset"))
    outputs = []
    for name in ("in.jsonl", "in.parquet", "in-dataset"):
        out = tmp_path / f"out-{name}"
        result = CliRunner().invoke(main, ["translate", "--to", "en", str(tmp_path / name),
                                           "-m", str(tiny_marian), "-o", str(out), "-q",
                                           "--max-new-tokens", "8", "--no-glossary"])
        assert result.exit_code == 0, result.output
        outputs.append([(r["id"], r["translation"]) for r in records(out)])
    assert outputs[0] == outputs[1] == outputs[2]
    assert [d.id for d in iter_documents([jsonl])] == [d["id"] for d in docs]
    bad = tmp_path / "bad.parquet"
    datasets.Dataset.from_list([{"name": "x"}]).to_parquet(str(bad))
    result = CliRunner().invoke(main, ["translate", "--to", "en", str(bad), "-m",
                                       str(tiny_marian), "-o", str(tmp_path / "o")])
    assert result.exit_code != 0 and "needs columns id and text" in result.output


def test_a_partial_run_is_scored_on_the_documents_it_covers(tmp_path: Path) -> None:
    """A job under way (or one --shard) scores what it did, and the table says how much of
    the reference set that is, instead of counting the rest as empty."""
    from toolkit.score import score_translations

    full = ROOT / "eval" / "results" / "starter" / "en-enforce-on" / "translations.jsonl"
    rows = [json.loads(line) for line in full.read_text(encoding="utf-8").splitlines()]
    docs = list(dict.fromkeys(r["doc"] for r in rows))[:2]
    part = tmp_path / "part.jsonl"
    part.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows
                            if r["doc"] in docs), encoding="utf-8")
    n = sum(r["doc"] in docs for r in rows)
    refs = ROOT / "eval" / "refs"
    covered = score_translations([part], refs, "en", "bleu,chrf", covered=True, n_samples=50)
    empty = score_translations([part], refs, "en", "bleu,chrf", allow_missing=True, n_samples=50)
    assert covered.systems[0].items == n and covered.systems[0].missing == 0
    assert covered.notes[0].startswith(f"partial: scored on the 2 of 5 reference documents ({n} of")
    assert covered.systems[0].scores["chrf"].score > empty.systems[0].scores["chrf"].score
    result = CliRunner().invoke(main, ["score", "translations", str(part), "--refs", str(refs),
                                       "--lang", "en", "--covered", "--bootstrap", "20"])
    assert result.exit_code == 0 and "partial: scored on the 2 of 5" in result.output


def test_a_job_writes_tsv_rows_matching_its_records(tiny_marian: Path, tmp_path: Path) -> None:
    import csv

    inputs = write_jsonl(tmp_path / "in.jsonl", corpus_docs(5))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["translate", "--to", "en", str(inputs), "-m",
                                       str(tiny_marian), "-o", str(out), "-q", "--shard-size",
                                       "2", "--max-new-tokens", "8", "--format", "tsv"])
    assert result.exit_code == 0, result.output
    with (out / "translations.tsv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["doc", "id", "source", "translation"]
    assert [r[1] for r in rows[1:]] == [r["id"] for r in records(out)]  # every shard, once


def test_summaries_are_a_resumable_job_too(tiny_chat: Path, tmp_path: Path) -> None:
    inputs = write_jsonl(tmp_path / "in.jsonl", corpus_docs(3))
    out = tmp_path / "out"
    base = ["summarize", "--lang", "en", str(inputs), "-m", str(tiny_chat), "-o", str(out),
            "--max-words", "20", "--shard-size", "2", "--no-glossary"]
    first = CliRunner().invoke(main, base)
    assert first.exit_code == 0, first.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["task"] == "summarize" and manifest["status"] == "complete"
    assert [e["documents"] for e in manifest["shards"]] == [2, 1]
    rows = [json.loads(line) for line in (out / "summaries.jsonl").read_text().splitlines()]
    assert [r["doc"] for r in rows] == ["doc-000", "doc-001", "doc-002"]
    again = CliRunner().invoke(main, base)
    assert again.exit_code == 0 and "3 documents reused from earlier runs" in again.output
    other = CliRunner().invoke(main, [*base[:-4], "30", *base[-3:]])
    assert other.exit_code != 0 and "max_words: 20 -> 30" in other.output


KINDS = ["txt", "folder", "jsonl", "parquet", "dataset", "stdin"]


def _input(kind: str, tmp_path: Path, docs: list[dict[str, str]]) -> tuple[str, str | None]:
    """(the INPUTS argument, stdin) for one kind of input holding ``docs``."""
    import datasets

    if kind == "txt":
        path = tmp_path / f"{docs[0]['id']}.txt"
        path.write_text(docs[0]["text"], encoding="utf-8")
        return str(path), None
    if kind == "folder":
        folder = tmp_path / "folder"
        folder.mkdir()
        for d in docs:
            (folder / f"{d['id']}.txt").write_text(d["text"], encoding="utf-8")
        return str(folder), None
    if kind == "jsonl":
        return str(write_jsonl(tmp_path / "in.jsonl", docs)), None
    if kind == "parquet":
        datasets.Dataset.from_list(docs).to_parquet(str(tmp_path / "in.parquet"))
        return str(tmp_path / "in.parquet"), None
    if kind == "dataset":
        datasets.Dataset.from_list(docs).save_to_disk(str(tmp_path / "in-dataset"))
        return str(tmp_path / "in-dataset"), None
    return "-", "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)


@pytest.mark.parametrize("command", ["translate", "summarize"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_input_kind_works_with_and_without_an_output_folder(
    kind: str, command: str, tiny_marian: Path, tiny_chat: Path, tmp_path: Path
) -> None:
    """One reader for every kind --help lists: the same documents, in the same order, whether
    the run is small (stdout) or a job (-o DIR)."""
    docs = corpus_docs(2)
    given, stdin = _input(kind, tmp_path, docs)
    if command == "translate":
        base = ["translate", "--to", "en", given, "-m", str(tiny_marian), "--no-glossary",
                "--max-new-tokens", "6", "-q"]
        name, field = "translations.jsonl", "doc"
    else:
        base = ["summarize", "--to", "en", given, "-m", str(tiny_chat), "--no-glossary",
                "--max-words", "8", "--max-new-tokens", "12", "-q"]
        name, field = "summaries.jsonl", "doc"
    small = CliRunner().invoke(main, [*base, "-o", "-"], input=stdin)
    assert small.exit_code == 0, small.output
    job = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "out")], input=stdin)
    assert job.exit_code == 0, job.output
    streamed = [json.loads(line)[field] for line in small.stdout.splitlines() if line]
    kept = [r[field] for r in records(tmp_path / "out", name)]
    assert streamed == kept and kept  # the same documents, in the same order, either way
    expected = [docs[0]["id"]] if kind == "txt" else [d["id"] for d in docs]
    assert list(dict.fromkeys(kept)) == expected
