"""The summarization pipeline: documents -> (tk's translation, on the via-translation route)
-> segments ranked, the top ones selected -> summarizer (map, collapse, combine; many
documents per batch) -> checks and retries -> length control -> records.

    from toolkit.documents import load_documents
    from toolkit.summarize import load_summarizer, summarize_documents

    summarizer = load_summarizer("starter", "en")
    run = summarize_documents(load_documents(["corpus/"]), summarizer, "en", max_words=100)

Routes: ``cross-lingual`` gives the model the German article and asks for an English or
Chinese summary; ``via-translation`` first translates the article with tk's translation
(the same retry policy, cache and glossary enforcement as ``tk translate``) and summarizes the
translation; numbers are still checked against the German. ``auto`` (the default) takes the
route measured better for the model (the catalog's ``summary_route``; the starter: via
translation) and the record says which ran and why.

Selection: the document's segments are ranked (:mod:`toolkit.tasks.extract`: LexRank
centrality, position, numbers and names; headings and bylines are no candidates) and the
model reads the best of them, in document order, up to :data:`SELECT_RATIO` times the length
asked for: a small model given a whole article summarizes its beginning or its headline.

Any length: an input longer than the window is split by tokens along segment boundaries into
parts, each part summarized (map), the partial summaries combined; while they are still
longer than the window they are summarized again in groups (a recursive collapse). Every call
fits the window by construction, so no summary is ever made from a cut input; each record
says how its input was handled.

Checks (:mod:`toolkit.qa.summary`): every number stated is in the source (397 Milliarden =
397 billion = 3970亿), glossary terms keep their rendering, the target language, no German
word left, no loop, not under 40 % of the length asked for, not the title said again; and
the coverage of the five top-ranked sentences. A summary with problems is asked again once
(with the source's numbers, the glossary's renderings, the German words to translate, or a
longer length) and the retry is kept only if it has fewer problems and no lower coverage.
Over the length limit, it is generated again with a stricter prompt (kept on the same terms
against the original cut at its last whole sentence that fits); still over, it is cut there.
A summary still stating a number the source does not support falls back to a candidate
without one, or loses the sentences that state it; the record says which.
"""

from __future__ import annotations

import re
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
from toolkit.tasks.chunking import Reduction, reduce_many, within
from toolkit.tasks.length import cut_to_length, drop_repeats, measure
from toolkit.tasks.summarizer import PROMPT_VERSION, Summarizer, SummaryRequest, sentences

if TYPE_CHECKING:
    from toolkit.backends.base import Progress
    from toolkit.documents import Document
    from toolkit.glossary import Glossary
    from toolkit.models import ModelRef
    from toolkit.tasks.translator import Translator

@dataclass
class SummaryRecord:
    """One document's summary, as written to ``summaries.jsonl``."""

    doc: str
    lang: str
    model: str
    engine: str
    summary: str
    style: str
    route: str  # "cross-lingual", "via-translation", or "direct" (no language change)
    route_reason: str  # why that route: asked for, measured, or what the model can do
    input: dict[str, Any]  # tokens, chunks, levels, window, selected, segments
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
ROUTES = ("auto", "cross-lingual", "via-translation")
SELECT_RATIO = 1.5  # the model reads the top sentences up to 1.5 times the summary's length
UNLIMITED_SELECTION = 400  # words it reads where no length is asked for (800 Chinese chars)


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
    route: str = "auto"
    select: bool = True
    # via translation; None: the summarizer's own model (a chat model), or tk translate's default
    translation_model: str | ModelRef | None = None

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
        if self.route not in ROUTES:
            raise ConfigError(f"--route {self.route}: choose one of {', '.join(ROUTES)}")

    def request(self) -> dict[str, Any]:
        """The length, style, checks and selection each summary is asked for (a job's
        settings; the route is settled once the model is loaded, see :func:`choose_route`)."""
        return {"max_words": self.max_words, "max_chars": self.max_chars, "style": self.style,
                "checks": self.checks, "select": self.select}


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
    kinds: tuple[str, ...] = ()  # each segment's kind: text, heading, item


