"""Checking that a translation keeps the numbers of its source.

Every source quantity (see :mod:`toolkit.qa.numbers.parse`) is matched to one in the
translation by kind and exact value, so ``397 Milliarden`` == ``397 billion`` == ``3970亿`` and
``6,22%`` == ``6.22%``. What cannot be decided (the translation only has "billions" where the
source had a figure) is reported as *unverified*, never silently passed or failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from toolkit.qa.numbers.base import Quantity, cn_to_int, fold, norm
from toolkit.qa.numbers.parse import extract_numbers
from toolkit.qa.numbers.render import render_quantity

NumberProblem = Literal["missing", "wrong", "unverified"]
_COUNTS = ("number", "year", "ordinal")


@dataclass(frozen=True)
class NumberIssue:
    """A source quantity the translation does not carry over (or that tk cannot verify)."""

    source: Quantity
    problem: NumberProblem
    expected: str
    found: Quantity | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.surface,
            "kind": self.source.kind,
            "expected": self.expected,
            "found": self.found.surface if self.found else None,
            "problem": self.problem,
            "reason": self.reason,
        }


NumberStatus = Literal["ok", "mismatch", "unverified", "none"]


@dataclass(frozen=True)
class NumberCheck:
    """Which quantities of a source segment its translation keeps.

    ``status``: "ok" (all found), "mismatch" (some missing or different), "unverified" (none
    wrong, but some could not be decided), "none" (the source has no quantities).
    """

    source_lang: str
    target_lang: str
    quantities: tuple[Quantity, ...]
    matched: tuple[tuple[Quantity, Quantity | None], ...]
    issues: tuple[NumberIssue, ...] = ()
    extra: tuple[Quantity, ...] = ()

    @property
    def checked(self) -> int:
        return len(self.quantities)

    @property
    def mismatched(self) -> list[NumberIssue]:
        return [i for i in self.issues if i.problem != "unverified"]

    @property
    def unverified(self) -> list[NumberIssue]:
        return [i for i in self.issues if i.problem == "unverified"]

    @property
    def status(self) -> NumberStatus:
        if not self.quantities:
            return "none"
        if self.mismatched:
            return "mismatch"
        return "unverified" if self.unverified else "ok"

    @property
    def ok(self) -> bool:
        return not self.mismatched

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "matched": len(self.matched),
            "mismatched": [i.to_dict() for i in self.mismatched],
            "unverified": [i.to_dict() for i in self.unverified],
            "extra": [q.surface for q in self.extra],
            "status": self.status,
        }


def _same_unit(a: str | None, b: str | None) -> bool:
    return a == b or (a == "¥" and b in ("CNY", "JPY")) or (b == "¥" and a in ("CNY", "JPY"))


def _same_time(a: Quantity, b: Quantity) -> bool:
    if a.value is None or b.value is None:
        return False
    if "12h" in (a.unit, b.unit):  # "10:00" may be 10:00 or 22:00
        return a.value % 720 == b.value % 720
    return a.value % 1440 == b.value % 1440  # 24:00 is 0:00


def _same_amount(a: Quantity, b: Quantity) -> bool:
    return a.value == b.value and a.high == b.high


def _exact(s: Quantity, t: Quantity) -> bool:
    if s.kind in _COUNTS:
        return t.kind in _COUNTS and _same_amount(s, t)
    if s.kind == "date":
        return (t.kind == "date" and s.month == t.month and _same_amount(s, t)
                and (s.year is None or s.year == t.year))
    if s.kind == "time":
        return t.kind == "time" and _same_time(s, t)
    return t.kind == s.kind and _same_unit(s.unit, t.unit) and _same_amount(s, t)


def _lenient(s: Quantity, t: Quantity) -> bool:
    """Renderings that keep the meaning but not the form: a unit the translator added from
    context ("90.000" -> "$90,000"), a year written as part of a date."""
    if s.kind == "number":
        return t.kind in ("currency", "percent") and _same_amount(s, t)
    if s.kind == "year":
        return t.kind == "date" and t.year == s.value and s.high is None
    if s.kind == "time" and t.kind == "number" and t.value is not None and s.value is not None:
        # "zwischen 10 und 13 Uhr" -> "between the hours of 10 and 13"
        return s.value % 60 == 0 and t.value * 60 in (s.value, s.value % 720)
    return False


def _digits(d: Decimal | None) -> str:
    return "" if d is None else norm(abs(d)).replace(".", "").strip("0")


def _why_different(s: Quantity, t: Quantity) -> str | None:
    """Why ``t`` looks like a wrong rendering of ``s``, or None if it is unrelated."""
    if s.kind == "date":
        if t.kind == "date" and t.month == s.month and _same_amount(s, t):
            return f"year {s.year} is missing"
        if t.kind == "date":
            return "different date"
        if t.kind == "year" and s.value is None and t.value == s.year:
            return "month is missing"
        return None
    if s.kind == "time":
        return "different time" if t.kind == "time" else None
    if _same_amount(s, t) and t.kind not in ("time", "date"):
        if s.kind == "currency":
            return f"currency is {t.unit or 'missing'}, not {s.unit}"
        if s.kind == "percent":
            if t.kind != "percent":
                return "percent sign is missing"
            names = {"%": "percent", "pp": "percentage points"}
            return f"{names[t.unit or '%']} instead of {names[s.unit or '%']}"
    if t.kind == "date":
        return None
    if _digits(s.value) == _digits(t.value) and s.value != t.value and (
        s.high is None or _digits(s.high) == _digits(t.high)
    ):
        return "wrong order of magnitude"
    if t.kind == s.kind and s.kind in ("currency", "percent") and _same_unit(s.unit, t.unit):
        return "different value"
    return None


# Words that stand for a number without giving it. Those that name a scale ("billions") can
# only stand for a large figure; the others ("half", "twice") for any.
_VAGUE_ANY = {
    "en": re.compile(r"\b(?:half|dozens?|twice|doubled?|tripled?|\w+fold)\b", re.IGNORECASE),
    "de": re.compile(r"\b(?:Hälfte|halbe[nmrs]?|Dutzend\w*|doppelt\w*|\w+fache?[nmrs]?)\b"),
    "zh": re.compile(r"半|[一二两三四五六七八九十]+倍|翻番|翻倍"),
}
_VAGUE_LARGE = {
    "en": re.compile(r"\b(?:hundreds|thousands|millions|billions|trillions)\b", re.IGNORECASE),
    "de": re.compile(r"\b(?:Hunderte\w*|Tausende\w*|Millionen|Milliarden|Billionen)\b"),
    "zh": re.compile(r"数十|数百|数千|数万|数亿|几十|几百|几千|几万|几亿|上亿|上万"),
}


def _vague(s: Quantity, text: str, lang: str) -> re.Match[str] | None:
    m = _VAGUE_ANY[lang].search(text)
    if m is None and s.value is not None and s.kind not in ("date", "year") and abs(s.value) >= 100:
        m = _VAGUE_LARGE[lang].search(text)
    return m


_SPELLED = {
    "en": {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
           9: "nine", 10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen", 14: "fourteen",
           15: "fifteen", 16: "sixteen", 17: "seventeen", 18: "eighteen", 19: "nineteen",
           20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
           80: "eighty", 90: "ninety", 100: "hundred"},
    "de": {1: "ein", 2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 7: "sieben",
           8: "acht", 9: "neun", 10: "zehn", 11: "elf", 12: "zwölf", 20: "zwanzig",
           30: "dreißig", 40: "vierzig", 50: "fünfzig", 60: "sechzig", 70: "siebzig",
           80: "achtzig", 90: "neunzig", 100: "hundert"},
}


def _spelled_words(n: int, lang: str) -> str:
    """A regex alternation of ways to spell ``n`` (1-100): "sixty-two", "zweiundsechzig"."""
    table = _SPELLED[lang]
    if n in table:
        return table[n]
    tens, unit = divmod(n, 10)
    if tens * 10 not in table or unit not in table:
        return ""
    if lang == "en":
        return rf"{table[tens * 10]}[- ]?{table[unit]}"
    return rf"{'ein' if unit == 1 else table[unit]}und{table[tens * 10]}"


_EN_ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth",
                     7: "seventh", 8: "eighth", 9: "ninth", 10: "tenth"}


def _spelled_in(s: Quantity, translation: str, lang: str) -> bool:
    """A small count the translator wrote as a word ("7 Tage" -> "seven days", "七天")."""
    if s.kind not in ("number", "ordinal") or s.is_range or s.value is None or s.scale:
        return False
    if s.value != s.value.to_integral_value() or not 1 <= s.value <= 100:
        return False
    n = int(s.value)
    if lang == "zh":
        numerals = re.finditer(r"[一二两三四五六七八九十百]+", translation)
        return any(cn_to_int(m.group()) == n for m in numerals)
    words = _spelled_words(n, lang)
    if lang == "en" and s.kind == "ordinal":
        words = "|".join(w for w in (words, _EN_ORDINAL_WORDS.get(n)) if w)
    if not words:
        return False
    # German declines the word ("ein" -> "einer"); English does not ("one" is not "onerous").
    suffix = r"\w*" if lang == "de" else ""
    return re.search(rf"\b(?:{words}){suffix}\b", translation, re.IGNORECASE) is not None


def check_numbers(source: str, translation: str, source_lang: str = "de",
                  target_lang: str = "en") -> NumberCheck:
    """Check that every quantity of ``source`` is in ``translation`` with the same value and kind.

    Matching is one to one, exact renderings first, then lenient ones (a unit added from
    context; a range written as two numbers; a small count spelled out). A source quantity with
    no counterpart is *wrong* when a related one is there (same digits, other scale or unit),
    *missing* otherwise, and *unverified* when the translation only has words like "billions"
    or repeats a figure the source gave twice.
    """
    src = extract_numbers(source, source_lang)
    tgt = extract_numbers(translation, target_lang)
    pool = _Pool(tgt)
    match: dict[int, Quantity | None] = {}
    for test in (_exact, _lenient):
        for i, s in enumerate(src):
            if i not in match and (t := pool.take(lambda t, s=s, test=test: test(s, t))) is not None:
                match[i] = t
    for i, s in enumerate(src):
        parts = _parts(s)
        if i in match or not parts:
            continue
        # "200–240 USD" -> "$200 and $240", "18:17" (a score) -> "18-17": both figures there.
        low, high = parts
        if pool.take_pair(lambda t, low=low: _exact(low, t), lambda t, high=high: _exact(high, t)):
            match[i] = None
    for i, s in enumerate(src):
        if i not in match and _spelled_in(s, translation, target_lang):
            match[i] = None

    issues: list[NumberIssue] = []
    for i, s in enumerate(src):
        if i in match:
            continue
        expected = render_quantity(s, target_lang)
        reasons: dict[int, str] = {}

        def related(t: Quantity, s: Quantity = s, reasons: dict[int, str] = reasons) -> bool:
            why = _why_different(s, t)
            if why:
                reasons[id(t)] = why
            return why is not None

        found = pool.take(related)
        if found is not None:
            issues.append(NumberIssue(s, "wrong", expected, found, reasons[id(found)]))
            continue
        repeated = any(k in match and _exact(src[k], s) for k in range(len(src)) if k != i)
        vague = _vague(s, _blank(translation, tgt), target_lang)
        if repeated:
            issues.append(NumberIssue(s, "unverified", expected, None,
                                      "repeats a figure of the same segment; the translation "
                                      "may say it once"))
        elif vague:
            issues.append(NumberIssue(s, "unverified", expected, None,
                                      f"the translation says {vague.group()!r}, which is not an "
                                      "exact figure"))
        else:
            issues.append(NumberIssue(s, "missing", expected, None, "not in the translation"))
    extra = tuple(t for t in pool.untouched() if t.kind != "ordinal")
    return NumberCheck(
        source_lang, target_lang, tuple(src),
        tuple((s, match[i]) for i, s in enumerate(src) if i in match),
        tuple(issues), extra,
    )


def _parts(q: Quantity) -> tuple[Quantity, ...]:
    """The two figures a range or a clock time also stands for: the ends of "200–240 USD"
    ("$200 and $240"), the hour and minute of "18:17" (a score written like a time)."""
    if q.kind == "time" and q.value is not None:
        h, m = divmod(int(q.value), 60)
        return tuple(Quantity("number", Decimal(v), q.surface, q.span) for v in (h, m))
    if q.is_range:
        return tuple(Quantity(q.kind, v, q.surface, q.span, unit=q.unit, scale=q.scale,
                              month=q.month, year=q.year, amount=q.amount)
                     for v in (q.value, q.high))
    return ()


class _Pool:
    """Target quantities, each used at most once. A range can be used whole, or its two ends
    separately ("von 7 Millionen auf 58 Millionen" -> "from 7 million to 58 million")."""

    def __init__(self, quantities: list[Quantity]) -> None:
        self.items: list[tuple[int, str, Quantity]] = []
        for j, q in enumerate(quantities):
            self.items.append((j, "all", q))
            for part, end in zip(("low", "high"), _parts(q)):
                self.items.append((j, part, end))
        self.used: set[tuple[int, str]] = set()
        self.quantities = quantities

    def _free(self, j: int, part: str) -> bool:
        if part == "all":
            return not any(u[0] == j for u in self.used)
        return (j, "all") not in self.used and (j, part) not in self.used

    def take(self, test: Any) -> Quantity | None:
        for j, part, q in self.items:
            if self._free(j, part) and test(q):
                self.used.add((j, part))
                return q
        return None

    def take_pair(self, first: Any, second: Any) -> bool:
        a = self.take(first)
        if a is None:
            return False
        if self.take(second) is None:
            self.used.discard(next(u for u in self.used if self._item(u) is a))
            return False
        return True

    def _item(self, key: tuple[int, str]) -> Quantity:
        return next(q for j, part, q in self.items if (j, part) == key)

    def untouched(self) -> list[Quantity]:
        return [q for j, q in enumerate(self.quantities) if not any(u[0] == j for u in self.used)]


def _blank(text: str, quantities: list[Quantity]) -> str:
    """``text`` with the quantities already read blanked out, so "397 Milliarden" is not vague."""
    text = fold(text)
    for q in quantities:
        s, e = q.span
        text = text[:s] + " " * (e - s) + text[e:]
    return text
