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

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

from toolkit.errors import ConfigError, InputError
from toolkit.glossary.model import TermHint
from toolkit.languages import SOURCE_LANGUAGES, SUMMARY_LANGUAGES
from toolkit.load import ModelOptions, load_backend
from toolkit.qa.repetition import repeated_stretch  # noqa: F401  (the name tests use)
from toolkit.qa.summary import SummaryCheck, SummaryTally
from toolkit.qa.summary import check_summary as check_text
from toolkit.tasks.chunking import reduce_to_summary, within
from toolkit.tasks.length import cut_to_length, drop_repeats, measure
from toolkit.tasks.summarizer import PROMPT_VERSION, Summarizer, SummaryRequest

if TYPE_CHECKING:
    from toolkit.backends.base import Progress
    from toolkit.documents import Document
    from toolkit.glossary import Glossary

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
    text, handling = reduce_to_summary(item.doc, item.text, item.segments, s, base)
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
        retry = within(s, replace(base, text=handling["final_input"], partial=handling["partial"],
                                   numbers=_number_hints(item, target), terms=terms, attempt=1))
        if report.problems and retry is not None:
            again = s.summarize([retry])[0].text
            candidate = check_summary(again, item, target, glossary)
            retried = True
            if candidate.problems < report.problems:
                text, report = again, candidate
    strict = within(s, replace(base, text=handling["final_input"], partial=handling["partial"],
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


def check_summary(text: str, item: SummaryInput, target: str,
                  glossary: Glossary | None) -> SummaryCheck:
    """:func:`toolkit.qa.summary.check_summary` of a summary of ``item``."""
    return check_text(text, source=item.source, source_lang=item.source_lang,
                      summarized=item.text, target=target, glossary=glossary,
                      hints=_glossary_hints(item, glossary, target))


def _glossary_hints(item: SummaryInput, glossary: Glossary | None, target: str) -> tuple[TermHint, ...]:
    if glossary is None or target == item.source_lang and item.lang == target:
        return ()
    from toolkit.glossary.matching import glossary_hints

    return glossary_hints(item.source, glossary, item.source_lang, target, keep_same=False)[:24]


def _number_hints(item: SummaryInput, target: str) -> tuple[TermHint, ...]:
    from toolkit.qa.numbers import number_hints

    return tuple(number_hints(item.source, target, item.source_lang, every=True))[:40]
