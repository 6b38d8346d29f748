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
            "--shard-size", "2", "--max-new-tokens", "10", "-q"]

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
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["runner"] == "ray" and manifest["status"] == "complete"
    assert [e["index"] for e in manifest["shards"]] == [0, 1, 2]
    local_manifest = json.loads((tmp_path / "local" / "manifest.json").read_text())
    assert manifest["settings"] == local_manifest["settings"]
    for name in ("local", "ray"):
        shards = sorted((tmp_path / name / "shards").glob("*.jsonl"))
        assert [p.name for p in shards] == ["part-00000.jsonl", "part-00001.jsonl",
                                            "part-00002.jsonl"]
