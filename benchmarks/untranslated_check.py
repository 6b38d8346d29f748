"""Precision and recall of tk's untranslated-word check against hand labels, next to the two
other resources it was chosen against.

    python benchmarks/untranslated_check.py [eval/results/starter/untranslated]

The folder holds the starter's outputs of the corpus from before the check existed
(``before-en.jsonl``, ``before-zh.jsonl``) and ``labels.tsv``: words of those outputs labelled
by hand (1: a German word of the source left in the output, as a reader counts it). Each
method decides the same words of the same records, with the same notion of "copied from the
source" (toolkit.qa.untranslated); only the judgement "is this word German" differs:

* wordfreq  - tk's rule: common in German, ten times rarer in English (toolkit.qa.untranslated)
* simplemma - known to simplemma's German dictionary and not to its English one
* lingua    - lingua's detector over German and English gives German a confidence > 0.5

simplemma and lingua are not tk dependencies: ``pip install simplemma lingua-language-detector``
to compare (a method that is not installed is skipped).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path

from toolkit.qa import untranslated as U


def flagged_by(judge: Callable[[str], bool], source: str, output: str,
               keep: list[str]) -> set[str]:
    """Output words copied from ``source`` that ``judge`` calls German."""
    kept = {p.casefold() for k in keep for w, _ in U._words(k) for p in U._parts(w)}
    src = U._Source(source)
    out = set()
    for word, _ in U._words(output):
        parts = [p for p in U._parts(word) if not U._set_aside(p) and p.casefold() not in kept]
        if any(src.origin(p.casefold()) and judge(p) for p in parts):
            out.add(word)
    return out


def judges() -> dict[str, Callable[[str], bool] | None]:
    found: dict[str, Callable[[str], bool] | None] = {"wordfreq (tk)": None}
    try:
        import simplemma

        found["simplemma"] = lambda w: (simplemma.is_known(w, lang="de")
                                        and not simplemma.is_known(w, lang="en"))
    except ImportError:
        print("simplemma not installed: skipped", file=sys.stderr)
    try:
        from lingua import Language, LanguageDetectorBuilder

        detector = LanguageDetectorBuilder.from_languages(Language.GERMAN, Language.ENGLISH).build()
        found["lingua"] = lambda w: detector.compute_language_confidence(w, Language.GERMAN) > 0.5
    except ImportError:
        print("lingua-language-detector not installed: skipped", file=sys.stderr)
    return found


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "eval/results/starter/untranslated")
    records = {}
    for lang in ("en", "zh"):
        for line in (folder / f"before-{lang}.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            records[(lang, r["id"])] = r
    lines = [x for x in (folder / "labels.tsv").read_text(encoding="utf-8").splitlines()
             if not x.startswith("#")]
    labels = list(csv.DictReader(lines, delimiter="\t"))
    german = sum(int(x["label"]) for x in labels)
    print(f"{len(labels)} labelled words, {german} German "
          f"({sum(x['sample'] == 'random' for x in labels)} drawn at random from the unflagged)")
    print(f"{'method':16s} {'flagged':>7s} {'TP':>4s} {'FP':>4s} {'FN':>4s} {'precision':>9s} {'recall':>7s}")
    for name, judge in judges().items():
        tp = fp = fn = 0
        cache: dict[tuple[str, str], set[str]] = {}
        for x in labels:
            key = (x["lang"], x["id"])
            if key not in cache:
                r = records[key]
                keep = [v for t in ((r.get("checks") or {}).get("terms") or {}).get("found", [])
                        for v in (t["source"], t["target"])]
                if judge is None:
                    cache[key] = set(U.untranslated_words(r["source"], r["translation"],
                                                          target_lang=x["lang"], keep=keep))
                else:
                    cache[key] = flagged_by(judge, r["source"], r["translation"], keep)
            hit = x["word"] in cache[key]
            tp += hit and x["label"] == "1"
            fp += hit and x["label"] == "0"
            fn += (not hit) and x["label"] == "1"
        print(f"{name:16s} {tp + fp:7d} {tp:4d} {fp:4d} {fn:4d} {tp / max(1, tp + fp):9.3f} "
              f"{tp / max(1, tp + fn):7.3f}")


if __name__ == "__main__":
    main()
