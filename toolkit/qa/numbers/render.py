"""Writing numbers as a target language does, and the hints that ask a model for them.

Which renderings are forced (:func:`number_hints`): only the number itself where the target
must transform it - a scale word (``397 billion``, ``3970亿``), a decimal comma or thousands dot
(``135.80``, ``90,000``). Units, dates, times, ranges and years are checked but not forced: each
has several correct renderings (``€135.80`` / ``135.80 euros``; ``February 6`` / ``6 February``)
and forcing one form at decoding time would fight the model's grammar for no gain in accuracy.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import lru_cache

from toolkit.errors import InputError
from toolkit.glossary.model import TermHint
from toolkit.qa.numbers.base import LANGUAGES, Quantity, norm, plain
from toolkit.qa.numbers.parse import extract_numbers
from toolkit.qa.numbers.tables import (
    DE_CURRENCY,
    DE_SCALE_WORDS,
    EN_CURRENCY_SUFFIX,
    EN_SCALE_WORDS,
    ZH_CURRENCY,
    ZH_SCALE_WORDS,
)


def _group_digits(digits: str, lang: str) -> str:
    """Thousands separators: "90000" -> "90,000" (en) / "90.000" (de); decimals kept."""
    thousands, point = (".", ",") if lang == "de" else (",", ".")
    whole, _, frac = digits.partition(".")
    if len(whole) > 4 or (len(whole) == 4 and lang != "zh"):
        whole = f"{int(whole):,}".replace(",", thousands)
    return whole + (point + frac if frac else "")


def _scale_for(q: Quantity, value: Decimal, lang: str) -> int | None:
    """The scale a rendering in ``lang`` uses for ``value``; None for plain digits."""
    if q.kind not in ("number", "currency"):
        return None  # percentages, years, ordinals are written out
    if lang == "zh":
        for f in (10**12, 10**8, 10**4):
            if abs(value) >= f:
                mantissa = (value / f).normalize()
                decimals = max(0, -mantissa.as_tuple().exponent)  # type: ignore[operator]
                return f if q.scale or decimals <= 2 else None
        return None
    if q.scale is None:
        return None
    if q.scale in EN_SCALE_WORDS:
        return q.scale
    # A Chinese 万/亿 scale: the largest Western scale word that fits (1.55亿 -> 155 million).
    for f in (10**12, 10**9, 10**6):
        if abs(value) >= f:
            return f
    return None


def _amount_text(q: Quantity, lang: str) -> str:
    """The number and its scale word in ``lang``, range included, without a unit."""
    assert q.value is not None
    top = q.high if q.high is not None else q.value
    f = _scale_for(q, top, lang)

    def digits(d: Decimal) -> str:
        if f is None:
            return _group_digits(plain(d), lang)
        mantissa = norm(d / f)
        return mantissa if lang == "zh" else _group_digits(mantissa, lang)

    text = digits(q.value)
    if q.high is not None:
        text += "–" + digits(q.high)
    if f is None:
        return text
    if lang == "en":
        return f"{text} {EN_SCALE_WORDS[f]}"
    if lang == "zh":
        return text + ZH_SCALE_WORDS[f]
    one, many = DE_SCALE_WORDS[f]
    return f"{text} {one if top == f else many}"


def _ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def render_quantity(q: Quantity, target_lang: str) -> str:
    """The canonical way to write ``q`` in ``target_lang`` ("en", "zh" or "de").

    397 Milliarden -> "397 billion" / "3970亿"; 135,80 € -> "€135.80" / "135.80欧元";
    6. Februar -> "February 6" / "2月6日".
    """
    if target_lang not in LANGUAGES:
        raise InputError(f"cannot write numbers in {target_lang!r}; use one of: {', '.join(LANGUAGES)}")
    lang = target_lang
    if q.kind == "date":
        return _render_date(q, lang)
    assert q.value is not None
    if q.kind == "time":
        h, minute = divmod(int(q.value), 60)
        if lang == "en" and q.unit == "24h":
            return f"{(h - 1) % 12 + 1}:{minute:02d} {'a.m.' if h < 12 else 'p.m.'}"
        return f"{h}:{minute:02d}" + (" Uhr" if lang == "de" else "")
    if q.kind == "year":
        years = str(q.value) + (f"–{q.high}" if q.high is not None else "")
        return years + "年" if lang == "zh" else years
    if q.kind == "ordinal":
        n = int(q.value)
        return {"en": _ordinal_en(n), "zh": f"第{n}", "de": f"{n}."}[lang]
    amount = _amount_text(q, lang)
    if q.kind == "percent":
        if q.unit == "pp":
            return {"en": f"{amount} percentage points", "zh": f"{amount}个百分点",
                    "de": f"{amount} Prozentpunkte"}[lang]
        if lang == "zh" and q.high is not None:
            low, high = amount.split("–", 1)
            return f"{low}%–{high}%"
        return f"{amount}%"
    if q.kind == "currency":
        code = q.unit or ""
        if lang == "en":
            if code in EN_SYMBOL_CURRENCIES:
                return currency_symbol(code) + amount
            if code in EN_CURRENCY_SUFFIX:
                return f"{amount} {EN_CURRENCY_SUFFIX[code]}"
            return f"{code} {amount}"
        if lang == "zh":
            return "¥" + amount if code == "¥" else amount + ZH_CURRENCY.get(code, code)
        return f"{amount} {DE_CURRENCY.get(code, code)}"
    return amount


def _render_date(q: Quantity, lang: str) -> str:
    assert q.month is not None
    day = int(q.value) if q.value is not None else None
    day2 = int(q.high) if q.high is not None else None
    if day2 is None and (day is not None or q.year):
        if written := babel_date(q.year, q.month, day, lang):
            return written
    if lang == "zh":
        text = f"{q.year}年" if q.year else ""
        text += f"{q.month}月"
        if day is not None:
            text += f"{day}日" + (f"至{day2}日" if day2 is not None else "")
        return text
    month = month_name(q.month, lang)
    if lang == "de":
        days = "" if day is None else f"{day}." + (f"–{day2}." if day2 is not None else "") + " "
        return f"{days}{month}" + (f" {q.year}" if q.year else "")
    if day is None:
        return f"{month} {q.year}" if q.year else month
    text = f"{month} {day}" + (f"–{day2}" if day2 is not None else "")
    return text + (f", {q.year}" if q.year else "")


# --- what Babel (CLDR) writes the same way ----------------------------------------------------
# Babel renders these as tk would, so tk takes them from it: a date of one day (with or without
# its year), a month of a year, month names, and the English currency symbols. Scale words
# stay tk's own (a rendering keeps the source's scale: "1.200 Milliarden" is "1,200 billion",
# where Babel's compact form picks "1.2 trillion"), and so do the short Chinese currency names
# news write (元, 澳元, 加元, where CLDR has 人民币, 澳大利亚元, 加拿大元).

EN_SYMBOL_CURRENCIES = frozenset({"USD", "EUR", "GBP", "HKD", "AUD"})  # "$135.80", "€135.80"


@lru_cache(maxsize=64)
def currency_symbol(code: str) -> str:
    """The English symbol of ``code`` (CLDR): "$" for USD, "HK$" for HKD."""
    from babel.numbers import get_currency_symbol

    return get_currency_symbol(code, locale="en")


@lru_cache(maxsize=64)
def month_name(month: int, lang: str) -> str:
    """The full month name (CLDR): "February", "Februar"."""
    from babel.dates import get_month_names

    return get_month_names("wide", locale=lang)[month]


def babel_date(year: int | None, month: int, day: int | None, lang: str) -> str | None:
    """"February 6, 2026" / "6. Februar 2026" / "2026年2月6日", "February 6" (no year) or
    "February 2026" (no day), as CLDR writes them; None for a day no calendar has."""
    from babel.dates import format_date, format_skeleton

    try:
        date = datetime.date(year or 2024, month, day or 1)  # 2024: leap, so 29 February parses
    except ValueError:
        return None
    if day is None:
        return format_skeleton("yMMMM", date, locale=lang)
    if year is None:
        return format_skeleton("MMMMd", date, locale=lang)
    return format_date(date, "long", locale=lang)

# --- hints --------------------------------------------------------------------------------


def render_amount(q: Quantity, target_lang: str) -> str:
    """The number of ``q`` alone (scale word included, unit and kind left out) as
    ``target_lang`` writes it: "397 Milliarden" -> "397 billion" / "3970亿", "6,22" -> "6.22"."""
    return render_quantity(Quantity("number", q.value, q.amount, q.span, scale=q.scale), target_lang)


def number_hints(source: str, target_lang: str, source_lang: str = "de", *,
                 every: bool = False) -> list[TermHint]:
    """Numbers in ``source`` the translation must write differently, as term hints.

    Only the number itself is hinted ("397 Milliarden" -> "397 billion" / "3970亿",
    "135,80" -> "135.80"): that is where models err, and it has one right form. Units, dates,
    ranges and years are left to the model (several right forms) and verified afterwards.
    With ``every`` (a summary's prompt: which numbers it may state, and how), every quantity
    as the target writes it, whole.
    """
    hints: dict[str, TermHint] = {}
    if every:
        for q in extract_numbers(source, source_lang):
            written = render_quantity(q, target_lang)
            hints.setdefault(written, TermHint(q.surface, written))
        return list(hints.values())
    for q in extract_numbers(source, source_lang):
        if q.kind not in ("number", "currency", "percent") or q.is_range or not q.amount:
            continue
        target = render_amount(q, target_lang)
        if target != q.amount and q.amount not in hints:
            hints[q.amount] = TermHint(q.amount, target)
    return list(hints.values())
