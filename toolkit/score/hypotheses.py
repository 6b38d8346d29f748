"""System outputs to score: tk's translation JSONL or plain text; summary JSONL or a folder
of ``<doc>.txt`` files. Also the language sanity check that keeps a German file from being
scored as Chinese (or the source from being scored as its translation)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import InputError, ScoreError
from toolkit.formats.tags import has_tags, strip_tags
from toolkit.languages import TEXT_LANGUAGES
from toolkit.score.textio import (
    is_jsonl,
    read_jsonl,
    read_lines,
    read_text,
    require,
    segment_records,
)


@dataclass
class TranslationHypotheses:
    """One system's translations in file order."""

    name: str
    ids: list[str]
    docs: list[str]
    texts: list[str]
    checks: list[dict[str, Any] | None]
    path: Path
    lang: str | None = None
    plain: bool = False


@dataclass
class SummaryHypotheses:
    """One system's summaries by document; or, from a plain-text file (``plain``), one per
    line in the reference set's document order."""

    name: str
    summaries: dict[str, str]
    path: Path
    lang: str | None = None
    plain: bool = False
    lines: list[str] | None = None


def _single(values: list[Any]) -> Any:
    found = {v for v in values if v}
    return found.pop() if len(found) == 1 else None


def read_translations(path: str | Path, name: str | None = None) -> TranslationHypotheses:
    """tk's ``translations.jsonl`` (doc, id, translation, model, lang, checks) or a plain
    file with one segment per line. The system is named after the model, else the file."""
    p = Path(path)
    files = [p]
    if p.is_dir():
        if (p / "translations.jsonl").is_file():
            files = [p / "translations.jsonl"]
        elif (p / "manifest.json").is_file():  # a job not finished yet: its shards so far
            from toolkit.jobs.folder import read_manifest

            manifest = read_manifest(p) or {}
            files = [p / e["name"] for e in manifest.get("shards", [])]
            if not files:
                raise InputError(f"{p}: a job with no finished shard yet; nothing to score")
        else:
            raise InputError(f"{p}: a folder without translations.jsonl; give the file itself")
        p = files[0]
    if not is_jsonl(p):
        lines = read_lines(p)
        return TranslationHypotheses(name=name or p.stem, ids=[str(i + 1) for i in range(len(lines))],
                                     docs=["-"] * len(lines), texts=lines, checks=[None] * len(lines),
                                     path=p, plain=True)
    ids, docs, texts, checks, models, langs = [], [], [], [], [], []
    for line, r, seg_id, doc in (row for f in files for row in segment_records(f)):
        ids.append(seg_id)
        docs.append(doc)
        field = "translation" if "translation" in r else "text"
        text = r.get(field)
        if field not in r:
            raise InputError(f"{p}:{line}: missing text field 'translation'")
        if not isinstance(text, str):
            shown = "null" if text is None else json.dumps(text)
            raise InputError(f"{p}:{line}: '{field}' is {shown}, not text; give the "
                             "translation as a JSON string")
        # An HTML, Markdown or XLIFF segment is scored on its words, its markup placeholders
        # aside (references hold none).
        texts.append(strip_tags(text) if has_tags(str(r.get("source", ""))) else text)
        checks.append(r.get("checks") if isinstance(r.get("checks"), dict) else None)
        models.append(r.get("model"))
        langs.append(r.get("lang"))
    model = _single(models)
    return TranslationHypotheses(name=name or model or p.stem, ids=ids, docs=docs, texts=texts,
                                 checks=checks, path=p, lang=_single(langs))