def inputs_from_documents(documents: Sequence[Document]) -> list[SummaryInput]:
    """The documents themselves, segmented (the cross-lingual route)."""
    from toolkit.documents import model_text
    from toolkit.segments import segment_document

    out = []
    for d in documents:
        segments = segment_document(d)
        text = model_text(d.text)
        out.append(SummaryInput(d.id, text, d.lang, text, d.lang,
                                tuple(model_text(s.text) for s in segments),
                                tuple(s.kind for s in segments)))
    return out


def inputs_from_records(records: Sequence[dict[str, Any]]) -> list[SummaryInput]:
    """Translated documents from tk translation records (dicts, in document order), with
    their German sources for the number checks."""
    docs: dict[str, dict[str, Any]] = {}
    for r in records:
        d = docs.setdefault(r["doc"], {"lang": r["lang"], "segs": [], "src": [], "kinds": []})
        d["segs"].append(r["translation"])
        d["src"].append(r["source"])
        d["kinds"].append(r.get("kind") or "text")
    out = []
    for doc, d in docs.items():
        joiner = "" if d["lang"] == "zh" else " "
        kept = [(t, k) for t, k in zip(d["segs"], d["kinds"], strict=True) if t.strip()]
        out.append(SummaryInput(doc, joiner.join(d["segs"]), d["lang"], " ".join(d["src"]), "de",
                                tuple(t for t, _ in kept), tuple(k for _, k in kept)))
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
    records = []
    fix = "give the translations.jsonl that `tk translate -o DIR` wrote"
    for number, r in iter_jsonl(text, str(p), fix):
        if not all(isinstance(r.get(k), str) for k in ("doc", "translation", "source", "lang")):
            raise InputError(f"{p}:{number}: not a tk translation record (doc, source, translation, "
                             f"lang); {fix}")
        records.append(r)
    if not records:
        raise InputError(f"{p}: no translation records; {fix}")
    return inputs_from_records(records)


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


def choose_route(route: str, summarizer: Summarizer, source_lang: str, target_lang: str
                 ) -> tuple[str, str]:
    """The route a summary of a ``source_lang`` document into ``target_lang`` takes, and why:
    ``route`` as asked, or for "auto" what the model can do and what was measured for it."""
    if source_lang == target_lang:
        return "direct", f"the documents are already in {target_lang}"
    if route != "auto":
        return route, "asked for (--route)"
    if summarizer.style == "seq2seq":
        return "via-translation", (f"{summarizer.model_label} is a seq2seq summarizer: it writes "
                                   "in the language it reads")
    ref = summarizer.backend.ref
    if ref is not None and ref.summary_route:
        return ref.summary_route, (f"measured better for {summarizer.model_label} "
                                   f"({ref.summary_route_note})")
    return "via-translation", ("not measured for this model; via translation measured better "
                               "for the starter (docs/results.md) and enforces the glossary in "
                               "every sentence")


def goes_via_translation(summarizer: Summarizer, options: SummarizeOptions) -> bool:
    """Whether documents of ``options.source`` take the via-translation route."""
    return choose_route(options.route, summarizer, options.source,
                        options.target)[0] == "via-translation"


