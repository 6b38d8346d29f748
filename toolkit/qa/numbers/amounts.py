"""Amounts in German and English text: numbers, percentages, money and scale words,
ranges, ordinals (see :mod:`toolkit.qa.numbers.parse`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from toolkit.qa.numbers.base import (
    DASH,
    DE_NUM,
    DE_SCALE,
    EN_NUM,
    EN_SCALE,
    NAME_BEFORE,
    TIER,
    Parser,
    Quantity,
    QuantityKind,
    alternation,
    is_latin_letter,
    span,
    times,
    to_decimal,
)
from toolkit.qa.numbers.tables import (
    DE_CURRENCIES,
    DE_SCALES,
    EN_CURRENCIES,
    EN_SCALES,
)


def _amount_re(lang: str, ranges: bool) -> re.Pattern[str]:
    """Number, optional range end, scale word and unit, with a currency in front or behind."""
    if lang == "de":
        num, scale = DE_NUM, DE_SCALE
        cur = DE_CURRENCIES
        pct = r"%|Prozentpunkte?n?(?![a-zäöü])|Prozent(?![a-zäöü])"
        range_word = r"(?:" + DASH + r"|\s+bis\s+)"
        sep = r"\s*-?\s*"  # "3 Milliarden", "3-Milliarden-Yuan-Plan"
    else:
        num, scale = EN_NUM, EN_SCALE
        cur = EN_CURRENCIES
        pct = r"%|percentage points?\b|per ?cent\b|pp\b"
        range_word = r"(?:" + DASH + r"|\s+to\s+)"
        sep = r"(?:\s*|-)"  # "50 percent", "50-percent share"
    # Only symbols and codes go in front ("€135.80", "US$53 billion", "USD 200").
    pre = {k: v for k, v in cur.items() if not k.isalpha() or k.isupper() or len(k) == 3}
    pre_re = alternation(pre, "pre", suffix_boundary=True)
    pre2_re = alternation(pre, "pre2", suffix_boundary=True)
    post_re = alternation(cur, "cur", suffix_boundary=True)
    low_unit = rf"(?:\s*(?P<low_pct>{pct}))?"
    # Without ranges the groups still exist (and never match), so callers read one shape.
    range_end = (rf"(?:{range_word}(?:{pre2_re}\s?)?(?P<high>{num}))?" if ranges
                 else r"(?P<high>(?!))?(?P<pre2>(?!))?")
    return re.compile(
        rf"(?:{pre_re}\s?)?(?P<low>{num})(?:{scale.format(g='low_scale')})?{low_unit}{range_end}"
        rf"(?:{sep if lang == 'de' else ''}{scale.format(g='scale')})?"
        rf"(?:{sep}(?:(?P<pct>{pct})|{post_re}))?"
    )


def _group_scale(g: dict[str, str | None], name: str, lang: str, money: bool) -> int | None:
    word = g.get(name) or g.get(name + "_abbr")
    if not word:
        return None
    if word in ("m", "k", "b") and not money:
        return None  # "100m" is a hundred metres; "$100m" is a hundred million dollars
    table = DE_SCALES if lang == "de" else EN_SCALES
    return table[word.rstrip(".").lower()]


def _percent_unit(s: str) -> str:
    return "pp" if s.lower().startswith(("prozentp", "percentage p", "pp")) else "%"


_PATTERNS: dict[tuple[str, bool], re.Pattern[str]] = {}


def _amount_pattern(lang: str, ranges: bool = True) -> re.Pattern[str]:
    if (lang, ranges) not in _PATTERNS:
        _PATTERNS[lang, ranges] = _amount_re(lang, ranges)
    return _PATTERNS[lang, ranges]


def amount_matches(pattern: re.Pattern[str], single: re.Pattern[str], text: str,
                    consistent: Any) -> Iterator[re.Match[str]]:
    """Matches of ``pattern``; where a "range" joins two different units ("6.22% to €135.80")
    it is read again as a single amount, and the scan goes on after that."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        if m.group("high") is not None and not consistent(m):
            single_m = single.match(text, m.start())
            if single_m is None:  # cannot happen: the single pattern is a prefix of the range one
                pos = m.start() + 1
                continue
            m = single_m
        yield m
        pos = max(m.end(), m.start() + 1)


def _latin_consistent(m: re.Match[str]) -> bool:
    g = m.groupdict()
    if g.get("low_pct") and (g.get("pre2") or g.get("cur") or g.get("pre")):
        return False
    if g.get("pre") and (g.get("pct") or (g.get("pre2") and g["pre2"].lower() != g["pre"].lower())):
        return False
    return True


