"""Corpus cleaning: drop the web boilerplate around an article, keep its whole body, and say why.

Articles copied from news sites carry page furniture. Each rule is a general pattern of it
(never a line number or a list of one corpus's strings); every removed line is reported with
the rule that removed it. A line is dropped when it is

- a stray bullet: only bullet or arrow signs ("·");
- a headline of another article: a list item ending in " - <date>" ("more news" boxes);
- a teaser of another page: a short line ending in "| <site name>" (an HTML page title such
  as "... | AlleAktien"), with the line glued under it when that is its blurb (starts with an
  arrow "➤", ends clipped with "…", or is the card's second line on a blank-line page);
- a promotion: "Kaufen oder verkaufen", "Hier/Jetzt weiterlesen", "Gratis-Analyse", ...;
- an author blurb: "In dieser Kolumne ...", "Über den Autor ...";
- a repeated title (a heading seen before) with the blurb glued under it, or a repeated paragraph;
- a teaser card: on pages that put blank lines between paragraphs and their headings alone in
  their block, a heading glued to a one- or two-sentence blurb (a link to another article);
- page header furniture above the running text: a date-only line (it becomes the document's
  date) and one-word section labels above the title ("KI").

Kept on purpose: chart legends ("Legende:" followed by bullet rows). They read like image
captions but are the only place the article states its scenarios and price targets
("Kursziel 200–240 USD je ADR"), so dropping them would drop article content. Whitespace is
normalized: no-break spaces become spaces, lines are stripped, one blank line between paragraphs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.documents import METADATA_FILE, Document, document_record
from toolkit.errors import InputError
from toolkit.outputs import atomic_write, is_plain_name, jsonl_text
from toolkit.segments import is_heading, is_list_item, paragraphs, segment_document, split_sentences

REPORT_FILE = "cleaning-report.json"

# Reasons, as they appear in reports.
STRAY_BULLET = "stray bullet (a line with only a bullet sign)"
HEADLINE_LIST = "headline of another article (list item ending in ' - <date>')"
SITE_TEASER = "teaser of another page (title ending in '| <site name>')"
SITE_TEASER_TEXT = "blurb of the teaser above (arrow line, clipped text or card body)"
PROMOTION = "promotion (\"Kaufen oder verkaufen?\", read-more or free-analysis call to action)"
AUTHOR_BLURB = "author blurb (\"In dieser Kolumne schreibt ...\", \"Über den Autor\")"
REPEATED_TITLE = "repeated title (same line as earlier in the article)"
REPEATED_TEASER = "teaser under the repeated title"
REPEATED_PARAGRAPH = "repeated paragraph (same text as earlier in the article)"
TEASER_CARD = "teaser of another article (headline glued to a one-line blurb)"
SECTION_LABEL = "section label above the title (one word, e.g. 'KI')"
DATE_LINE = "date line (kept as the document's date)"

_MONTH_NUMBERS = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "mär": 3, "maerz": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "dezember": 12, "dez": 12,
}
_MONTH = "|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True))
# "21. Februar, 2026", "21. Feb. 2026", "21.02.2026", "2026-02-21", with an optional weekday.
_DATE_WORDS = re.compile(rf"(?:\w+,\s*)?(\d{{1,2}})\.\s*({_MONTH})\.?,?\s+(\d{{4}})", re.IGNORECASE)
_DATE_DOTS = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

_BULLETS_ONLY = re.compile(r"^[\s\-–—•*·▪◦‣→➤►|]+$")
# "- Headline - 18. November 2025": an item of a "more articles" box, dated.
_DATED_ITEM = re.compile(
    rf"\s[-–—|]\s*(?:\d{{1,2}}\.\s*(?:{_MONTH})\.?\s+\d{{4}}|\d{{1,2}}\.\d{{1,2}}\.\d{{4}})$",
    re.IGNORECASE)
# "Some headline… | AlleAktien": an HTML page title with the site's name after a bar.
_SITE_SUFFIX = re.compile(r"\s\|\s*([^|]{2,40})$")
_PROMOTION = re.compile(
    r"kaufen oder verkaufen\b|\b(?:hier|jetzt)\s+weiterlesen\b|gratis-analyse|kostenlose[n]? analyse"
    r"|newsletter (?:abonnieren|bestellen)", re.IGNORECASE)
_AUTHOR_BLURB = re.compile(
    r"^(?:in dieser kolumne\b|über (?:den autor|die autorin)\b|zum autor\b|zur autorin\b)", re.IGNORECASE)
_TEASER_LEAD = re.compile(r"^[➤►→▶]")
_CLIPPED = re.compile(r"(?:…|\.\.\.)$")
TEASER_BLURB_MAX_WORDS = 40


@dataclass(frozen=True)
class RemovedLine:
    """One line cleaning dropped: where it was (1-based line of the input), what, and why."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class CleanResult:
    """A cleaned document and what was removed from it."""

    document: Document
    removed: list[RemovedLine] = field(default_factory=list)
    chars_before: int = 0

    @property
    def chars_after(self) -> int:
        return text_characters(self.document.text)

    def report(self) -> dict[str, Any]:
        """The JSON-ready record of this document's cleaning."""
        return {"id": self.document.id, "title": self.document.title, "date": self.document.date,
                "chars_before": self.chars_before, "chars_after": self.chars_after,
                "removed": [{"line": r.line, "reason": r.reason, "text": r.text} for r in self.removed]}


