"""One article through the whole pipeline: wall time, new tokens/s, sample segments.

    python benchmarks/translate_article.py                          # starter, article 002, en + zh
    python benchmarks/translate_article.py --doc 000_1c8879e5566d8450 --model opus-mt-de-en --targets en
    python benchmarks/translate_article.py --enforce -o eval/results/article-speed.json

Runs without the translation cache, so every segment is generated. By default glossary and
number checks run but never intervene (one engine pass, so the engine's token counters cover
the whole article); ``--enforce`` measures the full enforcing pipeline instead.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="starter")
    parser.add_argument("--doc", default="002_efe5a641e6ba587c", help="document id in corpus/clean")
    parser.add_argument("--targets", nargs="+", default=["en", "zh"])
    parser.add_argument("--enforce", action="store_true", help="let enforcement intervene")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("-o", "--output", help="write the results as JSON here")
    args = parser.parse_args()

    from toolkit.documents import load_documents
    from toolkit.glossary import load_glossary
    from toolkit.translate import load_translator, translate_documents

    docs = [d for d in load_documents([ROOT / "corpus" / "clean"]) if d.id == args.doc]
    if not docs:
        raise SystemExit(f"no document {args.doc!r} in corpus/clean")
    glossary = load_glossary(ROOT / "glossaries" / "ai-finance.tsv")

    start = time.perf_counter()
    engine = load_translator(args.model, args.targets[0], cache=False, threads=args.threads)
    results: dict[str, object] = {
        "model": engine.model_label, "fingerprint": engine.fingerprint_short, "doc": args.doc, "enforce": args.enforce,
        "load_seconds": round(time.perf_counter() - start, 2),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "load_average": os.getloadavg()[0],
    }
    for lang in args.targets:
        start = time.perf_counter()
        run = translate_documents(docs, engine, lang, glossary=glossary, enforce=args.enforce)
        wall = time.perf_counter() - start
        stats = getattr(engine.backend, "last_stats", {})
        summary = run.summary()
        results[lang] = {
            "segments": len(run.records),
            "wall_seconds": round(wall, 1),
            "new_tokens": stats.get("new_tokens") if not args.enforce else None,
            "new_tokens_per_second": round(stats["tokens_per_second"], 2)
            if stats and not args.enforce else None,
            "checks": summary,
            "samples": [{"id": r.id, "source": r.source, "translation": r.translation}
                        for r in run.records if r.kind == "text"][: args.samples],
        }
        print(f"{lang}: {len(run.records)} segments in {wall:.1f} s"
              + (f", {stats['new_tokens']} new tokens, {stats['tokens_per_second']:.2f} tok/s"
                 if stats and not args.enforce else ""))
        print(summary)
    text = json.dumps(results, ensure_ascii=False, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
