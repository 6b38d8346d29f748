"""Chat-LLM translation speed on CPU: tk's chat paths against one-by-one ``generate``.

    python benchmarks/chat_speed.py                        # the starter (tk models pull starter)
    python benchmarks/chat_speed.py -n 32 -o eval/results/speed/starter-cpu.json

The same corpus sentences, the same chat prompt (tk's translation prompt), greedy, the same
cap on new tokens, in one process, one path after another:

- ``one-by-one generate``: what users write first - the transformers model, one
  ``generate`` per sentence;
- ``tk transformers, batch B``: tk's transformers backend (left-padded batches);
- ``tk transformers continuous batching``: the same backend with ``batching="continuous"``
  (transformers' ``generate_batch``, paged attention);
- ``tk ctranslate2 int8, batch B``: tk's CTranslate2 backend (int8).

llama.cpp has a script of its own (``llama_cpp_speed.py``: its package is a separate build).

Only generation is timed (the model is loaded first); each path's new tokens/s is what it
generated divided by its wall time. The machine may be shared: read the ratios, taken in one
run, not the absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sentences(n: int) -> list[str]:
    rows = [json.loads(line) for line in
            (ROOT / "corpus" / "clean" / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r["text"] for r in rows if r.get("kind", "text") == "text"][:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="starter")
    parser.add_argument("--to", default="en")
    parser.add_argument("-n", "--sentences", type=int, default=32)
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--batches", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--one-by-one", type=int, default=8,
                        help="sentences for the one-by-one baseline (it is slow)")
    parser.add_argument("--paths", nargs="+", default=["one-by-one", "transformers",
                                                        "ctranslate2", "continuous"],
                        help="which paths to run")
    parser.add_argument("-o", "--output")
    args = parser.parse_args()

    import torch

    from toolkit.backends import load_backend
    from toolkit.tasks import TranslationRequest, Translator

    torch.set_num_threads(args.threads)
    texts = sentences(args.sentences)
    requests = [TranslationRequest(t, "de", args.to) for t in texts]
    rows: list[dict] = []

    def timed(name: str, translator: Translator, reqs: list[TranslationRequest]) -> None:
        backend = translator.backend
        before = backend.usage.new_tokens
        started = time.perf_counter()
        out = translator.translate(reqs)
        wall = time.perf_counter() - started
        new = backend.usage.new_tokens - before
        rows.append({"path": name, "sentences": len(reqs), "wall_s": round(wall, 2),
                     "new_tokens": new, "new_tokens_per_second": round(new / wall, 2),
                     "sample": out[0].text[:160]})
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)

    hf = load_backend(args.model, "transformers", device="cpu", threads=args.threads)
    one = Translator(hf, max_new_tokens=args.max_new_tokens)
    if "one-by-one" in args.paths:
        # One by one: each sentence its own generate call (what a first script does).
        started = time.perf_counter()
        before = hf.usage.new_tokens
        for r in requests[: args.one_by_one]:
            one.translate([r])
        wall = time.perf_counter() - started
        new = hf.usage.new_tokens - before
        rows.append({"path": "one-by-one generate (transformers)", "sentences": args.one_by_one,
                     "wall_s": round(wall, 2), "new_tokens": new,
                     "new_tokens_per_second": round(new / wall, 2)})
        print(json.dumps(rows[-1]), flush=True)
    if "transformers" in args.paths:
        for batch in args.batches:
            hf.max_batch_size = batch
            timed(f"tk transformers, batch {batch}", one, requests)
    del hf, one
    if "continuous" in args.paths:
        # tk's transformers backend with --batching continuous: generate_batch over the group.
        cb = load_backend(args.model, "transformers", device="cpu", threads=args.threads,
                          batching="continuous")
        timed("tk transformers continuous batching", Translator(cb, max_new_tokens=args.max_new_tokens),
              requests)
        del cb

    if "ctranslate2" in args.paths:
        ct2 = load_backend(args.model, "ctranslate2", device="cpu", threads=args.threads)
        fast = Translator(ct2, max_new_tokens=args.max_new_tokens)
        for batch in args.batches:
            ct2.max_batch_size = batch
            timed(f"tk ctranslate2 int8, batch {batch}", fast, requests)

    base = rows[0]["new_tokens_per_second"]
    for r in rows:
        r["x_one_by_one"] = round(r["new_tokens_per_second"] / base, 2) if base else None
    print(f"\n{'path':<40}{'sent':>6}{'wall s':>9}{'new tok':>9}{'tok/s':>8}{'x 1-by-1':>10}")
    for r in rows:
        print(f"{r['path']:<40}{r['sentences']:>6}{r['wall_s']:>9.1f}{r['new_tokens']:>9}"
              f"{r['new_tokens_per_second']:>8.1f}{r['x_one_by_one']:>10.2f}")
    if args.output:
        report = {"model": args.model, "target": args.to, "threads": args.threads,
                  "max_new_tokens": args.max_new_tokens,
                  "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                              "load_average": os.getloadavg()}, "paths": rows}
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")


if __name__ == "__main__":
    main()
