"""Memory of a streamed job against the size of its input: the same tk command over 100 and
10,000 documents, peak resident memory of each process (from its manifest).

    python benchmarks/job_memory.py                    # 100 and 10000 documents
    python benchmarks/job_memory.py --sizes 100 1000 10000 -o eval/results/speed/job-memory.json

Documents are corpus sentences (two per document, ids unique), translated by a tiny
random-weight Marian model built here (tests/tiny_models.py) on --engine ctranslate2 with a
small --max-new-tokens, so the run measures tk's job machinery (streaming, segmenting,
checks, shards, manifest) rather than a model. If memory grew with the corpus, the
10,000-document run would show it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--engine", default="ctranslate2")
    parser.add_argument("-o", "--output")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_models import build_marian

    work = Path(tempfile.mkdtemp(prefix="tk-job-memory-"))
    model = build_marian(work / "marian", target_lang="en")
    rows = [json.loads(line) for line in
            (ROOT / "corpus" / "clean" / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows if r.get("kind", "text") == "text"]
    results = []
    for n in args.sizes:
        inputs = work / f"in-{n}.jsonl"
        with inputs.open("w", encoding="utf-8") as out:
            for i in range(n):
                text = f"{texts[(2 * i) % len(texts)]} {texts[(2 * i + 1) % len(texts)]}"
                out.write(json.dumps({"id": f"doc-{i:06d}", "text": text}, ensure_ascii=False)
                          + "\n")
        folder = work / f"out-{n}"
        env = {**os.environ, "TK_HOME": str(work / "home"), "HF_HUB_OFFLINE": "1"}
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "toolkit", "translate", "--to", "en",
                               str(inputs), "-m", str(model), "--engine", args.engine,
                               "--no-glossary", "--max-new-tokens", "4", "--no-cache", "-q",
                               "-o", str(folder)], env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-2000:])
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        results.append({"documents": n, "segments": manifest["counts"]["segments_done"],
                        "input_mb": round(inputs.stat().st_size / 1e6, 2),
                        "peak_memory_mb": manifest["peak_memory_mb"], "wall_s": round(wall, 1)})
        print(json.dumps(results[-1]), flush=True)
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
