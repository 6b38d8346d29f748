"""The segments a translation memory changed: each one's output without and with it, its
chrF against the reference, and the problems tk's checks found, side by side.

    python benchmarks/tm_compare.py eval/results/tm/en-no-tm eval/results/tm/en-fuzzy-0.5 \
        --refs eval/refs/translations/en.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from toolkit.qa.checks import record_problems


def _records(folder: str) -> dict[str, dict]:
    path = Path(folder) / "translations.jsonl"
    return {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def main() -> None:
    import sacrebleu

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("without")
    parser.add_argument("with_tm")
    parser.add_argument("--refs", required=True)
    args = parser.parse_args()
    refs = {r["id"]: r["reference"] for r in map(json.loads, Path(args.refs).read_text(encoding="utf-8").splitlines())}
    before, after = _records(args.without), _records(args.with_tm)
    changed = [i for i, r in after.items() if r.get("tm")]
    lang = after[changed[0]]["lang"] if changed else "en"
    tokenize = {"zh": "zh"}.get(lang, "13a")
    rows = []
    for i in changed:
        a, b = before[i], after[i]
        rows.append({"id": i, "tm": b["tm"],
                     "chrf_without": round(sacrebleu.sentence_chrf(a["translation"], [refs[i]]).score, 1),
                     "chrf_with": round(sacrebleu.sentence_chrf(b["translation"], [refs[i]]).score, 1),
                     "problems_without": len(record_problems(a.get("checks"))),
                     "problems_with": len(record_problems(b.get("checks"))),
                     "without": a["translation"], "with": b["translation"], "reference": refs[i]})
    hyp_a = [before[i]["translation"] for i in changed]
    hyp_b = [after[i]["translation"] for i in changed]
    ref = [[refs[i] for i in changed]]
    summary = {"segments_with_a_match": len(changed),
               "bleu_without": round(sacrebleu.corpus_bleu(hyp_a, ref, tokenize=tokenize).score, 2) if changed else None,
               "bleu_with": round(sacrebleu.corpus_bleu(hyp_b, ref, tokenize=tokenize).score, 2) if changed else None,
               "chrf_without": round(sacrebleu.corpus_chrf(hyp_a, ref).score, 2) if changed else None,
               "chrf_with": round(sacrebleu.corpus_chrf(hyp_b, ref).score, 2) if changed else None,
               "problems_without": sum(r["problems_without"] for r in rows),
               "problems_with": sum(r["problems_with"] for r in rows),
               "better": sum(r["chrf_with"] > r["chrf_without"] for r in rows),
               "worse": sum(r["chrf_with"] < r["chrf_without"] for r in rows)}
    print(json.dumps({"summary": summary, "segments": rows}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
