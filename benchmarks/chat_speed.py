"""Chat-LLM translation speed on CPU: tk's chat paths against one-by-one ``generate``.

    python benchmarks/chat_speed.py                        # the starter (tk models pull starter)
    python benchmarks/chat_speed.py -n 32 -o eval/results/speed/starter-cpu.json

The same corpus sentences, the same chat prompt (tk's translation prompt), greedy, the same
cap on new tokens, in one process, one path after another:

- ``one-by-one generate``: what users write first - the transformers model, one
  ``generate`` per sentence;
- ``tk transformers, batch B``: tk's transformers backend (left-padded batches);
- ``tk ctranslate2 int8, batch B``: tk's CTranslate2 backend (int8, the system prompt
  passed once as ``static_prompt``).

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
    if "continuous" in args.paths:
        rows.append(continuous_batching(hf, one, requests, args.max_new_tokens))
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    del hf, one

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


def continuous_batching(backend, translator, requests, max_new_tokens: int) -> dict:  # noqa: ANN001
    """transformers' continuous batching (``generate_batch``, paged attention) on tk's exact
    prompts and budgets; it drops processors it does not support, so lengths are checked
    here (each output cut at its own budget, as tk does)."""
    from transformers import GenerationConfig

    generic = translator.requests(requests)
    prompts = [backend.tokenizer(backend._prompt(g), add_special_tokens=False)["input_ids"]
               for g in generic]
    model = backend.model
    row = {"path": "transformers continuous batching (generate_batch)",
           "sentences": len(requests)}
    try:
        model.set_attn_implementation("paged|sdpa")
        config = GenerationConfig(max_new_tokens=max(g.max_new_tokens for g in generic),
                                  do_sample=False, eos_token_id=sorted(backend.eos_ids()),
                                  pad_token_id=backend.tokenizer.pad_token_id)
        started = time.perf_counter()
        out = model.generate_batch(inputs=prompts, generation_config=config, progress_bar=False)
        wall = time.perf_counter() - started
    except Exception as e:  # report what this path does on this machine, whatever it is
        row["error"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        row.update(wall_s=0.0, new_tokens=0, new_tokens_per_second=0.0)
        return row
    finally:
        model.set_attn_implementation("sdpa")
    results = list(out.values())
    new = sum(min(len(r.generated_tokens), g.max_new_tokens)
              for r, g in zip(results, generic, strict=False))
    row.update(wall_s=round(wall, 2), new_tokens=new,
               new_tokens_per_second=round(new / wall, 2),
               sample=backend.tokenizer.decode(results[0].generated_tokens,
                                               skip_special_tokens=True)[:160])
    return row


if __name__ == "__main__":
    main()
