"""The checks every translated segment carries, and the summary a run ends with.

A :class:`SegmentChecks` joins the glossary's term check (from :mod:`toolkit.glossary`, or None
when no glossary is used), the number check, the language check and the repetition check of
one segment, and the German words the output still carries (:mod:`toolkit.qa.untranslated`); its
``to_dict()`` is what ``translations.jsonl`` stores under ``"checks"``.
:class:`CheckSummary` adds them up for a run as a reader would count: terms placed, appended
after the sentence, left untranslated or missing; numbers right, wrong or missing; German words
left in the output; outputs that repeat themselves; and the worst segments by id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from toolkit.formats.tags import has_tags, tag_problems
from toolkit.qa.language import LanguageCheck, check_language
from toolkit.qa.numbers import NumberCheck, check_numbers
from toolkit.qa.repetition import repeated_stretch
from toolkit.qa.untranslated import untranslated_words


@runtime_checkable
class TermCheckLike(Protocol):
    """What the records need of a glossary check (``toolkit.glossary.TermCheck`` is one):
    a status ("none", "ok", "enforced", "violated") and a dict with "found", "enforced" and
    "violated" lists of terms (a violated term may say its "problem": "appended",
    "untranslated" or "missing")."""

    @property
    def status(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SegmentChecks:
    """Terms, numbers, language, German words left and repetition of one translated segment."""

    numbers: NumberCheck
    language: LanguageCheck
    terms: TermCheckLike | None = None
    id: str = ""  # the segment id, so a summary can point at the worst segments
    repeats: str | None = None  # a stretch the output says three times and the source does not
    repaired: tuple[tuple[str, str], ...] = ()  # (was, now): number spans tk rewrote from the source
    untranslated: tuple[str, ...] = ()  # German words of the source left in the output
    # Inline markup (placeholders) of a source that has some: what the output broke, and what
    # tk put back where the model dropped it (toolkit.formats.tags.place_tags).
    markup: tuple[str, ...] | None = None
    placed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        terms_ok = self.terms is None or self.terms.status != "violated"
        return (terms_ok and self.numbers.ok and self.language.ok and self.repeats is None
                and not self.untranslated and not self.markup)

    def to_dict(self) -> dict[str, Any]:
        """``{"terms": {...} | None, "numbers": {...}, "language": {"ok": ..., "detected": ...},
        "repeats": None | "the stretch", "repaired": [{"was": ..., "now": ...}],
        "untranslated_words": [...]}``"""
        record = {
            "terms": self.terms.to_dict() if self.terms is not None else None,
            "numbers": self.numbers.to_dict(),
            "language": self.language.to_dict(),
            "repeats": self.repeats,
            "repaired": [{"was": a, "now": b} for a, b in self.repaired],
            "untranslated_words": list(self.untranslated),
        }
        if self.markup is not None:
            record["markup"] = {"problems": list(self.markup), "placed": list(self.placed)}
        return record

    def problems(self) -> list[str]:
        """Short descriptions of what is wrong, worst first (empty when all is well)."""
        out = []
        if self.repeats is not None:
            out.append(f"repeats itself: {self.repeats!r}")
        if not self.language.ok:
            out.append(f"language: {self.language.reason}")
        for issue in self.numbers.mismatched:
            got = issue.found.surface if issue.found else "missing"
            out.append(f"number {issue.source.surface} -> {got} (want {issue.expected})")
        for term in _terms(self.terms, "violated"):
            how = {"appended": "appended after the sentence",
                   "untranslated": "left untranslated"}.get(term.get("problem", ""), "missing")
            out.append(f"term {term.get('source', '?')} -> want {term.get('target', '?')} ({how})")
        if self.untranslated:
            out.append("German left: " + ", ".join(self.untranslated))
        out += [f"markup: {p}" for p in self.markup or ()]
        return out


def check_segment(source: str, translation: str, *, source_lang: str = "de",
                  target_lang: str = "en", terms: TermCheckLike | None = None,
                  segment_id: str = "") -> SegmentChecks:
    """Run the number, language, untranslated-word and repetition checks on one segment and
    join them with its term check (whose glossary entries are right as they stand)."""
    return SegmentChecks(
        numbers=check_numbers(source, translation, source_lang, target_lang),
        language=check_language(translation, target_lang, source=source),
        terms=terms,
        id=segment_id,
        repeats=repeated_stretch(translation, source),
        untranslated=untranslated_words(source, translation, source_lang=source_lang,
                                        target_lang=target_lang, keep=glossary_forms(terms)),
        markup=tuple(tag_problems(source, translation)) if has_tags(source) else None,
    )


def record_problems(checks: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(kind, what) for each problem in a record's ``checks`` (as :meth:`SegmentChecks.to_dict`
    writes them): what a report lists and an XLIFF note says."""
    checks = checks or {}
    out: list[tuple[str, str]] = []
    for v in (checks.get("terms") or {}).get("violated", []):
        kind = {"untranslated": "term untranslated", "appended": "term after the sentence"
                }.get(v.get("problem", ""), "term missing")
        out.append((kind, f"{v.get('source')} → {v.get('target')}"))
    numbers = checks.get("numbers") or {}
    for m in numbers.get("mismatched", []):
        kind = "number missing" if m.get("problem") == "missing" else "number wrong"
        found = f" (found {m['found']})" if m.get("found") else ""
        out.append((kind, f"{m.get('source')} → {m.get('expected')}{found}"))
    language = checks.get("language") or {}
    if language and language.get("ok") is False:
        out.append(("wrong language", f"reads as {language.get('detected')}"))
    if checks.get("repeats"):
        out.append(("repeats", str(checks["repeats"])))
    for word in checks.get("untranslated_words") or []:
        out.append(("German left", word))
    for problem in (checks.get("markup") or {}).get("problems", []):
        out.append(("markup", problem))
    return out


