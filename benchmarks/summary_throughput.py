"""Summaries per minute when the documents of a run go to the model together (tk now: every
document's parts in one batch, their retries in one) against one document at a time (tk
before), on the same code, model and inputs, the cache off, measured in one process.

    python benchmarks/summary_throughput.py eval/results/starter/en-enforce-on --copies 20 --max-words 100 --one-by-one 10

The inputs are tk's translation records of the corpus (the via-translation route; the
translation itself is measured by the translation benchmarks), repeated ``--copies`` times
under distinct ids. Batched, documents go in shards of ``--shard`` (the job engine's default,
32), as ``tk summarize -o DIR`` runs them; one at a time, the first ``--one-by-one`` documents
(its cost per document does not depend on how many there are). Prints both rates and their
ratio; writes a JSON with -o.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("translations", help="tk translate's output folder")
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--shard", type=int, default=32)
    parser.add_argument("--one-by-one", type=int, help="documents run one at a time [all]")
    parser.add_argument("--max-words", type=int)
    parser.add_argument("--max-chars", type=int)
    parser.add_argument("--model", default="starter")
    parser.add_argument("--engine", default="ctranslate2")
    parser.add_argument("-o", "--output")
    args = parser.parse_args()

    from toolkit.load import ModelOptions
    from toolkit.summarize import inputs_from_translations, summarize_documents, summarizer_for

    lang = "zh" if args.max_chars else "en"
    base = inputs_from_translations(args.translations)
    items = [replace(i, doc=f"{i.doc}#{k}") for k in range(args.copies) for i in base]
    options = ModelOptions.resolve(model=args.model, engine=args.engine, cache=False)
    summarizer = summarizer_for(options, lang)
    length = {"max_words": args.max_words, "max_chars": args.max_chars}
    summarize_documents(base[:1], summarizer, lang, **length)  # load and warm up
    alone = items[:args.one_by_one or len(items)]
    started = time.perf_counter()
    for item in alone:
        summarize_documents([item], summarizer, lang, **length)
    one = time.perf_counter() - started
    started = time.perf_counter()
    for k in range(0, len(items), args.shard):
        summarize_documents(items[k:k + args.shard], summarizer, lang, **length)
    together = time.perf_counter() - started
    per_minute = [60 * len(alone) / one, 60 * len(items) / together]
    result = {"documents": len(items), "one_at_a_time_documents": len(alone),
              "shard": args.shard, "model": args.model, "engine": args.engine,
              "one_at_a_time_per_minute": round(per_minute[0], 2),
              "batched_per_minute": round(per_minute[1], 2),
              "ratio": round(per_minute[1] / per_minute[0], 2),
              "seconds": [round(one, 1), round(together, 1)]}
    print(json.dumps(result, indent=2))
    if args.output:
        Path(args.output).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
