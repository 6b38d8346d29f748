"""What every reader of quantities shares: the Quantity, number formats and their parsing
helpers, Chinese numerals, and the parser that collects non-overlapping matches."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from toolkit.languages import TEXT_LANGUAGES
from toolkit.qa.numbers.tables import (
    DE_MONTHS,
    EN_MONTHS,
    ZH_SCALE_CHARS,
)

QuantityKind = Literal["number", "percent", "currency", "date", "time", "year", "ordinal"]
LANGUAGES = TEXT_LANGUAGES  # whose numbers tk reads

# --- vocabulary ---------------------------------------------------------------------------

def _month_re(months: dict[str, int]) -> str:
    # Full names before abbreviations; only abbreviations carry a dot ("Feb.", "Sept.").
    names = sorted(months, key=len, reverse=True)
    full = "|".join(n.capitalize() for n in names if len(n) > 4 or n in ("mai", "may", "juni", "juli", "june", "july"))
    short = "|".join(n.capitalize() for n in names if not (len(n) > 4 or n in ("mai", "may", "juni", "juli", "june", "july")))
    return rf"(?P<{{g}}>(?:{full})\b|(?:{short})\b\.?)"


DE_MONTH = _month_re(DE_MONTHS)
EN_MONTH = _month_re(EN_MONTHS)

DE_SCALE = (
    r"(?P<{g}>Tausend|Tsd\.|Millionen|Million|Mio\.?|Milliarden|Milliarde|Mrd\.?"
    r"|Billionen|Billion|Bio\.)(?![A-Za-zÄÖÜäöüß])"
)
EN_SCALE = (
    r"(?:\s*(?P<{g}>thousand|million|billion|trillion)\b|(?P<{g}_abbr>k|K|mn|mln|m|M|bn|bln|b|B|tn)"
    r"(?![A-Za-z]))"
)


def alternation(names: dict[str, str], group: str, *, suffix_boundary: bool = True) -> str:
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


def times(d: Decimal, factor: int | None) -> Decimal:
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


def is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and ord(ch) < 0x2E80


# Thousands may also be grouped by a (thin or no-break) space: "10 000", "1 300".
_SPACE_GROUPED = r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?![\d])"
# Swiss German groups with an apostrophe: "110'000".
DE_NUM = (rf"\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?|\d{{1,3}}(?:['’]\d{{3}})+(?:,\d+)?"
           rf"|{_SPACE_GROUPED}(?:,\d+)?|\d+(?:,\d+)?")
EN_NUM = rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|{_SPACE_GROUPED}(?:\.\d+)?|\d+(?:\.\d+)?"
DASH = r"\s*(?:–|—|-|‒|−)\s*"


def to_decimal(surface: str, lang: str) -> Decimal:
    surface = re.sub(r"[ \u00a0\u202f\u2009'’]", "", surface)
    if lang == "de":
        return Decimal(surface.replace(".", "").replace(",", "."))
    return Decimal(surface.replace(",", ""))


_NUMERIC_TOKEN = re.compile(r"\d[\d.,'’]*\d|\d")
_VALID = {
    "de": re.compile(rf"(?:{DE_NUM})$"),
    "en": re.compile(rf"(?:{EN_NUM})$"),
    "zh": re.compile(rf"(?:{EN_NUM})$"),
}


_MONTH_AHEAD = re.compile(r"\s*(?i:" + "|".join(sorted({*DE_MONTHS, *EN_MONTHS}, key=len, reverse=True))
                         + r")\b")


def name_digits(text: str, lang: str) -> list[tuple[int, int]]:
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
        glued_before = is_latin_letter(before) or bool(
            word_before and any(c.isupper() for c in word_before.group()))
        glued_after = is_latin_letter(after) and not _allowed_suffix(text, e, lang)
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
TIER = re.compile(
    r"\s+(?:Pro|Max|Plus|Ultra|Mini|Flash|Turbo|Lite|Nano|Air|Instruct|Chat|Coder|VL|Omni"
    r"|Preview|Thinking)\b"
)
NAME_BEFORE = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Za-z0-9]*\s+$")
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
CN_NUMERAL = "[零〇一二两三四五六七八九十百千万亿]"


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


def scale_product(chars: str) -> int:
    f = 1
    for ch in chars:
        f *= ZH_SCALE_CHARS[ch]
    return f


@dataclass
class Parser:
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


def span(m: re.Match[str]) -> tuple[int, int]:
    s, e = m.span()
    text = m.string
    while e > s and text[e - 1].isspace():
        e -= 1
    while s < e and text[s].isspace():
        s += 1
    return s, e
