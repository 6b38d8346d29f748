"""COMET, run in its own Python environment.

The ``unbabel-comet`` package pins transformers<5 while tk needs transformers 5, so COMET
cannot live in tk's environment. tk runs it through a subprocess in a separate one:

    python -m venv .venv-comet
    .venv-comet/bin/pip install unbabel-comet
    tk score translations out/en/translations.jsonl --refs eval/refs --metric comet

The interpreter is found by the ``comet_python`` setting (flag > TK_COMET_PYTHON > tk.toml >
``.venv-comet/bin/python``); the model by ``comet_model`` (default Unbabel/wmt22-comet-da: a
hub id, downloaded by COMET on first use, or a local checkpoint path for offline machines).
The worker script is self-contained (it imports only comet and the standard library).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.config import setting
from toolkit.errors import ScoreError

DEFAULT_MODEL = "Unbabel/wmt22-comet-da"
DEFAULT_PYTHON = ".venv-comet/bin/python"
INSTALL_HINT = ("create its own environment (it needs transformers<5): python -m venv .venv-comet && "
                ".venv-comet/bin/pip install unbabel-comet; or set TK_COMET_PYTHON to a Python that has it")

WORKER = r'''
import json, sys
try:
    import comet
except ImportError:
    print(json.dumps({"error": "not-installed"}))
    sys.exit(0)
req = json.load(sys.stdin)
model_ref = req["model"]
path = model_ref if model_ref.endswith(".ckpt") else comet.download_model(model_ref)
model = comet.load_from_checkpoint(path)
data = [{"src": s, "mt": h, "ref": r} for s, h, r in zip(req["src"], req["mt"], req["ref"])]
out = model.predict(data, batch_size=req.get("batch_size", 16), gpus=req.get("gpus", 0), progress_bar=False)
print(json.dumps({"scores": list(out.scores), "system_score": out.system_score,
                  "version": getattr(comet, "__version__", "unknown")}))
'''


@dataclass
class CometResult:
    scores: list[float]  # per segment, x 100
    signature: str


def comet_python(flag: str | None = None) -> Path:
    """The interpreter of the COMET environment, or ScoreError('COMET is not installed: ...')."""
    python = Path(str(setting("comet_python", flag, DEFAULT_PYTHON))).expanduser()
    if not python.is_file():
        raise ScoreError(f"COMET is not installed: no Python at {python}; {INSTALL_HINT}")
    return python


def comet_scores(sources: Sequence[str], hypotheses: Sequence[str], references: Sequence[str], *,
                 model: str | None = None, python: str | None = None, gpus: int = 0) -> CometResult:
    """Segment-level COMET x 100 from the separate COMET environment."""
    exe = comet_python(python)
    model_ref = str(setting("comet_model", model, DEFAULT_MODEL))
    request = json.dumps({"model": model_ref, "src": list(sources), "mt": list(hypotheses),
                          "ref": list(references), "gpus": gpus})
    proc = subprocess.run([str(exe), "-c", WORKER], input=request, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no error output"])[-1]
        raise ScoreError(f"COMET failed in {exe} ({tail}); run it there by hand to see the whole error")
    try:
        reply = json.loads(proc.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        raise ScoreError(f"COMET in {exe} gave no result; run it there by hand to see why") from None
    if reply.get("error") == "not-installed":
        raise ScoreError(f"COMET is not installed in {exe}; {INSTALL_HINT}")
    scores = [100.0 * float(s) for s in reply["scores"]]
    sig = f"COMET|nrefs:1|model:{model_ref}|scale:100|version:unbabel-comet-{reply.get('version', 'unknown')}"
    return CometResult(scores=scores, signature=sig)
