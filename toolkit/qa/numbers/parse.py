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

from toolkit.errors import InputError
from toolkit.qa.numbers.amounts import (
    amounts_latin,
    ordinals_de,
    ordinals_en,
    spelled_scaled,
)
from toolkit.qa.numbers.base import (
    LANGUAGES,
    Parser,
    Quantity,
    QuantityKind,
    fold,
    name_digits,
)
from toolkit.qa.numbers.chinese import (
    zh_amounts,
)
from toolkit.qa.numbers.dates import (
    DE_DATES,
    EN_DATES,
    ZH_DATES,
    clock_times,
    coordinated_days,
    date,
    inherit_years,
)
from toolkit.qa.numbers.tables import (
    DE_MONTHS,
    EN_MONTHS,
)


def extract_numbers(text: str, lang: str) -> list[Quantity]:
    """Every quantity in ``text`` (German, English or Chinese), in reading order."""
    if lang not in LANGUAGES:
        raise InputError(f"cannot read numbers in {lang!r}; use one of: {', '.join(LANGUAGES)}")
    text = fold(text)
    p = Parser(text, lang)
    names = name_digits(text, lang)
    dates = {"de": DE_DATES, "en": EN_DATES, "zh": ZH_DATES}[lang]
    months = {"de": DE_MONTHS, "en": EN_MONTHS, "zh": None}[lang]
    for pat in dates:
        for m in pat.finditer(text):
            if not any(s <= m.start() < e for s, e in names):
                date(p, m, months)
    coordinated_days(p)
    inherit_years(p)
    clock_times(p, names)
    if lang == "de":
        for m in re.finditer(r"(?<![\d.,/])(?P<month>\d{1,2})/(?P<year>\d{4})(?![\d/])", text):
            if p.free(*m.span()) and 1 <= int(m.group("month")) <= 12:
                p.add(Quantity("date", None, m.group(), m.span(), month=int(m.group("month")),
                               year=int(m.group("year"))))
        ordinals_de(p, names)
    if lang == "en":
        ordinals_en(p, names)
    if lang == "zh":
        zh_amounts(p, names)
    else:
        spelled_scaled(p)
        amounts_latin(p, names)
    return sorted(p.found, key=lambda q: q.span)




__all__ = ["LANGUAGES", "Quantity", "QuantityKind", "extract_numbers"]
