"""Segments: paragraphs, then sentences, each with a stable id that outputs and references share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SegmentKind = Literal["text", "heading", "item"]


def segment_id(doc: str, paragraph: int, sentence: int) -> str:
    """``<doc>:p<paragraph>:s<sentence>``, zero-padded and 1-based, e.g. ``004_657e:p03:s02``."""
    return f"{doc}:p{paragraph:02d}:s{sentence:02d}"


@dataclass(frozen=True)
class Segment:
    """One sentence (or heading, or list item) of a document."""

    doc: str
    id: str
    text: str
    paragraph: int  # 1-based index of the paragraph within the document
    sentence: int  # 1-based index of the sentence within the paragraph
    kind: SegmentKind = "text"
