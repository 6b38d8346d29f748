"""The translation pipeline: documents -> segments -> engine -> glossary/QA checks -> records.

The CLI and notebooks call the same functions::

    from toolkit.documents import load_documents
    from toolkit.engines import load_engine
    from toolkit.translate import translate_documents

    engine = load_engine("starter")
    records = translate_documents(load_documents(["corpus/clean"]), engine, "zh")
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from toolkit.config import setting
from toolkit.documents import Document
from toolkit.engines.base import Progress, TranslationEngine, TranslationRequest
from toolkit.errors import ModelError
from toolkit.segments import Segment, segment_documents

if TYPE_CHECKING:
    from toolkit.glossary import Glossary, GlossaryEnforcer, TermCheck
    from toolkit.qa.checks import SegmentChecks

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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TranslationRun:
    """Records in input order, the per-segment checks behind them, and what the run did."""

    records: list[TranslationRecord]
    checks: list[SegmentChecks] = field(default_factory=list)
    retried: int = 0
    enforcement: dict[str, Any] | None = None  # what the glossary enforcer did (EnforcementStats)

    def summary(self) -> str:
        """One screen: terms, numbers, language, worst segments."""
        from toolkit.qa.checks import CheckSummary

        text = CheckSummary.from_checks(self.checks, ids=[r.id for r in self.records]).render()
        if e := self.enforcement:
            text += (f"\nglossary enforcement: {e['retried']} of {e['with_terms']} segments with terms "
                     f"retried, {e['fixed']} fixed, {e['violated']} still violated "
                     f"({e['first_pass_s']:.1f} s first pass, {e['retry_s']:.1f} s retries)")
        if self.retried:
            text += f"\nnumber/language retries: {self.retried} segment(s)"
        return text


def check_target_language(engine: TranslationEngine, target_lang: str) -> None:
    """Fail before any work when the language is unknown or the model cannot produce it."""
    if target_lang not in TARGET_LANGUAGES:
        known = ", ".join(sorted(TARGET_LANGUAGES))
        raise ModelError(f"unknown target language {target_lang!r}; choose one of: {known}")
    languages = engine.target_languages()
    if languages is not None and target_lang not in languages:
        can = ", ".join(sorted(languages)) or "none"
        raise ModelError(
            f"{engine.model_id} cannot translate into {target_lang!r} (it produces: {can}); "
            "pick another model with --model (see `tk models list`)"
        )


def glossary_from_settings(paths: Sequence[str] = ()) -> Glossary | None:
    """The glossaries named by --glossary, else by TK_GLOSSARY / tk.toml ``glossary``, merged."""
    chosen: Any = list(paths) or setting("glossary")
    if not chosen:
        return None
    if isinstance(chosen, str):
        chosen = [p for p in chosen.split(os.pathsep) if p]
    from toolkit.glossary import load_glossaries

    return load_glossaries(chosen)


def load_translation_engine(
    model: str | None,
    target_lang: str,
    *,
    cache: bool = True,
    announce: Callable[[str], None] | None = None,
    **options: Any,
) -> TranslationEngine:
    """The engine for ``model`` (or the catalog default for ``target_lang``), cache-wrapped.

    With no model asked for anywhere and the Hub out of reach, the offline starter model is
    used when installed, and ``announce`` says so: outputs name the model they came from.
    """
    from toolkit.engines import load_engine
    from toolkit.models import default_model, starter_installed

    spec = model or setting("model")
    options = {k: v for k, v in options.items() if v is not None}
    if spec:
        engine = load_engine(spec, **options)
    else:
        try:
            engine = load_engine(default_model(target_lang), **options)
        except ModelError as e:
            if not starter_installed():
                raise
            if announce:
                announce(f"{e}\nfalling back to the offline starter model (small; to try the "
                         "pipeline, not production quality)")
            engine = load_engine("starter", **options)
    check_target_language(engine, target_lang)
    if not cache:
        return engine
    from toolkit.cache import CachedEngine, TranslationCache

    settings = ",".join(f"{k}={options[k]}" for k in sorted(options) if k in ("beams", "dtype"))
    return CachedEngine(engine, TranslationCache(), settings)


def translate_segments(
    segments: Sequence[Segment],
    engine: TranslationEngine,
    target_lang: str,
    *,
    source_lang: str = "de",
    glossary: Glossary | None = None,
    enforce: bool = True,
    checks: bool = True,
    progress: Progress | None = None,
) -> TranslationRun:
    """Translate segments, enforce the glossary, check terms, numbers and language.

    With ``enforce`` (the default) glossary terms go to the engine as hints, missing terms are
    forced on a retry, and a segment with a wrong number or in the wrong language is retried
    once with the numbers as hints. ``enforce=False`` only checks: the baseline that shows
    what enforcement adds.
    """
    from toolkit.qa.checks import check_segment

    check_target_language(engine, target_lang)
    requests = [TranslationRequest(s.text, source_lang, target_lang) for s in segments]
    enforcer = None
    if glossary is not None and enforce:
        from toolkit.glossary import GlossaryEnforcer

        enforcer = GlossaryEnforcer(engine, glossary)
    texts, term_checks = _translate(engine, enforcer, glossary, requests, progress)
    # What glossary enforcement did, before the number/language retries (reported apart).
    enforcement = enforcer.stats.to_dict() if enforcer is not None else None

    segment_checks: list[SegmentChecks] = []
    retried: set[int] = set()
    if checks:
        segment_checks = [
            check_segment(r.text, t, source_lang=source_lang, target_lang=target_lang, terms=tc,
                          segment_id=s.id)
            for s, r, t, tc in zip(segments, requests, texts, term_checks)
        ]
        failing = [i for i, c in enumerate(segment_checks) if enforce and _needs_retry(c)]
        if failing:
            retry_requests = [_retry_request(requests[i], engine) for i in failing]
            new_texts, new_terms = _translate(engine, enforcer, glossary, retry_requests, None)
            for i, text, tc in zip(failing, new_texts, new_terms):
                candidate = check_segment(requests[i].text, text, source_lang=source_lang,
                                          target_lang=target_lang, terms=tc, segment_id=segments[i].id)
                retried.add(i)
                if _problems(candidate) < _problems(segment_checks[i]):
                    texts[i], segment_checks[i] = text, candidate

    records = [
        TranslationRecord(
            doc=s.doc,
            id=s.id,
            source=s.text,
            translation=texts[i],
            model=engine.model_id,
            engine=engine.kind,
            lang=target_lang,
            kind=s.kind,
            paragraph=s.paragraph,
            checks=segment_checks[i].to_dict() if segment_checks else None,
            retried=i in retried,
        )
        for i, s in enumerate(segments)
    ]
    return TranslationRun(records, segment_checks, len(retried), enforcement)


def translate_documents(
    documents: Sequence[Document], engine: TranslationEngine, target_lang: str, **options: Any
) -> TranslationRun:
    """Segment each document and translate it; see :func:`translate_segments` for options."""
    return translate_segments(segment_documents(documents), engine, target_lang, **options)


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


def _translate(
    engine: TranslationEngine,
    enforcer: GlossaryEnforcer | None,
    glossary: Glossary | None,
    requests: list[TranslationRequest],
    progress: Progress | None,
) -> tuple[list[str], list[TermCheck | None]]:
    if enforcer is not None:
        results = enforcer.translate_checked(requests, progress)
        return [r.text for r in results], [r.terms for r in results]
    texts = engine.translate(requests, progress)
    if glossary is None:
        return texts, [None] * len(requests)
    from toolkit.glossary import check_terms

    return texts, [
        check_terms(r.text, t, glossary, r.target_lang, r.source_lang) for r, t in zip(requests, texts)
    ]


def _needs_retry(checks: SegmentChecks) -> bool:
    return not checks.language.ok or bool(checks.numbers.mismatched)


def _problems(checks: SegmentChecks) -> int:
    terms = len(checks.terms.violated) if checks.terms is not None else 0
    return terms + len(checks.numbers.mismatched) + (0 if checks.language.ok else 2)


def _retry_request(request: TranslationRequest, engine: TranslationEngine) -> TranslationRequest:
    """A second try that can differ: the numbers as hints (forced where the engine can)."""
    from toolkit.qa.numbers import number_hints

    hints = tuple(number_hints(request.text, request.target_lang))
    return replace(
        request,
        terms=request.terms + hints,
        force_terms=bool(hints) and engine.supports_constraints,
        attempt=request.attempt + 1,
    )
