"""German words left in a translation, counted as a reader counts them.

A small model copies words it cannot translate ("The Umsatz in the cloud market", "在Wettlauf中"),
or pieces of them ("标志gschiff" from "Flaggschiff", "Argusaugs" from "Argusaugen"). The
language check judges a whole segment, so a sentence with one German word in it passes; this
check names each word.

A word of the output is *untranslated* when

1. it comes from the source: the same word (case aside; the parts of a hyphenated compound
   count as words), a piece of a longer source word ("gschiff"), or a source word with another
   ending ("Argusaugs"); and
2. it is German: word-frequency data (``wordfreq``, built from Wikipedia, subtitles, news,
   books and the web) says it is common in German and much rarer in English. Names, brands
   and products are as common in English text as in German ("Alibaba", "Berlin", "Tencent")
   or in neither ("Doubao"), so they are not German by this test; a word known to neither
   list is judged by the German word it ends in ("agentischen" -> "tischen") or, for a piece,
   by the source word it came from.

Set aside before that: anything with a digit (``Qwen3.5``, ``H100``), acronyms in capitals
(``DAX``, ``ADR``), one- and two-letter words, and every form of the glossary entries found in
the segment (a glossary term left in German is the term check's problem, counted there once).

Why word frequencies and not a lemmatizer's dictionary or a language detector: measured by hand
on 418 words of the starter's outputs (``benchmarks/untranslated_check.py``, labels in
``eval/results/starter/untranslated/``), with the same notion of "copied" for all three,
wordfreq flags 131 words at precision 0.99 and recall 0.92; ``simplemma`` (known to its German
dictionary, not to its English one) precision 1.00 but recall 0.82 - its dictionaries miss
rare compounds and pieces of words ("Flaggschiffveranstaltung", "Chipzugang", "gschiff",
"Argusaugs"); ``lingua``'s
single-word detection recall 0.92 at precision 0.51 - it calls half the English words it sees
German ("model", "digital", "China").

Only German sources are judged (the frequency contrast is German against English); for any
other source the check finds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

# A run of Latin letters, hyphenated parts kept together ("KI-Vorherrschaft").
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-žẞß]+(?:-[A-Za-zÀ-ÖØ-öø-ÿĀ-žẞß]+)*")

MIN_GERMAN_ZIPF = 2.0  # at least about once per 100 million German words
MIN_RARE_GERMAN_ZIPF = 1.0  # a word English never uses needs only to be known in German
MIN_LEAD = 1.0  # ten times as common in German as in English
MAX_ENGLISH_ZIPF = 4.0  # as common as this in English (a name, a loan), it reads as English
MIN_LEAD_COMMON = 2.0  # ... unless a hundred times as common in German ("von", "die", "und")
MIN_PIECE = 4  # characters of the shortest piece of a source word that counts as copied
MIN_STEM = 5  # characters a source word and an output word share to be one word re-inflected
MIN_COMPOUND_HEAD = 3  # characters before the German word a compound ends in


@lru_cache(maxsize=65536)
def _zipf(word: str, lang: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, lang, wordlist="large"))


def is_german(word: str) -> bool:
    """Whether ``word`` (lower case) reads as German and not as English: common in German
    text, ten times rarer in English and not common in English (or a hundred times rarer:
    "von", "die"); or known in German and never seen in English (a rare compound such as
    "Schlüsselfaktor")."""
    de, en = _zipf(word, "de"), _zipf(word, "en")
    if en == 0:
        return de >= MIN_RARE_GERMAN_ZIPF
    lead = de - en
    return de >= MIN_GERMAN_ZIPF and lead >= MIN_LEAD and (en < MAX_ENGLISH_ZIPF
                                                           or lead >= MIN_LEAD_COMMON)


def _german_like(word: str) -> bool:
    """German by the lists, or, where neither list knows the word, by the German word it
    ends in."""
    return is_german(word) if is_known(word) else _ends_german(word)


def is_known(word: str) -> bool:
    """Whether either frequency list knows ``word``."""
    return _zipf(word, "de") > 0 or _zipf(word, "en") > 0


def _ends_german(word: str) -> bool:
    """A word neither list knows that ends in a German word, as compounds do
    ("Investitionsprogramm", "agentischen")."""
    for cut in range(MIN_COMPOUND_HEAD, len(word) - MIN_PIECE + 1):
        tail = word[cut:]
        if is_known(tail):
            return is_german(tail)
    return False


def _words(text: str) -> list[tuple[str, int]]:
    """The Latin words of ``text`` with their offsets; a word touching a digit is a product
    name (Qwen3.5, H100, GPT-5) and left out."""
    out = []
    for m in _WORD.finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if not (before.isdigit() or after.isdigit()):
            out.append((m.group(), m.start()))
    return out


def _parts(word: str) -> list[str]:
    return [p for p in word.split("-") if p]


def _set_aside(part: str) -> bool:
    return len(part) <= 2 or (part.isupper() and len(part) <= 5)


class _Source:
    """The source's words (lower case, parts of compounds apart, in source order), indexed so
    that finding where an output word came from costs no pass over them (a 2 MB segment has
    hundreds of thousands)."""

    def __init__(self, source: str) -> None:
        self.written: dict[str, str] = {}  # lower case -> as the source writes it
        for w, _ in _words(source):
            for p in _parts(w):
                if not _set_aside(p):
                    self.written.setdefault(p.casefold(), p)
        self.words = list(self.written)  # source order: the first candidate wins, every run
        self.by_stem: dict[str, list[str]] = {}
        for w in self.words:
            if len(w) >= MIN_STEM:
                self.by_stem.setdefault(w[:MIN_STEM], []).append(w)
        self.joined = "\n" + "\n".join(self.words) + "\n"

    def origin(self, part: str) -> str | None:
        """The source word ``part`` (lower case) was copied from - itself, the first source
        word it is a piece of, or the first it shares a stem with - or None."""
        if part in self.written:
            return part
        if len(part) >= MIN_PIECE:
            at = self.joined.find(part)
            if at >= 0:
                start = self.joined.rfind("\n", 0, at) + 1
                return self.joined[start:self.joined.index("\n", at)]
        for w in self.by_stem.get(part[:MIN_STEM], ()):
            stem = _common_prefix(part, w)
            if stem >= MIN_STEM and stem >= max(len(part), len(w)) - 3:
                return w
        return None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def untranslated_words(source: str, output: str, *, source_lang: str = "de",
                       target_lang: str = "en", keep: Iterable[str] = ()) -> tuple[str, ...]:
    """The German words of ``source`` left in ``output``, as written in the output, once each
    in output order. ``keep``: words that are right as they are (the forms of the segment's
    glossary entries)."""
    return tuple(dict.fromkeys(w.word for w in untranslated_pairs(
        source, output, source_lang=source_lang, target_lang=target_lang, keep=keep)))


class Untranslated(NamedTuple):
    """One German word left in an output."""

    word: str  # as the output writes it ("AI-Zyklus")
    part: str  # the German part of it ("Zyklus"; the word itself when not hyphenated)
    source: str  # the source word it came from, as the source writes it: what a retry translates


def untranslated_pairs(source: str, output: str, *, source_lang: str = "de",
                       target_lang: str = "en", keep: Iterable[str] = ()) -> list[Untranslated]:
    """Each German word left in ``output``, with its German part and the source word it came
    from, in output order."""
    if source_lang != "de" or target_lang == "de":
        return []
    kept = {p.casefold() for k in keep for w, _ in _words(k) for p in _parts(w)}
    src = _Source(source)
    judged: dict[str, str | None] = {}  # lower case part -> its source word if German
    found: list[Untranslated] = []
    for word, _ in _words(output):
        for part in _parts(word):
            low = part.casefold()
            if _set_aside(part) or low in kept:
                continue
            if low not in judged:
                judged[low] = _judge(low, src)
            origin = judged[low]
            if origin is not None:
                found.append(Untranslated(word, part, src.written[origin]))
    return found


def _judge(low: str, src: _Source) -> str | None:
    """The source word ``low`` came from, where ``low`` is German left in the output."""
    if low in src.written:  # copied whole
        return low if _german_like(low) else None
    if is_known(low) and _zipf(low, "en") > 0:  # a word of its own: German or not by itself
        return src.origin(low) if is_german(low) else None
    origin = src.origin(low)  # a piece of a source word, or a word given another ending
    if origin is not None and (_german_like(low) or _german_like(origin)):
        return origin
    return None


__all__ = ["Untranslated", "is_german", "untranslated_pairs", "untranslated_words"]
