"""Finding glossary terms in German (or any) text.

German needs more than exact string search:

* inflection: proper names and acronyms take a genitive or plural -s (Alibabas, ADRs, Meta's);
  common nouns take the usual noun endings (Aktie/Aktien, Kursziel/Kursziele/Kurszielen);
  anything irregular (freier/freien Cashflow) is listed as a variant in the glossary;
* compounds: a hyphen joins words, so "KI-Modelle", "Qwen-App" and "US-Aktien" contain the
  terms KI, Qwen and Aktie, while letters glued on ("Kinder", "Adresse") never make a match;
* case: acronyms are case-sensitive (KI is not "ki"), other terms are not, unless the
  glossary says so;
* versions: a keep-as-is name followed directly by a version number keeps it in the target
  (Qwen2.5 -> Qwen2.5); listed forms such as "Qwen3-Max" or "Qwen 3.5" win over shorter ones,
  because at any position the longest glossary form is tried first.

One pass of an Aho-Corasick automaton per glossary and language pair finds the candidates
(:class:`TermMatcher`), whatever the glossary's size; text and forms are compared in NFC.
Whether a translation renders the terms is :mod:`toolkit.glossary.checking`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from toolkit.glossary.model import (
    UNSPACED_LANGUAGES,
    Glossary,
    GlossaryEntry,
    TermHint,
)

# Letters and digits that continue a word. CJK characters do not: "的Qwen模型" contains Qwen.
_WORD = r"0-9A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F"
_LEFT = rf"(?<![{_WORD}])"
_RIGHT = rf"(?![{_WORD}])"
_HYPHENS = "-\u2010\u2011"  # hyphen-minus, hyphen, non-breaking hyphen
_APOSTROPHES = "'\u2019"
_VERSION = r"\d+(?:\.\d+)*"

# Endings a term may take, by language and by name / common noun.
_NAME_ENDINGS = {"de": ("s", "'s", "\u2019s"), "en": ("s", "'s", "\u2019s")}
_NOUN_ENDINGS = {"de": ("e", "en", "n", "s", "es", "er", "ern", "ns"), "en": ("s", "es", "'s", "\u2019s")}


def _is_word_char(c: str) -> bool:
    return bool(re.match(rf"[{_WORD}]", c))


def _body(form: str) -> str:
    """A form as a regex: any run of spaces matches any whitespace, hyphens and apostrophes
    match their typographic variants."""
    out = []
    for c in form:
        if c.isspace():
            out.append(r"\s+")
        elif c in _HYPHENS:
            out.append(f"[{_HYPHENS}]")
        elif c in _APOSTROPHES:
            out.append(f"[{_APOSTROPHES}]")
        else:
            out.append(re.escape(c))
    return "".join(out)


def _endings(lang: str, name: bool) -> str:
    endings = (_NAME_ENDINGS if name else _NOUN_ENDINGS).get(lang, ())
    if not endings:
        return ""
    alternatives = sorted((_body(e) for e in endings), key=len, reverse=True)
    return "(?:" + "|".join(alternatives) + ")"


def form_pattern(form: str, lang: str, *, ignore_case: bool, name: bool, version_group: str | None = None) -> str:
    """The regex for one form in text of language ``lang`` (see the module docstring)."""
    body = _body(form)
    if ignore_case:
        body = f"(?i:{body})"
    left = _LEFT if _is_word_char(form[0]) else ""
    if not _is_word_char(form[-1]):
        return left + body
    if form[-1].isdigit():  # "Qwen3" is not in "Qwen3.5": a version goes on after a dot
        return left + body + _RIGHT + r"(?!\.\d)"
    tail = []
    if version_group and form[-1].isalpha():
        tail.append(f"(?P<{version_group}>{_VERSION})")
    if form[-1].isalpha() and lang not in UNSPACED_LANGUAGES and (endings := _endings(lang, name)):
        tail.append(endings)
    optional = f"(?:{'|'.join(tail)})?" if tail else ""
    return left + body + optional + _RIGHT


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a text: where, as written, and which entry it is."""

    start: int
    end: int
    text: str  # as written in the source: "Alibabas", "Qwen3.5", "ADRs"
    entry: GlossaryEntry = field(repr=False)
    form: str  # the glossary form that matched: "Alibaba"
    expanded: bool = False  # matched the spelled-out form of an acronym
    version: str = ""  # version digits glued to a keep-as-is name: "2.5" in "Qwen2.5"

    def target(self, lang: str) -> str | None:
        """The form ``lang`` output must contain (an expansion answers an expansion)."""
        base = (self.expanded and self.entry.expansion(lang)) or self.entry.term(lang)
        return base + self.version if base is not None else None

    def accepted(self, lang: str) -> tuple[str, ...]:
        """Every form that counts as a correct rendering in ``lang``, the required one first."""
        target = self.target(lang)
        if target is None:
            return ()
        others = [f + self.version for f in self.entry.accepted(lang)]
        return tuple(dict.fromkeys([target, *others]))


