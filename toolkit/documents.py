"""Documents: what users give tk (.txt files, folders of them, JSONL with id/text, stdin)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One article. ``id`` is stable across runs: the file stem, or the JSONL ``id`` field."""

    id: str
    text: str
    lang: str = "de"
    title: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) where the article names one
    source: str | None = None  # path or "-" for stdin
    meta: dict[str, str] = field(default_factory=dict, compare=False)