def translator_for_route(summarizer: Summarizer, options: SummarizeOptions,
                         announce: Callable[[str], None] | None = None) -> Translator:
    """The translator of the via-translation route: ``options.translation_model``, else the
    summarizer's own model where it is a chat model (loaded once, the cache kept apart per
    task), else the model ``tk translate --to`` would use."""
    from toolkit.translate import translator_for

    if options.translation_model is None and summarizer.style == "chat":
        return translator_for(options.model, options.target, options.source, announce,
                              backend=summarizer.backend)
    model = replace(options.model, model=options.translation_model)
    return translator_for(model, options.target, options.source, announce)


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
    route: str = "auto",
    select: bool = True,
    translator: Translator | None = None,
    progress: Progress | None = None,
) -> SummaryRun:
    """Summarize each document into ``target_lang``; see the module docstring. Documents take
    ``route`` (via translation: ``translator``, by default one sharing the summarizer's
    model); :class:`SummaryInput` items (tk's translations, or documents already segmented)
    are summarized as they are. (The CLI checks its options once in
    :class:`SummarizeOptions`; a notebook call is checked here.)"""
    options = SummarizeOptions(target_lang, max_words=max_words, max_chars=max_chars,
                               style=style, checks=checks, route=route, select=select)
    started = time.perf_counter()
    items = [d for d in documents if isinstance(d, SummaryInput)]
    translated: dict[str, Any] | None = None
    if len(items) < len(documents):  # Documents: segmented here, translated where routed so
        docs = cast("Sequence[Document]", documents)
        langs = {d.lang for d in docs}
        routes = {lang: choose_route(route, summarizer, lang, target_lang) for lang in langs}
        for lang, (chosen, _) in routes.items():
            summarizer.check(target_lang if chosen == "via-translation" else lang, target_lang)
        via = [d for d in docs if routes[d.lang][0] == "via-translation"]
        if via:
            if translator is None:
                translator = translator_for_route(
                    summarizer, replace(options, source=via[0].lang))
            translated = _translate(via, translator, target_lang, glossary)
        by_id = {i.doc: i for i in translated["items"]} if translated else {}
        direct = {i.doc: i for i in inputs_from_documents(
            [d for d in docs if routes[d.lang][0] != "via-translation"])}
        items = [by_id.get(d.id) or direct[d.id] for d in docs]
        reasons = {d.id: routes[d.lang] for d in docs}
    else:
        reasons = {i.doc: ("direct", f"the documents are already in {target_lang}")
                   if i.source_lang == target_lang == i.lang else
                   ("via-translation", "given tk's translation (--from-translation)")
                   if i.lang == target_lang else ("cross-lingual", "given the source")
                   for i in items}
    for item in items:
        summarizer.check(item.lang, target_lang)  # every document, before any work
    plans = [_Plan.of(item, summarizer, options, glossary, reasons[item.doc]) for item in items]
    _draft(plans, summarizer)
    notes = [p.note for p in plans if p.note]
    if checks:
        _retry(plans, summarizer)
    _fit_length(plans, summarizer, checks)
    if checks:
        _numbers_fallback(plans)
        if any(p.best and p.best.check and p.best.check.german for p in plans) and \
                (translator is not None or summarizer.style == "chat"):
            if translator is None:  # the summarizer's own model, its cache kept apart
                translator = translator_for_route(summarizer, options)
            _translate_words(plans, translator)
    records = [p.record(summarizer) for p in plans]
    if progress:
        progress(len(records))
    fingerprint = summarizer.fingerprint()
    if translated is not None:
        fingerprint = {**fingerprint, "translation": translated["fingerprint"]}
    return SummaryRun(records, fingerprint, time.perf_counter() - started, notes)


def _translate(docs: Sequence[Document], translator: Translator, target: str,
               glossary: Glossary | None) -> dict[str, Any]:
    from toolkit.translate import translate_documents

    run = translate_documents(docs, translator, target, source_lang=docs[0].lang,
                              glossary=glossary)
    return {"items": inputs_from_records([r.to_dict() for r in run.records]),
            "fingerprint": run.fingerprint}


# --- one document's way: a plan, its candidates, the one kept -------------------------------


@dataclass
class _Candidate:
    text: str
    check: SummaryCheck | None
    how: str  # "draft", "retry", "regenerated", ...

    def key(self) -> tuple[int, float]:
        """Smaller is better: problems first, then the larger coverage."""
        if self.check is None:
            return (0, 0.0)
        return (self.check.problems, -self.check.share)

    def better_than(self, other: _Candidate) -> bool:
        """Fewer problems and no lower coverage: a retry is never kept that makes it worse."""
        if self.check is None or other.check is None:
            return False
        return (self.check.problems < other.check.problems
                and self.check.share >= other.check.share)


