"""Quantities in German, English and Chinese text: numbers, percentages, money, dates, times.

A *quantity* is an amount a reader relies on: a plain number, a percentage, a sum of money, a
date, a clock time, a year, an ordinal, or a range of any of these. Parsing is rule based and
language aware:

- German writes ``1.000.000,50`` (thousands dot, decimal comma), ``397 Milliarden`` (10^9) and
  ``1 Billion`` (10^12, an English *trillion*); compounds like ``3-Milliarden-Yuan-Plan`` count.
- English writes ``1,000,000.50``, ``397 billion``, ``$53bn``, ``February 6, 2026``.
- Chinese groups by 万 (10^4) and 亿 (10^8): ``3970亿`` is 397 billion, ``1.55亿`` 155 million.

A number glued to letters (``Qwen3.5``, ``GPT-5.2``, ``H20``, ``810E``) is part of a name, not a
quantity; so is a German ``3.5`` (not a German number format), a number between a product
name and a model tier (``Gemini 3 Pro``), a series after a lone capital (``E 95``) and a code
with a leading zero (``0815``). Units glued to a number keep it a quantity (``35mm``, ``2.4GHz``).
Small counts spelled as words (``drei Stunden``) are not extracted: they are words, and
translators rightly keep them as words (the checker still accepts a digit spelled out).
"""


from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from toolkit.errors import InputError
from toolkit.qa.numbers.tables import (
    DE_CURRENCIES,
    DE_MONTHS,
    DE_SCALES,
    EN_CURRENCIES,
    EN_MONTHS,
    EN_SCALES,
    ZH_CURRENCIES,
    ZH_SCALE_CHARS,
)

QuantityKind = Literal["number", "percent", "currency", "date", "time", "year", "ordinal"]
LANGUAGES = ("de", "en", "zh")

# --- vocabulary ---------------------------------------------------------------------------

def _month_re(months: dict[str, int]) -> str:
    # Full names before abbreviations; only abbreviations carry a dot ("Feb.", "Sept.").
    names = sorted(months, key=len, reverse=True)
    full = "|".join(n.capitalize() for n in names if len(n) > 4 or n in ("mai", "may", "juni", "juli", "june", "july"))
    short = "|".join(n.capitalize() for n in names if not (len(n) > 4 or n in ("mai", "may", "juni", "juli", "june", "july")))
    return rf"(?P<{{g}}>(?:{full})\b|(?:{short})\b\.?)"


_DE_MONTH = _month_re(DE_MONTHS)
_EN_MONTH = _month_re(EN_MONTHS)

_DE_SCALE = (
    r"(?P<{g}>Tausend|Tsd\.|Millionen|Million|Mio\.?|Milliarden|Milliarde|Mrd\.?"
    r"|Billionen|Billion|Bio\.)(?![A-Za-zÄÖÜäöüß])"
)
_EN_SCALE = (
    r"(?:\s*(?P<{g}>thousand|million|billion|trillion)\b|(?P<{g}_abbr>k|K|mn|mln|m|M|bn|bln|b|B|tn)"
    r"(?![A-Za-z]))"
)


def _alternation(names: dict[str, str], group: str, *, suffix_boundary: bool = True) -> str:
    parts = []
    for name in sorted(names, key=len, reverse=True):
        p = re.escape(name)
        if suffix_boundary and name[-1].isalpha():
            p += r"(?![A-Za-zÄÖÜäöüß])"
        parts.append(p)
    return rf"(?P<{group}>(?i:" + "|".join(parts) + "))"


