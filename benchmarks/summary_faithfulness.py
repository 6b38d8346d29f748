"""The summary checks of `tk summarize` applied to any summaries.jsonl (tk's, a baseline's),
so systems are compared on the same faithfulness figures: numbers stated / not supported by
the source, glossary renderings used / source terms left untranslated, wrong language,
repeating summaries, and lengths.

    python benchmarks/summary_faithfulness.py eval/results/starter/summaries/en-*/summaries.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("summaries", nargs="+")
    parser.add_argument("--corpus", default=str(ROOT / "corpus" / "clean"))
    parser.add_argument("--glossary", default=str(ROOT / "glossaries" / "ai-finance.tsv"))
    args = parser.parse_args()

    from toolkit.documents import load_documents
    from toolkit.glossary import load_glossary
    from toolkit.summarize import SummaryInput, check_summary, measure

    sources = {d.id: d.text for d in load_documents([args.corpus])}
    glossary = load_glossary(args.glossary)
    print("system                      docs  stated  unsupported  used  untranslated  wrong-lang  repeating  mean length")
    for path in args.summaries:
        records = [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines()]
        totals = dict(stated=0, unsupported=0, used=0, untranslated=0, wrong=0, repeating=0)
        lengths = []
        for r in records:
            item = SummaryInput(r["doc"], sources[r["doc"]], "de", sources[r["doc"]], "de")
            c = check_summary(r["summary"], item, r["lang"], glossary)
            totals["stated"] += c.numbers.checked
            totals["unsupported"] += len(c.numbers.mismatched)
            totals["used"] += len(c.used)
            totals["untranslated"] += len(c.untranslated)
            totals["wrong"] += not c.language.ok
            totals["repeating"] += bool(c.repeated)
            lengths.append(measure(r["summary"], "chars" if r["lang"] == "zh" else "words"))
        name = Path(path).parent.name
        print(f"{name:<26} {len(records):>5} {totals['stated']:>7} {totals['unsupported']:>12} "
              f"{totals['used']:>5} {totals['untranslated']:>13} {totals['wrong']:>11} "
              f"{totals['repeating']:>10} {sum(lengths) / len(lengths):>12.1f}")


if __name__ == "__main__":
    main()