def glossary_forms(terms: TermCheckLike | None) -> tuple[str, ...]:
    """Every form, in every language, of the glossary entries a term check found: words the
    untranslated-word check leaves to the term check."""
    if terms is None:
        return ()
    forms: list[str] = []
    for result in getattr(terms, "found", ()) or ():
        entry = getattr(result, "entry", None)
        if entry is not None:
            for group in (entry.forms, entry.expansions):
                for values in group.values():
                    forms += values
    if not forms:  # a term check that keeps only what it reports
        forms = [str(t.get(k, "")) for t in _terms(terms, "found") for k in ("source", "target")]
    return tuple(forms)


def _terms(check: TermCheckLike | None, key: str) -> list[dict[str, Any]]:
    if check is None:
        return []
    value = check.to_dict().get(key, [])
    return list(value) if isinstance(value, (list, tuple)) else []


def _ratio(good: int, total: int) -> float | None:
    return good / total if total else None


@dataclass(frozen=True)
class WorstSegment:
    """A segment with problems, for the summary's short list."""

    id: str
    problems: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "problems": list(self.problems)}


@dataclass(frozen=True)
class CheckSummary:
    """What the checks of a run add up to, counted as a reader would.

    A glossary term is *placed* when an accepted form stands inside the translation's
    sentences; *appended* when it only follows after the sentence has ended; *untranslated*
    when the source form was copied into the output; otherwise *missing*. Term accuracy is the
    share placed. Number accuracy is the share of verifiable source quantities that come out
    right (quantities tk could not verify are counted apart); a wrong number is there with
    another value or scale, a missing one is not there at all.
    """

    segments: int
    segments_with_terms: int
    terms_found: int
    terms_enforced: int
    terms_violated: int
    numbers_checked: int
    numbers_matched: int
    numbers_mismatched: int
    numbers_unverified: int
    language_failures: int
    segments_with_problems: int
    worst: tuple[WorstSegment, ...] = ()
    glossary_used: bool = True
    terms_appended: int = 0
    terms_untranslated: int = 0
    numbers_wrong: int = 0  # of numbers_mismatched: there with another value, scale or unit
    repeating: int = 0  # outputs that repeat themselves
    repaired: int = 0  # number spans rewritten from the source (see --no-repair)
    untranslated_words: int = 0  # German words left in the outputs
    segments_untranslated: int = 0  # outputs with at least one
    segments_tagged: int = 0  # segments with inline markup (placeholders) in the source
    markup_broken: int = 0  # ... whose output still lacks some of it, or breaks it
    markup_placed: int = 0  # ... whose dropped markup tk put back

    @property
    def terms_placed(self) -> int:
        return self.terms_found - self.terms_violated

    @property
    def terms_missing(self) -> int:
        return self.terms_violated - self.terms_appended - self.terms_untranslated

    @property
    def numbers_missing(self) -> int:
        return self.numbers_mismatched - self.numbers_wrong

    @property
    def term_accuracy(self) -> float | None:
        return _ratio(self.terms_placed, self.terms_found)

    @property
    def number_accuracy(self) -> float | None:
        return _ratio(self.numbers_matched, self.numbers_matched + self.numbers_mismatched)

    @classmethod
    def from_checks(cls, checks: Iterable[SegmentChecks], *, ids: Sequence[str] | None = None,
                    worst: int = 5) -> CheckSummary:
        """Add up ``checks``; ``ids`` name the segments where the checks carry no ``id``."""
        checks = list(checks)
        if ids is not None and len(ids) != len(checks):
            raise ValueError(f"{len(ids)} ids for {len(checks)} segment checks")
        found = enforced = violated = with_terms = appended = untranslated = 0
        glossary_used = False
        for c in checks:
            if c.terms is None:
                continue
            glossary_used = True
            n = len(_terms(c.terms, "found"))
            found += n
            with_terms += n > 0
            enforced += len(_terms(c.terms, "enforced"))
            problems = [t.get("problem") for t in _terms(c.terms, "violated")]
            violated += len(problems)
            appended += problems.count("appended")
            untranslated += problems.count("untranslated")
        bad = [(len(c.problems()) + (2 if not c.language.ok else 0), i, c)
               for i, c in enumerate(checks) if not c.ok]
        bad.sort(key=lambda t: (-t[0], t[1]))
        return cls(
            segments=len(checks),
            segments_with_terms=with_terms,
            terms_found=found,
            terms_enforced=enforced,
            terms_violated=violated,
            numbers_checked=sum(c.numbers.checked for c in checks),
            numbers_matched=sum(len(c.numbers.matched) for c in checks),
            numbers_mismatched=sum(len(c.numbers.mismatched) for c in checks),
            numbers_unverified=sum(len(c.numbers.unverified) for c in checks),
            language_failures=sum(not c.language.ok for c in checks),
            segments_with_problems=len(bad),
            worst=tuple(WorstSegment(c.id or (ids[i] if ids else f"#{i + 1}"), tuple(c.problems()))
                        for _, i, c in bad[:worst]),
            glossary_used=glossary_used,
            terms_appended=appended,
            terms_untranslated=untranslated,
            numbers_wrong=sum(i.found is not None for c in checks for i in c.numbers.mismatched),
            repeating=sum(c.repeats is not None for c in checks),
            repaired=sum(len(c.repaired) for c in checks),
            untranslated_words=sum(len(c.untranslated) for c in checks),
            segments_untranslated=sum(bool(c.untranslated) for c in checks),
            segments_tagged=sum(c.markup is not None for c in checks),
            markup_broken=sum(bool(c.markup) for c in checks),
            markup_placed=sum(bool(c.placed) for c in checks),
        )

    _ADDED = ("segments", "segments_with_terms", "terms_found", "terms_enforced", "terms_violated",
              "numbers_checked", "numbers_matched", "numbers_mismatched", "numbers_unverified",
              "language_failures", "segments_with_problems", "terms_appended",
              "terms_untranslated", "numbers_wrong", "repeating", "repaired", "untranslated_words",
              "segments_untranslated", "segments_tagged", "markup_broken", "markup_placed")

    def merge(self, other: CheckSummary, worst: int = 5) -> CheckSummary:
        """The summary of both runs of segments (a job adds one shard at a time, so memory
        stays flat); the worst list keeps the segments with the most problems."""
        ranked = sorted(enumerate(self.worst + other.worst),
                        key=lambda t: (-len(t[1].problems), t[0]))
        return CheckSummary(
            **{k: getattr(self, k) + getattr(other, k) for k in self._ADDED},
            worst=tuple(w for _, w in ranked[:worst]),
            glossary_used=self.glossary_used or other.glossary_used,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "segments": self.segments,
            "terms": None if not self.glossary_used else {
                "segments_with_terms": self.segments_with_terms,
                "found": self.terms_found,
                "placed": self.terms_placed,
                "appended": self.terms_appended,
                "untranslated": self.terms_untranslated,
                "missing": self.terms_missing,
                "enforced": self.terms_enforced,
                "violated": self.terms_violated,
                "accuracy": self.term_accuracy,
            },
            "numbers": {
                "checked": self.numbers_checked,
                "matched": self.numbers_matched,
                "mismatched": self.numbers_mismatched,
                "wrong": self.numbers_wrong,
                "missing": self.numbers_missing,
                "unverified": self.numbers_unverified,
                "repaired": self.repaired,
                "accuracy": self.number_accuracy,
            },
            "language": {"failures": self.language_failures},
            "untranslated": {"words": self.untranslated_words,
                             "segments": self.segments_untranslated},
            "repeating": self.repeating,
            **({"markup": {"segments": self.segments_tagged, "broken": self.markup_broken,
                           "placed_by_tk": self.markup_placed}} if self.segments_tagged else {}),
            "segments_with_problems": self.segments_with_problems,
            "worst": [w.to_dict() for w in self.worst],
        }

    def render(self, width: int = 100) -> str:
        """A one-screen summary for the end of a CLI run or a notebook cell."""
        lines = [f"Checks: {self.segments} segments, {self.segments_with_problems} with problems"]
        if self.glossary_used:
            lines.append(
                f"  terms     {self.terms_found} found in {self.segments_with_terms} segments, "
                f"{self.terms_placed} placed ({self.terms_enforced} by a retry)"
                f"  -  term accuracy {_pct(self.term_accuracy)}"
            )
            lines.append(
                f"            not placed: {self.terms_appended} appended after the sentence, "
                f"{self.terms_untranslated} left untranslated, {self.terms_missing} missing"
            )
        else:
            lines.append("  terms     no glossary")
        unverified = f", {self.numbers_unverified} unverified" if self.numbers_unverified else ""
        lines.append(
            f"  numbers   {self.numbers_checked} checked: {self.numbers_matched} right, "
            f"{self.numbers_wrong} wrong, {self.numbers_missing} missing{unverified}"
            f"  -  number accuracy {_pct(self.number_accuracy)}"
        )
        if self.repaired:
            lines.append(f"            {self.repaired} number spans repaired from the source "
                         "(checks.repaired; --no-repair turns it off)")
        lines.append(f"  language  {self.language_failures} of {self.segments} segments not in the target "
                     "language")
        if self.language_failures:
            lines.append("            shipped as the best of their tries; checks.language says so")
        lines.append(f"  German    {self.untranslated_words} words left untranslated in "
                     f"{self.segments_untranslated} segments")
        if self.repeating:
            lines.append(f"  repeats   {self.repeating} outputs repeat themselves")
        if self.segments_tagged:
            lines.append(f"  markup    {self.segments_tagged} segments with inline markup: "
                         f"{self.segments_tagged - self.markup_broken} whole "
                         f"({self.markup_placed} put back by tk), {self.markup_broken} with "
                         "some lost (checks.markup)")
        if self.worst:
            lines.append("  worst segments:")
            for w in self.worst:
                first = w.problems[0] if w.problems else ""
                more = f" (+{len(w.problems) - 1} more)" if len(w.problems) > 1 else ""
                lines.append(_clip(f"    {w.id}  {first}{more}", width))
        return "\n".join(lines)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _clip(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


__all__ = ["CheckSummary", "SegmentChecks", "TermCheckLike", "WorstSegment", "check_segment"]