# --- the data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    """One quantity found in a text.

    ``value`` is the full amount (``397 Milliarden`` -> 397000000000), the low end of a range,
    or the day of a date (None for a month-and-year date). ``scale`` is the factor of the scale
    word the text used (10^9 for "Milliarden", 10^8 for 亿), so renderings can keep it.
    ``unit`` is an ISO 4217 code for money, ``"%"`` or ``"pp"`` (percentage points) for percents.
    ``span`` indexes the text as given (full-width digits count as one character, like ASCII).
    """

    kind: QuantityKind
    value: Decimal | None
    surface: str
    span: tuple[int, int]
    high: Decimal | None = None
    unit: str | None = None
    scale: int | None = None
    month: int | None = None
    year: int | None = None
    amount: str = ""  # the number as written, scale word included, unit left out ("3 Milliarden")

    @property
    def is_range(self) -> bool:
        return self.high is not None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "surface": self.surface}
        if self.value is not None:
            d["value"] = plain(self.value)
        if self.high is not None:
            d["high"] = plain(self.high)
        for key in ("unit", "month", "year"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        return d


def plain(d: Decimal) -> str:
    """A Decimal as positional digits, keeping its written precision ("135.80", "397000000000")."""
    return format(d, "f")


def norm(d: Decimal) -> str:
    """A Decimal without trailing zeros, never in exponent form ("3970", "1.55")."""
    return format(d.normalize(), "f")


def _times(d: Decimal, factor: int | None) -> Decimal:
    """``d`` scaled; a scaled amount keeps no meaningless decimals (0,5 Millionen -> 500000)."""
    if not factor or factor == 1:
        return d
    x = (d * factor).normalize()
    return x.quantize(Decimal(1)) if x == x.to_integral_value() else x


# --- parsing helpers ----------------------------------------------------------------------

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0xFFE5: "¥"}


def fold(text: str) -> str:
    """Full-width ASCII (３，％) to ASCII, one character for one so spans stay valid."""
    return text.translate(_FULLWIDTH)


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and ord(ch) < 0x2E80


# Thousands may also be grouped by a (thin or no-break) space: "10 000", "1 300".
_SPACE_GROUPED = r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?![\d])"
# Swiss German groups with an apostrophe: "110'000".
_DE_NUM = (rf"\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?|\d{{1,3}}(?:['’]\d{{3}})+(?:,\d+)?"
           rf"|{_SPACE_GROUPED}(?:,\d+)?|\d+(?:,\d+)?")
_EN_NUM = rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|{_SPACE_GROUPED}(?:\.\d+)?|\d+(?:\.\d+)?"
_DASH = r"\s*(?:–|—|-|‒|−)\s*"


def _to_decimal(surface: str, lang: str) -> Decimal:
    surface = re.sub(r"[ \u00a0\u202f\u2009'’]", "", surface)
    if lang == "de":
        return Decimal(surface.replace(".", "").replace(",", "."))
    return Decimal(surface.replace(",", ""))


_NUMERIC_TOKEN = re.compile(r"\d[\d.,'’]*\d|\d")
_VALID = {
    "de": re.compile(rf"(?:{_DE_NUM})$"),
    "en": re.compile(rf"(?:{_EN_NUM})$"),
    "zh": re.compile(rf"(?:{_EN_NUM})$"),
}


_MONTH_AHEAD = re.compile(r"\s*(?i:" + "|".join(sorted({*DE_MONTHS, *EN_MONTHS}, key=len, reverse=True))
                         + r")\b")


def _name_digits(text: str, lang: str) -> list[tuple[int, int]]:
    """Spans of digit runs that belong to names or versions, not quantities.

    Glued to a letter before ("Qwen3.5", "H20", "GPT-5.2", "GLM-5") or after ("810E", "3D"),
    or written in a format the language does not use for numbers (German "3.5", "2.0").
    """
    spans = []
    for m in _NUMERIC_TOKEN.finditer(text):
        s, e = m.span()
        before = text[s - 1] if s else ""
        after = text[e] if e < len(text) else ""
        # "GPT-5", "GLM-5", "COVID-19" are names; "mid-2019", "pre-2020" are not.
        word_before = re.search(r"[A-Za-z]+$", text[: s - 1]) if before == "-" else None
        glued_before = _is_latin_letter(before) or bool(
            word_before and any(c.isupper() for c in word_before.group()))
        glued_after = _is_latin_letter(after) and not _allowed_suffix(text, e, lang)
        # A lone capital letter before the number names a series: "E 95" (a locomotive),
        # "A 380"; English "A" and "I" are words, so only other letters count there.
        letter = re.search(r"(?<![\w.])([A-Z])[ \u00a0]$", text[max(0, s - 3):s])
        series = letter is not None and (lang == "de" or letter.group(1) not in "AI")
        # "01" in "E 95 01", "0815": a leading zero makes a code, unless a date or time goes on
        # ("07. Februar", "07:19", "02月").
        code = (len(m.group()) > 1 and m.group()[0] == "0" and m.group()[1].isdigit()
                and after not in ".:" and not (after and ord(after) >= 0x2E80)
                and not _MONTH_AHEAD.match(text, e))
        if glued_before or glued_after or series or code or not _VALID[lang].match(m.group()):
            spans.append((s, e))
    return spans


_EN_SUFFIX = re.compile(r"(?:st|nd|rd|th|k|K|mn|mln|m|M|bn|bln|b|B|tn|am|pm|a\.m\.|p\.m\.)(?![A-Za-z])")
_DE_SUFFIX = re.compile(r"(?:Mio|Mrd|Tsd)\b")
# Measurement units written against the number ("35mm", "2.4GHz", "70km/h") keep it a quantity.
# Case matters: "5G" and "3D" are names, "5g" is five grams.
_UNIT_SUFFIX = re.compile(
    r"(?:mm|cm|km/h|km|m|kg|mg|g|t|l|ml|GHz|Ghz|MHz|Mhz|kHz|Hz|TB|GB|MB|KB|kB|Gbit|Mbit|kbit"
    r"|Gbps|Mbps|kbps|kWh|MWh|GWh|TWh|kW|MW|GW|W|V|mAh|nm|h|min|ms|mph|ft|mi|lbs|lb|oz)(?![A-Za-z])"
)


def _allowed_suffix(text: str, end: int, lang: str) -> bool:
    """Letters glued after a number that still make it a quantity ("1st", "$53bn", "35mm")."""
    if _UNIT_SUFFIX.match(text, end):
        return True
    if lang == "en":
        return bool(_EN_SUFFIX.match(text, end))
    if lang == "de":
        return bool(_DE_SUFFIX.match(text, end))
    return False


# A bare number between a product name and a model tier is a model name ("Gemini 3 Pro").
_TIER = re.compile(
    r"\s+(?:Pro|Max|Plus|Ultra|Mini|Flash|Turbo|Lite|Nano|Air|Instruct|Chat|Coder|VL|Omni"
    r"|Preview|Thinking)\b"
)
_NAME_BEFORE = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Za-z0-9]*\s+$")
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_CN_NUMERAL = "[零〇一二两三四五六七八九十百千万亿]"


def cn_to_int(s: str) -> int:
    """Chinese numerals to an int: 三十亿 -> 3000000000, 一万亿 -> 10^12, 二〇二五 -> 2025."""
    if all(ch in _CN_DIGIT for ch in s):
        return int("".join(str(_CN_DIGIT[ch]) for ch in s))
    total = section = digit = 0
    for ch in s:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        elif ch in "十百千":
            section += (digit or 1) * ZH_SCALE_CHARS[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10**4
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 10**8
            section = digit = 0
    return total + section + digit


def _scale_product(chars: str) -> int:
    f = 1
    for ch in chars:
        f *= ZH_SCALE_CHARS[ch]
    return f


@dataclass
class _Parser:
    """Collects non-overlapping matches; patterns tried earlier claim their span first."""

    text: str
    lang: str
    found: list[Quantity] = field(default_factory=list)
    taken: list[tuple[int, int]] = field(default_factory=list)

    def free(self, s: int, e: int) -> bool:
        return all(e <= ts or s >= te for ts, te in self.taken)

    def claim(self, s: int, e: int) -> None:
        self.taken.append((s, e))

    def add(self, q: Quantity) -> None:
        self.found.append(q)
        self.claim(*q.span)


def _span(m: re.Match[str]) -> tuple[int, int]:
    s, e = m.span()
    text = m.string
    while e > s and text[e - 1].isspace():
        e -= 1
    while s < e and text[s].isspace():
        s += 1
    return s, e


def _date(p: _Parser, m: re.Match[str], months: dict[str, int] | None) -> None:
    s, e = _span(m)
    if not p.free(s, e):
        return
    g = m.groupdict()
    month_s = g.get("month") or ""
    if months is not None:
        month = months.get(month_s.rstrip(".").lower())
    else:
        month = _cn_or_int(month_s)
    day = _cn_or_int(g.get("day")) if g.get("day") else None
    day2 = _cn_or_int(g.get("day2")) if g.get("day2") else None
    year = _cn_or_int(g.get("year")) if g.get("year") else None
    if month is None or not 1 <= month <= 12:
        return
    if day is not None and not 1 <= day <= 31 or day2 is not None and not 1 <= day2 <= 31:
        return
    p.add(Quantity(
        "date", Decimal(day) if day is not None else None, m.string[s:e], (s, e),
        high=Decimal(day2) if day2 is not None else None, month=month, year=year,
    ))


_TIME_WORDS_PM = ("下午", "晚上", "傍晚", "晚", "夜间", "深夜", "中午")
_TIME_WORDS_AM = ("上午", "早上", "凌晨", "清晨", "早")
_TIMES = {
    # "22:08 Uhr", "12.00 Uhr", "10 Uhr"; German clock times are 24-hour
    "de": [re.compile(r"(?<![\d.,:])(?P<h>\d{1,2}):(?P<m>\d{2})(?![\d:]|[.,]\d)(?:\s*Uhr\b)?"),
           re.compile(r"(?<![\d.,:])(?P<h>\d{1,2})\.(?P<m>\d{2})\s*Uhr\b"),
           re.compile(r"(?<![\d.,:])(?P<h>\d{1,2})\s*Uhr\b")],
    # "10:08 p.m.", "10am", "15.00 UTC", "07:19"
    "en": [re.compile(r"(?<![\d.,:])(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*"
                      r"(?P<ampm>[ap]\.m\.|[ap]m\b|[AP]M\b)"),
           re.compile(r"(?<![\d.,:])(?P<h>\d{1,2}):(?P<m>\d{2})(?![\d:]|[.,]\d)"),
           re.compile(r"(?<![\d.,:])(?P<h>\d{1,2})\.(?P<m>\d{2})(?=\s*(?:GMT|UTC|CET|CEST|EST|EDT|PST|PDT)\b)")],
    # "晚上 10 点 08 分", "12 时许", "10:08", "上午 10 点半"
    "zh": [re.compile(r"(?P<ampm>上午|早上|凌晨|清晨|中午|下午|傍晚|晚上|夜间|深夜|早|晚)?\s*"
                      r"(?P<h>\d{1,2})\s*(?:[:：]\s*(?P<m>\d{2})|点\s*(?:(?P<m2>\d{1,2})\s*分|(?P<half>半))?"
                      r"|时\s*(?:(?P<m3>\d{1,2})\s*分)?)"),
           re.compile(r"(?<![\d.,:])(?P<h>\d{1,2})\.(?P<m>\d{2})(?=\s*(?:GMT|UTC|CET|CEST|EST|EDT|PST|PDT)\b)")],
}


_CLOCK_BEFORE = {
    "de": re.compile(r"\b(?:um|gegen|ab|bis|seit|vor|nach|zwischen|von)\s+$", re.IGNORECASE),
    "en": re.compile(r"\b(?:at|by|until|till|before|after|around|about|approximately|since)\s+$",
                     re.IGNORECASE),
    "zh": re.compile(r"(?:于|在|至|到)\s*$"),
}
_CLOCK_AFTER = re.compile(r"\s*(?:Uhr|GMT|UTC|CET|CEST|MEZ|MESZ|EST|EDT|PST|PDT|Ortszeit|local time"
                          r"|hours|h\b|点|时)")


def _clock_context(text: str, s: int, e: int, lang: str) -> bool:
    """Whether "H:MM" (or "H Uhr") is a clock time: a time word after it or a time preposition
    before it; "zum 15:15" and "4:1" are scores."""
    return bool(_CLOCK_AFTER.match(text, e) or text[s:e].endswith(("Uhr", "点", "时", "分", "半"))
                or _CLOCK_BEFORE[lang].search(text[:s]))


def _clock_times(p: _Parser, names: list[tuple[int, int]]) -> None:
    """Clock times, as minutes after midnight. Without a.m./p.m. (or 上午/下午) a time up to 12
    could be either half of the day: its unit is "12h" and it matches both."""
    for pat in _TIMES[p.lang]:
        for m in pat.finditer(p.text):
            s, e = _span(m)
            if any(ns <= s < ne for ns, ne in names) or not p.free(s, e):
                continue
            g = m.groupdict()
            if not (g.get("ampm") or _clock_context(p.text, s, e, p.lang)):
                continue  # "15:15", "4:1": a score or a ratio, read as two numbers
            h = int(g["h"])
            minute = int(g.get("m") or g.get("m2") or g.get("m3") or (30 if g.get("half") else 0))
            ampm = (g.get("ampm") or "").lower()
            if ampm.startswith("p") or ampm in _TIME_WORDS_PM:
                h = h + 12 if h < 12 and ampm != "中午" else h
            elif (ampm.startswith("a") or ampm in _TIME_WORDS_AM) and h == 12:
                h = 0
            if h > 24 or minute > 59:
                continue
            clock = "24h" if ampm or p.lang == "de" or h == 0 or h > 12 else "12h"
            p.add(Quantity("time", Decimal(h * 60 + minute), p.text[s:e], (s, e), unit=clock))


_COORDINATED = {
    # "am 2. und 5. Oktober": the first day borrows the month of the second
    "de": re.compile(r"(?<![\d.,])(?P<day>\d{1,2})\.\s*(?:und|oder|sowie|,)\s*(?=\d{1,2}\.\s*"
                     + _DE_MONTH.format(g="month") + ")"),
    # "October 2 and 5": the second day borrows the month of the first
    "en": re.compile(_EN_MONTH.format(g="month") + r"\s+\d{1,2}(?:st|nd|rd|th)?\s*(?:,|and|or|&)\s*"
                     r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?![.,]\d|\s*(?:%|percent))"),
}


def _coordinated_days(p: _Parser) -> None:
    pat = _COORDINATED.get(p.lang)
    if pat is None:
        return
    months = DE_MONTHS if p.lang == "de" else EN_MONTHS
    for m in pat.finditer(p.text):
        s, e = m.span("day")
        if p.lang == "de":
            e = m.end("day") + 1  # the day's dot
        month = months[m.group("month").rstrip(".").lower()]
        if p.free(s, e) and 1 <= int(m.group("day")) <= 31:
            p.add(Quantity("date", Decimal(int(m.group("day"))), p.text[s:e], (s, e), month=month))


_RANGE_GAP = re.compile(r"\s*(?:bis(?: zum)?|–|—|-|to|through|until|至|到|~)\s*$")


def _inherit_years(p: _Parser) -> None:
    """A range across months states its year once ("24. August bis 5. September 2021",
    "2021年8月24日至9月5日"): both dates get it."""
    dates = sorted((q for q in p.found if q.kind == "date"), key=lambda q: q.span)
    for a, b in zip(dates, dates[1:]):
        if not _RANGE_GAP.match(p.text[a.span[1]:b.span[0]]) or (a.year is None) == (b.year is None):
            continue
        year = a.year or b.year
        for q in (a, b):
            if q.year is None:
                p.found[p.found.index(q)] = Quantity(
                    q.kind, q.value, q.surface, q.span, high=q.high, month=q.month, year=year)


def _cn_or_int(s: str | None) -> int | None:
    if s is None:
        return None
    return int(s) if s.isdigit() else cn_to_int(s)


# --- per-language patterns ----------------------------------------------------------------

_DE_DAY = r"(?P<day>\d{1,2})\."
_DE_DATES = [
    # "vom 24. bis 26. September 2025", "24.–26. September"
    re.compile(rf"{_DE_DAY}\s*(?:bis(?:\s+zum)?|–|—|-)\s*(?P<day2>\d{{1,2}})\.\s*{_DE_MONTH.format(g='month')}"
               rf"(?:\s*,?\s*(?P<year>\d{{4}})(?!\d))?"),
    # "6. Februar", "21. Februar, 2026", "18. November 2025"
    re.compile(rf"(?<![\d.,]){_DE_DAY}\s*{_DE_MONTH.format(g='month')}(?:\s*,?\s*(?P<year>\d{{4}})(?!\d))?"),
    # "Februar 2026"
    re.compile(rf"{_DE_MONTH.format(g='month')}\s+(?P<year>\d{{4}})(?!\d)"),
]
_EN_ORD = r"(?:st|nd|rd|th)?"
_EN_DATES = [
    # "September 24–26, 2025", "February 21, 2026", "February 6", "Feb. 6th", "September 24 to 26"
    re.compile(rf"{_EN_MONTH.format(g='month')}\s+(?P<day>\d{{1,2}}){_EN_ORD}(?!\d)"
               rf"(?:\s*(?:–|—|-|to|through)\s*(?P<day2>\d{{1,2}}){_EN_ORD}(?![\d,.]\d))?"
               rf"(?:,?\s+(?P<year>\d{{4}})(?!\d))?"),
    # "6 February 2026", "24–26 September 2025", "6th of February", "the 14th to the 16th of
    # August", "4th or 5th of September" (two days read as a range; they match either way)
    re.compile(rf"(?<![\d.,])(?P<day>\d{{1,2}}){_EN_ORD}(?:\s*(?:–|—|-|to|and|or)\s*(?:the\s+)?"
               rf"(?P<day2>\d{{1,2}}){_EN_ORD})?"
               rf"\s+(?:of\s+)?{_EN_MONTH.format(g='month')}(?:,?\s+(?P<year>\d{{4}})(?!\d))?"),
    re.compile(rf"{_EN_MONTH.format(g='month')}\s+(?P<year>\d{{4}})(?!\d)"),
]
_ZH_DN = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
_ZH_DATES = [
    # "2025年9月24日至26日", "9月24日-26日", "9月24-26日", "2月6日", "2026年2月21日"
    re.compile(rf"(?:(?P<year>\d{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*)?(?P<month>{_ZH_DN})\s*月\s*"
               rf"(?P<day>{_ZH_DN})\s*(?:日|号)?\s*(?:(?:至|到|–|—|-|~|～)\s*(?P<day2>{_ZH_DN})\s*(?:日|号))"),
    re.compile(rf"(?:(?P<year>\d{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*)?(?P<month>{_ZH_DN})\s*月\s*"
               rf"(?P<day>{_ZH_DN})\s*(?:日|号)"),
    re.compile(rf"(?P<year>\d{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*(?P<month>{_ZH_DN})\s*月(?!\s*\d)"),
]


def _amount_re(lang: str, ranges: bool) -> re.Pattern[str]:
    """Number, optional range end, scale word and unit, with a currency in front or behind."""
    if lang == "de":
        num, scale = _DE_NUM, _DE_SCALE
        cur = DE_CURRENCIES
        pct = r"%|Prozentpunkte?n?(?![a-zäöü])|Prozent(?![a-zäöü])"
        range_word = r"(?:" + _DASH + r"|\s+bis\s+)"
        sep = r"\s*-?\s*"  # "3 Milliarden", "3-Milliarden-Yuan-Plan"
    else:
        num, scale = _EN_NUM, _EN_SCALE
        cur = EN_CURRENCIES
        pct = r"%|percentage points?\b|per ?cent\b|pp\b"
        range_word = r"(?:" + _DASH + r"|\s+to\s+)"
        sep = r"(?:\s*|-)"  # "50 percent", "50-percent share"
    # Only symbols and codes go in front ("€135.80", "US$53 billion", "USD 200").
    pre = {k: v for k, v in cur.items() if not k.isalpha() or k.isupper() or len(k) == 3}
    pre_re = _alternation(pre, "pre", suffix_boundary=True)
    pre2_re = _alternation(pre, "pre2", suffix_boundary=True)
    post_re = _alternation(cur, "cur", suffix_boundary=True)
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


def _amount_matches(pattern: re.Pattern[str], single: re.Pattern[str], text: str,
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


def _amounts_latin(p: _Parser, names: list[tuple[int, int]]) -> None:
    lang, text = p.lang, p.text
    cur_table = DE_CURRENCIES if lang == "de" else EN_CURRENCIES
    for m in _amount_matches(_amount_pattern(lang), _amount_pattern(lang, ranges=False), text,
                             _latin_consistent):
        g = m.groupdict()
        ls, le = m.span("low")
        if any(s <= ls < e for s, e in names):
            continue
        if g["high"] and any(s <= m.start("high") < e for s, e in names):
            continue  # "H100- oder H200": the range end is a name
        s, e = _span(m)
        if not p.free(s, e):
            continue
        money = bool(g.get("cur") or g.get("pre") or g.get("pre2"))
        low_scale = _group_scale(g, "low_scale", lang, money)
        scale = _group_scale(g, "scale", lang, money)
        if g["high"] is None and low_scale is None:
            low_scale = scale
        elif g["high"] is not None and low_scale is None:
            low_scale = scale  # "8–10 Milliarden": the scale applies to both ends
        low = _times(_to_decimal(g["low"], lang), low_scale)
        high = _times(_to_decimal(g["high"], lang), scale) if g["high"] else None
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
            if _is_product_number(text, m, g, used_scale, lang):
                continue
            kind: QuantityKind = "number"
            if used_scale is None and _looks_like_year(g["low"]) and (
                g["high"] is None or _looks_like_year(g["high"])
            ):
                kind = "year"
            q = Quantity(kind, low, surface, (s, e), high=high, scale=used_scale, amount=amount)
        p.add(q)


def _looks_like_year(s: str) -> bool:
    return s.isdigit() and len(s) == 4 and 1900 <= int(s) <= 2100


def _is_product_number(text: str, m: re.Match[str], g: dict[str, Any], scale: int | None,
                       lang: str) -> bool:
    """A bare number after a capitalized name and before a tier ("Gemini 3 Pro"), or a bare
    decimal right after a name ("Qwen 3.5", "Doubao 2.0") is part of that name."""
    if scale is not None or g["high"] is not None:
        return False
    before = text[: m.start("low")]
    if not _NAME_BEFORE.search(before) or before.rstrip().split()[-1].lower() in _NOT_NAMES:
        return False
    if _TIER.match(text, m.end("low")):
        return True
    return lang != "de" and "." in g["low"] and "," not in g["low"]


_NOT_NAMES = {"the", "in", "on", "at", "by", "of", "to", "from", "and", "or", "about", "over",
              "up", "down", "rose", "fell", "with", "for", "some", "nearly", "almost", "around",
              "since", "until", "platz", "seit", "bis", "um", "auf", "von", "mit", "im", "am"}


def _ordinals_de(p: _Parser, names: list[tuple[int, int]]) -> None:
    # "4. Reifephase", "im 3. Quartal": 1-3 digits and a dot before a word. (Four digits and a dot
    # end a sentence with a year: "seit 2021. Für ...".)
    for m in re.finditer(r"(?<![\d.,])(\d{1,3})\.(?=\s+[^\W\d_])", p.text):
        s, e = m.span()
        if any(ns <= s < ne for ns, ne in names) or not p.free(s, e):
            continue
        if s > 0 and _is_latin_letter(p.text[s - 1]):
            continue
        p.add(Quantity("ordinal", Decimal(m.group(1)), m.group(), (s, e)))


def _ordinals_en(p: _Parser, names: list[tuple[int, int]]) -> None:
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


def _spelled_scaled(p: _Parser) -> None:
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
    post = _alternation(cur, "cur")
    pat = re.compile(
        r"(?<![\w-])(?P<w>(?i:" + "|".join(sorted(words, key=len, reverse=True)) + r"))\s+"
        rf"(?P<scale>{scale_re})\b(?:\s+{post})?"
    )
    for m in pat.finditer(p.text):
        s, e = _span(m)
        if not p.free(s, e):
            continue
        scale = scales[m.group("scale").lower()]
        value = _times(Decimal(str(words[m.group("w").lower()])), scale)
        amount = p.text[m.start("w"):m.end("scale")]
        if m.group("cur"):
            q = Quantity("currency", value, p.text[s:e], (s, e), unit=cur[m.group("cur").lower()],
                         scale=scale, amount=amount)
        else:
            q = Quantity("number", value, p.text[s:e], (s, e), scale=scale, amount=amount)
        p.add(q)


def _zh_amounts(p: _Parser, names: list[tuple[int, int]]) -> None:
    text = p.text
    cur = _alternation(ZH_CURRENCIES, "cur", suffix_boundary=False)
    # Symbols (and 人民币) also go in front: "$400", "人民币30亿元".
    in_front = {k: v for k, v in ZH_CURRENCIES.items() if k in ("人民币", "$", "US$", "€", "£", "¥", "HK$")}
    pre = _alternation(in_front, "pre", suffix_boundary=False)
    num = rf"(?:{_EN_NUM})"
    cn = rf"{_CN_NUMERAL}+"
    scale = r"[十百千万亿]*"
    # 百分之六十, 百分之6.22
    for m in re.finditer(rf"百分之(?P<n>{num}|{cn})", text):
        s, e = m.span()
        if p.free(s, e):
            p.add(Quantity("percent", _zh_value(m.group("n"), ""), m.group(), (s, e), unit="%"))
    # 第3, 第三
    for m in re.finditer(r"第\s*(?P<n>\d+|[一二三四五六七八九十百]+)", text):
        if p.free(*m.span()) and not any(s <= m.start("n") < e for s, e in names):
            p.add(Quantity("ordinal", _zh_value(m.group("n"), ""), m.group(), m.span()))
    # Typeset Chinese puts spaces around digits ("400 万"); 多/余 mark a rounded figure ("400多万").
    single = (rf"(?:{pre}\s?)?(?P<low>{num}|{cn})(?:\s*[多余])?\s*(?P<low_scale>{scale})"
              rf"\s*(?P<low_unit>%|个百分点|{_alternation(ZH_CURRENCIES, 'low_cur', suffix_boundary=False)})?")
    range_end = (rf"(?:\s*(?:–|—|-|‒|~|～|至|到)\s*"
                 rf"(?:{_alternation({'$': '', 'US$': '', '€': '', '¥': ''}, 'pre2', suffix_boundary=False)}\s?)?"
                 rf"(?P<high>{num}|{cn})(?:\s*[多余])?\s*(?P<high_scale>{scale}))?")
    unit = rf"\s*(?P<unit>%|个百分点|{cur})?"
    no_range = r"(?P<pre2>(?!))?(?P<high>(?!))?(?P<high_scale>(?!))?"
    pat, single_pat = re.compile(single + range_end + unit), re.compile(single + no_range + unit)

    def consistent(m: re.Match[str]) -> bool:
        low_u, u = m.group("low_unit"), m.group("unit")
        return not (low_u and u and low_u != u) and not (low_u and m.group("pre2"))

    for m in _amount_matches(pat, single_pat, text, consistent):
        g = m.groupdict()
        ls = m.start("low")
        if any(s <= ls < e for s, e in names):
            continue
        low_s, high_s = g["low"], g["high"]
        is_cn = not low_s[0].isdigit()
        unit_s = g["unit"] or g["low_unit"] or ""
        # A Chinese numeral is a quantity only with a scale or unit (三十亿, 五个百分点); a lone
        # 一 is everywhere in ordinary words.
        if is_cn and not (g["low_scale"] or unit_s or any(c in low_s for c in "万亿")):
            continue
        if is_cn and len(low_s) == 1 and low_s in "一两" and not g["low_scale"] and unit_s in ("元", "块"):
            continue  # 一元化, 两块: not money
        s, e = _span(m)
        if not p.free(s, e):
            continue
        # "3至5亿": the scale of the upper end applies to both, unless the lower end has its
        # own unit ("2,500日元到13万日元").
        low_scale = g["low_scale"] or ("" if g["low_unit"] else g["high_scale"] or "")
        low = _zh_value(low_s, low_scale)
        high = _zh_value(high_s, g["high_scale"] or low_scale) if high_s else None
        scale_chars = (g["high_scale"] if high_s else "") or g["low_scale"]
        scale_f = _scale_product(scale_chars) if scale_chars and not is_cn else None
        if is_cn and any(c in low_s for c in "万亿"):
            scale_f = 10**8 if "亿" in low_s else 10**4
        surface = text[s:e]
        amount = text[m.start("low"):m.end("high_scale") if high_s else m.end("low_scale")]
        year_suffix = bool(re.match(r"\s*年", text[e:])) and not scale_chars and not unit_s
        if unit_s in ("%", "个百分点"):
            q = Quantity("percent", low, surface, (s, e), high=high,
                         unit="pp" if unit_s == "个百分点" else "%", scale=scale_f, amount=amount)
        elif unit_s or g.get("pre"):
            code = ZH_CURRENCIES[unit_s or g["pre"]]
            q = Quantity("currency", low, surface, (s, e), high=high, unit=code, scale=scale_f,
                         amount=amount)
        else:
            if _is_product_number(text, m, g, scale_f, "zh"):
                continue
            kind: QuantityKind = "number"
            if not scale_chars and (year_suffix or _looks_like_year(low_s)) and (
                high_s is None or _looks_like_year(high_s) or year_suffix
            ):
                kind = "year"
                if year_suffix:
                    e = text.index("年", e) + 1
                    surface = text[s:e]
            q = Quantity(kind, low, surface, (s, e), high=high, scale=scale_f, amount=amount)
        p.add(q)


def _zh_value(s: str, scale_chars: str) -> Decimal:
    base = _to_decimal(s, "zh") if s[0].isdigit() else Decimal(cn_to_int(s))
    return _times(base, _scale_product(scale_chars))


def extract_numbers(text: str, lang: str) -> list[Quantity]:
    """Every quantity in ``text`` (German, English or Chinese), in reading order."""
    if lang not in LANGUAGES:
        raise InputError(f"cannot read numbers in {lang!r}; use one of: {', '.join(LANGUAGES)}")
    text = fold(text)
    p = _Parser(text, lang)
    names = _name_digits(text, lang)
    dates = {"de": _DE_DATES, "en": _EN_DATES, "zh": _ZH_DATES}[lang]
    months = {"de": DE_MONTHS, "en": EN_MONTHS, "zh": None}[lang]
    for pat in dates:
        for m in pat.finditer(text):
            if not any(s <= m.start() < e for s, e in names):
                _date(p, m, months)
    _coordinated_days(p)
    _inherit_years(p)
    _clock_times(p, names)
    if lang == "de":
        for m in re.finditer(r"(?<![\d.,/])(?P<month>\d{1,2})/(?P<year>\d{4})(?![\d/])", text):
            if p.free(*m.span()) and 1 <= int(m.group("month")) <= 12:
                p.add(Quantity("date", None, m.group(), m.span(), month=int(m.group("month")),
                               year=int(m.group("year"))))
        _ordinals_de(p, names)
    if lang == "en":
        _ordinals_en(p, names)
    if lang == "zh":
        _zh_amounts(p, names)
    else:
        _spelled_scaled(p)
        _amounts_latin(p, names)
    return sorted(p.found, key=lambda q: q.span)




__all__ = ["LANGUAGES", "Quantity", "QuantityKind", "extract_numbers"]