# --- rules ---------------------------------------------------------------------------------


def parse_date(text: str) -> str | None:
    """The ISO date (YYYY-MM-DD) of a line that is only a date, else None."""
    text = text.strip()
    for pattern, order in ((_DATE_WORDS, "dmy"), (_DATE_DOTS, "dmy"), (_DATE_ISO, "ymd")):
        m = pattern.fullmatch(text)
        if not m:
            continue
        a, b, c = m.groups()
        if order == "ymd":
            year, month, day = int(a), int(b), int(c)
        else:
            day, year = int(a), int(c)
            month = int(b) if b.isdigit() else _MONTH_NUMBERS[b.lower()]
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _blocks(lines: list[str]) -> list[list[int]]:
    """Indices of runs of consecutive non-empty lines."""
    blocks: list[list[int]] = []
    current: list[int] = []
    for i, line in enumerate(lines):
        if line:
            current.append(i)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _is_site_title(line: str) -> bool:
    """A short non-item line ending in "| <one to four words>", like an HTML page title."""
    m = _SITE_SUFFIX.search(line)
    return (m is not None and len(m.group(1).split()) <= 4 and not is_list_item(line)
            and len(line.split()) <= 25 and not m.group(1).rstrip().endswith((".", "!", "?")))


def _is_teaser_blurb(line: str, lang: str) -> bool:
    """One or two sentences of plain text: the body of a teaser card."""
    return (not is_list_item(line) and not is_heading(line)
            and len(line.split()) <= TEASER_BLURB_MAX_WORDS and len(split_sentences(line, lang)) <= 2)


def _headings_stand_alone(lines: list[str], blocks: list[list[int]]) -> bool:
    """Whether the page separates paragraphs by blank lines and puts its headings alone in
    their block (at least two, and more than are glued to a following line).

    On such a page a heading glued to a short blurb is a card linking elsewhere. Pages
    without blank lines give no such signal, so the card rule does not run on them.
    """
    if len(blocks) < 3 or sum(len(b) == 1 for b in blocks) < len(blocks) / 2:
        return False
    alone = sum(len(b) == 1 and is_heading(lines[b[0]]) for b in blocks)
    glued = sum(len(b) > 1 and is_heading(lines[b[0]]) and not _is_site_title(lines[b[0]]) for b in blocks)
    return alone >= 2 and alone > glued