@dataclass
class _Plan:
    item: SummaryInput
    target: str
    base: SummaryRequest
    unit: str
    limit: int | None
    route: tuple[str, str]
    glossary: Glossary | None
    checks: bool
    text: str  # what the model reads: the selected segments, or the whole document
    selected: int
    title: str | None
    top: tuple[str, ...]
    top_german: tuple[str, ...]  # German tk's translation left in the top sentences
    handling: dict[str, Any] = field(default_factory=dict)
    best: _Candidate | None = None
    tried: list[_Candidate] = field(default_factory=list)
    action: str = "ok"
    retried: bool = False
    dropped: int = 0
    fallback: str | None = None
    words: list[dict[str, str]] = field(default_factory=list)  # German words translated in
    note: str | None = None

    @classmethod
    def of(cls, item: SummaryInput, s: Summarizer, o: SummarizeOptions,
           glossary: Glossary | None, route: tuple[str, str]) -> _Plan:
        from toolkit.tasks.extract import length, rank, select, top_sentences

        target = o.target
        unit, limit = ("words", o.max_words) if o.max_words else ("chars", o.max_chars) \
            if o.max_chars else ("words" if target != "zh" else "chars", None)
        terms = _glossary_hints(item, glossary, target) if o.checks else ()
        base = SummaryRequest("", item.lang, target, max_words=o.max_words,
                              max_chars=o.max_chars, style=o.style, terms=terms)
        segments = list(item.segments) or [item.text]
        kinds = list(item.kinds) if len(item.kinds) == len(segments) else None
        scores = rank(segments, item.lang, kinds)
        text, chosen = item.text, len(segments)
        budget = _selection_budget(limit, unit, item.lang)
        if o.select and len(segments) > 1 and sum(length(x, item.lang) for x in segments) > budget:
            # (a document within the budget is read whole: there is nothing to choose)
            picked = select(segments, scores, budget=budget, lang=item.lang)
            if len(picked) < len(segments):
                joiner = "" if item.lang == "zh" else " "
                text, chosen = joiner.join(segments[i] for i in picked), len(picked)
        title = segments[0] if len(segments) > 1 else None
        top = tuple(segments[i] for i in top_sentences(segments, scores))
        top_german: tuple[str, ...] = ()
        if item.lang != item.source_lang and o.checks:
            from toolkit.qa.untranslated import untranslated_words

            top_german = untranslated_words(item.source, " ".join(top),
                                            source_lang=item.source_lang, target_lang=item.lang)
        note = None
        if limit and measure(item.text, unit) <= limit:
            note = (f"note: {item.doc} is already within {limit} {unit}; it was summarized all "
                    "the same (into the target language)")
        return cls(item, target, base, unit, limit, route, glossary, o.checks, text, chosen,
                   title, top, top_german, note=note)

    def assess(self, text: str, how: str) -> _Candidate:
        check = None
        if self.checks:  # the hints are the plan's own (base.terms), matched once
            check = check_summary(text, self.item, self.target, self.glossary,
                                  hints=self.base.terms, limit=self.limit, unit=self.unit,
                                  title=self.title, top=self.top, top_lang=self.item.lang,
                                  top_german=self.top_german)
        candidate = _Candidate(text, check, how)
        self.tried.append(candidate)
        return candidate

    def request(self, **changes: Any) -> SummaryRequest:
        return replace(self.base, text=self.handling["final_input"],
                       partial=self.handling["partial"], **changes)

    def record(self, s: Summarizer) -> SummaryRecord:
        assert self.best is not None
        check = self.best.check
        checks_dict = None
        if check is not None:
            checks_dict = {**check.to_dict(), "retried": self.retried,
                           "repeats_dropped": self.dropped, "numbers_fallback": self.fallback,
                           "words_translated": self.words}
        handling = {k: v for k, v in self.handling.items() if k not in ("final_input", "partial")}
        segments = len(self.item.segments) or 1
        return SummaryRecord(
            doc=self.item.doc, lang=self.target, model=s.model_label, engine=s.engine,
            summary=self.best.text, style=self.base.style, route=self.route[0],
            route_reason=self.route[1],
            input={**handling, "selected": self.selected, "segments": segments},
            length={"unit": self.unit, "limit": self.limit,
                    "measured": measure(self.best.text, self.unit), "action": self.action},
            checks=checks_dict, fingerprint=s.fingerprint_short)


