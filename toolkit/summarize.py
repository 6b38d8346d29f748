"""The summarization pipeline: documents -> segments -> parts that fit the model's window ->
summarizer (map, collapse, combine) -> length control -> faithfulness checks -> records.

    from toolkit.documents import load_documents
    from toolkit.summarize import load_summarizer, summarize_documents

    summarizer = load_summarizer("starter", "en")
    run = summarize_documents(load_documents(["corpus/"]), summarizer, "en", max_words=100)

Any length: a document longer than the window is split by tokens along segment boundaries
into parts, each part summarized (map), the partial summaries combined; while they are still
longer than the window they are summarized again in groups (a recursive collapse). Every call
fits the window by construction (the backend refuses one that does not), so no summary is
ever made from a cut input; each record says how its input was handled.

Length: ``max_words`` (de/en) or ``max_chars`` (zh) is measured on the output. Over the
limit, the summary is generated again with a stricter prompt; still over, it is cut after
its last whole sentence that fits (never inside a sentence, unless even the first sentence is
too long: then it is cut at a word and the record says so).

Faithfulness: every number the summary states must be in the source (397 Milliarden =
397 billion = 3970亿; an invented or rescaled number is flagged); glossary terms keep the
glossary's rendering (a German source form left untranslated, "KI" for AI, is flagged);
the summary must be in the target language and must not repeat itself (a stretch of six
words said three times that the source does not repeat; the sentences after the first that
say it are dropped, with whatever else they say, and the record counts them). A summary failing these is retried once with
the source's numbers and the glossary's renderings in the prompt, and kept only if better.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

from toolkit.errors import ConfigError, InputError
from toolkit.languages import SOURCE_LANGUAGES, SUMMARY_LANGUAGES
from toolkit.load import ModelOptions, load_backend
from toolkit.qa.hints import TermHint
from toolkit.qa.repetition import repeated_stretch
from toolkit.tasks.summarizer import PROMPT_VERSION, Summarizer, SummaryRequest, sentences
from toolkit.tasks.translator import split_text

if TYPE_CHECKING:
    from toolkit.backends.base import Progress
    from toolkit.documents import Document
    from toolkit.glossary import Glossary

MAX_LEVELS = 8


@dataclass
class SummaryRecord:
    """One document's summary, as written to ``summaries.jsonl``."""

    doc: str
    lang: str
    model: str
    engine: str
    summary: str
    style: str
    route: str  # "cross-lingual" (from the source) or "via-translation"
    input: dict[str, Any]  # tokens, chunks, levels, window
    length: dict[str, Any]  # unit, limit, measured, action
    checks: dict[str, Any] | None
    fingerprint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SummaryRun:
    records: list[SummaryRecord]
    fingerprint: dict[str, Any] | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One screen: lengths, input handling, numbers, terms, language."""
        if not self.records:
            return "no summaries"
        tally = SummaryTally.of([r.to_dict() for r in self.records])
        return "\n".join([tally.render(self.seconds), *self.notes])


@dataclass(frozen=True)
class SummaryTally:
    """What the summaries of a run did, added up shard by shard (flat memory): lengths,
    input handling (the first few documents), numbers, terms, language, retries."""

    documents: int = 0
    unit: str = "words"
    limit: int | None = None
    within: int = 0
    regenerated: int = 0
    cut: int = 0
    cut_in_sentence: int = 0
    inputs: tuple[str, ...] = ()
    checked: int = 0
    numbers: int = 0
    unsupported: int = 0
    used: int = 0
    untranslated: int = 0
    wrong: int = 0
    repeating: int = 0
    dropped: int = 0
    retried: int = 0

    _ADDED = ("documents", "within", "regenerated", "cut", "cut_in_sentence", "checked",
              "numbers", "unsupported", "used", "untranslated", "wrong", "repeating", "dropped",
              "retried")

    @classmethod
    def of(cls, records: Sequence[dict[str, Any]]) -> SummaryTally:
        if not records:
            return cls()
        first = records[0]["length"]
        actions = [r["length"]["action"] for r in records]
        checks = [r["checks"] for r in records if r["checks"]]
        limit = first["limit"]
        return cls(
            documents=len(records), unit=first["unit"], limit=limit,
            within=sum(bool(limit) and r["length"]["measured"] <= limit for r in records),
            regenerated=actions.count("regenerated"),
            cut=actions.count("cut") + actions.count("cut-in-sentence"),
            cut_in_sentence=actions.count("cut-in-sentence"),
            inputs=tuple(f"{r['doc']} {r['input']['tokens']} tokens"
                         + (f" in {r['input']['chunks']} parts, {r['input']['levels']} levels"
                            if r["input"]["chunks"] > 1 else "") for r in records[:7]),
            checked=len(checks),
            numbers=sum(c["numbers"]["checked"] for c in checks),
            unsupported=sum(len(c["numbers"]["unsupported"]) for c in checks),
            used=sum(len(c["terms"]["used"]) for c in checks if c["terms"]),
            untranslated=sum(len(c["terms"]["untranslated"]) for c in checks if c["terms"]),
            wrong=sum(not c["language"]["ok"] for c in checks),
            repeating=sum(bool(c.get("repeated")) for c in checks),
            dropped=sum(c.get("repeats_dropped", 0) for c in checks),
            retried=sum(c["retried"] for c in checks))

    def merge(self, other: SummaryTally) -> SummaryTally:
        if not other.documents:
            return self
        if not self.documents:
            return other
        return replace(self, **{k: getattr(self, k) + getattr(other, k) for k in self._ADDED},
                       inputs=(self.inputs + other.inputs)[:7])

    def render(self, seconds: float | None = None) -> str:
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        lines = [f"summaries: {self.documents} document(s){took}"]
        if self.limit:
            inside = (f", {self.cut_in_sentence} inside a sentence" if self.cut_in_sentence
                      else "")
            lines.append(f"length (max {self.limit} {self.unit}): {self.within} within; "
                         f"{self.regenerated} regenerated, {self.cut} cut at a sentence "
                         f"end{inside}")
        shown = self.inputs[:6]
        lines.append("input: " + ", ".join(shown)
                     + (" ..." if self.documents > len(shown) else ""))
        if self.checked:
            lines.append(f"numbers: {self.numbers} stated, {self.unsupported} not supported by "
                         f"the source; terms: {self.used} glossary renderings used, "
                         f"{self.untranslated} left untranslated; language: {self.wrong} wrong; "
                         f"{self.repeating} still repeating themselves ({self.dropped} repeated "
                         f"sentences dropped); {self.retried} summaries retried")
        return "\n".join(lines)


STYLES = ("paragraph", "bullets")


@dataclass(frozen=True)
class SummarizeOptions:
    """Everything a summary run is asked to do, checked once where it enters."""

    target: str
    source: str = "de"
    model: ModelOptions = field(default_factory=ModelOptions)
    max_words: int | None = None
    max_chars: int | None = None
    style: str = "paragraph"
    window: int | None = None
    glossaries: tuple[str, ...] = ()
    use_glossary: bool = True
    checks: bool = True

    def __post_init__(self) -> None:
        if self.target not in SUMMARY_LANGUAGES:
            raise ConfigError(f"tk summarizes into {', '.join(SUMMARY_LANGUAGES)}, not "
                              f"{self.target!r}; use --to " + " or --to ".join(SUMMARY_LANGUAGES))
        if self.source not in SOURCE_LANGUAGES:
            raise ConfigError(f"--from {self.source}: tk reads {', '.join(SOURCE_LANGUAGES)}")
        if self.max_words is not None and self.max_chars is not None:
            raise ConfigError("give --max-words (de, en) or --max-chars (zh), not both")
        if self.max_words is not None and self.target == "zh":
            raise ConfigError("Chinese is measured in characters: use --max-chars with --to zh "
                              f"(about {self.max_words * 2} characters for {self.max_words} "
                              "English words)")
        if self.max_chars is not None and self.target != "zh":
            raise ConfigError(f"{self.target} is measured in words: use --max-words with "
                              f"--to {self.target}")
        if self.max_words is not None and self.max_words < 5 or \
                self.max_chars is not None and self.max_chars < 10:
            raise ConfigError("a summary limit must allow at least 5 words or 10 characters")
        if self.style not in STYLES:
            raise ConfigError(f"--style {self.style}: choose {' or '.join(STYLES)}")
        if self.window is not None and self.window < 64:
            raise ConfigError(f"--window {self.window}: give at least 64 tokens")

    def request(self) -> dict[str, Any]:
        """The length, style and checks each summary is asked for (a job's settings)."""
        return {"max_words": self.max_words, "max_chars": self.max_chars, "style": self.style,
                "checks": self.checks}


@dataclass(frozen=True)
class SummaryInput:
    """What to summarize: the document's id, its text in ``lang`` (the source, or tk's
    translation of it), and the original source that numbers are checked against."""

    doc: str
    text: str
    lang: str
    source: str
    source_lang: str
    segments: tuple[str, ...] = ()


def inputs_from_documents(documents: Sequence[Document]) -> list[SummaryInput]:
    """The documents themselves, segmented (the cross-lingual route)."""
    from toolkit.documents import model_text
    from toolkit.segments import segment_document

    out = []
    for d in documents:
        segs = tuple(model_text(s.text) for s in segment_document(d))
        text = model_text(d.text)
        out.append(SummaryInput(d.id, text, d.lang, text, d.lang, segs))
    return out


def inputs_from_translations(path: str) -> list[SummaryInput]:
    """tk's own translation records (a translations.jsonl file or the folder holding one): the
    translated documents, with their German sources for the number checks."""
    from pathlib import Path

    from toolkit.jsonl import iter_jsonl

    p = Path(path)
    if p.is_dir():
        p = p / "translations.jsonl"
    if not p.is_file():
        raise InputError(f"{path}: no translations.jsonl here; give tk translate's output folder "
                         "or its translations.jsonl")
    from toolkit.documents import decode_text

    text = decode_text(p.read_bytes(), str(p))
    docs: dict[str, dict[str, Any]] = {}
    fix = "give the translations.jsonl that `tk translate -o DIR` wrote"
    for number, r in iter_jsonl(text, str(p), fix):
        if not all(isinstance(r.get(k), str) for k in ("doc", "translation", "source", "lang")):
            raise InputError(f"{p}:{number}: not a tk translation record (doc, source, translation, "
                             f"lang); {fix}")
        d = docs.setdefault(r["doc"], {"lang": r["lang"], "segs": [], "src": []})
        d["segs"].append(r["translation"])
        d["src"].append(r["source"])
    if not docs:
        raise InputError(f"{p}: no translation records; {fix}")
    out = []
    for doc, d in docs.items():
        joiner = "" if d["lang"] == "zh" else " "
        out.append(SummaryInput(doc, joiner.join(d["segs"]), d["lang"], " ".join(d["src"]), "de",
                                tuple(s for s in d["segs"] if s.strip())))
    return out


def load_summarizer(model: str | None = None, target_lang: str = "en", *,
                    window: int | None = None, announce: Callable[[str], None] | None = None,
                    **options: Any) -> Summarizer:
    """The summarizer for ``model`` (or the catalog's default summary model for
    ``target_lang``) for a notebook: ``options`` are :class:`ModelOptions` fields."""
    checked = SummarizeOptions(target_lang, model=ModelOptions.resolve(model=model, **options),
                               window=window)
    return summarizer_for(checked.model, target_lang, window=checked.window, announce=announce)


def summarizer_for(options: ModelOptions, target_lang: str, *, window: int | None = None,
                   announce: Callable[[str], None] | None = None) -> Summarizer:
    """The summarizer of checked options, cache-wrapped; falls back to the starter only when
    the Hub is unreachable, as translation does (:func:`toolkit.load.load_backend`)."""
    backend = load_backend(options, target_lang, "summarize", namespace=PROMPT_VERSION,
                           announce=announce)
    return Summarizer(backend, beams=options.beams, max_new_tokens=options.max_new_tokens,
                      window=window)


def summarize_documents(
    documents: Sequence[Document] | Sequence[SummaryInput],
    summarizer: Summarizer,
    target_lang: str,
    *,
    max_words: int | None = None,
    max_chars: int | None = None,
    style: str = "paragraph",
    glossary: Glossary | None = None,
    checks: bool = True,
    progress: Progress | None = None,
) -> SummaryRun:
    """Summarize each document into ``target_lang``; see the module docstring. (The CLI
    checks its options once in :class:`SummarizeOptions`; a notebook call is checked here.)"""
    SummarizeOptions(target_lang, max_words=max_words, max_chars=max_chars, style=style)
    items = [d for d in documents if isinstance(d, SummaryInput)]
    if len(items) < len(documents):  # Documents: segmented here
        items = inputs_from_documents(cast("Sequence[Document]", documents))
    for item in items:
        summarizer.check(item.lang, target_lang)  # every document, before any work
    started = time.perf_counter()
    records, notes = [], []
    for item in items:
        record, note = _summarize_one(item, summarizer, target_lang, max_words=max_words,
                                      max_chars=max_chars, style=style, glossary=glossary,
                                      checks=checks)
        records.append(record)
        if note:
            notes.append(note)
        if progress:
            progress(1)
    return SummaryRun(records, summarizer.fingerprint(), time.perf_counter() - started, notes)


# --- one document ---------------------------------------------------------------------------


def _summarize_one(item: SummaryInput, s: Summarizer, target: str, *, max_words: int | None,
                   max_chars: int | None, style: str, glossary: Glossary | None,
                   checks: bool) -> tuple[SummaryRecord, str | None]:
    unit, limit = ("words", max_words) if max_words else ("chars", max_chars) if max_chars else (
        "words" if target != "zh" else "chars", None)
    terms = _glossary_hints(item, glossary, target) if checks else ()
    base = SummaryRequest("", item.lang, target, max_words=max_words, max_chars=max_chars,
                          style=style, terms=terms)
    text, handling = _reduce(item, s, base)
    note = None
    if limit and measure(item.text, unit) <= limit:
        note = (f"note: {item.doc} is already within {limit} {unit}; it was summarized all the "
                "same (into the target language)")
    action = "ok"
    report = None
    retried = False
    if checks:
        report = check_summary(text, item, target, glossary)
        # A summary that wrote the renderings list back is asked again without it.
        terms = () if report.echoed else base.terms
        retry = _within(s, replace(base, text=handling["final_input"], partial=handling["partial"],
                                   numbers=_number_hints(item, target), terms=terms, attempt=1))
        if report.problems and retry is not None:
            again = s.summarize([retry])[0].text
            candidate = check_summary(again, item, target, glossary)
            retried = True
            if candidate.problems < report.problems:
                text, report = again, candidate
    strict = _within(s, replace(base, text=handling["final_input"], partial=handling["partial"],
                                strict=True, attempt=2,
                                terms=() if report is not None and report.echoed else base.terms))
    if limit and measure(text, unit) > limit and checks and strict is not None:
        shorter = s.summarize([strict])[0].text
        better = check_summary(shorter, item, target, glossary) if report else None
        if measure(shorter, unit) <= limit and (better is None or report is None
                                                or better.problems <= report.problems):
            text, report, action = shorter, better, "regenerated"
    dropped = 0
    if report is not None and report.repeated:
        # A loop's copies go: the sentences after the first that say the repeated stretch
        # are dropped (with whatever else they say; the record counts them).
        text, dropped = drop_repeats(text, report.repeated, style)
        report = check_summary(text, item, target, glossary)
    if limit and measure(text, unit) > limit:
        text, action = cut_to_length(text, limit, unit, style)
        if report is not None:
            report = check_summary(text, item, target, glossary)
    checks_dict = None
    if report is not None:
        checks_dict = {**report.to_dict(), "retried": retried, "repeats_dropped": dropped}
    record = SummaryRecord(
        doc=item.doc, lang=target, model=s.model_label, engine=s.engine, summary=text,
        style=style, route="cross-lingual" if item.lang == item.source_lang else "via-translation",
        input={k: v for k, v in handling.items() if k not in ("final_input", "partial")},
        length={"unit": unit, "limit": limit, "measured": measure(text, unit), "action": action},
        checks=checks_dict, fingerprint=s.fingerprint_short,
    )
    return record, note


def _reduce(item: SummaryInput, s: Summarizer, base: SummaryRequest) -> tuple[str, dict[str, Any]]:
    """Map-reduce with a recursive collapse: the summary, and how the input was handled."""
    whole = replace(base, text=item.text)
    tokens = s.count([item.text])[0]
    if tokens <= _room(s, whole):
        return s.summarize([whole])[0].text, {"tokens": tokens, "chunks": 1, "levels": 1,
                                              "window": s.window, "final_input": item.text,
                                              "partial": False}
    units = list(item.segments) or [item.text]
    # Parts are summarized without the glossary list (the final summary gets it): every
    # token of prompt is a token less of text in the window.
    partial_base = replace(base, max_words=None, max_chars=None, part=True, terms=())
    room = _room(s, partial_base)
    parts = pack(units, s, room, joiner="\n")
    chunks = len(parts)
    summaries = [x.text for x in s.summarize([replace(partial_base, text=p) for p in parts])]
    levels = 1
    while True:
        combined = "\n".join(summaries)
        if s.count([combined])[0] <= _room(s, replace(base, partial=True)):
            break
        levels += 1
        if levels > MAX_LEVELS or len(summaries) == 1:
            raise InputError(f"{item.doc}: the partial summaries do not shrink below the window "
                             f"({s.window} tokens); raise --window")
        # Each group is summarized in at most a sixth of the window, so several fit in one
        # again: the partial summaries shrink level by level.
        groups = pack(summaries, s, _room(s, replace(partial_base, partial=True)), joiner="\n")
        if len(groups) == len(summaries) and levels > 2:
            raise InputError(f"{item.doc}: the partial summaries do not shrink below the window "
                             f"({s.window} tokens); raise --window")
        summaries = [x.text for x in s.summarize(
            [replace(partial_base, text=g, partial=True) for g in groups])]
    final = s.summarize([replace(base, text=combined, partial=True)])[0].text
    return final, {"tokens": s.count([item.text])[0], "chunks": chunks, "levels": levels + 1,
                   "window": s.window, "final_input": combined, "partial": True}


def _within(s: Summarizer, request: SummaryRequest) -> SummaryRequest | None:
    """``request`` if it fits the window, else without its number and term lists if that
    fits, else None (the retry is skipped rather than its input cut)."""
    for candidate in (request, replace(request, numbers=()), replace(request, numbers=(), terms=())):
        room = s.window - s.overhead(replace(candidate, text=""))
        if s.count([candidate.text])[0] <= room:
            return candidate
    return None


def _room(s: Summarizer, request: SummaryRequest) -> int:
    """Tokens of text ``request`` may carry within the window (prompt and answer aside)."""
    room = s.window - s.overhead(replace(request, text=""))
    if room < 32:
        raise InputError(f"the window ({s.window} tokens) leaves no room for text beside the "
                         f"prompt and the answer; raise --window")
    return room


def pack(units: Sequence[str], s: Summarizer, room: int, *, joiner: str) -> list[str]:
    """Consecutive units joined into parts of at most ``room`` tokens (a unit longer than
    that is split between sentences, clauses or words first)."""
    pieces: list[str] = []
    for unit in units:
        pieces.extend(_fit(unit, s, room))
    counts = s.count(pieces)
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for piece, n in zip(pieces, counts, strict=True):
        if current and size + n + 1 > room:
            parts.append(joiner.join(current))
            current, size = [], 0
        current.append(piece)
        size += n + 1
    if current:
        parts.append(joiner.join(current))
    # Joining can merge tokens differently: check each part, split one that grew too long.
    return [q for part in parts for q in _fit(part, s, room)]


def _fit(text: str, s: Summarizer, room: int) -> list[str]:
    if len(text) < 2 or s.count([text])[0] <= room:
        return [text]
    head, tail = split_text(text)
    return [*_fit(head, s, room), *_fit(tail, s, room)]


# --- length ---------------------------------------------------------------------------------

_MARK = re.compile(r"^\s*-\s+", re.M)


def measure(text: str, unit: str) -> int:
    """Words (whitespace-separated, bullet marks not counted) or characters (spaces and
    bullet marks not counted), as a reader would count them."""
    body = _MARK.sub("", text)
    if unit == "words":
        return len(body.split())
    return len(re.sub(r"\s", "", body))


def cut_to_length(text: str, limit: int, unit: str, style: str) -> tuple[str, str]:
    """The longest run of whole sentences from the start within ``limit``; if not even the
    first sentence fits, its first words (marked with …) and action "cut-in-sentence"."""
    bullets = style == "bullets"
    items = [_MARK.sub("", line) for line in text.splitlines() if line.strip()] if bullets \
        else sentences(text)
    kept: list[str] = []
    for sentence in (s for item in items for s in sentences(item)) if bullets else items:
        trial = [*kept, sentence]
        if measure(_join(trial, bullets, unit), unit) > limit:
            break
        kept = trial
    if kept:
        return _join(kept, bullets, unit), "cut"
    first = items[0] if items else text
    if unit == "words":
        words = first.split()[: max(1, limit - 1)]
        return " ".join(words) + " …", "cut-in-sentence"
    return first[: max(1, limit - 1)] + "…", "cut-in-sentence"


def drop_repeats(text: str, stretch: str, style: str) -> tuple[str, int]:
    """``text`` without the sentences (bullets) after the first that contain ``stretch``."""
    bullets = style == "bullets"
    items = [_MARK.sub("", line) for line in text.splitlines() if line.strip()] if bullets \
        else sentences(text)
    unspaced = " " not in stretch
    key = (lambda t: re.sub(r"\s", "", t)) if unspaced else (lambda t: " ".join(t.lower().split()))
    kept, seen, dropped = [], False, 0
    for item in items:
        if key(stretch) in key(item):
            if seen:
                dropped += 1
                continue
            seen = True
        kept.append(item)
    if not dropped:
        return text, 0
    return _join(kept, bullets, "chars" if unspaced else "words"), dropped


def _join(parts: list[str], bullets: bool, unit: str) -> str:
    if bullets:
        return "\n".join("- " + p for p in parts)
    return ("" if unit == "chars" else " ").join(parts)


# --- faithfulness ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryCheck:
    numbers: Any  # NumberCheck of the summary's quantities against the source
    used: tuple[dict[str, str], ...]
    untranslated: tuple[dict[str, str], ...]
    language: Any
    repeated: str | None = None  # a stretch the summary says three times or more
    empty: bool = False
    echoed: bool = False  # it copied the prompt's list of renderings instead of summarizing

    @property
    def problems(self) -> int:
        """How far from acceptable: an empty summary is worse than any flawed one (it says
        nothing wrong only because it says nothing)."""
        return (len(self.numbers.mismatched) + len(self.untranslated)
                + (0 if self.language.ok else 2) + (2 if self.repeated else 0)
                + (100 if self.empty or self.echoed else 0))

    def to_dict(self) -> dict[str, Any]:
        unsupported = [{"number": i.source.surface, "problem": i.problem, "reason": i.reason}
                       for i in self.numbers.mismatched]
        return {"numbers": {"checked": self.numbers.checked, "unsupported": unsupported},
                "terms": {"used": list(self.used), "untranslated": list(self.untranslated)},
                "language": self.language.to_dict(), "repeated": self.repeated,
                "echoed_prompt": self.echoed}


def check_summary(text: str, item: SummaryInput, target: str,
                  glossary: Glossary | None) -> SummaryCheck:
    """Numbers supported by the source, glossary renderings, target language."""
    from toolkit.qa.language import check_language
    from toolkit.qa.numbers import check_numbers

    # The summary's quantities, each looked for in the source (the roles of a translation
    # check, reversed): an invented number is "missing" there, a rescaled one "wrong".
    numbers = check_numbers(text, item.source, target, item.source_lang)
    used, untranslated = _terms(text, item, target, glossary)
    language = check_language(text, target, source=item.source if item.source_lang != target else None)
    # A small model given the glossary's renderings may write the list back ("KI: 人工智能
    # Alibaba: 阿里巴巴 ..."): three source-and-rendering pairs side by side are no summary.
    hints = _glossary_hints(item, glossary, target)
    pairs = sum(1 for h in hints if re.search(re.escape(h.source) + r"\s*(?:[:：=]|->|→)\s*"
                                              + re.escape(h.target), text))
    return SummaryCheck(numbers, used, untranslated, language,
                        repeated_stretch(text, item.text), empty=not text.strip(),
                        echoed=pairs >= 3)


def _terms(text: str, item: SummaryInput, target: str,
           glossary: Glossary | None) -> tuple[tuple[dict[str, str], ...], tuple[dict[str, str], ...]]:
    if glossary is None:
        return (), ()
    from toolkit.glossary import contains_term, find_terms

    used: dict[str, dict[str, str]] = {}
    for m in find_terms(item.source, glossary, item.source_lang, target):
        rendering = m.target(target)
        if rendering and rendering not in used and any(
                contains_term(text, f, target, name=m.entry.is_name()) for f in m.accepted(target)):
            used[rendering] = {"source": m.text, "target": rendering}
    untranslated: dict[str, dict[str, str]] = {}
    if target != item.source_lang:
        # A German source form written into an English or Chinese summary: "KI" for AI.
        for m in find_terms(text, glossary, item.source_lang, target):
            rendering = m.target(target)
            if rendering and m.text != rendering and not m.text.startswith(rendering):
                untranslated.setdefault(m.text, {"source": m.text, "target": rendering})
    return tuple(used.values()), tuple(untranslated.values())


def _glossary_hints(item: SummaryInput, glossary: Glossary | None, target: str) -> tuple[TermHint, ...]:
    if glossary is None or target == item.source_lang and item.lang == target:
        return ()
    from toolkit.glossary import find_terms

    hints: dict[str, TermHint] = {}
    for m in find_terms(item.source, glossary, item.source_lang, target):
        rendering = m.target(target)
        if rendering and rendering not in hints and m.text != rendering:
            hints[rendering] = TermHint(m.text, rendering)
    return tuple(hints.values())[:24]


def _number_hints(item: SummaryInput, target: str) -> tuple[TermHint, ...]:
    from toolkit.qa.numbers import extract_numbers, render_quantity

    hints: dict[str, TermHint] = {}
    for q in extract_numbers(item.source, item.source_lang):
        written = render_quantity(q, target)
        hints.setdefault(written, TermHint(q.surface, written))
    return tuple(hints.values())[:40]