def read_summaries(path: str | Path, name: str | None = None) -> SummaryHypotheses:
    """Summaries from JSONL records ``{"doc", "summary", "lang"}``, a folder of ``<doc>.txt``, or
    a plain-text file of one summary per line (what rouge_score and sacreBLEU users have),
    aligned line by line with the reference documents."""
    p = Path(path)
    if p.is_dir():
        files = sorted(p.glob("*.txt"))
        if not files:
            raise InputError(f"{p}: no <doc>.txt summaries in this folder")
        return SummaryHypotheses(name=name or p.name, summaries={f.stem: read_text(f).strip() for f in files},
                                 path=p)
    if not p.exists():
        raise InputError(f"{p}: no such file or folder")
    if not is_jsonl(p):
        return SummaryHypotheses(name=name or p.stem, summaries={}, path=p, plain=True,
                                 lines=read_lines(p))
    summaries: dict[str, str] = {}
    langs, models = [], []
    for line, r in read_jsonl(p):
        doc = require(r, "doc", p, line)
        if doc in summaries:
            raise ScoreError(f"{p}:{line}: document {doc!r} has two summaries; one per document")
        summaries[doc] = require(r, "summary", p, line)
        langs.append(r.get("lang"))
        models.append(r.get("model"))
    return SummaryHypotheses(name=name or _single(models) or p.stem, summaries=summaries, path=p,
                             lang=_single(langs))


def unique_names(names: list[str], paths: list[Path]) -> list[str]:
    """System names for a table. Names taken from file names lose the dotted parts they all
    share (``generaltest2023.de-en.hyp.AIRC`` -> ``AIRC``); duplicates get their path."""
    from_path = [n == p.stem for n, p in zip(names, paths)]
    if sum(from_path) > 1:
        parts = [n.split(".") for n, f in zip(names, from_path) if f]
        lead = 0
        while all(len(p) > lead + 1 for p in parts) and len({tuple(p[:lead + 1]) for p in parts}) == 1:
            lead += 1
        short = iter(".".join(p[lead:]) for p in parts)
        names = [next(short) if f else n for n, f in zip(names, from_path)]
    # A model stored on disk is named by its file or folder, not the whole local path.
    names = [Path(n).name if Path(n).is_absolute() else n for n in names]
    counts = Counter(names)
    tails = _distinct_tails(paths)
    return [n if counts[n] == 1 else f"{n} [{t}]" for n, t in zip(names, tails)]


def _distinct_tails(paths: list[Path]) -> list[str]:
    """The shortest path parts that tell the files apart, without the parts they all share at
    the end: ``a/en-off/translations.jsonl``, ``a/en-on/translations.jsonl`` -> ``en-off``, ``en-on``."""
    parts = [p.parts for p in paths]
    shared = 0
    while all(len(p) > shared + 1 for p in parts) and len({p[-1 - shared] for p in parts}) == 1:
        shared += 1
    trimmed = [p[: len(p) - shared] for p in parts]
    for k in range(1, max(len(p) for p in trimmed) + 1):
        tails = ["/".join(p[-k:]) for p in trimmed]
        if len(set(tails)) == len(tails):
            return tails
    return [str(p) for p in paths]


# --- language check ----------------------------------------------------------------------

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")


def detect_language(texts: list[str]) -> str | None:
    """'zh', 'de' or 'en' for a body of text, or None where it cannot tell: tk's segment
    language detector (toolkit.qa.language) on a sample of the whole file."""
    from toolkit.qa.language import detect_language as detect

    sample = "\n".join(texts)[:20_000]
    if len(_LETTER.findall(sample)) < 20:
        return None
    found = detect(sample)
    return found if found in TEXT_LANGUAGES else None


def check_language(texts: list[str], lang: str, what: str) -> None:
    """Refuse to score text that is plainly not in ``lang`` (e.g. German hypotheses with
    ``--lang zh``): the number would be meaningless, not just low."""
    names = {"en": "English", "zh": "Chinese", "de": "German"}
    found = detect_language(texts)
    sample = " ".join(texts)[:200_000]
    letters = len(_LETTER.findall(sample))
    if lang == "zh" and found != "zh" and letters >= 20 and len(_HAN.findall(sample)) / letters < 0.1:
        found = found or "latin"
    if found is not None and found != lang and lang in names:
        label = names.get(found, "Latin-script text")
        hint = f"pass --lang {found} if that is the target" if found in names else "pass the right --lang"
        raise ScoreError(f"{what} look like {label}, not {names[lang]}; check the file, or {hint}")