def _find_boilerplate(lines: list[str], lang: str) -> dict[int, str]:
    """Line index -> reason for every line a rule marks as boilerplate."""
    marks: dict[int, str] = {}
    blocks = _blocks(lines)
    block_of = {i: b for b in blocks for i in b}
    card_layout = _headings_stand_alone(lines, blocks)

    def next_in_block(i: int) -> int | None:
        block = block_of[i]
        pos = block.index(i)
        return block[pos + 1] if pos + 1 < len(block) else None

    seen: set[str] = set()
    for i, line in enumerate(lines):
        if not line or i in marks:
            continue
        nxt = next_in_block(i)
        if _BULLETS_ONLY.match(line):
            marks[i] = STRAY_BULLET
        elif is_list_item(line) and _DATED_ITEM.search(line):
            marks[i] = HEADLINE_LIST
        elif _is_site_title(line):
            marks[i] = SITE_TEASER
            if nxt is not None and (_TEASER_LEAD.match(lines[nxt]) or _CLIPPED.search(lines[nxt])
                                    or (card_layout and len(block_of[i]) == 2)):
                marks[nxt] = AUTHOR_BLURB if _AUTHOR_BLURB.match(lines[nxt]) else SITE_TEASER_TEXT
        elif _PROMOTION.search(line):
            marks[i] = PROMOTION
        elif _AUTHOR_BLURB.match(line):
            marks[i] = AUTHOR_BLURB
        elif line.casefold() in seen and is_heading(line):
            marks[i] = REPEATED_TITLE
            if nxt is not None and len(block_of[i]) == 2 and _is_teaser_blurb(lines[nxt], lang):
                marks[nxt] = REPEATED_TEASER
        elif line.casefold() in seen and not is_list_item(line) and len(line) >= 40:
            marks[i] = REPEATED_PARAGRAPH
        elif (card_layout and len(block_of[i]) == 2 and block_of[i][0] == i and is_heading(line)
              and nxt is not None and _is_teaser_blurb(lines[nxt], lang)):
            marks[i] = marks[nxt] = TEASER_CARD
        seen.add(line.casefold())
    return marks


def _header(lines: list[str], marks: dict[int, str]) -> tuple[str | None, dict[int, str]]:
    """Date and furniture of the page header: the lines above the first line of running text.

    A date-only line there is the article's date. One-word lines above the title (the first
    heading of two words or more) are section labels ("KI", "Börse"); a one-word heading with
    no title below it ("Überblick") is a real heading and stays.
    """
    date = None
    found: dict[int, str] = {}
    labels: list[int] = []
    title_seen = False
    for i, line in enumerate(lines):
        if not line or i in marks:
            continue
        if not is_heading(line):
            break  # running text (or a list) starts: the header is over
        if date is None and (iso := parse_date(line)):
            date, found[i] = iso, DATE_LINE
        elif title_seen:
            continue
        elif len(line.split()) == 1:
            labels.append(i)
        else:  # the title: the one-word lines above it were labels
            found.update(dict.fromkeys(labels, SECTION_LABEL))
            title_seen = True
    return date, found


def _title(kept: list[str], lang: str) -> str | None:
    """The article's title: its first line if that is a heading, else a one-sentence standfirst
    opening the article, else its first heading of two words or more; None if it has none."""
    if not kept:
        return None
    first = kept[0]
    if is_heading(first):
        return first
    if not is_list_item(first) and len(first.split()) <= 25 and len(split_sentences(first, lang)) == 1:
        return first.rstrip(".").strip()
    return next((line for line in kept if is_heading(line) and len(line.split()) >= 2), None)


