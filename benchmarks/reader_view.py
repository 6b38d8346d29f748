"""Translation records as a reader sees them: a glossary term whose only occurrence comes after
the sentence has ended ("... in the country. AI") counts as appended, not placed; an output
that says a stretch three times that its source does not repeat counts as a failure.

    python benchmarks/reader_view.py eval/results/starter/en-enforce-off/translations.jsonl out/en/translations.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

_END = re.compile(r"[.!?。！？][\"'”’»)]*")


def split_tail(text: str) -> tuple[str, str]:
    """The text up to its last sentence end, and what follows it."""
    stripped = text.rstrip()
    ends = [m.end() for m in _END.finditer(stripped) if m.end() < len(stripped)]
    return (stripped[:ends[-1]], stripped[ends[-1]:]) if ends else (stripped, "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="+", help="translations.jsonl files")
    args = parser.parse_args()
    from toolkit.summarize import repeated_stretch

    for path in args.records:
        records = [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines()]
        found = placed = appended = repeating = 0
        for r in records:
            head, tail = split_tail(r["translation"])
            terms = r["checks"]["terms"] or {"found": [], "violated": []}
            violated = {v["target"] for v in terms["violated"]}
            for term in terms["found"]:
                found += 1
                target = term["target"]
                if target in violated:
                    continue
                if target in tail and target not in head and len(tail.split()) <= 4:
                    appended += 1
                else:
                    placed += 1
            repeating += bool(repeated_stretch(r["translation"], r["source"]))
        checked = sum(r["checks"]["numbers"]["checked"] for r in records)
        wrong = sum(len(r["checks"]["numbers"]["mismatched"]) for r in records)
        print(f"{path}: terms placed {placed}/{found} ({100 * placed / max(found, 1):.1f}%), "
              f"appended {appended}, missing {found - placed - appended}; numbers right "
              f"{checked - wrong}/{checked}; repeating outputs {repeating}; wrong language "
              f"{sum(not r['checks']['language']['ok'] for r in records)}")


if __name__ == "__main__":
    main()