def _selection_budget(limit: int | None, unit: str, lang: str) -> int:
    """How much of the document the model reads, in ``lang``'s unit (characters in Chinese,
    words otherwise): :data:`SELECT_RATIO` times the limit (a Chinese character counted as
    half a word)."""
    words = int(limit * SELECT_RATIO) if limit else UNLIMITED_SELECTION
    if limit and unit == "chars":
        words //= 2
    return words * 2 if lang == "zh" else words


def _draft(plans: Sequence[_Plan], s: Summarizer) -> None:
    """The first summary of every document, many documents per model call."""
    results = reduce_many([Reduction(p.item.doc, p.text, _units_of(p), p.base) for p in plans], s)
    for p, (text, handling) in zip(plans, results, strict=True):
        p.handling = handling
        p.best = p.assess(text, "draft")


def _units_of(p: _Plan) -> tuple[str, ...]:
    """What a long input is split along: its segments (of the selection, where one was made)."""
    if p.text == p.item.text:
        return p.item.segments
    from toolkit.segments import split_sentences

    return tuple(split_sentences(p.text, p.item.lang)) or (p.text,)


def _retry(plans: Sequence[_Plan], s: Summarizer) -> None:
    """One more try for every summary with problems, all in one batch; kept only if better."""
    asks: list[tuple[_Plan, SummaryRequest]] = []
    for p in plans:
        assert p.best is not None and p.best.check is not None
        c = p.best.check
        if not c.problems:
            continue
        request = within(s, p.request(
            numbers=_number_hints(p.item, p.target),
            terms=() if c.echoed else p.base.terms,
            expand=bool(c.short or c.headline), avoid=c.german[:12], attempt=1))
        if request is not None:
            asks.append((p, request))
    if not asks:
        return
    for (p, _), out in zip(asks, s.summarize([r for _, r in asks]), strict=True):
        p.retried = True
        again = p.assess(out.text, "retry")
        if p.best is not None and again.better_than(p.best):
            p.best = again


def _fit_length(plans: Sequence[_Plan], s: Summarizer, checks: bool) -> None:
    """Summaries over their limit: generated again with a stricter prompt (all in one batch),
    kept where within the limit and no worse than the original cut at a sentence end; else
    cut there. Then a loop's copies are dropped."""
    over = [p for p in plans if p.limit and p.best and measure(p.best.text, p.unit) > p.limit]
    asks: list[tuple[_Plan, SummaryRequest]] = []
    if checks:
        for p in over:
            assert p.best is not None
            echoed = p.best.check is not None and p.best.check.echoed
            request = within(s, p.request(strict=True, attempt=2,
                                          terms=() if echoed else p.base.terms))
            if request is not None:
                asks.append((p, request))
    shorter = dict(zip([id(p) for p, _ in asks],
                       s.summarize([r for _, r in asks]) if asks else [], strict=True))
    for p in over:
        assert p.best is not None and p.limit
        cut, action = cut_to_length(p.best.text, p.limit, p.unit, p.base.style)
        kept = p.assess(cut, p.best.how) if checks else _Candidate(cut, None, p.best.how)
        p.best, p.action = kept, action
        out = shorter.get(id(p))
        if out is not None and measure(out.text, p.unit) <= p.limit:
            strict = p.assess(out.text, "regenerated")
            if strict.check is not None and kept.check is not None and \
                    strict.key() <= kept.key() and strict.check.share >= kept.check.share:
                p.best, p.action = strict, "regenerated"
    for p in plans:
        assert p.best is not None
        if p.best.check is not None and p.best.check.repeated:
            # A loop's copies go: the sentences after the first that say the repeated stretch
            # are dropped (with whatever else they say; the record counts them).
            text, p.dropped = drop_repeats(p.best.text, p.best.check.repeated, p.base.style)
            p.best = p.assess(text, p.best.how)


