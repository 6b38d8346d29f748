"""Dates and clock times in German, English and Chinese text (see :mod:`toolkit.qa.numbers.parse`)."""

from __future__ import annotations

import re
from decimal import Decimal

from toolkit.qa.numbers.base import (
    DE_MONTH,
    EN_MONTH,
    Parser,
    Quantity,
    cn_to_int,
    span,
)
from toolkit.qa.numbers.tables import (
    DE_MONTHS,
    EN_MONTHS,
)


def date(p: Parser, m: re.Match[str], months: dict[str, int] | None) -> None:
    s, e = span(m)
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


def clock_times(p: Parser, names: list[tuple[int, int]]) -> None:
    """Clock times, as minutes after midnight. Without a.m./p.m. (or 上午/下午) a time up to 12
    could be either half of the day: its unit is "12h" and it matches both."""
    for pat in _TIMES[p.lang]:
        for m in pat.finditer(p.text):
            s, e = span(m)
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
                     + DE_MONTH.format(g="month") + ")"),
    # "October 2 and 5": the second day borrows the month of the first
    "en": re.compile(EN_MONTH.format(g="month") + r"\s+\d{1,2}(?:st|nd|rd|th)?\s*(?:,|and|or|&)\s*"
                     r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?![.,]\d|\s*(?:%|percent))"),
}


def coordinated_days(p: Parser) -> None:
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


def inherit_years(p: Parser) -> None:
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
DE_DATES = [
    # "vom 24. bis 26. September 2025", "24.–26. September"
    re.compile(rf"{_DE_DAY}\s*(?:bis(?:\s+zum)?|–|—|-)\s*(?P<day2>\d{{1,2}})\.\s*{DE_MONTH.format(g='month')}"
               rf"(?:\s*,?\s*(?P<year>\d{{4}})(?!\d))?"),
    # "6. Februar", "21. Februar, 2026", "18. November 2025"
    re.compile(rf"(?<![\d.,]){_DE_DAY}\s*{DE_MONTH.format(g='month')}(?:\s*,?\s*(?P<year>\d{{4}})(?!\d))?"),
    # "Februar 2026"
    re.compile(rf"{DE_MONTH.format(g='month')}\s+(?P<year>\d{{4}})(?!\d)"),
]
_EN_ORD = r"(?:st|nd|rd|th)?"
EN_DATES = [
    # "September 24–26, 2025", "February 21, 2026", "February 6", "Feb. 6th", "September 24 to 26"
    re.compile(rf"{EN_MONTH.format(g='month')}\s+(?P<day>\d{{1,2}}){_EN_ORD}(?!\d)"
               rf"(?:\s*(?:–|—|-|to|through)\s*(?P<day2>\d{{1,2}}){_EN_ORD}(?![\d,.]\d))?"
               rf"(?:,?\s+(?P<year>\d{{4}})(?!\d))?"),
    # "6 February 2026", "24–26 September 2025", "6th of February", "the 14th to the 16th of
    # August", "4th or 5th of September" (two days read as a range; they match either way)
    re.compile(rf"(?<![\d.,])(?P<day>\d{{1,2}}){_EN_ORD}(?:\s*(?:–|—|-|to|and|or)\s*(?:the\s+)?"
               rf"(?P<day2>\d{{1,2}}){_EN_ORD})?"
               rf"\s+(?:of\s+)?{EN_MONTH.format(g='month')}(?:,?\s+(?P<year>\d{{4}})(?!\d))?"),
    re.compile(rf"{EN_MONTH.format(g='month')}\s+(?P<year>\d{{4}})(?!\d)"),
]
_ZH_DN = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
ZH_DATES = [
    # "2025年9月24日至26日", "9月24日-26日", "9月24-26日", "2月6日", "2026年2月21日"
    re.compile(rf"(?:(?P<year>\d{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*)?(?P<month>{_ZH_DN})\s*月\s*"
               rf"(?P<day>{_ZH_DN})\s*(?:日|号)?\s*(?:(?:至|到|–|—|-|~|～)\s*(?P<day2>{_ZH_DN})\s*(?:日|号))"),
    re.compile(rf"(?:(?P<year>\d{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*)?(?P<month>{_ZH_DN})\s*月\s*"
               rf"(?P<day>{_ZH_DN})\s*(?:日|号)"),
    re.compile(rf"(?P<year>\d{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*(?P<month>{_ZH_DN})\s*月(?!\s*\d)"),
]