class TermMatcher:
    """All forms of a glossary's entries in one language, found in one pass over a text.

    An Aho-Corasick automaton (pyahocorasick) finds where each form's first word stands
    (lowercased), in time linear in the text whatever the glossary's size; at each such place
    the form's own regex (:func:`form_pattern`: case, word boundaries, endings, versions) is
    tried, longest form first, as one alternation of every form would - left to right, the
    first form that fits at a place wins, and matches do not overlap. Forms' regexes are
    compiled when first needed, so a 50,000-entry glossary costs little more than its words.
    """

    def __init__(self, entries: tuple[GlossaryEntry, ...], lang: str) -> None:
        import ahocorasick

        self.lang = lang
        alternatives: list[tuple[str, GlossaryEntry, bool]] = []
        for entry in entries:
            alternatives += [(unicodedata.normalize("NFC", f), entry, False)
                             for f in entry.variants(lang)]
            alternatives += [(unicodedata.normalize("NFC", f), entry, True)
                             for f in entry.expansions.get(lang, ())]
        # Longest forms first: at one place the first form that fits wins.
        alternatives.sort(key=lambda a: len(a[0]), reverse=True)
        self._alternatives = alternatives
        self._compiled: dict[int, re.Pattern[str]] = {}
        by_anchor: dict[str, list[int]] = {}
        for i, (form, _, _) in enumerate(alternatives):
            by_anchor.setdefault(_anchor(form), []).append(i)
        self._automaton: Any = None
        if by_anchor:
            automaton = ahocorasick.Automaton()
            for anchor, indexes in by_anchor.items():
                automaton.add_word(anchor, (len(anchor), tuple(indexes)))
            automaton.make_automaton()
            self._automaton = automaton

    def _regex(self, i: int) -> re.Pattern[str]:
        if i not in self._compiled:
            form, entry, expanded = self._alternatives[i]
            version = "v" if entry.kind == "keep" and not expanded else None
            self._compiled[i] = re.compile(form_pattern(
                form, self.lang, ignore_case=expanded or not entry.case_sensitive,
                name=entry.is_name(), version_group=version))
        return self._compiled[i]

    def find(self, text: str) -> list[TermMatch]:
        """Matches in ``text``, compared in NFC (a glossary saved in NFC finds its terms in a
        decomposed text, as macOS files often are); positions are ``text``'s own."""
        if self._automaton is None or not text:
            return []
        normal, where = nfc_with_offsets(text)
        candidates: dict[int, list[int]] = {}
        for end, (length, indexes) in self._automaton.iter(_lowered(normal)):
            candidates.setdefault(end - length + 1, []).extend(indexes)
        matches: list[TermMatch] = []
        reached = 0
        for start in sorted(candidates):
            if start < reached:
                continue
            for i in sorted(candidates[start]):  # the order of the alternation: longest first
                m = self._regex(i).match(normal, start)
                if m is None or m.end() == start:
                    continue
                form, entry, expanded = self._alternatives[i]
                version = m.groupdict().get("v") or ""
                a, b = (m.start(), m.end()) if where is None else (where[m.start()],
                                                                   where[m.end()])
                matches.append(TermMatch(a, b, text[a:b], entry, form, expanded, version))
                reached = m.end()
                break
        return matches


def _anchor(form: str) -> str:
    """What a form's match always starts with, lowercased: its first word (up to the first
    space, hyphen or apostrophe, each of which the form's regex lets vary)."""
    lowered = _lowered(form)
    for k, c in enumerate(lowered):
        if c.isspace() or c in _HYPHENS or c in _APOSTROPHES:
            return lowered[:k] if k else lowered[:1]
    return lowered


def _lowered(text: str) -> str:
    """``text`` lowercased character by character, same length (a character whose lowercase
    is longer, like "İ", is kept as it is)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def nfc_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """``text`` in NFC, and for each of its positions the position in ``text`` (None when
    ``text`` is NFC already). Each base character and its combining marks are normalized
    together, so a match that starts and ends on characters maps back exactly."""
    if unicodedata.is_normalized("NFC", text):
        return text, None
    out: list[str] = []
    where: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        where += [i] * len(piece)
        i = j
    where.append(n)
    return "".join(out), where


# Compiled matchers per glossary and language pair; a glossary never changes once built.
_MATCHERS: WeakKeyDictionary[Glossary, dict[tuple[str, str | None], TermMatcher]] = WeakKeyDictionary()


def _matcher(glossary: Glossary, source_lang: str, target_lang: str | None) -> TermMatcher:
    matchers = _MATCHERS.setdefault(glossary, {})
    key = (source_lang, target_lang)
    if key not in matchers:
        entries = (glossary.entries_for(source_lang, target_lang) if target_lang
                   else tuple(e for e in glossary if e.variants(source_lang)))
        matchers[key] = TermMatcher(entries, source_lang)
    return matchers[key]


def glossary_hints(text: str, glossary: Glossary, source_lang: str, target_lang: str, *,
                   keep_same: bool = True) -> tuple[TermHint, ...]:
    """The glossary entries that occur in ``text`` as hints, one per target form, in reading
    order (without ``keep_same``, a term that stays as it is - "Alibaba" - gives none): what
    the translation retries and the summary prompts ask the model for."""
    hints: dict[str, TermHint] = {}
    for m in find_terms(text, glossary, source_lang, target_lang):
        target = m.target(target_lang)
        if target and target not in hints and (keep_same or m.text != target):
            hints[target] = TermHint(source=m.text, target=target)
    return tuple(hints.values())


def find_terms(text: str, glossary: Glossary, source_lang: str = "de",
               target_lang: str | None = None) -> list[TermMatch]:
    """Glossary terms in ``text``, left to right, longest first where they overlap. With
    ``target_lang``, only entries that have a rendering in that language."""
    return _matcher(glossary, source_lang, target_lang).find(text)
