"""Glossary enforcement that wraps any translation engine.

For each segment: find the glossary terms in the source; translate with those entries (only
those) as hints, which an LLM puts in its prompt and a seq2seq model may ignore; check the
output; retry the segments that miss a term, this time with ``force_terms`` so an engine that
``supports_constraints`` must produce every target form while decoding; check again. A retry
replaces the first output only if it renders more terms and has not run on (a chat model
forced to write a term may ramble until it fits one in; such a retry is refused and counted).
Whatever is still missing is reported as violated in the segment's :class:`TermCheck`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from toolkit.engines.base import Progress, TermHint, TranslationEngine, TranslationRequest
from toolkit.glossary.matching import TermCheck, check_terms, find_terms
from toolkit.glossary.model import Glossary


@dataclass(frozen=True)
class EnforcedTranslation:
    """One segment's translation, its glossary check, and how many engine calls it took."""

    text: str
    terms: TermCheck
    attempts: int = 1


@dataclass
class EnforcementStats:
    """What enforcement did across calls: how often it stepped in, and what that cost."""

    segments: int = 0
    with_terms: int = 0  # segments whose source holds at least one glossary term
    terms: int = 0  # distinct terms found, summed over segments
    missed_first: int = 0  # terms missing after the first pass
    retried: int = 0  # segments translated again (enforcement intervened)
    fixed: int = 0  # retried segments that now have every term
    violated: int = 0  # segments still missing a term
    runaway: int = 0  # retries refused for running on far past the first output
    first_pass_s: float = 0.0
    retry_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class GlossaryEnforcer(TranslationEngine):
    """Wraps ``engine`` so every output renders the glossary terms of its source, or says not.

    ``retries`` is how many more tries a segment with a missing term gets (0: check only).
    ``stats`` adds up what enforcement did over all calls.
    """

    def __init__(self, engine: TranslationEngine, glossary: Glossary, *, retries: int = 1) -> None:
        if retries < 0:
            raise ValueError("retries must be 0 or more")
        self.engine = engine
        self.glossary = glossary
        self.retries = retries
        self.stats = EnforcementStats()
        self.kind = engine.kind  # type: ignore[misc]
        self.supports_constraints = engine.supports_constraints  # type: ignore[misc]

    @property
    def model_id(self) -> str:
        return self.engine.model_id

    def target_languages(self) -> frozenset[str] | None:
        return self.engine.target_languages()

    def hints(self, request: TranslationRequest) -> tuple[TermHint, ...]:
        """The glossary entries that occur in this source, as hints (one per target form)."""
        hints: dict[str, TermHint] = {}
        for m in find_terms(request.text, self.glossary, request.source_lang, request.target_lang):
            target = m.target(request.target_lang)
            if target is not None and target not in hints:
                hints[target] = TermHint(source=m.text, target=target)
        return tuple(hints.values())

    def translate(self, requests: Sequence[TranslationRequest], progress: Progress | None = None) -> list[str]:
        return [r.text for r in self.translate_checked(requests, progress)]

    def translate_checked(
        self, requests: Sequence[TranslationRequest], progress: Progress | None = None
    ) -> list[EnforcedTranslation]:
        """Translate, check every glossary term, retry what misses one; results in order."""
        prepared = [replace(r, terms=_merge(r.terms, self.hints(r))) for r in requests]
        start = time.perf_counter()
        texts = list(self.engine.translate(prepared, progress))
        first_texts = list(texts)
        self.stats.first_pass_s += time.perf_counter() - start
        checks = [self._check(r, t) for r, t in zip(requests, texts)]
        first = list(checks)
        attempts = [1] * len(requests)

        pending = [i for i, c in enumerate(checks) if c.violated]
        retried = set(pending) if self.retries else set()
        for attempt in range(1, self.retries + 1):
            if not pending:
                break
            retry = [self._retry_request(prepared[i], checks[i], attempt) for i in pending]
            start = time.perf_counter()
            new_texts = self.engine.translate(retry)
            self.stats.retry_s += time.perf_counter() - start
            still = []
            for i, text in zip(pending, new_texts):
                attempts[i] += 1
                candidate = self._check(requests[i], text)
                # Keep the first output unless the retry does strictly better: an unconstrained
                # output reads better where both miss the same terms.
                if _shortfall(candidate, text) < _shortfall(checks[i], texts[i]):
                    if _runaway(text, first_texts[i], requests[i].text):
                        self.stats.runaway += 1
                    else:
                        texts[i], checks[i] = text, candidate
                if checks[i].violated:
                    still.append(i)
            pending = still

        results = []
        for i, check in enumerate(checks):
            missed = {(id(r.entry), r.target) for r in first[i].violated}
            enforced = tuple(r for r in check.found if r.present and (id(r.entry), r.target) in missed)
            results.append(EnforcedTranslation(texts[i], replace(check, enforced=enforced), attempts[i]))
        self._count(results, first, retried)
        return results

    def _check(self, request: TranslationRequest, text: str) -> TermCheck:
        return check_terms(request.text, text, self.glossary, request.target_lang, request.source_lang)

    def _retry_request(self, request: TranslationRequest, check: TermCheck, attempt: int) -> TranslationRequest:
        """The same segment, missing terms first among the hints, forced where the engine can."""
        missing = {r.target for r in check.violated}
        hints = sorted(request.terms, key=lambda h: h.target not in missing)
        return replace(
            request,
            terms=tuple(hints),
            force_terms=self.engine.supports_constraints,
            attempt=request.attempt + attempt,
        )

    def _count(self, results: list[EnforcedTranslation], first: list[TermCheck], retried: set[int]) -> None:
        s = self.stats
        s.segments += len(results)
        s.with_terms += sum(1 for r in results if r.terms.found)
        s.terms += sum(len(r.terms.found) for r in results)
        s.missed_first += sum(len(c.violated) for c in first)
        s.retried += len(retried)
        s.fixed += sum(1 for i in retried if not results[i].terms.violated)
        s.violated += sum(1 for r in results if r.terms.violated)


RUNAWAY_RATIO = 2.0


def _runaway(text: str, first: str, source: str) -> bool:
    """A retry far longer than both the first output and the source: a model that kept on
    talking until a constrained term could be squeezed in at the end, not a translation.
    Such a retry is refused, and the segment reports its terms as violated."""
    return len(text) > RUNAWAY_RATIO * max(len(first), len(source)) + 20


def _shortfall(check: TermCheck, text: str) -> tuple[int, int]:
    """How far an output is from the glossary: terms missing, then (to break ties) missing
    even as plain text - a term glued to a neighbouring word is nearer than no term at all."""
    return len(check.violated), sum(1 for r in check.violated if r.target not in text)


def _merge(existing: tuple[TermHint, ...], new: tuple[TermHint, ...]) -> tuple[TermHint, ...]:
    """The caller's hints first, then glossary hints for targets not already there."""
    targets = {h.target for h in existing}
    return existing + tuple(h for h in new if h.target not in targets)
