"""One retry policy for translation: glossary terms, numbers and the target language.

For each segment: translate with the glossary entries found in its source (only those) as
hints; check the output as a reader would (a term only appended after the sentence, or the
source term left untranslated, is not placed; see :mod:`toolkit.glossary.matching`);
repair number spans whose figure is right and whose scale or format is wrong
(:mod:`toolkit.qa.numbers.repair`); retry what is still wrong. How a retry asks for the
missing terms is its *method*:

* ``inline`` (the default): the source goes again with every glossary term's required target
  form written in its place ("am AI-Markt") and, where a number is wrong, the number as the
  target writes it ("380 billion Yuan"); models copy such forms into place. Runs on the run's
  own engine (CTranslate2 included).
* ``force``: the missing forms are forced while decoding (the transformers backend; the last
  round of a CTranslate2 run goes to transformers over the same model). A forced form can only
  be guaranteed *somewhere*, often after the sentence has ended.
* ``inline+force``: ``inline`` first, ``force`` in the last round.

A retry replaces the output before it only if it has strictly fewer problems, does not repeat
itself, has not run on far past the first output, and keeps the content the output before it
had (its source numbers, most of its length); refused retries are counted by reason.
Whatever is still wrong is reported in the segment's checks, never hidden.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from toolkit.glossary.model import TermHint
from toolkit.tasks.inline import inline_targets
from toolkit.tasks.translator import Translation, TranslationRequest, Translator

if TYPE_CHECKING:
    from toolkit.backends.base import Progress
    from toolkit.glossary import Glossary, TermCheck
    from toolkit.qa.checks import SegmentChecks

RUNAWAY_RATIO = 2.0
RUNAWAY_MARGIN_TOKENS = 8
KEEP_RATIO = 0.7  # a retry shorter than this share of the output before it has dropped content
METHODS = ("inline", "force", "inline+force")
DEFAULT_METHOD = "inline"


@dataclass
class RetryStats:
    """What the policy did across a run: how often it stepped in, why, and what it cost."""

    segments: int = 0
    with_terms: int = 0  # segments whose source holds at least one glossary term
    terms: int = 0  # distinct terms found, summed over segments
    missed_first: int = 0  # terms missing after the first pass
    retried: int = 0  # segments translated again
    for_terms: int = 0  # ... because a term was missing
    for_numbers: int = 0  # ... because a number was wrong or missing
    for_language: int = 0  # ... because the output was not in the target language
    fixed: int = 0  # retried segments with no problem left
    violated: int = 0  # segments still missing a term
    runaway: int = 0  # retries refused for running on far past the first output
    repeating: int = 0  # retries refused for repeating themselves
    dropped: int = 0  # retries refused for dropping content the output before had
    repaired: int = 0  # segments with number spans repaired from the source
    constrained: int = 0  # segments whose kept retry ran on the constrained fallback backend
    constrained_engine: str = ""  # that backend's name
    first_pass_s: float = 0.0
    retry_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def render(self) -> str:
        reasons = ", ".join(f"{n} for {what}" for n, what in (
            (self.for_terms, "terms"), (self.for_numbers, "numbers"),
            (self.for_language, "language")) if n)
        line = (f"retries: {self.retried} of {self.segments} segments"
                + (f" ({reasons})" if reasons else "")
                + f", {self.fixed} fixed; {self.violated} still miss a glossary term")
        refused = ", ".join(f"{n} {what}" for n, what in (
            (self.runaway, "running on"), (self.repeating, "repeating themselves"),
            (self.dropped, "dropping content")) if n)
        if refused:
            line += f"; retries refused: {refused}"
        if self.repaired:
            line += f"; {self.repaired} segments with numbers repaired from the source"
        if self.constrained:
            line += (f"; {self.constrained} kept from the constrained {self.constrained_engine} "
                     "path (terms forced while decoding)")
        return line + f" ({self.first_pass_s:.1f} s first pass, {self.retry_s:.1f} s retries)"


@dataclass(frozen=True)
class Outcome:
    """One segment's final translation, its checks, and how many tries it took."""

    text: str
    terms: TermCheck | None
    checks: SegmentChecks | None
    attempts: int = 1
    pieces: int = 1  # > 1: translated in pieces (longer than the model's window)
    by: Translator | None = None  # the translator of the kept text, where not the run's own

    @property
    def retried(self) -> bool:
        return self.attempts > 1


