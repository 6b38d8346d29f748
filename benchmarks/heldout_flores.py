"""A held-out check: tk on FLORES-200 devtest sentences nothing in tk was tuned on.

    python benchmarks/heldout_flores.py OUT [--n 100] [--model starter] [--engine ctranslate2]
    python benchmarks/heldout_flores.py OUT --baseline OTHER_OUT   # paired bootstrap against it

Reads ``../shared/eval-data/flores.zip`` (password-protected at its maintainers' request; the
plain text is written only to a temporary folder and never committed), translates the first N
German sentences into English and Chinese with ``tk translate`` (one JSONL document per
sentence), joins each sentence's segments, and reports BLEU and chrF against the FLORES
references, German words left (tk's untranslated-word check), answers not in the target
language and segments that went through English. OUT gets ``<lang>.jsonl`` (tk's records),
``<lang>.txt`` (one line per sentence) and ``summary.json``. Run it in two checkouts to compare
versions (the ``--baseline`` of the second names the first's OUT). Skips, saying so, where the
shared data is absent.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ZIP = Path(__file__).resolve().parents[2] / "shared" / "eval-data" / "flores.zip"
PASSWORD = b"multilingual machine translation"
FILES = {"de": "deu_Latn", "en": "eng_Latn", "zh": "zho_Hans"}


def read_flores(n: int) -> dict[str, list[str]]:
    with zipfile.ZipFile(ZIP) as z:
        return {lang: z.read(f"flores200_devtest/{name}.devtest", pwd=PASSWORD)
                .decode("utf-8").splitlines()[:n] for lang, name in FILES.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--model", default="starter")
    parser.add_argument("--engine", default="ctranslate2")
    parser.add_argument("--baseline", type=Path, help="another run's OUT to compare against")
    args = parser.parse_args()
    if not ZIP.exists():
        print(f"skipped: {ZIP} is not here", file=sys.stderr)
        return 0
    from toolkit.qa.language import check_language
    from toolkit.qa.untranslated import untranslated_words
    from toolkit.score import score_translations

    data = read_flores(args.n)
    args.out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "de.jsonl"
        inputs.write_text("".join(json.dumps({"id": f"f{i:04d}", "text": t}, ensure_ascii=False) + "\n"
                                  for i, t in enumerate(data["de"])), encoding="utf-8")
        for lang in ("en", "zh"):
            records = args.out / f"{lang}.jsonl"
            with records.open("w", encoding="utf-8") as f:
                subprocess.run([sys.executable, "-c", "from toolkit.cli import main; main()",
                                "translate", "--to", lang, str(inputs), "--model", args.model,
                                "--engine", args.engine, "-o", "-", "-q"], stdout=f, check=True)
            rows = [json.loads(x) for x in records.read_text(encoding="utf-8").splitlines()]
            by_doc: dict[str, list[str]] = {}
            for r in rows:
                by_doc.setdefault(r["doc"], []).append(" ".join(r["translation"].split()))
            joiner = "" if lang == "zh" else " "
            (args.out / f"{lang}.txt").write_text(
                "\n".join(joiner.join(by_doc.get(f"f{i:04d}", [])) for i in range(args.n)) + "\n",
                encoding="utf-8")
            ref = Path(tmp) / f"ref.{lang}"
            ref.write_text("\n".join(data[lang]) + "\n", encoding="utf-8")
            hyps = ([args.baseline / f"{lang}.txt"] if args.baseline else []) + [args.out / f"{lang}.txt"]
            report = score_translations([str(h) for h in hyps], str(ref), lang, "bleu,chrf",
                                        compare=bool(args.baseline), check_lang=False)
            print(report.format_table())
            words = [untranslated_words(r["source"], r["translation"], target_lang=lang) for r in rows]
            summary[lang] = {
                "sentences": args.n, "segments": len(rows),
                "bleu": report.systems[-1].scores["bleu"].score,
                "chrf": report.systems[-1].scores["chrf"].score,
                "german_words": sum(len(w) for w in words),
                "segments_with_german": sum(bool(w) for w in words),
                "wrong_language": sum(not check_language(r["translation"], lang, source=r["source"]).ok
                                      for r in rows),
                "through_english": sum(r.get("route") == "pivot-en" for r in rows),
                "comparisons": report.to_dict()["comparisons"],
            }
            print(json.dumps({lang: {k: v for k, v in summary[lang].items() if k != "comparisons"}}))
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
