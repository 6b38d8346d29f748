"""--runner ray: the same job over a Ray Data actor pool (a local Ray with 2 CPUs, tiny
models), writing the same shards, manifest and records as the local runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_ray_runner_writes_the_records_of_the_local_runner(
    tiny_marian: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [json.loads(line) for line in
            (ROOT / "corpus" / "clean" / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows if r.get("kind", "text") == "text"]
    docs = [{"id": f"doc-{i}", "text": " ".join(texts[3 * i:3 * i + 3])} for i in range(6)]
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs),
                      encoding="utf-8")
    glossary = tmp_path / "g.tsv"
    glossary.write_text("de\ten\nKI\tAI\nAlibaba\tAlibaba\n", encoding="utf-8")
    base = ["translate", "--to", "en", str(inputs), "-m", str(tiny_marian), "-g", str(glossary),
            "--shard-size", "2", "--max-new-tokens", "10"]

    monkeypatch.setenv("TK_HOME", str(tmp_path / "home-local"))
    local = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "local")])
    assert local.exit_code == 0, local.output

    monkeypatch.setenv("TK_HOME", str(tmp_path / "home-ray"))  # nothing cached: real work
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        result = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "ray"), "--runner", "ray",
                                           "--ray-actors", "2"])
    finally:
        ray.shutdown()
    assert result.exit_code == 0, result.output
    read = lambda name: (tmp_path / name / "translations.jsonl").read_text(encoding="utf-8")  # noqa: E731
    assert read("ray") == read("local")
    # ... and the same checks summary at the end (terms, numbers, language), shard by shard
    def checks(output: str) -> list[str]:
        lines = output.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("Checks:"))
        return lines[start:start + 4]

    assert checks(result.stderr) == checks(local.stderr)
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["runner"] == "ray" and manifest["status"] == "complete"
    assert [e["index"] for e in manifest["shards"]] == [0, 1, 2]
    local_manifest = json.loads((tmp_path / "local" / "manifest.json").read_text())
    assert manifest["settings"] == local_manifest["settings"]
    for name in ("local", "ray"):
        shards = sorted((tmp_path / name / "shards").glob("*.jsonl"))
        assert [p.name for p in shards] == ["part-00000.jsonl", "part-00001.jsonl",
                                            "part-00002.jsonl"]


@pytest.mark.slow
def test_summaries_run_on_ray_as_they_do_locally(
    tiny_chat: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same engine for every task: tk summarize --runner ray writes the local runner's
    records byte for byte, and ends with the same checks summary."""
    docs = [{"id": f"doc-{i}", "text": f"Alibaba meldet {i + 3} Prozent mehr Umsatz. "
             "Die Aktie stieg in Hongkong."} for i in range(4)]
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs),
                      encoding="utf-8")
    base = ["summarize", "--to", "en", str(inputs), "-m", str(tiny_chat), "--no-glossary",
            "--shard-size", "2", "--max-words", "12"]
    monkeypatch.setenv("TK_HOME", str(tmp_path / "home-local"))
    local = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "local")])
    assert local.exit_code == 0, local.output
    monkeypatch.setenv("TK_HOME", str(tmp_path / "home-ray"))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        result = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "ray"), "--runner", "ray",
                                           "--ray-actors", "2"])
    finally:
        ray.shutdown()
    assert result.exit_code == 0, result.output
    read = lambda name: (tmp_path / name / "summaries.jsonl").read_bytes()  # noqa: E731
    assert read("ray") == read("local")
    summary = [ln for ln in result.stderr.splitlines() if ln.startswith(("summaries:", "numbers:"))]
    assert summary and summary == [ln for ln in local.stderr.splitlines()
                                   if ln.startswith(("summaries:", "numbers:"))]


def test_a_ray_address_that_does_not_answer_is_one_line_soon(
    tiny_marian: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys
    import time

    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"id": "a", "text": "Ein Satz."}\n', encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "toolkit", "translate", "--to", "en",
                           str(inputs), "-m", str(tiny_marian), "-o", str(tmp_path / "out"),
                           "--runner", "ray", "--ray-address", "127.0.0.1:1", "-q"],
                          capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "TK_HOME": str(tmp_path / "h")})
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "cannot reach Ray at 127.0.0.1:1" in done.stderr
    assert time.monotonic() - started < 120  # not Ray's minutes of retries


def test_gpus_a_cluster_does_not_have_are_one_line(tiny_marian: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"id": "a", "text": "Ein Satz."}\n', encoding="utf-8")
    ray.init(num_cpus=1, num_gpus=0, include_dashboard=False, log_to_driver=False)
    try:
        result = CliRunner().invoke(main, ["translate", "--to", "en", str(inputs), "-m",
                                           str(tiny_marian), "-o", str(tmp_path / "out"), "-q",
                                           "--runner", "ray", "--ray-gpus-per-actor", "1"])
    finally:
        ray.shutdown()
    assert result.exit_code == 1 and "the Ray cluster has 0 GPU(s)" in result.output, result.output


@pytest.mark.slow
def test_a_quiet_ray_run_prints_nothing(tiny_marian: Path, tmp_path: Path) -> None:
    """-q means quiet with --runner ray too: Ray's own start-up and progress lines stay out."""
    import os
    import subprocess
    import sys

    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"id": "a", "text": "Ein Satz."}\n{"id": "b", "text": "Noch einer."}\n',
                      encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "toolkit", "translate", "--to", "en",
                           str(inputs), "-m", str(tiny_marian), "-o", str(tmp_path / "out"),
                           "--no-glossary", "--runner", "ray", "--max-new-tokens", "6", "-q"],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TK_HOME": str(tmp_path / "h"), "RAY_ADDRESS": ""})
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "" and done.stdout == "", done.stderr[-2000:]