@dataclass
class _State:
    request: TranslationRequest
    segment_id: str
    text: str = ""
    first: str = ""
    first_tokens: int = 0  # new tokens of the first output
    terms: Any = None
    checks: Any = None
    attempts: int = 1
    pieces: int = 1
    by: Any = None
    first_missing: frozenset[tuple[int, str]] = field(default_factory=frozenset)


class RetryPolicy:
    """Translate segments with ``translator`` and retry what fails the checks.

    ``enforce=False`` only checks (no hints, no repairs, no retries): the baseline that shows
    what enforcement adds. ``checks=False`` skips the number, language and repetition checks
    (terms are still checked when there is a glossary). ``repair=False`` leaves wrong number
    renderings as the model wrote them. ``method`` is how retries ask for what is missing (see
    the module docstring). ``rounds`` is how many retries a segment may get; each round is a
    new attempt (a wider beam, a restated prompt), and a request asked before is served by the
    cache.
    """

    def __init__(self, translator: Translator, glossary: Glossary | None = None, *,
                 enforce: bool = True, checks: bool = True, repair: bool = True,
                 method: str = DEFAULT_METHOD, rounds: int = 2) -> None:
        if rounds < 0:
            raise ValueError("rounds must be 0 or more")
        if method not in METHODS:
            raise ValueError(f"unknown retry method {method!r}; use one of: {', '.join(METHODS)}")
        self.translator = translator
        self.glossary = glossary
        self.enforce = enforce
        self.checks = checks
        self.repair = repair and enforce and checks
        self.method = method
        self.rounds = rounds if enforce else 0
        self.stats = RetryStats()

    def hints(self, request: TranslationRequest) -> tuple[TermHint, ...]:
        """The glossary entries that occur in this source, as hints (one per target form)."""
        if self.glossary is None:
            return ()
        from toolkit.glossary.matching import glossary_hints

        return glossary_hints(request.text, self.glossary, request.source_lang,
                              request.target_lang)

    def run(self, requests: Sequence[TranslationRequest], ids: Sequence[str] | None = None,
            progress: Progress | None = None) -> list[Outcome]:
        """Outcomes in the order of ``requests`` (``ids`` name the segments in checks)."""
        ids = list(ids) if ids is not None else [""] * len(requests)
        states = [_State(replace(r, terms=_merge(r.terms, self.hints(r))) if self.enforce else r,
                         i) for r, i in zip(requests, ids, strict=True)]
        start = time.perf_counter()
        texts = self.translator.translate([s.request for s in states], progress)
        self.stats.first_pass_s += time.perf_counter() - start
        for s, t in zip(states, texts, strict=True):
            s.text, s.terms, s.checks = self._assess(s, t.text)
            s.first, s.first_tokens = s.text, t.new_tokens
            s.pieces = t.pieces
            s.first_missing = _missing(s.terms)

        retried: set[int] = set()
        for round_ in range(1, self.rounds + 1):
            failing = [i for i, s in enumerate(states) if self._problems(s.terms, s.checks, s.text)[0]]
            if not failing:
                break
            # With a forcing method the last round goes where strings can be forced
            # (CTranslate2 -> transformers); inline retries stay on the run's own engine.
            translator = self._translator_for(round_)
            phase = getattr(progress, "phase", None)
            if phase:
                phase(f"retry round {round_}: {len(failing)} segment(s)"
                      + ("" if translator is self.translator else f" on {translator.engine}"))
            retry = [self._retry_request(states[i], round_, translator) for i in failing]
            start = time.perf_counter()
            new = translator.translate(retry)
            self.stats.retry_s += time.perf_counter() - start
            for i, t, _asked in zip(failing, new, retry, strict=True):
                s = states[i]
                if i not in retried:
                    retried.add(i)
                    self._count_reasons(s)
                s.attempts += 1
                text, terms, checks = self._assess(s, t.text)
                if self._problems(terms, checks, text) < self._problems(s.terms, s.checks, s.text):
                    refused = self._refused(s, text, checks, t)
                    if refused:
                        setattr(self.stats, refused, getattr(self.stats, refused) + 1)
                    else:
                        s.text, s.terms, s.checks, s.pieces = text, terms, checks, t.pieces
                        s.by = translator if translator is not self.translator else None

        if getattr(progress, "phase", None):
            progress.phase("")  # type: ignore[union-attr]
        outcomes = [self._outcome(s) for s in states]
        self._count(states, outcomes, retried)
        return outcomes

    # --- checks -------------------------------------------------------------------------------

    def _assess(self, s: _State, text: str) -> tuple[str, Any, Any]:
        """The output (its number spans repaired where that is on), its term check and its
        checks."""
        terms, checks = self._check(s, text)
        if self.repair and checks is not None and checks.numbers.mismatched:
            from toolkit.qa.numbers.repair import repair_numbers

            repaired, _, done = repair_numbers(s.request.text, text, checks.numbers)
            if done:
                terms, checks = self._check(s, repaired)
                checks = replace(checks, repaired=done)
                text = repaired
        return text, terms, checks

    def _refused(self, s: _State, text: str, checks: Any, t: Translation) -> str | None:
        """Why a retry with fewer problems is still not taken (the stats field that counts
        it), or None: it repeats itself, runs on far past the first output, or drops content
        the output before it had."""
        if checks is not None and checks.repeats is not None:
            return "repeating"
        if self._runaway(s, text, t):
            return "runaway"
        if s.checks is None or s.checks.repeats is not None:
            return None
        if checks is not None and _numbers_kept(checks) < _numbers_kept(s.checks):
            return "dropped"
        # Lengths compare only within the target language (Chinese takes a third of the
        # characters English does): an output in the wrong language has nothing to keep.
        if (s.checks.language.ok and len(text) < KEEP_RATIO * len(s.text)
                and not _runaway(s.text, text, s.request.text)):
            return "dropped"
        return None

    def _runaway(self, s: _State, text: str, t: Translation) -> bool:
        """A retry far longer, in tokens, than both the first output and the source (beyond
        the tokens it was forced to add): a model that kept on talking until a forced term
        could be squeezed in at the end, not a translation. Characters where the translator
        counts no tokens."""
        if not (t.new_tokens and s.first_tokens):
            return _runaway(text, s.first, s.request.text)
        from toolkit.backends.base import GenerationRequest

        source = self.translator.backend.count_tokens([GenerationRequest(text=s.request.text)])[0]
        limit = RUNAWAY_RATIO * max(s.first_tokens, source) + RUNAWAY_MARGIN_TOKENS
        return t.new_tokens - t.forced_tokens > limit

    def _check(self, s: _State, text: str) -> tuple[Any, Any]:
        terms = None
        r = s.request
        if self.glossary is not None:
            from toolkit.glossary import check_terms

            terms = check_terms(r.text, text, self.glossary, r.target_lang, r.source_lang)
        checks = None
        if self.checks:
            from toolkit.qa.checks import check_segment

            checks = check_segment(r.text, text, source_lang=r.source_lang,
                                   target_lang=r.target_lang, terms=terms, segment_id=s.segment_id)
        return terms, checks

    @staticmethod
    def _problems(terms: Any, checks: Any, text: str) -> tuple[int, int]:
        """How far an output is from right: terms not placed + numbers wrong + 2 for the wrong
        language + 2 for repeating itself; then (to break ties) terms missing even as plain
        text - a term glued to a neighbouring word is nearer than no term at all."""
        violated = terms.violated if terms is not None else ()
        count = len(violated)
        if checks is not None:
            count += len(checks.numbers.mismatched) + (0 if checks.language.ok else 2)
            count += 2 if checks.repeats is not None else 0
        return count, sum(1 for r in violated if r.target not in text)

    def _forces(self, round_: int) -> bool:
        """Whether this round forces the missing forms while decoding (see the methods)."""
        return self.method == "force" or (self.method == "inline+force" and round_ == self.rounds)

    def _translator_for(self, round_: int) -> Translator:
        """The run's translator; for the last round of a forcing method, where it cannot force
        strings, the constrained one over the same model (CTranslate2 -> transformers), if
        there is one."""
        if (round_ < self.rounds or not self._forces(round_)
                or self.translator.supports_constraints):
            return self.translator
        constrained = getattr(self.translator, "constrained", None)
        return (constrained() if constrained else None) or self.translator

    def _retry_request(self, s: _State, round_: int,
                       translator: Translator | None = None) -> TranslationRequest:
        """The same segment, missing terms first among the hints, the numbers as hints where
        a number or the language is wrong; the targets written into the source (inline
        methods) and forced where this round forces and the backend can."""
        missing = {r.target for r in (s.terms.violated if s.terms is not None else ())}
        hints = sorted(s.request.terms, key=lambda h: h.target not in missing)
        numbers = s.checks is not None and (bool(s.checks.numbers.mismatched)
                                            or not s.checks.language.ok)
        if numbers:
            from toolkit.qa.numbers import number_hints

            hints = list(_merge(tuple(hints), tuple(number_hints(
                s.request.text, s.request.target_lang, s.request.source_lang))))
        text = s.request.text
        if self.method != "force":
            text = inline_targets(s.request, self.glossary, numbers=numbers)
        forced = self._forces(round_) and (translator or self.translator).supports_constraints
        return replace(s.request, text=text, terms=tuple(hints),
                       force_terms=bool(hints) and forced, attempt=s.request.attempt + round_)

    # --- reporting ----------------------------------------------------------------------------

    def _outcome(self, s: _State) -> Outcome:
        terms, checks = s.terms, s.checks
        if terms is not None:
            enforced = tuple(r for r in terms.found
                             if r.present and (id(r.entry), r.target) in s.first_missing)
            terms = replace(terms, enforced=enforced)
            if checks is not None:
                checks = replace(checks, terms=terms)
        return Outcome(s.text, terms, checks, s.attempts, s.pieces, s.by)

    def _count_reasons(self, s: _State) -> None:
        st = self.stats
        st.for_terms += bool(s.terms is not None and s.terms.violated)
        if s.checks is not None:
            st.for_numbers += bool(s.checks.numbers.mismatched)
            st.for_language += not s.checks.language.ok

    def _count(self, states: list[_State], outcomes: list[Outcome], retried: set[int]) -> None:
        st = self.stats
        st.segments += len(states)
        st.retried += len(retried)
        for i, (s, o) in enumerate(zip(states, outcomes, strict=True)):
            if o.terms is not None:
                st.with_terms += bool(o.terms.found)
                st.terms += len(o.terms.found)
                st.violated += bool(o.terms.violated)
            st.missed_first += len(s.first_missing)
            st.repaired += bool(o.checks is not None and o.checks.repaired)
            if s.by is not None:
                st.constrained += 1
                st.constrained_engine = s.by.engine
            if i in retried and not self._problems(o.terms, o.checks, o.text)[0]:
                st.fixed += 1


def _numbers_kept(checks: Any) -> int:
    """Source quantities the output carries in some form (right, or there with another
    value): what a retry must not lose."""
    numbers = checks.numbers
    return numbers.checked - sum(i.problem == "missing" for i in numbers.issues)


def _missing(terms: Any) -> frozenset[tuple[int, str]]:
    return frozenset((id(r.entry), r.target) for r in terms.violated) if terms is not None else frozenset()


def _runaway(text: str, first: str, source: str) -> bool:
    """In characters: ``text`` far longer than both ``first`` and ``source``."""
    return len(text) > RUNAWAY_RATIO * max(len(first), len(source)) + 20


def _merge(existing: tuple[TermHint, ...], new: tuple[TermHint, ...]) -> tuple[TermHint, ...]:
    """The caller's hints first, then hints for targets not already there."""
    targets = {h.target for h in existing}
    return existing + tuple(h for h in new if h.target not in targets)
