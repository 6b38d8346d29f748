"""A translation memory made from the reference translations of some corpus articles, for
measuring what `tk translate --tm` (exact and fuzzy matches) does on the others.

    python benchmarks/tm_memory.py --docs 000 001 -o eval/results/tm/memory-000-001.tmx

Each unit: the German segment (eval/refs/translations/*.jsonl "source") with its English and
Chinese references; ``--docs`` are the id prefixes of the articles taken. Also prints, for
the other articles' segments, how many have an exact or fuzzy match at each threshold.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from toolkit.formats.tmx import Unit, write_tmx
from toolkit.tm import TranslationMemory

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", nargs="+", required=True, help="article id prefixes, e.g. 000 001")
    parser.add_argument("--refs", default=str(ROOT / "eval" / "refs" / "translations"))
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    refs = {lang: [json.loads(line) for line in (Path(args.refs) / f"{lang}.jsonl").open(encoding="utf-8")]
            for lang in ("en", "zh")}
    taken = [(en, zh) for en, zh in zip(refs["en"], refs["zh"], strict=True)
             if en["doc"].startswith(tuple(args.docs))]
    units = [Unit(en["id"], {"de": en["source"], "en": en["reference"], "zh": zh["reference"]}, en["doc"])
             for en, zh in taken]
    Path(args.output).write_bytes(write_tmx(units, "de", tool_version="benchmark"))
    others = [r for r in refs["en"] if not r["doc"].startswith(tuple(args.docs))]
    memory = TranslationMemory(units, "de", "en")
    counts = {"units": len(units), "segments_to_translate": len(others),
              "exact": sum(memory.exact(r["source"]) is not None for r in others)}
    for threshold in (0.5, 0.6, 0.7, 0.75, 0.8, 0.9):
        counts[f"fuzzy>={threshold}"] = sum(memory.fuzzy(r["source"], threshold) is not None
                                            for r in others)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
