"""Is a translation in the language it should be in?

Small models answer in English when asked for Chinese, or echo the German source. This check
catches both, and stays quiet on segments with too little language to judge ("Qwen3.5 vs.
GPT-5.2" is fine in any language).

How it decides:
1. Names, acronyms, numbers and URLs are set aside (``Qwen3.5``, ``KI``, ``ADR``, ``GPT-5.2``):
   they are the same in every language and say nothing about it.
2. Script: Han characters against Latin words gives Chinese, a Latin language, or "mixed"
   (a half-translated output).
3. Among Latin languages: German and English function words (der/die/und/ist... vs
   the/and/is...) decide short segments; py3langid (a naive Bayes model shipped inside the
   package, offline, ~4 MB) decides the rest and names other languages (a French answer).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

UNKNOWN = "unknown"
MIXED = "mixed"

# Tokens that carry no language: URLs, e-mails, anything with a digit (Qwen3.5, H20, 2025),
# all-caps acronyms (KI, ADR, EPS, GPU), and words of one letter.
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-žẞß][A-Za-zÀ-ÖØ-öø-ÿĀ-žẞß'’-]*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")

# Words frequent in one language and rare or absent in the other. Words shared by both or
# meaning something else in the other ("in", "an", "was", "will", "also", "so") are left out.
_DE_WORDS = frozenset("""
der die das den dem des und ist sind nicht mit ein eine einer einem einen zu von auf für sich
auch es im ins am zum zur wird werden wurde wurden hat haben hatte wie aber oder noch nur bei
nach als dass daß wenn aus über unter vor durch ich du er sie wir ihr kein keine sein seine
ihre ihren ob um bis dieser diese dieses diesem denn doch schon sehr mehr können kann muss
soll sollte gibt zwischen gegen ohne seit sowie jedoch damit dabei dort hier heute immer
""".split())
_EN_WORDS = frozenset("""
the and is are were not with of to on for that this it as by from at be has have had would
or but which who they their its than been can more these those there what when where how
into about after over under between against without since however while such through
should could them then being he she we you our your his her said says
""".split())

_EN_DE_MARGIN = 2  # function words one language must lead by to decide on them alone
_MIN_WORDS = 3  # Latin words (names set aside) below which a segment is too short to judge
_MIN_PROB = 0.80  # py3langid confidence below which a Latin segment is "unknown"


@dataclass(frozen=True)
class LanguageCheck:
    """Whether a translation is in its target language; ``reason`` says why not."""

    ok: bool
    detected: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"ok": self.ok, "detected": self.detected}
        if self.reason:
            d["reason"] = self.reason
        return d


@lru_cache(maxsize=2)
def _identifier(languages: tuple[str, ...] | None = None) -> LanguageIdentifier:
    """py3langid's model (all its languages, or only ``languages``), loaded once on first use
    (about 0.7 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if languages is not None:
        ident.set_languages(list(languages))
    return ident


@dataclass(frozen=True)
class _Evidence:
    han: int  # Han characters
    words: list[str]  # Latin words that carry language (names and acronyms set aside)
    latin_text: str  # those words joined, for the statistical model


def _evidence(text: str) -> _Evidence:
    text = unicodedata.normalize("NFKC", _URL.sub(" ", text))
    han = len(_HAN.findall(text)) + len(_KANA_HANGUL.findall(text))
    words = []
    for m in _LATIN_WORD.finditer(text):
        w = m.group()
        s, e = m.span()
        glued_digit = (s > 0 and text[s - 1].isdigit()) or (e < len(text) and text[e].isdigit())
        if glued_digit or len(w) < 2 or (w.isupper() and len(w) <= 6):
            continue
        words.append(w)
    return _Evidence(han, words, " ".join(words))


def _function_words(words: list[str]) -> tuple[int, int]:
    lower = [w.lower() for w in words]
    return sum(w in _DE_WORDS for w in lower), sum(w in _EN_WORDS for w in lower)


def _latin_language(ev: _Evidence) -> str:
    de, en = _function_words(ev.words)
    if abs(de - en) >= _EN_DE_MARGIN and min(de, en) * 3 <= max(de, en):
        return "de" if de > en else "en"
    best, prob = _identifier().classify(ev.latin_text)
    if best not in ("de", "en") and prob >= 0.99 and len(ev.words) >= 6 and de + en <= 1:
        return str(best)
    best, prob = _identifier(("de", "en")).classify(ev.latin_text)
    if prob < _MIN_PROB and de == en:
        return UNKNOWN
    if prob < _MIN_PROB:
        return "de" if de > en else "en"
    return str(best)


def detect_language(text: str) -> str:
    """The language of ``text``: "de", "en", "zh" (or another ISO 639-1 code py3langid is sure
    of), "mixed" for Chinese and a Latin language in comparable amounts, "unknown" when there
    is too little language to tell (names, numbers, acronyms)."""
    ev = _evidence(text)
    n_words = len(ev.words)
    # One Latin word reads about as long as 1.7 Han characters in translation. Beside Han,
    # a capitalized Latin word is most likely a name ("Baba Kanjar", "Alibaba Cloud"): it
    # counts for less than a lower-case word, which only an untranslated passage brings.
    capitalized = sum(w[0].isupper() for w in ev.words)
    latin_weight = 1.7 * (n_words - capitalized) + 0.5 * capitalized
    if ev.han == 0 and n_words < _MIN_WORDS:
        if n_words and _function_words(ev.words) != (0, 0):
            de, en = _function_words(ev.words)
            return "de" if de > en else "en" if en > de else UNKNOWN
        return UNKNOWN
    if ev.han:
        share = ev.han / (ev.han + latin_weight)
        if share >= 0.6 or (n_words < _MIN_WORDS and ev.han >= 2):
            return "zh"
        if share > 0.25 and n_words >= _MIN_WORDS:
            de, en = _function_words(ev.words)
            # Latin words that are only names in a Chinese sentence have no function words.
            if de + en == 0 and share >= 0.4:
                return "zh"
            return MIXED
    return _latin_language(ev)


_LANGUAGE_NAMES = {"de": "German", "en": "English", "zh": "Chinese"}


def _name(code: str) -> str:
    return _LANGUAGE_NAMES.get(code, code)


def _is_echo(translation: str, source: str) -> bool:
    """The translation repeats the source (or nearly: a model that copies with small edits)."""
    a = " ".join(_evidence(translation).words).lower()
    b = " ".join(_evidence(source).words).lower()
    if len(b.split()) < _MIN_WORDS:
        return False  # "Qwen3.5 vs. GPT-5.2" is rightly the same in any language
    if len(a) + len(b) > _ECHO_CHARS:
        # Past a few thousand characters the character alignment (quadratic) is replaced by
        # the overlap of the two word multisets (linear): a copy with small edits keeps
        # nearly all its words, a translation keeps names and numbers only.
        x, y = Counter(a.split()), Counter(b.split())
        return 2 * sum((x & y).values()) / (sum(x.values()) + sum(y.values())) >= 0.8
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.8


_ECHO_CHARS = 4000


def check_language(translation: str, target_lang: str, source: str | None = None) -> LanguageCheck:
    """Whether ``translation`` is in ``target_lang``.

    Not ok: empty output; output in another language; Chinese and another language mixed;
    a Chinese target with no Chinese at all where there is language to translate; an echo of
    ``source``. Ok: the target language, or too little language to tell (names, numbers).
    """
    if not translation.strip():
        return LanguageCheck(False, UNKNOWN, "the translation is empty")
    detected = detect_language(translation)
    # An echo is only wrong where there is language to tell: "Ant Group / FinTech" may stay.
    if source is not None and detected not in (target_lang, UNKNOWN) and _is_echo(translation, source):
        return LanguageCheck(False, detected, "the translation repeats the source")
    if detected == target_lang:
        return LanguageCheck(True, detected)
    if detected == UNKNOWN:
        if target_lang == "zh" and source is not None and _needs_chinese(source):
            return LanguageCheck(False, detected, "no Chinese characters in a Chinese translation")
        return LanguageCheck(True, detected, "too little text to tell the language")
    if detected == MIXED:
        return LanguageCheck(False, detected,
                             f"part of the translation is not {_name(target_lang)}")
    return LanguageCheck(False, detected,
                         f"the translation is in {_name(detected)}, not {_name(target_lang)}")


def _needs_chinese(source: str) -> bool:
    """A source with real words (not only names, numbers, "vs.") must come out with some Han."""
    return any(len(w) > 2 for w in _evidence(source).words)


__all__ = ["LanguageCheck", "MIXED", "UNKNOWN", "check_language", "detect_language"]


def source_language_warnings(documents: Sequence[Any], expected: str, *, sample: int = 3000,
                             most: int = 5) -> list[str]:
    """One warning line per document whose text is clearly not in ``expected`` (judged on its
    first ``sample`` characters; short or mixed texts are given the benefit of the doubt)."""
    wrong = []
    for doc in documents:
        found = detect_language(doc.text[:sample])
        if found not in (expected, UNKNOWN, MIXED):
            wrong.append((doc.id, found))
    lines = [f"warning: document {doc_id!r} looks like {_name(found)}, not {_name(expected)} "
             f"(--from {expected}); translating it anyway" for doc_id, found in wrong[:most]]
    if len(wrong) > most:
        lines.append(f"warning: {len(wrong) - most} more documents do not look like "
                     f"{_name(expected)} either")
    return lines
