"""Engine speed: model load time (first conversion vs tk's cache) and translation throughput.

    python benchmarks/engine_speed.py                      # the starter model (tk models pull starter)
    python benchmarks/engine_speed.py --model opus-mt-de-en --targets en
    python benchmarks/engine_speed.py --fresh -o eval/results/engine-speed.json

Translates the first N body sentences of corpus/clean/segments.jsonl in one batch per target
language and prints wall time, new tokens and new tokens/s, with sample outputs. ``--fresh``
clears the GGUF conversion cache first so the first load is measured too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sentences(n: int) -> list[str]:
    """The first ``n`` body sentences (not headings or list items) of the cleaned corpus."""
    rows = [json.loads(line) for line in
            (ROOT / "corpus" / "clean" / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r["text"] for r in rows if r.get("kind", "text") == "text"][:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="starter")
    parser.add_argument("--targets", nargs="+", default=["en", "zh"])
    parser.add_argument("-n", "--sentences", type=int, default=8)
    parser.add_argument("--batch", type=int, default=8, help="max batch size")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--beams", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--fresh", action="store_true", help="clear the GGUF cache first")
    parser.add_argument("--samples", type=int, default=2)
    parser.add_argument("-o", "--output", help="write the results as JSON here")
    args = parser.parse_args()

    import torch

    from toolkit.backends import load_backend
    from toolkit.backends.gguf import clear_gguf_cache
    from toolkit.models import resolve_model
    from toolkit.tasks import TranslationRequest, Translator

    load_before = os.getloadavg()[0]  # other work on the machine skews every number
    ref = resolve_model(args.model)
    if args.fresh:
        clear_gguf_cache()
    options = {"device": args.device, "dtype": args.dtype,
               "max_batch_size": args.batch, "max_batch_tokens": 1_000_000,
               "threads": args.threads}
    loads = []
    for _ in range(2 if ref.gguf_file else 1):  # GGUF: first (maybe converting) then cached
        started = time.perf_counter()
        backend = load_backend(ref, **options)
        loads.append(round(time.perf_counter() - started, 2))
    translator = Translator(backend, beams=args.beams)
    texts = sentences(args.sentences)
    results: dict[str, object] = {
        "model": backend.model_label, "device": backend.device, "dtype": str(backend.dtype),
        "fingerprint": translator.fingerprint_short,
        "torch_threads": torch.get_num_threads(), "machine": platform.machine(),
        "load_average_before": load_before,
        "load_seconds": loads, "sentences": len(texts), "batch": args.batch, "targets": {},
    }
    for target in args.targets:
        requests = [TranslationRequest(t, "de", target) for t in texts]
        started = time.perf_counter()
        outputs = [t.text for t in translator.translate(requests)]
        wall = time.perf_counter() - started
        new_tokens = int(backend.last_stats["new_tokens"])
        results["targets"][target] = {  # type: ignore[index]
            "wall_seconds": round(wall, 2), "new_tokens": new_tokens,
            "new_tokens_per_second": round(new_tokens / wall, 2),
            "samples": [{"source": s, "translation": t}
                        for s, t in list(zip(texts, outputs))[: args.samples]],
        }
    results["load_average_after"] = os.getloadavg()[0]
    text = json.dumps(results, ensure_ascii=False, indent=2)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
