"""benchmarks/gpu_check.sh on a machine without a GPU: it says the GPU parts are skipped and
runs every part on CPU with tiny models, so that the script a GPU machine will run works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
torch = pytest.importorskip("torch")
pytest.importorskip("ctranslate2")


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is here: the script measures it")
def test_the_gpu_check_runs_on_cpu_saying_what_it_skipped(tmp_path: Path) -> None:
    output = tmp_path / "gpu.json"
    env = {**os.environ, "PYTHON": sys.executable, "GPU_CHECK_OUTPUT": str(output),
           "GPU_CHECK_BUDGET": "400", "TK_HOME": str(tmp_path / "home"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(["bash", str(ROOT / "benchmarks" / "gpu_check.sh")], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no NVIDIA GPU here" in proc.stdout and "installing" not in proc.stdout
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["smoke"] is True and report["gpu"]["cuda"] is False
    parts = report["parts"]
    assert parts["oom"]["skipped"].startswith("needs a CUDA device")

    ct2 = parts["ctranslate2"]
    assert [r["compute_type"] for r in ct2["runs"]] == ["int8"]
    run = ct2["runs"][0]
    # tk's backend and raw CTranslate2 did the same work: every sentence, beam 4 (int8 numbers
    # depend a little on which rows share a batch, and the two batch differently on CPU)
    tk, raw = run["tk_ctranslate2"]["new_tokens"], run["raw_ctranslate2"]["new_tokens"]
    assert tk > 0 and abs(tk - raw) <= 0.1 * raw

    hf = parts["transformers"]
    assert [r["batching"] for r in hf["runs"]] == ["padded", "continuous"]
    assert all(r["new_tokens"] > 0 for r in hf["runs"])

    ray = parts["ray"]
    if "skipped" not in ray:  # the test extra installs Ray; a plain install may not have it
        assert ray["shards_done"] == ray["shards"] >= 2 and ray["segments"] >= ray["documents"]
    assert all("failed" not in p for p in parts.values()), parts
