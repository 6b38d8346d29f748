"""Translation records as a reader sees them, with tk's own checks run again on the text (so
outputs of any tool, or of older tk versions, are counted alike): terms placed / appended after
the sentence / left untranslated / missing, numbers right / wrong / missing, outputs in the
wrong language or repeating themselves, German words left in the output (and in how many
segments), and the number spans tk repaired.

    python benchmarks/reader_view.py out/en/translations.jsonl plain.jsonl [-g glossary] [--lang en]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="+", help="translations.jsonl files (source, translation)")
    parser.add_argument("-g", "--glossary", default=str(Path(__file__).resolve().parent.parent
                                                        / "glossaries" / "ai-finance.tsv"))
    parser.add_argument("--lang", help="target language [default: the records' lang]")
    args = parser.parse_args()
    from toolkit.glossary import check_terms, load_glossary
    from toolkit.qa.checks import CheckSummary, check_segment

    glossary = load_glossary(args.glossary)
    for path in args.records:
        records = [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines()]
        lang = args.lang or records[0].get("lang") or "en"
        checks = [check_segment(r["source"], r["translation"], target_lang=lang, segment_id=r["id"],
                                terms=check_terms(r["source"], r["translation"], glossary, lang))
                  for r in records]
        s = CheckSummary.from_checks(checks)
        repaired = sum(len((r.get("checks") or {}).get("repaired") or []) for r in records)
        print(f"{path}: terms placed {s.terms_placed}/{s.terms_found} "
              f"({100 * (s.term_accuracy or 0):.1f}%), appended {s.terms_appended}, untranslated "
              f"{s.terms_untranslated}, missing {s.terms_missing}; numbers right "
              f"{s.numbers_matched}/{s.numbers_checked}, wrong {s.numbers_wrong}, missing "
              f"{s.numbers_missing}; wrong language {s.language_failures}; repeating "
              f"{s.repeating}; German words left {s.untranslated_words} in "
              f"{s.segments_untranslated} segments; number spans repaired {repaired}")


if __name__ == "__main__":
    main()
