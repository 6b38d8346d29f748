"""Reference sets in ``eval/refs/`` (layout in eval/README.md), as plain records or as
``datasets.Dataset``.

translations: ``eval/refs/translations/<lang>.jsonl``, one record per segment:
              ``{"doc", "id", "source", "reference"}``, aligned with tk's segment ids.
summaries:    ``eval/refs/summaries/<lang>.jsonl``, one record per reference summary:
              ``{"doc", "ref", "summary", "style"}``, two or more references per doc.
Plain text is accepted for translations too: a file (one reference per line) or a folder
of such files (one file per reference set, e.g. refA.en, refB.en).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import InputError
from toolkit.languages import TEXT_LANGUAGES
from toolkit.score.textio import is_jsonl, read_jsonl, read_lines, require, segment_records

if TYPE_CHECKING:
    import datasets


@dataclass
class TranslationReferences:
    """Reference translations in segment order; ``streams[k][i]`` is reference k of segment i."""

    ids: list[str]
    docs: list[str]
    sources: list[str | None]
    streams: list[list[str]]
    path: Path
    lang: str | None = None
    plain: bool = False  # plain text: ids are line numbers

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class SummaryReferences:
    """Reference summaries grouped by document (documents in file order)."""

    summaries: dict[str, list[str]]
    labels: dict[str, list[str]] = field(default_factory=dict)  # doc -> ["A", "B", ...]
    styles: dict[str, list[str]] = field(default_factory=dict)
    path: Path = Path(".")
    lang: str | None = None

    @property
    def docs(self) -> list[str]:
        return list(self.summaries)


def _lang_from_name(path: Path) -> str | None:
    """``en.jsonl`` -> en, ``newstest.de-en.ref.en`` -> en, ``refs.zh.txt`` -> zh."""
    parts = path.name.removesuffix(".gz").split(".")
    for p in [parts[0], *reversed(parts[1:])]:
        if p in TEXT_LANGUAGES:
            return p
    return None


def resolve_reference_path(path: str | Path, kind: str, lang: str | None) -> Path:
    """Accept the file itself, ``eval/refs/<kind>/`` or ``eval/refs/`` (then ``<lang>.jsonl``)."""
    p = Path(path)
    if p.is_file():
        return p
    if not p.exists():
        raise InputError(f"{p}: no such reference file or folder")
    for folder in (p, p / kind):
        if lang and (folder / f"{lang}.jsonl").is_file():
            return folder / f"{lang}.jsonl"
    candidates = sorted(p.glob("*.jsonl")) + sorted((p / kind).glob("*.jsonl"))
    if candidates and not lang:
        names = ", ".join(c.stem for c in candidates)
        raise InputError(f"{p}: holds references for {names}; pass --lang to pick one")
    if candidates:
        raise InputError(f"{p}: no {lang}.jsonl here (found {', '.join(c.name for c in candidates)})")
    return p  # a folder of plain-text reference files


def read_reference_translations(path: str | Path, lang: str | None = None) -> TranslationReferences:
    """Reference translations from JSONL, a plain-text file, or a folder of plain-text files.
    References that are all empty are refused (they would score every system 0)."""
    refs = _read_reference_translations(path, lang)
    if not any(t.strip() for stream in refs.streams for t in stream):
        raise InputError(f"{refs.path}: every reference is empty; nothing to score against")
    return refs


def _read_reference_translations(path: str | Path, lang: str | None) -> TranslationReferences:
    p = resolve_reference_path(path, "translations", lang)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
        if not files:
            raise InputError(f"{p}: no reference files in this folder")
        streams = [read_lines(f) for f in files]
        lengths = {f.name: len(s) for f, s in zip(files, streams)}
        if len(set(lengths.values())) > 1:
            raise InputError(f"{p}: reference files differ in line count ({lengths})")
        n = len(streams[0])
        return TranslationReferences(ids=[str(i + 1) for i in range(n)], docs=["-"] * n, sources=[None] * n,
                                     streams=streams, path=p, lang=_lang_from_name(files[0]), plain=True)
    if not is_jsonl(p):
        lines = read_lines(p)
        n = len(lines)
        return TranslationReferences(ids=[str(i + 1) for i in range(n)], docs=["-"] * n, sources=[None] * n,
                                     streams=[lines], path=p, lang=_lang_from_name(p), plain=True)
    ids, docs, sources, refs = [], [], [], []
    for line, r, seg_id, doc in segment_records(p):
        ids.append(seg_id)
        docs.append(doc)
        sources.append(r.get("source") if isinstance(r.get("source"), str) else None)
        refs.append(require(r, "reference", p, line))
    if not ids:
        raise InputError(f"{p}: no reference records")
    return TranslationReferences(ids=ids, docs=docs, sources=sources, streams=[refs], path=p,
                                 lang=_lang_from_name(p))


def read_reference_summaries(path: str | Path, lang: str | None = None) -> SummaryReferences:
    """Reference summaries from ``<lang>.jsonl`` records ``{"doc", "ref", "summary", "style"}``."""
    p = resolve_reference_path(path, "summaries", lang)
    if p.is_dir():
        raise InputError(f"{p}: expected a JSONL file of reference summaries (eval/refs/summaries/<lang>.jsonl)")
    summaries: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, list[str]] = defaultdict(list)
    styles: dict[str, list[str]] = defaultdict(list)
    for line, r in read_jsonl(p):
        doc = require(r, "doc", p, line)
        summaries[doc].append(require(r, "summary", p, line))
        labels[doc].append(str(r.get("ref") or chr(ord("A") + len(labels[doc]))))
        styles[doc].append(str(r.get("style") or ""))
    if not summaries:
        raise InputError(f"{p}: no reference summaries")
    if not any(t.strip() for texts in summaries.values() for t in texts):
        raise InputError(f"{p}: every reference summary is empty; nothing to score against")
    return SummaryReferences(summaries=dict(summaries), labels=dict(labels), styles=dict(styles),
                             path=p, lang=_lang_from_name(p))


def load_reference_translations(path: str | Path, lang: str | None = None) -> datasets.Dataset:
    """Reference translations as a ``datasets.Dataset`` (columns doc, id, source, reference)."""
    import datasets

    refs = read_reference_translations(path, lang)
    return datasets.Dataset.from_dict({"doc": refs.docs, "id": refs.ids, "source": refs.sources,
                                       "reference": refs.streams[0]})


def load_reference_summaries(path: str | Path, lang: str | None = None) -> datasets.Dataset:
    """Reference summaries as a ``datasets.Dataset`` (columns doc, ref, summary, style)."""
    import datasets

    refs = read_reference_summaries(path, lang)
    rows = [(d, label, s, st) for d in refs.docs
            for label, s, st in zip(refs.labels[d], refs.summaries[d], refs.styles[d])]
    doc, ref, summary, style = (list(c) for c in zip(*rows))
    return datasets.Dataset.from_dict({"doc": doc, "ref": ref, "summary": summary, "style": style})