def clean_document(doc: Document) -> CleanResult:
    """Remove boilerplate lines from ``doc``; extract title and date where the page has them.

    The cleaned text has one paragraph per line, paragraphs separated by blank lines. A title or
    date already on the document (e.g. from JSONL) wins over what is found in the text.
    """
    lines = [line.replace("\xa0", " ").strip() for line in doc.text.split("\n")]
    marks = _find_boilerplate(lines, doc.lang)
    date, header_marks = _header(lines, marks)
    marks.update(header_marks)
    kept = [line for i, line in enumerate(lines) if line and i not in marks]
    if not kept:
        raise InputError(f"document {doc.id!r}: nothing left after cleaning; check that it holds an article")
    removed = [RemovedLine(line=i + 1, text=lines[i], reason=marks[i]) for i in sorted(marks)]
    cleaned = Document(
        id=doc.id, text="\n\n".join(kept), lang=doc.lang,
        title=doc.title or _title(kept, doc.lang), date=doc.date or date,
        source=doc.source, meta=dict(doc.meta),
    )
    return CleanResult(document=cleaned, removed=removed, chars_before=text_characters(doc.text))


def clean_corpus(docs: Iterable[Document]) -> list[CleanResult]:
    """:func:`clean_document` for each document, in order."""
    return [clean_document(doc) for doc in docs]


# --- figures -------------------------------------------------------------------------------


def text_characters(text: str) -> int:
    """Characters of the paragraphs, without line breaks and surrounding blanks, so that raw and
    cleaned text (one blank line between paragraphs) compare fairly."""
    return sum(len(p) for p in paragraphs(text))


@dataclass(frozen=True)
class CorpusStats:
    """Size of a corpus: documents, paragraphs, segments (by kind) and characters (of paragraphs)."""

    documents: int
    paragraphs: int
    segments: int
    characters: int
    kinds: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "paragraphs": self.paragraphs,
                "segments": self.segments, "characters": self.characters, "kinds": dict(self.kinds)}


def corpus_stats(docs: Sequence[Document]) -> CorpusStats:
    """Count documents, paragraphs (non-empty lines), segments and characters of ``docs``."""
    kinds: dict[str, int] = {}
    n_segments = 0
    for doc in docs:
        for seg in segment_document(doc):
            kinds[seg.kind] = kinds.get(seg.kind, 0) + 1
            n_segments += 1
    return CorpusStats(
        documents=len(docs), paragraphs=sum(len(paragraphs(d.text)) for d in docs),
        segments=n_segments, characters=sum(text_characters(d.text) for d in docs),
        kinds=dict(sorted(kinds.items())),
    )


# --- writing -------------------------------------------------------------------------------


def cleaning_report(results: Sequence[CleanResult]) -> dict[str, Any]:
    """The cleaning report: per document, the removed lines and reasons; totals by reason."""
    by_reason: dict[str, int] = {}
    for result in results:
        for r in result.removed:
            by_reason[r.reason] = by_reason.get(r.reason, 0) + 1
    return {
        "documents": [r.report() for r in results],
        "removed_by_reason": dict(sorted(by_reason.items(), key=lambda kv: -kv[1])),
        "chars_before": sum(r.chars_before for r in results),
        "chars_after": sum(r.chars_after for r in results),
    }


def write_clean_corpus(results: Sequence[CleanResult], out_dir: str | Path) -> list[Path]:
    """Write ``<id>.txt`` per document, ``documents.jsonl`` and ``cleaning-report.json``."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder; give a folder for the cleaned corpus")
    for result in results:  # check every name before writing anything
        doc_id = result.document.id
        if not is_plain_name(doc_id):
            raise InputError(f"document id {doc_id!r} cannot be a file name (the cleaned corpus is "
                             "read back by file name); use letters, digits, '.', '_' and '-', at "
                             "most 100 characters")
    written = []
    for result in results:
        doc = result.document
        path = out / f"{doc.id}.txt"
        atomic_write(path, doc.text + "\n")
        written.append(path)
    meta = jsonl_text(document_record(r.document) for r in results)
    atomic_write(out / METADATA_FILE, meta)
    report = json.dumps(cleaning_report(results), ensure_ascii=False, indent=2) + "\n"
    atomic_write(out / REPORT_FILE, report)
    return [*written, out / METADATA_FILE, out / REPORT_FILE]
