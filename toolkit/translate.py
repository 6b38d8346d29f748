"""The translation pipeline: documents -> segments -> translator -> retry policy (glossary,
numbers, language) -> records.

The CLI and notebooks call the same functions::

    from toolkit.documents import load_documents
    from toolkit.translate import load_translator, translate_documents

    translator = load_translator("starter", "zh")
    run = translate_documents(load_documents(["corpus/clean"]), translator, "zh")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from toolkit.config import setting
from toolkit.documents import Document
from toolkit.errors import ModelError
from toolkit.segments import Segment, segment_documents
from toolkit.tasks.translator import PROMPT_VERSION, TranslationRequest, Translator

if TYPE_CHECKING:
    from toolkit.backends.base import Backend, Progress
    from toolkit.glossary import Glossary
    from toolkit.qa.checks import SegmentChecks
    from toolkit.models import ModelRef

TARGET_LANGUAGES = {"en": "English", "zh": "Chinese (Simplified)"}


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def check_target_language(translator: Translator, target_lang: str, source_lang: str = "de") -> None:
    """Fail before any work when the language is unknown or the model cannot produce it."""
    if target_lang not in TARGET_LANGUAGES:
        known = ", ".join(sorted(TARGET_LANGUAGES))
        raise ModelError(f"unknown target language {target_lang!r}; choose one of: {known}")
    translator.check(source_lang, target_lang)


def glossary_from_settings(paths: Sequence[str] = ()) -> Glossary | None:
    """The glossaries named by --glossary, else by TK_GLOSSARY / tk.toml ``glossary``, merged."""
    chosen = list(paths) or setting("glossary")
    if not chosen:
        return None
    from toolkit.glossary import load_glossaries

    return load_glossaries(chosen)


def load_backend_with_fallback(
    model: str | ModelRef | None,
    target_lang: str,
    task: str,
    *,
    engine: str | None = None,
    cache: bool = True,
    fallback: bool | None = None,
    announce: Callable[[str], None] | None = None,
    namespace: str = "",
    **options: Any,
) -> Backend:
    """The backend for ``model`` (or the catalog's default for ``task`` and ``target_lang``),
    cache-wrapped under ``namespace`` (the task's prompt version).

    With no model asked for anywhere and the Hugging Face Hub out of reach - that error and
    no other - the offline starter model is used when installed (unless ``fallback`` is off:
    flag, TK_FALLBACK or ``fallback`` in tk.toml), and ``announce`` says so. Options go to the
    backend: device, dtype, max_batch_tokens, threads, trust_remote_code, batching (the
    transformers backend's: auto, padded or continuous).
    """
    from toolkit.backends import load_backend
    from toolkit.models import HubUnreachable, default_model, starter_installed

    spec = setting("model", model) if model is None or isinstance(model, str) else model
    engine = setting("engine", engine)
    for name in ("device", "dtype", "max_batch_tokens", "threads"):
        options[name] = setting(name, options.get(name))
    batching = setting("batching", options.pop("batching", None))
    if engine == "transformers" and batching:  # how the transformers backend batches a chat LM
        options["batching"] = batching
    if spec:
        from toolkit.models import resolve_model

        ref = resolve_model(spec)
        if ref.tasks and task not in ref.tasks:  # a catalog model for another task: refuse now
            raise ModelError(f"{ref.label} is a {'/'.join(ref.tasks)} model, not for tk {task}; "
                             "pick another with --model (see `tk models list`)")
        backend = load_backend(ref, engine, **options)
    else:
        try:
            backend = load_backend(default_model(target_lang, task), engine, **options)
        except HubUnreachable as e:
            if not setting("fallback", fallback) or not starter_installed():
                hint = ("" if starter_installed() else
                        "; or install the offline starter: `tk models pull starter`")
                raise HubUnreachable(f"{e}{hint}") from None
            if announce:
                announce(f"{e}\nfalling back to the offline starter model (small; to try the "
                         "pipeline, not production quality; --no-fallback makes this an error)")
            backend = load_backend("starter", engine, **options)
    if cache:
        from toolkit.cache import CachedBackend, GenerationCache

        backend = CachedBackend(backend, GenerationCache(), namespace=namespace)
    return backend


def load_translator(
    model: str | None,
    target_lang: str,
    *,
    source_lang: str = "de",
    engine: str | None = None,
    cache: bool = True,
    fallback: bool | None = None,
    announce: Callable[[str], None] | None = None,
    beams: int | None = None,
    max_new_tokens: int | None = None,
    **options: Any,
) -> Translator:
    """The translator for ``model`` (or the catalog default for ``target_lang``) on the
    ``engine`` backend, cache-wrapped, checked for the language pair before any work; the
    fallback to the starter is :func:`load_backend_with_fallback`'s."""
    backend = load_backend_with_fallback(model, target_lang, "translate", engine=engine,
                                         cache=cache, fallback=fallback, announce=announce,
                                         namespace=PROMPT_VERSION, **options)
    translator = Translator(backend, beams=setting("beams", beams),
                            max_new_tokens=setting("max_new_tokens", max_new_tokens))
    check_target_language(translator, target_lang, source_lang)
    if not translator.supports_constraints:
        # Segments that still miss a term after the hints are retried where terms can be
        # forced: the same model on the transformers backend, loaded only if needed.
        ref = getattr(getattr(backend, "backend", backend), "ref", None)

        def constrained() -> Translator:
            options.pop("dtype", None)  # int8 etc. are CTranslate2's; transformers picks its own
            inner = load_backend_with_fallback(ref or model, target_lang, "translate",
                                               engine="transformers", cache=cache,
                                               fallback=False, namespace=PROMPT_VERSION,
                                               **options)
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
) -> TranslationRun:
    """Translate segments, enforce the glossary, check terms, numbers and language.

    With ``enforce`` (the default) glossary terms go to the model as hints, number spans whose
    figure is right and rendering wrong are repaired from the source (unless ``repair=False``),
    and a segment that misses a term, has a wrong number, is in the wrong language or repeats
    itself is retried, asked by the ``retry`` method ("inline": the targets written into the
    source; "force": forced while decoding; "inline+force"; see :mod:`toolkit.tasks.retry`).
    ``enforce=False`` only checks: the baseline that shows what enforcement adds.
    """
    from toolkit.tasks.retry import RetryPolicy

    check_target_language(translator, target_lang, source_lang)
    policy = RetryPolicy(translator, glossary, enforce=enforce, checks=checks, repair=repair,
                         method=retry)
    requests = [TranslationRequest(s.text, source_lang, target_lang) for s in segments]
    outcomes = policy.run(requests, [s.id for s in segments], progress)
    fingerprint = translator.fingerprint_short
    records = [
        TranslationRecord(
            doc=s.doc, id=s.id, source=s.text, translation=o.text,
            model=translator.model_label, engine=(o.by or translator).engine, lang=target_lang,
            kind=s.kind, paragraph=s.paragraph,
            checks=o.checks.to_dict() if o.checks is not None else None,
            retried=o.retried, pieces=o.pieces,
            fingerprint=o.by.fingerprint_short if o.by else fingerprint,
        )
        for s, o in zip(segments, outcomes, strict=True)
    ]
    segment_checks = [o.checks for o in outcomes if o.checks is not None]
    return TranslationRun(records, segment_checks, sum(o.retried for o in outcomes),
                          policy.stats.to_dict() if enforce else None, translator.fingerprint(),
                          run_usage(translator))


def run_usage(translator: Translator) -> dict[str, Any]:
    """What the run's backend generated (and its constrained fallback, where one ran)."""
    usage: dict[str, Any] = {translator.engine: translator.backend.usage.to_dict()}
    hits = getattr(translator.backend, "hits", None)
    if hits is not None:
        usage["cache_hits"] = hits
    fallback = translator._constrained
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


def glossary_digest(glossary: Glossary | None) -> str | None:
    """A hash of the glossary's entries (what a job's outputs depend on), or None."""
    if glossary is None:
        return None
    from toolkit.backends.base import digest

    return digest([repr(e) for e in glossary.entries])[:16]


def translate_shard(
    docs: Sequence[Document],
    translator: Translator,
    target_lang: str,
    **options: Any,
) -> Any:
    """One shard of a job (see :mod:`toolkit.jobs`): its documents' records, checks and
    retry stats. A document whose translation raises a model error is recorded as failed
    (with the error) and the others are kept."""
    from toolkit.jobs import RECOVERABLE, ShardResult, translation_failure

    before = _new_tokens(translator)
    try:
        run = translate_documents(docs, translator, target_lang, **options)
        runs, failed = [run], []
    except RECOVERABLE:
        runs, failed = [], []
        for doc in docs:  # find the document that fails; keep the others
            try:
                runs.append(translate_documents([doc], translator, target_lang, **options))
            except RECOVERABLE as e:
                failed.append(translation_failure(doc, e))
    records = [r.to_dict() for run in runs for r in run.records]
    checks = [c for run in runs for c in run.checks]
    stats = _sum_stats([run.stats for run in runs if run.stats])
    return ShardResult(records, failed, checks, stats, _new_tokens(translator) - before)


def _new_tokens(translator: Translator) -> int:
    total = translator.backend.usage.new_tokens
    fallback = translator._constrained
    if fallback is not None and fallback is not translator:
        total += fallback.backend.usage.new_tokens
    return total


def _sum_stats(stats: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    if not stats:
        return None
    total: dict[str, Any] = {}
    for s in stats:
        for k, v in s.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                total[k] = total.get(k, 0) + v
            else:
                total[k] = v or total.get(k, v)
    return total
