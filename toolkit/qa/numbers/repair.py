"""Deterministic repair of number spans whose figure is right and whose rendering is wrong.

"380 Milliarden" -> "380 million" keeps the digits and loses the scale; "3800亿" -> "380亿" the
same in Chinese; "6,22%" left with a German decimal comma in English reads as 622 %. Where the
number check finds a translated quantity with the source's digits at another order of
magnitude, or the source's figure copied in its German form ("6,22", "135,80", "90.000")
where the target writes it otherwise, the number itself (scale word included, unit left as
the model wrote it) is rewritten as the target language writes the source's value. A figure
right with its currency left in German spelling after it ("53 billion US-Dollar",
"530亿 US-Dollar") is rewritten with the currency as the target writes it ("$53 billion",
"530亿美元"); a numbered list item whose marker the model dropped ("1. Infrastrukturaufbau" ->
"Infrastructure building") gets it back in front. Each rewrite is grounded in the source, kept
only when the number check then finds fewer problems, and recorded per segment
(``checks.repaired``); ``tk translate --no-repair`` turns it off.
"""

from __future__ import annotations

import re

from toolkit.qa.numbers.check import NumberCheck, NumberIssue, check_numbers
from toolkit.qa.numbers.render import render_amount, render_quantity
from toolkit.qa.numbers.tables import DE_CURRENCY

_REPAIRABLE = "wrong order of magnitude"
# A scale word the number check did not read as part of the figure ("3 Million-Plan": the
# hyphen glued it to the next word) is part of the span to rewrite, or it would stay beside
# the repaired one ("3 billion Million-Plan").
_LOOSE_SCALE = re.compile(r"[\s\-‐‑]*(?:million|billion|trillion|thousand|mio|mrd|bn|"
                          r"millionen|milliarden|billionen)\b|[万亿]", re.IGNORECASE)


_LIST_MARKER = re.compile(r"\s*(\d{1,2})\.\s")


# Currency names a target that writes its own form leaves behind a figure: the German
# spelling, the ISO code, the English name (in a Chinese output).
_LEFT_NAMES = {"CNY": ("yuan",), "USD": ("US dollars", "US dollar", "dollars", "dollar")}


def _currency_tail(translation: str, pos: int, unit: str | None, lang: str) -> int:
    """Where the source's currency, written right after a figure in a form the target does
    not use ("53 billion US-Dollar"; in Chinese also "140-180 USD", "30亿 yuan"), ends; ``pos``
    where there is none."""
    names = [DE_CURRENCY.get(unit or "", "")]
    if lang in ("zh", "ja") and unit:
        names += [unit, *_LEFT_NAMES.get(unit, ())]
    for name in names:
        if name and name[0].isalpha():
            m = re.compile(rf"[\s\u00a0]*(?i:{re.escape(name)})(?![A-Za-z])").match(translation, pos)
            if m:
                return m.end()
    return pos


def _edit(translation: str, issue: NumberIssue, lang: str) -> tuple[int, int, str] | None:
    """The (start, end, new text) that writes the source's amount where the translation
    wrote it wrongly, or None where nothing can be repaired."""
    q, found = issue.source, issue.found
    if (issue.problem == "wrong" and found is not None
            and issue.reason.startswith("currency is missing") and lang != "de"):
        # The figure right (a range too), its currency left after it in a form the target
        # does not write ("53 billion US-Dollar", "140-180 USD" in Chinese).
        stop = _currency_tail(translation, found.span[1], q.unit, lang)
        if stop > found.span[1]:
            return found.span[0], stop, render_quantity(q, lang)
        return None
    if not q.amount or q.is_range:
        return None
    if issue.problem == "wrong" and issue.reason == _REPAIRABLE and found is not None:
        if not found.amount or found.is_range:
            return None
        start, end = found.span
        offset = translation[start:end].find(found.amount)
        if offset < 0:
            return None
        begin, stop = start + offset, start + offset + len(found.amount)
        if found.scale is None and (loose := _LOOSE_SCALE.match(translation, stop)):
            stop = loose.end()
        return begin, stop, render_amount(q, lang)
    figure = re.match(r"\d[\d.,]*", q.amount)
    if issue.problem == "missing" and figure and re.search(r"\d[.,]\d", figure.group()):
        # The figure copied as the source writes it ("6,22" in English, "16,3 million
        # US-Dollar"): one place only; a scale word and the German currency after it go too.
        digits = figure.group()
        hits = list(re.finditer(rf"(?<![\d.,]){re.escape(digits)}(?![\d]|[.,]\d)", translation))
        new = render_amount(q, lang)
        if len(hits) != 1 or new == q.amount:
            return None
        stop = hits[0].end()
        if q.scale is not None:
            loose = _LOOSE_SCALE.match(translation, stop)
            if loose is None:
                return None
            stop = loose.end()
        if q.kind == "currency":
            tail = _currency_tail(translation, stop, q.unit, lang)
            if tail > stop:  # the currency goes with the figure, as the target writes it
                stop, new = tail, render_quantity(q, lang)
        return hits[0].start(), stop, new
    return None


def _list_marker(source: str, translation: str) -> str | None:
    """A numbered list item's marker ("1. Infrastrukturaufbau") the translation dropped, put
    back in front: the number is the list's, not the sentence's."""
    m = _LIST_MARKER.match(source)
    if m is None or re.match(r"\s*\d", translation):
        return None
    return f"{m.group(1)}. {translation.lstrip()}"


def repair_numbers(source: str, translation: str, check: NumberCheck) -> tuple[str, NumberCheck,
                                                                               tuple[tuple[str, str], ...]]:
    """``translation`` with each repairable number span rewritten, its new check, and the
    (was, now) pairs of the rewrites kept. A rewrite is kept only if it leaves fewer numbers
    wrong or missing; one that does not is undone."""
    repairs: list[tuple[str, str]] = []
    marked = _list_marker(source, translation) if check.mismatched else None
    if marked is not None:
        rechecked = check_numbers(source, marked, check.source_lang, check.target_lang)
        if len(rechecked.mismatched) < len(check.mismatched):
            repairs.append(("", marked[: marked.index(" ") + 1]))
            translation, check = marked, rechecked
    progress = True
    while progress:  # one rewrite can make another readable ("6.22 percent to 135,80 euros")
        progress = False
        for issue in check.mismatched:
            edit = _edit(translation, issue, check.target_lang)
            if edit is None:
                continue
            start, end, new = edit
            candidate = translation[:start] + new + translation[end:]
            rechecked = check_numbers(source, candidate, check.source_lang, check.target_lang)
            if len(rechecked.mismatched) < len(check.mismatched):
                repairs.append((translation[start:end], new))
                translation, check = candidate, rechecked
                progress = True
                break  # spans have moved: read the issues again
    return translation, check, tuple(repairs)


__all__ = ["repair_numbers"]
