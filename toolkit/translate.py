"""The translation pipeline: documents -> segments -> translator -> retry policy (glossary,
numbers, language) -> records.

The CLI and notebooks call the same functions::

    from toolkit.documents import load_documents
    from toolkit.translate import load_translator, translate_documents

    translator = load_translator("starter", "zh")
    run = translate_documents(load_documents(["corpus/clean"]), translator, "zh")

As a resumable job (what ``tk translate -o DIR`` runs): :class:`toolkit.translate_job.TranslateJob`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from toolkit.documents import Document, model_text
from toolkit.errors import ConfigError
from toolkit.languages import check_pair
from toolkit.load import ModelOptions, in_namespace, load_backend
from toolkit.segments import Segment, segment_documents
from toolkit.tasks.translator import PROMPT_VERSION, TranslationRequest, Translator

if TYPE_CHECKING:
    from toolkit.backends.base import Backend, Progress
    from toolkit.glossary import Glossary
    from toolkit.models import ModelRef
    from toolkit.qa.checks import SegmentChecks

@dataclass
class TranslationRecord:
    """One translated segment, as written to ``translations.jsonl``."""

    doc: str
    id: str
    source: str
    translation: str
    model: str
    engine: str
    lang: str
    kind: str = "text"
    paragraph: int = 0
    checks: dict[str, Any] | None = None
    retried: bool = False
    pieces: int = 1  # > 1: longer than the model's window, translated in pieces and joined
    fingerprint: str = ""
    route: str = "direct"  # "pivot-en": translated through English, from ``pivot``
    pivot: str | None = None  # the English the output was translated from (pivot-en only)
    tm: str | None = None  # "exact": reused from the translation memory; "fuzzy 0.83": shown one

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        for name in ("pivot", "tm"):
            if record[name] is None:
                del record[name]
        return record


@dataclass
class TranslationRun:
    """Records in input order, the per-segment checks behind them, and what the run did."""

    records: list[TranslationRecord]
    checks: list[SegmentChecks] = field(default_factory=list)
    retried: int = 0
    stats: dict[str, Any] | None = None  # what the retry policy did (RetryStats)
    fingerprint: dict[str, Any] | None = None  # the translator's full fingerprint
    usage: dict[str, Any] | None = None  # what the backend(s) generated, and cache hits

    def summary(self) -> str:
        """One screen: terms, numbers, language, worst segments, what retries did."""
        from toolkit.qa.checks import CheckSummary
        from toolkit.tasks.retry import RetryStats

        text = CheckSummary.from_checks(self.checks, ids=[r.id for r in self.records]).render()
        if self.stats and self.stats.get("retried") is not None:
            text += "\n" + RetryStats(**self.stats).render()
        return text


RETRY_METHODS = ("inline", "force", "inline+force")


@dataclass(frozen=True)
class TranslateOptions:
    """Everything a translation run is asked to do, checked once where it enters (CLI flags,
    TK_* and tk.toml through :meth:`ModelOptions.resolve`, or a notebook call)."""

    target: str
    source: str = "de"
    model: ModelOptions = field(default_factory=ModelOptions)
    glossaries: tuple[str, ...] = ()  # glossary files; none: tk.toml / TK_GLOSSARY
    use_glossary: bool = True
    enforce: bool = True
    checks: bool = True
    repair: bool = True
    retry: str = "inline"
    tm: str | None = None  # a TMX translation memory
    tm_fuzzy: float | None = None  # show chat models fuzzy matches this similar (None: exact only)

    def __post_init__(self) -> None:
        from toolkit.tm import check_fuzzy

        check_pair(self.source, self.target)
        if self.retry not in RETRY_METHODS:
            raise ConfigError(f"--retry {self.retry}: choose one of {', '.join(RETRY_METHODS)}")
        check_fuzzy(self.tm_fuzzy)
        if self.tm_fuzzy is not None and self.tm is None:
            raise ConfigError("--tm-fuzzy needs --tm FILE.tmx (the memory to match against)")

    def memory(self) -> Any:
        """The translation memory of ``tm`` for this language pair (None without one)."""
        if self.tm is None:
            return None
        from toolkit.tm import TranslationMemory

        return TranslationMemory.load(self.tm, self.source, self.target)

    def policy(self) -> dict[str, Any]:
        """What the retry policy is asked (the settings of a job that change its records)."""
        return {"enforce": self.enforce, "checks": self.checks,
                "repair": self.repair and self.enforce,
                "retry": self.retry if self.enforce else None,
                "pivot": "en" if (self.enforce and self.checks and self.target == "zh"
                                  and self.source != "en") else None}


def load_translator(
    model: str | ModelRef | None = None,
    target_lang: str = "en",
    *,
    source_lang: str = "de",
    announce: Callable[[str], None] | None = None,
    **options: Any,
) -> Translator:
    """The translator for ``model`` (or the catalog default for ``target_lang``) for a
    notebook: ``options`` are :class:`ModelOptions` fields (engine, device, beams, ...)."""
    check_pair(source_lang, target_lang)
    return translator_for(ModelOptions.resolve(model=model, **options), target_lang,
                          source_lang, announce)


def translator_for(options: ModelOptions, target_lang: str, source_lang: str = "de",
                   announce: Callable[[str], None] | None = None, *,
                   backend: Backend | None = None) -> Translator:
    """The translator of checked options, cache-wrapped, checked for the language pair before
    any work; the fallback to the starter is :func:`toolkit.load.load_backend`'s. ``backend``:
    a model already loaded (for another task) to translate with, its cache kept apart."""
    if backend is not None:
        backend = in_namespace(backend, PROMPT_VERSION)
    else:
        backend = load_backend(options, target_lang, "translate", namespace=PROMPT_VERSION,
                               announce=announce)
    translator = Translator(backend, beams=options.beams, max_new_tokens=options.max_new_tokens)
    translator.check(source_lang, target_lang)
    if not translator.supports_constraints:
        # Segments that still miss a term after the hints are retried where terms can be
        # forced: the same model on the transformers backend, loaded only if needed.

        def constrained() -> Translator:
            # int8 etc. are CTranslate2's; transformers picks its own dtype
            inner_options = replace(options.pinned(backend), engine="transformers", dtype="auto")
            inner = load_backend(inner_options, target_lang, "translate",
                                 namespace=PROMPT_VERSION)
            return Translator(inner, beams=translator.beams,
                              max_new_tokens=translator.max_new_tokens)

        translator.constrained_factory = constrained
    return translator


def translate_segments(
    segments: Sequence[Segment],
    translator: Translator,
    target_lang: str,
    *,
    source_lang: str = "de",
    glossary: Glossary | None = None,
    enforce: bool = True,
    checks: bool = True,
    repair: bool = True,
    retry: str = "inline",
    progress: Progress | None = None,
    memory: Any = None,
    fuzzy: float | None = None,
) -> TranslationRun:
    """Translate segments, enforce the glossary, check terms, numbers and language.

    With ``enforce`` (the default) glossary terms go to the model as hints, number spans whose
    figure is right and rendering wrong are repaired from the source (unless ``repair=False``),
    and a segment that misses a term, has a wrong number, is in the wrong language or repeats
    itself is retried, asked by the ``retry`` method ("inline": the targets written into the
    source; "force": forced while decoding; "inline+force"; see :mod:`toolkit.tasks.retry`).
    ``enforce=False`` only checks: the baseline that shows what enforcement adds.
    ``memory`` (a :class:`toolkit.tm.TranslationMemory`): exact matches are reused without the
    model and checked as they stand; with ``fuzzy`` a chat model is shown the most similar
    pair at or above that similarity before the segment.
    """
    from toolkit.tasks.retry import Outcome, RetryPolicy

    policy = RetryPolicy(translator, glossary, enforce=enforce, checks=checks, repair=repair,
                         method=retry)
    requests = [TranslationRequest(model_text(s.text), source_lang, target_lang)
                for s in segments]
    tm: list[str | None] = [None] * len(segments)
    reused: dict[int, Outcome] = {}
    if memory is not None:
        for i, (s, r) in enumerate(zip(segments, requests, strict=True)):
            if (found := memory.exact(r.text)) is not None:
                reused[i], tm[i] = policy.assess(r, found, s.id), "exact"
            elif fuzzy is not None and translator.style == "chat" and (
                    match := memory.fuzzy(r.text, fuzzy)) is not None:
                requests[i] = replace(r, examples=((match.source, match.target),))
                tm[i] = f"fuzzy {match.score:.2f}"
    todo = [i for i in range(len(segments)) if i not in reused]
    done = iter(policy.run([requests[i] for i in todo], [segments[i].id for i in todo], progress))
    outcomes = [reused[i] if i in reused else next(done) for i in range(len(segments))]
    if progress and reused:
        progress(len(reused))
    fingerprint = translator.fingerprint_short
    records = [
        TranslationRecord(
            doc=s.doc, id=s.id, source=s.text, translation=o.text,
            model=translator.model_label, engine=(o.by or translator).engine, lang=target_lang,
            kind=s.kind, paragraph=s.paragraph,
            checks=o.checks.to_dict() if o.checks is not None else None,
            retried=o.retried, pieces=o.pieces,
            fingerprint=o.by.fingerprint_short if o.by else fingerprint,
            route=o.route, pivot=o.pivot, tm=how,
        )
        for s, o, how in zip(segments, outcomes, tm, strict=True)
    ]
    segment_checks = [o.checks for o in outcomes if o.checks is not None]
    return TranslationRun(records, segment_checks, sum(o.retried for o in outcomes),
                          policy.stats.to_dict() if enforce else None, translator.fingerprint(),
                          run_usage(translator))


def run_usage(translator: Translator) -> dict[str, Any]:
    """What the run's backend generated (and its constrained fallback, where one ran)."""
    usage: dict[str, Any] = {translator.engine: translator.backend.usage.to_dict()}
    if translator.backend.cache_hits is not None:
        usage["cache_hits"] = translator.backend.cache_hits
    fallback = translator.constrained_loaded
    if fallback is not None and fallback is not translator:
        usage[f"constrained {fallback.engine}"] = fallback.backend.usage.to_dict()
    return usage