def amounts_latin(p: Parser, names: list[tuple[int, int]]) -> None:
    lang, text = p.lang, p.text
    cur_table = DE_CURRENCIES if lang == "de" else EN_CURRENCIES
    for m in amount_matches(_amount_pattern(lang), _amount_pattern(lang, ranges=False), text,
                             _latin_consistent):
        g = m.groupdict()
        ls, le = m.span("low")
        if any(s <= ls < e for s, e in names):
            continue
        if g["high"] and any(s <= m.start("high") < e for s, e in names):
            continue  # "H100- oder H200": the range end is a name
        s, e = span(m)
        if not p.free(s, e):
            continue
        money = bool(g.get("cur") or g.get("pre") or g.get("pre2"))
        low_scale = _group_scale(g, "low_scale", lang, money)
        scale = _group_scale(g, "scale", lang, money)
        if g["high"] is None and low_scale is None:
            low_scale = scale
        elif g["high"] is not None and low_scale is None:
            low_scale = scale  # "8–10 Milliarden": the scale applies to both ends
        low = times(to_decimal(g["low"], lang), low_scale)
        high = times(to_decimal(g["high"], lang), scale) if g["high"] else None
        currency_s = g.get("cur") or g.get("pre") or g.get("pre2")
        pct_s = g.get("pct") or g.get("low_pct")
        if g.get("low_pct") and g["high"] is None:
            # "6,22% bis" without a range: drop whatever came after the percent sign.
            e = m.end("low_pct")
            pct_s = g["low_pct"]
            currency_s = g.get("pre")
            scale = low_scale
        used_scale = scale or low_scale
        surface = text[s:e]
        amount_end = max(m.end(x) for x in ("low", "low_scale", "low_scale_abbr", "scale", "scale_abbr")
                         if x in g and m.start(x) >= 0 and m.end(x) <= e)
        amount = text[m.start("low"):amount_end]
        if pct_s:
            q = Quantity("percent", low, surface, (s, e), high=high, unit=_percent_unit(pct_s),
                         scale=used_scale, amount=amount)
        elif currency_s:
            code = cur_table[currency_s.lower()]
            q = Quantity("currency", low, surface, (s, e), high=high, unit=code, scale=used_scale,
                         amount=amount)
        else:
            if is_product_number(text, m, g, used_scale, lang):
                continue
            kind: QuantityKind = "number"
            if used_scale is None and looks_like_year(g["low"]) and (
                g["high"] is None or looks_like_year(g["high"])
            ):
                kind = "year"
            q = Quantity(kind, low, surface, (s, e), high=high, scale=used_scale, amount=amount)
        p.add(q)


def looks_like_year(s: str) -> bool:
    return s.isdigit() and len(s) == 4 and 1900 <= int(s) <= 2100


def is_product_number(text: str, m: re.Match[str], g: dict[str, Any], scale: int | None,
                       lang: str) -> bool:
    """A bare number after a capitalized name and before a tier ("Gemini 3 Pro"), or a bare
    decimal right after a name ("Qwen 3.5", "Doubao 2.0") is part of that name."""
    if scale is not None or g["high"] is not None:
        return False
    before = text[: m.start("low")]
    if not NAME_BEFORE.search(before) or before.rstrip().split()[-1].lower() in _NOT_NAMES:
        return False
    if TIER.match(text, m.end("low")):
        return True
    return lang != "de" and "." in g["low"] and "," not in g["low"]


_NOT_NAMES = {"the", "in", "on", "at", "by", "of", "to", "from", "and", "or", "about", "over",
              "up", "down", "rose", "fell", "with", "for", "some", "nearly", "almost", "around",
              "since", "until", "platz", "seit", "bis", "um", "auf", "von", "mit", "im", "am"}


def ordinals_de(p: Parser, names: list[tuple[int, int]]) -> None:
    # "4. Reifephase", "im 3. Quartal": 1-3 digits and a dot before a word. (Four digits and a dot
    # end a sentence with a year: "seit 2021. Für ...".)
    for m in re.finditer(r"(?<![\d.,])(\d{1,3})\.(?=\s+[^\W\d_])", p.text):
        s, e = m.span()
        if any(ns <= s < ne for ns, ne in names) or not p.free(s, e):
            continue
        if s > 0 and is_latin_letter(p.text[s - 1]):
            continue
        p.add(Quantity("ordinal", Decimal(m.group(1)), m.group(), (s, e)))


def ordinals_en(p: Parser, names: list[tuple[int, int]]) -> None:
    for m in re.finditer(r"(?<![\w.,])(\d+)(?:st|nd|rd|th)\b", p.text):
        if p.free(*m.span()):
            p.add(Quantity("ordinal", Decimal(m.group(1)), m.group(), m.span()))
    # List numbering at the start of a line: "1. Infrastructure build-out"
    for m in re.finditer(r"(?m)^[ \t]*(\d{1,3})\.(?=\s+\S)", p.text):
        s, e = m.span(1)[0], m.span()[1]
        if p.free(s, e):
            p.add(Quantity("ordinal", Decimal(m.group(1)), p.text[s:e], (s, e)))


_DE_WORDS = {"ein": 1, "eine": 1, "einer": 1, "einem": 1, "einen": 1, "zwei": 2, "drei": 3,
             "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
             "elf": 11, "zwölf": 12, "zwanzig": 20, "hundert": 100}
_EN_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
             "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "half a": 0.5}


def spelled_scaled(p: Parser) -> None:
    """'eine Million', 'über einer Billion', 'one trillion', 'three billion yuan'."""
    words: Mapping[str, float]
    if p.lang == "de":
        words, scales = _DE_WORDS, DE_SCALES
        scale_re = r"Millionen|Million|Milliarden|Milliarde|Billionen|Billion"
        cur = DE_CURRENCIES
    else:
        words, scales = _EN_WORDS, EN_SCALES
        scale_re = r"million|billion|trillion"
        cur = EN_CURRENCIES
    post = alternation(cur, "cur")
    pat = re.compile(
        r"(?<![\w-])(?P<w>(?i:" + "|".join(sorted(words, key=len, reverse=True)) + r"))\s+"
        rf"(?P<scale>{scale_re})\b(?:\s+{post})?"
    )
    for m in pat.finditer(p.text):
        s, e = span(m)
        if not p.free(s, e):
            continue
        scale = scales[m.group("scale").lower()]
        value = times(Decimal(str(words[m.group("w").lower()])), scale)
        amount = p.text[m.start("w"):m.end("scale")]
        if m.group("cur"):
            q = Quantity("currency", value, p.text[s:e], (s, e), unit=cur[m.group("cur").lower()],
                         scale=scale, amount=amount)
        else:
            q = Quantity("number", value, p.text[s:e], (s, e), scale=scale, amount=amount)
        p.add(q)
