"""Segments: paragraphs, then sentences, each with a stable id that outputs and references share.

A paragraph is one non-empty line: web extracts (like the seed articles) put one paragraph per
line, some with blank lines between them and some without, so line breaks are the only reliable
boundary. Headings and list items are one paragraph each and so become segments of their own.
Sentences within a paragraph come from pysbd (rule-based, language aware), which keeps
"am 21. Februar", "z. B.", "Dr.", "6,22%" and "Qwen3.5" inside one sentence.
Plain text hard-wrapped mid-sentence (lines broken at a fixed width) needs unwrapping first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from toolkit.documents import Document
from toolkit.errors import InputError

if TYPE_CHECKING:
    import datasets

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


# --- what a line is ------------------------------------------------------------------------

_MONTHS = ("januar|jänner|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember"
           "|jan|feb|mär|apr|jun|jul|aug|sep|sept|okt|nov|dez")
# Bullets: "- ", "• ", "* ", "· ", "▪ ", and arrows that continue an item ("→ ", "➤ ").
_BULLET = re.compile(r"^\s*([-–•*·▪◦‣→➤►])\s+")
# Numbered items "1. Infrastrukturaufbau", "2) ..."; a date like "6. Februar ..." is not one.
_NUMBERED = re.compile(rf"^\s*(\d{{1,2}}[.)])\s+(?!(?:{_MONTHS})\b)(?=\S)", re.IGNORECASE)
# Sentence-final punctuation, looking through closing quotes and brackets.
_FINAL_PUNCT = re.compile(r"[.!?…:;,][\s\"'“”’‘»«)\]]*$")
HEADING_MAX_WORDS = 20


def is_list_item(line: str) -> bool:
    """A bulleted, arrowed or numbered list line ("- x", "• x", "→ x", "1. x")."""
    return bool(_BULLET.match(line) or _NUMBERED.match(line))


def is_heading(line: str) -> bool:
    """A short line without sentence-final punctuation that is not a list item.

    Questions ("US-Aktien weiter unter Druck?") and lead-ins ("Legende:") count as text: they
    end in punctuation and translate like sentences.
    """
    line = line.strip()
    return (bool(line) and not is_list_item(line) and not _FINAL_PUNCT.search(line)
            and len(line.split()) <= HEADING_MAX_WORDS)


def strip_bullet(line: str) -> str:
    """The item's text without its bullet or arrow; numbers ("1. x") are content and stay."""
    return _BULLET.sub("", line, count=1).strip()


def line_kind(line: str) -> SegmentKind:
    """"item", "heading" or "text" for one paragraph line."""
    if is_list_item(line):
        return "item"
    return "heading" if is_heading(line) else "text"


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a document: its non-empty lines, whitespace (incl. no-break) stripped."""
    return [p for p in (line.replace("\xa0", " ").strip() for line in text.split("\n")) if p]


# --- sentences -----------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _segmenter(lang: str) -> Any:
    import pysbd
    from pysbd.languages import LANGUAGE_CODES

    if lang not in LANGUAGE_CODES:
        raise InputError(
            f"no sentence splitter for language {lang!r}; pysbd knows {', '.join(sorted(LANGUAGE_CODES))}"
        )
    # clean=False: keep the text exactly as written so segments join back to the paragraph.
    return pysbd.Segmenter(language=lang, clean=False)


# A "sentence" that starts with two lowercase letters continues the one before: a stray period
# ("weiteren KI-Aktien. stiegen weiter an."). "iPhone", "eBay" (second letter capital) start anew.
_CONTINUATION = re.compile(r"^[a-zäöüß][a-zäöüß]")


# pysbd's time grows with the square of its input (a 160 KB line took 10 s, 2 MB many
# minutes): a longer paragraph is cut into windows of at most this many characters first, at
# the last sentence end in the window, else the last space, so splitting stays linear.
WINDOW = 4000
_WINDOW_END = re.compile(r"[.!?;:。！？；][\"'”’»)\]]*\s+(?=\S)")


def _windows(paragraph: str) -> list[tuple[str, bool]]:
    """``paragraph`` in pieces of at most :data:`WINDOW` characters, cut between sentences
    where there is a sentence end, else between words, else anywhere; each piece says whether
    it ends a sentence (else its last sentence goes on in the next piece)."""
    pieces = []
    rest = paragraph
    while len(rest) > WINDOW:
        window = rest[:WINDOW]
        ends = [m.end() for m in _WINDOW_END.finditer(window)]
        cut = ends[-1] if ends else (window.rfind(" ") + 1 or WINDOW)
        pieces.append((rest[:cut], bool(ends)))
        rest = rest[cut:]
    return [*pieces, (rest, True)]


def split_sentences(paragraph: str, lang: str = "de",
                    progress: Callable[[int], None] | None = None) -> list[str]:
    """The sentences of one paragraph (pysbd), stripped, none empty; in time linear in the
    paragraph's length (``progress``: characters done, window by window)."""
    sentences: list[str] = []
    pieces = _windows(paragraph) if len(paragraph) > WINDOW else [(paragraph, True)]
    for s in _sentences(pieces, lang, progress, sentences):
        s = s.strip()
        if not s:
            continue
        if sentences and lang == "de" and _CONTINUATION.match(s) and sentences[-1].endswith("."):
            sentences[-1] = f"{sentences[-1]} {s}"
        else:
            sentences.append(s)
    return sentences