def _numbers_fallback(plans: Sequence[_Plan]) -> None:
    """A summary that still states a number the source does not support: the best candidate
    tried that states none (within the limit, not a stub), else the summary without the
    sentences that state one."""
    for p in plans:
        best = p.best
        assert best is not None
        if best.check is None or not best.check.numbers.mismatched:
            continue
        clean = [c for c in p.tried if c.check is not None and not c.check.numbers.mismatched
                 and not c.check.short and not c.check.empty
                 and (not p.limit or measure(c.text, p.unit) <= p.limit)]
        if clean:
            p.best = min(clean, key=_Candidate.key)
            p.fallback = f"the {p.best.how} summary, which states no unsupported number"
            continue
        bad = {i.source.surface for i in best.check.numbers.mismatched}
        bullets = p.base.style == "bullets"
        pieces = [x for x in best.text.splitlines() if x.strip()] if bullets \
            else sentences(best.text)
        kept = [x for x in pieces if not any(b in x for b in bad)]
        if kept and len(kept) < len(pieces):
            joiner = "\n" if bullets else "" if p.target == "zh" else " "
            p.best = p.assess(joiner.join(kept), best.how)
            p.fallback = (f"dropped {len(pieces) - len(kept)} sentence(s) stating a number "
                          "the source does not support")


def _translate_words(plans: Sequence[_Plan], translator: Translator) -> None:
    """German words still left after the retries: each translated on its own (one short
    request per word, all in one batch; the translation retries' :func:`word_form` rejects an
    answer that is no translation) and written in its place; kept, like any retry, only where
    the summary then has fewer problems and no lower coverage. The record lists them."""
    from toolkit.qa.untranslated import untranslated_pairs
    from toolkit.tasks.retry import translate_words

    wanted: list[tuple[_Plan, list[str]]] = []
    for p in plans:
        assert p.best is not None
        c = p.best.check
        if c is None or not c.german:
            continue
        pairs = untranslated_pairs(p.item.source, p.best.text, source_lang=p.item.source_lang,
                                   target_lang=p.target)
        wanted.append((p, list(dict.fromkeys(w.part for w in pairs if w.word in c.german))))
    asks = sorted({(w, p.item.source_lang, p.target) for p, words in wanted for w in words})
    if not asks:
        return
    forms = translate_words(translator, asks)
    for p, words in wanted:
        assert p.best is not None
        text, done = p.best.text, []
        for w in words:
            form = forms.get((w, p.item.source_lang, p.target))
            if form:
                # Latin letters only around it: a Chinese character next to it is a boundary
                text, n = re.subn(rf"(?<![A-Za-z\u00c0-\u024f]){re.escape(w)}"
                                  r"(?![A-Za-z\u00c0-\u024f])",
                                  form.replace("\\", r"\\"), text)
                if n:
                    done.append({"word": w, "by": form})
        if not done:
            continue
        if p.limit and measure(text, p.unit) > p.limit:
            text = cut_to_length(text, p.limit, p.unit, p.base.style)[0]
        candidate = p.assess(text, p.best.how)
        if candidate.better_than(p.best):
            p.best, p.words = candidate, done


def check_summary(text: str, item: SummaryInput, target: str, glossary: Glossary | None,
                  hints: tuple[TermHint, ...] | None = None, **plan: Any) -> SummaryCheck:
    """:func:`toolkit.qa.summary.check_summary` of a summary of ``item`` (numbers, terms,
    language, German words, loops; ``plan``: the length, title and coverage arguments a run's
    plan has)."""
    if hints is None:
        hints = _glossary_hints(item, glossary, target)
    return check_text(text, source=item.source, source_lang=item.source_lang,
                      summarized=item.text, target=target, glossary=glossary, hints=hints,
                      **plan)


def _glossary_hints(item: SummaryInput, glossary: Glossary | None, target: str) -> tuple[TermHint, ...]:
    if glossary is None or target == item.source_lang and item.lang == target:
        return ()
    from toolkit.glossary.matching import glossary_hints

    return glossary_hints(item.source, glossary, item.source_lang, target, keep_same=False)[:24]


def _number_hints(item: SummaryInput, target: str) -> tuple[TermHint, ...]:
    from toolkit.qa.numbers import number_hints

    return tuple(number_hints(item.source, target, item.source_lang, every=True))[:40]
