"""Lead-k baseline summaries from tk translation records: the first k sentences of running text
of each translated article (headings and list items skipped), written as summaries.jsonl that
`tk score summaries` and the notebooks read. With --max-words / --max-chars the lead is held to
the limit tk's summaries get, cut as tk cuts them (after the last whole sentence that fits).

    python benchmarks/lead_baseline.py eval/results/starter/en-enforce-on --max-words 100 -o eval/results/starter/summaries/en-lead-3
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("translations", help="tk translate's output folder or translations.jsonl")
    parser.add_argument("-k", type=int, default=3, help="sentences per summary")
    parser.add_argument("-o", "--output", required=True, help="folder for summaries.jsonl")
    parser.add_argument("--max-words", type=int, help="hold each lead to N words")
    parser.add_argument("--max-chars", type=int, help="hold each lead to N characters (zh)")
    args = parser.parse_args()

    path = Path(args.translations)
    path = path / "translations.jsonl" if path.is_dir() else path
    docs: dict[str, list[str]] = {}
    lang = None
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        lang = r["lang"]
        lead = docs.setdefault(r["doc"], [])
        if r["kind"] == "text" and len(lead) < args.k:
            lead.append(r["translation"].strip())
    joiner = "" if lang == "zh" else " "
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    records = [{"doc": d, "lang": lang, "model": f"lead-{args.k}", "summary": joiner.join(s)}
               for d, s in docs.items()]
    limit, unit = (args.max_words, "words") if args.max_words else (args.max_chars, "chars")
    if limit:
        from toolkit.tasks.length import cut_to_length

        for r in records:
            r["summary"] = cut_to_length(r["summary"], limit, unit, "paragraph")[0]
    (out / "summaries.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                                 for r in records), encoding="utf-8")
    print(f"wrote {len(records)} lead-{args.k} summaries to {out}/summaries.jsonl")


if __name__ == "__main__":
    main()