def translate_documents(
    documents: Sequence[Document], translator: Translator, target_lang: str, **options: Any
) -> TranslationRun:
    """Segment each document and translate it; see :func:`translate_segments` for options."""
    return translate_segments(segment_documents(documents), translator, target_lang, **options)


def document_texts(records: Sequence[TranslationRecord]) -> dict[str, str]:
    """Reassemble translated documents: paragraphs kept, list items marked, in input order."""
    joiner = {"zh": ""}
    paragraphs: dict[str, list[tuple[int, str, list[str]]]] = {}
    langs: dict[str, str] = {}
    for r in records:
        langs.setdefault(r.doc, r.lang)
        doc = paragraphs.setdefault(r.doc, [])
        if not doc or doc[-1][0] != r.paragraph:
            doc.append((r.paragraph, r.kind, []))
        doc[-1][2].append(r.translation.strip())
    out: dict[str, str] = {}
    for doc_id, paras in paragraphs.items():
        blocks = []
        for _, kind, sentences in paras:
            text = joiner.get(langs[doc_id], " ").join(sentences)
            blocks.append(f"- {text}" if kind == "item" else text)
        out[doc_id] = "\n\n".join(blocks) + "\n"
    return out


def document_output(records: Sequence[dict[str, Any]], doc: Document | None, lang: str,
                    fmt: str = "text") -> tuple[str, bytes]:
    """One translated document as its file: (suffix, bytes). A marked-up document (HTML,
    Markdown, XLIFF) comes back in its own format with the translations in place; ``fmt``
    "xliff" makes an XLIFF 2.1 file of any document; else the text, paragraphs kept."""
    from toolkit.formats import OUTPUT_SUFFIX, BlockResult, render_markup
    from toolkit.qa.checks import record_problems

    joiner = "" if lang in ("zh", "ja") else " "
    blocks: dict[int, list[dict[str, Any]]] = {}
    for r in records:
        blocks.setdefault(int(r["paragraph"]), []).append(r)

    def problems(rs: Sequence[dict[str, Any]]) -> tuple[str, ...]:
        return tuple(f"{kind}: {what}" for r in rs for kind, what in record_problems(r.get("checks")))

    markup = doc.markup if doc is not None else None
    if fmt == "xliff" and (markup is None or markup.format != "xliff"):
        from toolkit.formats.xliff import write_xliff

        units = [[(f"s{n}", r["source"], r["translation"], problems([r]))
                  for n, r in enumerate(rs, start=1)] for _, rs in sorted(blocks.items())]
        doc_id = records[0]["doc"] if records else (doc.id if doc else "")
        return ".xlf", write_xliff(doc_id, doc.source if doc else None,
                                   doc.lang if doc else "de", lang, units)
    if markup is not None:
        results: list[BlockResult | None] = [None] * len(markup.blocks)
        for p, rs in blocks.items():
            if 1 <= p <= len(results):
                results[p - 1] = BlockResult(joiner.join(r["translation"].strip() for r in rs),
                                             problems(rs))
        return OUTPUT_SUFFIX[markup.format], render_markup(markup, results, lang)
    typed = [TranslationRecord(**r) for r in records]
    return ".txt", "".join(document_texts(typed).values()).encode("utf-8")
