"""Whether a translation holds a glossary term as a reader would see it: placed in the
sentence, appended after the sentence has ended, the source form left untranslated, or
missing (see :mod:`toolkit.glossary.matching` for how source forms are found).

Whether a target form is *present* in a translation: forms containing capitals (names,
acronyms: "Alibaba", "AI") must appear with that exact case; all-lowercase forms (common
nouns: "price target") match ignoring case and may take a plural -s; in Chinese and other
unspaced languages a form is a plain substring. Text is NFKC-normalized first (full-width
letters count as their ASCII forms). Only presence is judged, not the number of occurrences.

Presence is judged where a reader would: a form that occurs only in a fragment left after the
translation's last sentence has ended ("... in the country. AI") is *appended*, not placed; a
source term copied into the output untranslated ("KI-Markt" kept where the glossary says AI)
is a violation even where the target form appears elsewhere in the segment.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from toolkit.glossary.matching import (
    TermMatch,
    find_terms,
    form_pattern,
)
from toolkit.glossary.model import NOUN_CAPITALIZING, UNSPACED_LANGUAGES, Glossary, GlossaryEntry


@lru_cache(maxsize=4096)
def _target_regex(form: str, lang: str, name: bool) -> re.Pattern[str]:
    form = unicodedata.normalize("NFKC", form)
    if lang in UNSPACED_LANGUAGES:
        ignore_case = False
    elif lang in NOUN_CAPITALIZING:
        ignore_case = not name
    else:
        ignore_case = not any(c.isupper() for c in form)
    return re.compile(form_pattern(form, lang, ignore_case=ignore_case, name=name))


def contains_term(translation: str, form: str, lang: str, *, name: bool = True) -> bool:
    """Whether ``form`` appears in ``translation`` (a text in ``lang``) by the rules above."""
    return _target_regex(form, lang, name).search(unicodedata.normalize("NFKC", translation)) is not None


# A sentence ends at . ! ? (closing quotes or brackets may follow) before a space or the end of
# the text; a CJK full stop, question or exclamation mark needs no space after it.
_SENTENCE_END = re.compile(r"[.!?][\"'”’»)\]]*(?=\s|$)|[。！？][\"'”’»)\]」』）]*")
_TAIL_WORDS = 4  # a fragment after the last sentence this short is no sentence of its own
_TAIL_CHARS = 12  # ... in an unspaced language


def _ends(text: str) -> list[int]:
    return [m.end() for m in _SENTENCE_END.finditer(text)]


def appended_at(translation: str, source: str, lang: str) -> int:
    """Where a fragment appended after the translation's last sentence begins, or
    ``len(translation)`` where there is none.

    A fragment is the short text (at most four words; twelve characters in Chinese) after the
    last sentence end, when the source ends its sentence and the fragment does not ("... in the
    country. AI"), or when the fragment makes one sentence more than the source has and is at
    most two words ("... in the country. AI."). A source that ends in a fragment of its own (a
    heading, a caption) allows one in the translation.
    """
    text = translation.rstrip()
    ends = _ends(text)
    inner = [e for e in ends if e < len(text)]
    if not inner:
        return len(translation)
    tail = text[inner[-1]:].strip()
    unspaced = lang in UNSPACED_LANGUAGES
    size = len(re.sub(r"\s", "", tail)) if unspaced else len(tail.split())
    if size > (_TAIL_CHARS if unspaced else _TAIL_WORDS):
        return len(translation)
    src = source.rstrip()
    source_ends = bool(src) and (ends_at := _ends(src)) != [] and ends_at[-1] == len(src)
    tail_ends = len(ends) > len(inner)  # the text itself ends a sentence
    one_more = len(ends) > len(_ends(src)) and size <= (4 if unspaced else 2)
    if (source_ends and not tail_ends) or one_more:
        return inner[-1]
    return len(translation)


TermState = Literal["placed", "appended", "untranslated", "missing"]


@dataclass(frozen=True)
class TermResult:
    """One source term and how the translation renders it: ``placed`` (an accepted form inside
    the sentence), ``appended`` (only in a fragment after the sentence has ended),
    ``untranslated`` (the source form copied into the output) or ``missing``."""

    source: str  # as written in the source
    target: str  # the required form
    state: TermState
    entry: GlossaryEntry = field(repr=False, compare=False)

    @property
    def present(self) -> bool:
        """Whether a reader finds the term rendered as required, in place."""
        return self.state == "placed"

    def to_dict(self) -> dict[str, str]:
        d = {"source": self.source, "target": self.target}
        if self.state != "placed":
            d["problem"] = self.state
        return d


@dataclass(frozen=True)
class TermCheck:
    """The glossary terms of one segment: found in the source, enforced by a retry, violated.

    ``status``: "none" (no terms), "ok" (all placed at the first try), "enforced" (all placed
    after enforcement stepped in), "violated" (some appended, untranslated or missing).
    """

    target_lang: str
    found: tuple[TermResult, ...] = ()
    enforced: tuple[TermResult, ...] = ()

    @property
    def violated(self) -> tuple[TermResult, ...]:
        return tuple(r for r in self.found if not r.present)

    def count(self, state: TermState) -> int:
        return sum(r.state == state for r in self.found)

    @property
    def ok(self) -> bool:
        return not self.violated

    @property
    def status(self) -> str:
        if not self.found:
            return "none"
        if self.violated:
            return "violated"
        return "enforced" if self.enforced else "ok"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape stored with every translation record."""
        return {
            "found": [r.to_dict() for r in self.found],
            "enforced": [r.to_dict() for r in self.enforced],
            "violated": [r.to_dict() for r in self.violated],
            "status": self.status,
        }


def _left_untranslated(m: TermMatch, accepted: tuple[str, ...], translation: str, lang: str) -> bool:
    """Whether the source form of ``m`` stands in the translation where the glossary wants
    another form (a form the target accepts, or one inside it, is no copy)."""
    copied = {m.form, m.text}
    if any(c.lower() in a.lower() for c in copied for a in accepted):
        return False
    return any(contains_term(translation, c, lang, name=True) for c in copied)


def check_terms(source: str, translation: str, glossary: Glossary, target_lang: str,
                source_lang: str = "de") -> TermCheck:
    """How the ``translation`` renders each glossary term of ``source`` (see TermResult).

    A term counts once per segment however often it occurs; it is placed when any accepted
    form (the required one, a listed variant, or for an acronym its expansion) appears inside
    the translation's sentences and the source form is nowhere left untranslated.
    """
    cut = appended_at(translation, source, target_lang)
    head, tail = translation[:cut], translation[cut:]
    results: dict[tuple[int, str], TermResult] = {}
    for m in find_terms(source, glossary, source_lang, target_lang):
        target = m.target(target_lang)
        if target is None or (id(m.entry), target) in results:
            continue
        name = m.entry.is_name()
        accepted = m.accepted(target_lang)
        if _left_untranslated(m, accepted, translation, target_lang):
            state: TermState = "untranslated"
        elif any(contains_term(head, f, target_lang, name=name) for f in accepted):
            state = "placed"
        elif tail and any(contains_term(tail, f, target_lang, name=name) for f in accepted):
            state = "appended"
        else:
            state = "missing"
        results[(id(m.entry), target)] = TermResult(m.text, target, state, m.entry)
    return TermCheck(target_lang, tuple(results.values()))


def place_untranslated(translation: str, check: TermCheck) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``translation`` with each glossary term left in its source form written as the glossary
    requires, where it stands ("最新 Sprachmodell Qwen" in Chinese becomes "最新语言模型 Qwen";
    "KI-Aktien" in English -> "AI-Aktien"), and the (was, now) pairs. Into Chinese, a missing
    term the output writes in the entry's English form is written so too ("AI" where the
    glossary wants 人工智能 - what an answer through English leaves). Matching runs on the NFKC
    form, as the check does; a translation whose NFKC form is not as long (so spans would not
    line up) is left as it is."""
    done: list[tuple[str, str]] = []
    lang = check.target_lang
    for r in check.violated:
        if r.state == "untranslated":
            forms: tuple[str, ...] = (r.source,)
        elif r.state == "missing" and lang in UNSPACED_LANGUAGES and r.entry.kind != "keep":
            forms = r.entry.accepted("en")
        else:
            continue
        normal = unicodedata.normalize("NFKC", translation)
        if len(normal) != len(translation):
            break
        m = next((hit for f in forms if f
                  and (hit := _target_regex(f, lang, True).search(normal)) is not None), None)
        if m is None or not m.group():
            continue
        start, end = m.span()
        if lang in UNSPACED_LANGUAGES:  # no space is left between Chinese characters
            while start and translation[start - 1] == " ":
                start -= 1
            while end < len(translation) and translation[end] == " ":
                end += 1
            before, after = translation[:start], translation[end:]
            new = (" " if before[-1:].isascii() and before[-1:].isalnum() else "") + r.target + \
                  (" " if after[:1].isascii() and after[:1].isalnum() else "")
        else:
            before, after, new = translation[:start], translation[end:], r.target
        done.append((translation[m.start():m.end()], r.target))
        translation = before + new + after
    return translation, tuple(done)
