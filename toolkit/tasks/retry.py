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

A segment that still drops a number of its source after the retries is translated once more
**in two halves**, cut at the strongest boundary nearest its middle (a clause, a comma), and
joined (``route: split``): a small model keeps the figures of a short clause that it drops from
a long sentence.

German words the output before left untranslated (:mod:`toolkit.qa.untranslated`) are
translated on their own (one short request per word, cached) and written into the retry's
source in the target language, as terms are. Into Chinese, a segment still failing after the
retries is translated once more **through English** (``route: pivot-en``): the German into
English with this same policy (the requests an English run makes, so a run into English before
it has cached them), then that English into Chinese with the glossary's hints; the checks stay
against the German. The small models translate into English far better than into Chinese.

A retry replaces the output before it only if it has strictly fewer problems, does not repeat
itself, has not run on far past the first output, and keeps the content the output before it
had (its source numbers, most of its length); refused retries are counted by reason.
Whatever is still wrong is reported in the segment's checks, never hidden.
"""

from __future__ import annotations

import re
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

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
RUNAWAY_RATIO = 2.0
RUNAWAY_MARGIN_TOKENS = 8
KEPT = "kept"  # what _weigh says of a try that replaced the output before it
MIN_SPLIT_CHARS = 40  # a segment shorter than this is not cut in halves
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
    for_words: int = 0  # ... because German words were left in the output
    for_markup: int = 0  # ... because inline markup (placeholders) was dropped or broken
    split: int = 0  # segments translated again in two halves (a number still missing)
    split_kept: int = 0  # ... whose halves were kept
    pivoted: int = 0  # segments translated again through English
    pivot_kept: int = 0  # ... whose pivot output was kept (fewer problems)
    pivot_s: float = 0.0
    terms_placed: int = 0  # segments with glossary terms left in German written as required
    markup_placed: int = 0  # segments whose dropped markup tk put back (by words or position)
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
            (self.for_language, "language"), (self.for_words, "German words left"),
            (self.for_markup, "markup")) if n)
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
        if self.split:
            line += (f"; {self.split_kept} of {self.split} segments still missing a number "
                     "kept in two halves")
        if self.pivoted:
            line += (f"; {self.pivot_kept} of {self.pivoted} segments tried through English "
                     f"kept that route ({self.pivot_s:.1f} s)")
        if self.terms_placed:
            line += (f"; {self.terms_placed} segments with glossary terms left in German "
                     "written as the glossary says")
        if self.markup_placed:
            line += f"; {self.markup_placed} segments with dropped markup put back by tk"
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
    route: str = "direct"  # "split": in two halves; "pivot-en": from ``pivot``, its English
    pivot: str | None = None

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
    original: TranslationRequest | None = None  # as the caller asked, before hints
    route: str = "direct"
    pivot: str | None = None


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
                 method: str = DEFAULT_METHOD, rounds: int = 2, pivot: bool = True) -> None:
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
        self.pivot = pivot and enforce and checks
        self.stats = RetryStats()
        self._word_forms: dict[tuple[str, str, str], str | None] = {}

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
                         i, original=r) for r, i in zip(requests, ids, strict=True)]
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
            start = time.perf_counter()
            words = self._word_targets([states[i] for i in failing], translator)
            retry = [self._retry_request(states[i], round_, translator, words) for i in failing]
            new = translator.translate(retry)
            self.stats.retry_s += time.perf_counter() - start
            for i, t in zip(failing, new, strict=True):
                verdict = self._weigh(i, states[i], t, retried)
                if verdict == KEPT:
                    states[i].by = translator if translator is not self.translator else None
                elif verdict:
                    setattr(self.stats, verdict, getattr(self.stats, verdict) + 1)

        if self.rounds:
            self._in_halves(states, retried)
        if self.pivot and self.rounds:
            self._through_english(states, retried, progress)
        if self.repair:
            self._place_terms(states)
        self._place_markup(states)
        if getattr(progress, "phase", None):
            progress.phase("")  # type: ignore[union-attr]
        outcomes = [self._outcome(s) for s in states]
        self._count(states, outcomes, retried)
        return outcomes

    def assess(self, request: TranslationRequest, text: str, segment_id: str = "") -> Outcome:
        """The checks of a translation made elsewhere (a translation memory's exact match),
        as they stand: nothing repaired, nothing retried."""
        terms, checks = self._check(_State(request, segment_id), text)
        return Outcome(text, terms, checks)

    def _weigh(self, i: int, s: _State, t: Translation, retried: set[int]) -> str | None:
        """One more try of segment ``i``: counted (and its reasons, the first time), checked,
        and kept in place of the output before it if it has fewer problems and is not refused.
        ``KEPT``, the stats field of the refusal, or None (no better)."""
        if i not in retried:
            retried.add(i)
            self._count_reasons(s)
        s.attempts += 1
        text, terms, checks = self._assess(s, t.text)
        if self._problems(terms, checks, text) >= self._problems(s.terms, s.checks, s.text):
            return None
        refused = self._refused(s, text, checks, t)
        if refused:
            return refused
        s.text, s.terms, s.checks, s.pieces = text, terms, checks, t.pieces
        return KEPT

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
        lang = s.request.target_lang
        if (s.checks.language.ok and _size(text, lang) < KEEP_RATIO * _size(s.text, lang)
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
            count += (2 if checks.repeats is not None else 0) + len(checks.untranslated)
            count += len(checks.markup or ())
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

    def _retry_request(self, s: _State, round_: int, translator: Translator | None = None,
                       words: dict[tuple[str, str, str], str | None] | None = None,
                       ) -> TranslationRequest:
        """The same segment, missing terms first among the hints, the numbers as hints where
        a number or the language is wrong; the targets (and the German words left before,
        translated) written into the source (inline methods) and forced where this round
        forces and the backend can."""
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
            r = s.request
            forms = {w: f for (w, sl, tl), f in (words or {}).items()
                     if f and sl == r.source_lang and tl == r.target_lang
                     and w in self._left_untranslated(s)}
            text = inline_targets(r, self.glossary, numbers=numbers, words=forms)
        forced = self._forces(round_) and (translator or self.translator).supports_constraints
        return replace(s.request, text=text, terms=tuple(hints),
                       force_terms=bool(hints) and forced, attempt=s.request.attempt + round_,
                       in_target=s.checks is not None and not s.checks.language.ok)

    def _left_untranslated(self, s: _State) -> list[str]:
        """The source words (as the source writes them) of the German left in ``s.text``."""
        if s.checks is None or not s.checks.untranslated:
            return []
        from toolkit.qa.checks import glossary_forms
        from toolkit.qa.untranslated import untranslated_pairs

        r = s.request
        return [w.source for w in untranslated_pairs(r.text, s.text, source_lang=r.source_lang,
                                                     target_lang=r.target_lang,
                                                     keep=glossary_forms(s.terms))]

    def _word_targets(self, states: Sequence[_State], translator: Translator,
                      ) -> dict[tuple[str, str, str], str | None]:
        """Each German source word the outputs before left untranslated, translated on its
        own (one short request per word, cached across rounds): what a retry writes into its
        source. None where the model's answer is no usable translation of the word."""
        if self.method == "force":
            return {}
        need = {(w, s.request.source_lang, s.request.target_lang)
                for s in states for w in self._left_untranslated(s)}
        # Into Chinese the word is asked in English too: where the model has no Chinese for
        # it (it echoes the German), its English is written in, which it then translates.
        english = {(w, sl, "en") for w, sl, tl in need
                   if tl == "zh" and self.pivot and self._can_pivot()}
        asks = need | english
        new = sorted(k for k in asks if k not in self._word_forms)
        self._word_forms.update(translate_words(translator, new))
        return {(w, sl, tl): self._word_forms[(w, sl, tl)] or self._word_forms.get((w, sl, "en"))
                for w, sl, tl in need}

    def _in_halves(self, states: list[_State], retried: set[int]) -> None:
        """Segments still missing a source number: translated again as two halves, cut at the
        strongest boundary nearest the middle, and joined; kept where that has fewer
        problems."""
        from toolkit.tasks.splitting import split_text

        todo = [i for i, s in enumerate(states)
                if s.checks is not None and len(s.request.text) >= MIN_SPLIT_CHARS
                and any(n.problem == "missing" for n in s.checks.numbers.mismatched)]
        if not todo:
            return
        start = time.perf_counter()
        asks = []
        for i in todo:
            r = states[i].request
            for half in split_text(r.text):
                ask = replace(r, text=half, terms=(), force_terms=False)
                asks.append(replace(ask, terms=self.hints(ask)))
        out = self.translator.translate(asks)
        self.stats.split += len(todo)
        for k, i in enumerate(todo):
            s = states[i]
            head, tail = out[2 * k], out[2 * k + 1]
            joiner = "" if s.request.target_lang in ("zh", "ja") else " "
            t = Translation(joiner.join((head.text.strip(), tail.text.strip())),
                            head.new_tokens + tail.new_tokens, 0, head.pieces + tail.pieces)
            if self._weigh(i, s, t, retried) == KEPT:
                s.by, s.route = None, "split"
                self.stats.split_kept += 1
        self.stats.retry_s += time.perf_counter() - start

    def _place_terms(self, states: list[_State]) -> None:
        """Glossary terms no retry placed that stand in the output in their German form (or,
        into Chinese, their English one), written as the glossary requires where they stand;
        kept where that leaves fewer problems, recorded in ``checks.repaired``. (Last, so
        that a retry asked for a term has had its chance to fix the rest of the segment.)"""
        from toolkit.glossary.checking import place_untranslated

        for s in states:
            if s.terms is None or not s.terms.violated:
                continue
            placed, done = place_untranslated(s.text, s.terms)
            if not done:
                continue
            terms, checks = self._check(s, placed)
            if self._problems(terms, checks, placed) < self._problems(s.terms, s.checks, s.text):
                before = s.checks.repaired if s.checks is not None else ()
                s.text, s.terms = placed, terms
                s.checks = replace(checks, repaired=before + done) if checks is not None else None
                self.stats.terms_placed += 1

    def _place_markup(self, states: list[_State]) -> None:
        """Inline markup the model broke and no retry mended, made whole
        (:func:`toolkit.formats.tags.place_tags`): a dropped pair put back around its words
        where they can be found once in the output (as the source writes them, or as the
        model translates them alone: one short request each, in one batch), a dropped kept
        element (code, image, break) at its relative place; what stays lost is reported in
        the checks. Recorded in ``checks.markup.placed``."""
        from toolkit.formats.tags import place_tags, unplaced_words

        todo = [s for s in states if s.checks is not None and s.checks.markup]
        if not todo:
            return
        asks = {(words, s.request.source_lang, s.request.target_lang): ""
                for s in todo for words in unplaced_words(s.request.text, s.text)}
        keys = sorted(asks)
        answers = self.translator.translate([TranslationRequest(w, sl, tl) for w, sl, tl in keys])
        for key, answer in zip(keys, answers, strict=True):
            asks[key] = answer.text.strip(_QUOTES + " .。")
        for s in todo:
            r = s.request

            def rendering(words: str, r: TranslationRequest = r) -> list[str]:
                form = asks.get((words, r.source_lang, r.target_lang), "")
                return [form] if form else []

            placement = place_tags(r.text, s.text, rendering)
            terms, checks = self._check(s, placement.text)
            if checks is not None and s.checks is not None:
                checks = replace(checks, repaired=s.checks.repaired, placed=placement.placed)
            s.text, s.terms, s.checks = placement.text, terms, checks
            self.stats.markup_placed += bool(placement.placed)

    def _can_pivot(self) -> bool:
        languages = getattr(self.translator, "target_languages", None)
        targets = languages() if languages is not None else None
        return targets is None or {"en", "zh"} <= targets

    def _through_english(self, states: list[_State], retried: set[int],
                         progress: Progress | None) -> None:
        """Segments into Chinese still failing: translated into English with this policy,
        then from that English into Chinese; kept where that has fewer problems."""
        todo = [i for i, s in enumerate(states)
                if s.request.target_lang == "zh" and s.request.source_lang != "en"
                and s.original is not None and self._problems(s.terms, s.checks, s.text)[0]]
        if not todo or not self._can_pivot():
            return
        phase = getattr(progress, "phase", None)
        if phase:
            phase(f"through English: {len(todo)} segment(s)")
        start = time.perf_counter()
        english = RetryPolicy(self.translator, self.glossary, enforce=self.enforce,
                              checks=self.checks, repair=self.repair, method="inline",
                              rounds=self.rounds, pivot=False)
        originals = [states[i].original for i in todo]
        en = english.run([replace(r, target_lang="en", terms=()) for r in originals if r is not None],
                         [states[i].segment_id for i in todo])
        asks = []
        for i, o in zip(todo, en, strict=True):
            ask = TranslationRequest(o.text, "en", states[i].request.target_lang,
                                     attempt=states[i].request.attempt + 1, in_target=True)
            ask = replace(ask, terms=self.hints(ask))
            # As an inline retry asks: the glossary's and the numbers' Chinese forms written
            # into the English.
            asks.append(replace(ask, text=inline_targets(ask, self.glossary, numbers=True)))
        new = self.translator.translate(asks)
        self.stats.pivoted += len(todo)
        for i, t, o in zip(todo, new, en, strict=True):
            s = states[i]
            if self._weigh(i, s, t, retried) == KEPT:
                s.by, s.route, s.pivot = None, "pivot-en", o.text
                self.stats.pivot_kept += 1
        self.stats.pivot_s += time.perf_counter() - start

    # --- reporting ----------------------------------------------------------------------------

    def _outcome(self, s: _State) -> Outcome:
        terms, checks = s.terms, s.checks
        if terms is not None:
            enforced = tuple(r for r in terms.found
                             if r.present and (id(r.entry), r.target) in s.first_missing)
            terms = replace(terms, enforced=enforced)
            if checks is not None:
                checks = replace(checks, terms=terms)
        return Outcome(s.text, terms, checks, s.attempts, s.pieces, s.by, s.route, s.pivot)

    def _count_reasons(self, s: _State) -> None:
        st = self.stats
        st.for_terms += bool(s.terms is not None and s.terms.violated)
        if s.checks is not None:
            st.for_numbers += bool(s.checks.numbers.mismatched)
            st.for_language += not s.checks.language.ok
            st.for_words += bool(s.checks.untranslated)
            st.for_markup += bool(s.checks.markup)

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


_QUOTES = "\"'“”„«»‘’「」『』"


def translate_words(translator: Translator, words: Sequence[tuple[str, str, str]]
                    ) -> dict[tuple[str, str, str], str | None]:
    """Each (word, source language, target language) translated on its own, in one batch
    of short requests: its :func:`word_form`, None where the answer is no translation."""
    if not words:
        return {}
    out = translator.translate([TranslationRequest(w, sl, tl) for w, sl, tl in words])
    return {k: word_form(k[0], t.text, k[1], k[2]) for k, t in zip(words, out, strict=True)}


def word_form(word: str, answer: str, source_lang: str, target_lang: str) -> str | None:
    """A model's translation of one ``word`` as a retry writes it into the source: its first
    line (after a preamble ending in a colon) without quotes and end punctuation, a capital
    dropped from an English common word; None where it is no translation (empty, a sentence,
    a colon left in it, the word again or still German, no Chinese character in a Chinese
    answer)."""
    from toolkit.qa.untranslated import untranslated_words

    lines = [line.strip() for line in answer.strip().splitlines() if line.strip()] or [""]
    if len(lines) > 1 and lines[0].endswith((":", "：")):
        lines = lines[1:]  # a preamble ("The translation is:") before the answer
    form = lines[0].strip(_QUOTES).rstrip(".。!！?？;；,，")
    form = form.strip(_QUOTES).strip()
    if not form or form.casefold() == word.casefold() or ":" in form or "：" in form:
        return None
    if target_lang == "zh":
        if not _HAN.search(form) or len(form) > 12:
            return None
    elif len(form.split()) > 4:
        return None
    if untranslated_words(word, form, source_lang=source_lang, target_lang=target_lang):
        return None
    if target_lang == "en" and " " not in form and form[:1].isupper() and form[1:].islower():
        form = form.lower()
    return form


_LATIN_RUN = re.compile(r"[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9'’.-]*")


def _size(text: str, lang: str) -> int:
    """How much an output says, for comparing two outputs of one segment: characters; in
    Chinese and Japanese a Latin word or a figure counts as two characters, whatever its
    length ("Umsatz 在增长" is no longer than "收入在增长")."""
    if lang not in ("zh", "ja"):
        return len(text)
    return len(_LATIN_RUN.sub("", "".join(text.split()))) + 2 * len(_LATIN_RUN.findall(text))


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