def _sentences(pieces: list[tuple[str, bool]], lang: str, progress: Callable[[int], None] | None,
               done: list[str]) -> Iterator[str]:
    """pysbd's sentences of each piece; a piece cut inside a sentence has its last sentence
    joined with the next piece's first (appended to ``done``, the sentences so far)."""
    carry, before = False, ""
    for piece, ends in pieces:
        found = [s for s in _segmenter(lang).segment(piece) if s.strip()]
        if carry and found and done:
            # The cut was after a space (keep one) or, with no space to cut at, inside a word.
            joiner = " " if before[-1:].isspace() or piece[:1].isspace() else ""
            done[-1] = done[-1].rstrip() + joiner + found.pop(0).strip()
        yield from found
        carry, before = not ends, piece
        if progress:
            progress(len(piece))


def segment_paragraph(paragraph: str, lang: str = "de",
                      progress: Callable[[int], None] | None = None) -> tuple[SegmentKind, list[str]]:
    """The kind of a paragraph and its segment texts (bullets stripped from items).
    ``progress`` is told ``len(paragraph)`` characters in all, as the work gets done."""
    kind = line_kind(paragraph)
    split = paragraph
    if kind == "item":
        body = strip_bullet(paragraph)
        number = _NUMBERED.match(body)
        split = body[number.end():] if number else body
    if progress:
        progress(len(paragraph) - (len(split) if kind != "heading" else 0))
    if kind == "heading":
        return kind, [paragraph]
    if kind == "item":
        if number:  # split after the number so pysbd cannot end a sentence at "1."
            head = body[: number.end()]
            rest = split_sentences(split, lang, progress)
            return kind, [head + rest[0], *rest[1:]] if rest else [body]
        return kind, split_sentences(body, lang, progress) or [body]
    return kind, split_sentences(paragraph, lang, progress) or [paragraph]


def segment_document(doc: Document, progress: Callable[[int], None] | None = None) -> list[Segment]:
    """Split a document into segments with ids ``<doc>:pNN:sNN`` (stable for the same text).
    ``progress`` is told the characters of each paragraph (and window) done."""
    if doc.markup is not None:
        return _markup_segments(doc, progress)
    segments = []
    for p, paragraph in enumerate(paragraphs(doc.text), start=1):
        kind, texts = segment_paragraph(paragraph, doc.lang, progress)
        for s, text in enumerate(texts, start=1):
            segments.append(Segment(doc=doc.id, id=segment_id(doc.id, p, s), text=text,
                                    paragraph=p, sentence=s, kind=kind))
    return segments


def _markup_segments(doc: Document, progress: Callable[[int], None] | None) -> list[Segment]:
    """A marked-up document's segments: each block a paragraph, cut into sentences unless it
    is a heading or already one segment (XLIFF); a cut never leaves a placeholder pair
    apart."""
    assert doc.markup is not None
    segments = []
    for p, block in enumerate(doc.markup.blocks, start=1):
        kind: SegmentKind = block.kind if block.kind in ("heading", "item") else "text"  # type: ignore[assignment]
        texts = [block.text]
        if block.split and kind != "heading":
            texts = tagged_sentences(block.text, doc.lang) or [block.text]
        if progress:
            progress(len(block.text))
        for n, text in enumerate(texts, start=1):
            segments.append(Segment(doc=doc.id, id=segment_id(doc.id, p, n), text=text,
                                    paragraph=p, sentence=n, kind=kind))
    return segments


def tagged_sentences(text: str, lang: str = "de") -> list[str]:
    """The sentences of a block whose inline markup is placeholders: pysbd's, joined again
    where a cut fell inside a pair, and a piece with no words (a lone ``<x1/>``) kept with the
    sentence before it (or after it, at the start)."""
    from toolkit.formats.tags import find_tags, strip_tags

    spans: list[list[int]] = []  # [start, end] of each sentence in ``text``
    at = 0
    for sentence in split_sentences(text, lang):
        start = text.find(sentence, at)
        if start < 0:  # pysbd changed the text: keep the block whole
            return [text]
        spans.append([start, start + len(sentence)])
        at = start + len(sentence)

    def wordless(span: list[int]) -> bool:
        return not strip_tags(text[span[0]:span[1]]).strip(" .,;:")

    def open_pairs(span: list[int]) -> bool:
        tags = find_tags(text[span[0]:span[1]])
        return bool({t.id for t in tags if t.kind == "open"} - {t.id for t in tags if t.kind == "close"})

    merged: list[list[int]] = []
    for span in spans:
        if merged and (open_pairs(merged[-1]) or wordless(merged[-1]) or wordless(span)):
            merged[-1][1] = span[1]
        else:
            merged.append(span)
    return [text[a:b].strip() for a, b in merged]


def segment_documents(docs: Iterable[Document],
                      progress: Callable[[int], None] | None = None) -> list[Segment]:
    """All segments of all documents, in document order (``progress``: characters done)."""
    return [seg for doc in docs for seg in segment_document(doc, progress)]


def segment_record(segment: Segment) -> dict[str, Any]:
    """The JSONL record of a segment: doc, id, text, paragraph, sentence, kind."""
    return {"doc": segment.doc, "id": segment.id, "text": segment.text,
            "paragraph": segment.paragraph, "sentence": segment.sentence, "kind": segment.kind}


def segments_to_dataset(segments: Sequence[Segment]) -> datasets.Dataset:
    """The segments as a ``datasets.Dataset`` (columns doc, id, text, paragraph, sentence, kind)."""
    import datasets

    features = datasets.Features({
        "doc": datasets.Value("string"), "id": datasets.Value("string"),
        "text": datasets.Value("string"), "paragraph": datasets.Value("int32"),
        "sentence": datasets.Value("int32"), "kind": datasets.Value("string"),
    })
    return datasets.Dataset.from_list([segment_record(s) for s in segments], features=features)
