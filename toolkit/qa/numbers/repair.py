"""Deterministic repair of number spans whose figure is right and whose rendering is wrong.

"380 Milliarden" -> "380 million" keeps the digits and loses the scale; "3800亿" -> "380亿" the
same in Chinese; "6,22%" left with a German decimal comma in English reads as 622 %. Where the
number check finds a translated quantity with the source's digits at another order of
magnitude, or the source's figure copied in its German form ("6,22", "135,80", "90.000")
where the target writes it otherwise, the number itself (scale word included, unit left as
the model wrote it) is rewritten as the target language writes the source's value. Each rewrite is grounded in the
source, kept only when the number check then finds fewer problems, and recorded per segment
(``checks.repaired``); ``tk translate --no-repair`` turns it off.
"""

from __future__ import annotations

import re

from toolkit.qa.numbers.check import NumberCheck, NumberIssue, check_numbers
from toolkit.qa.numbers.render import render_amount

_REPAIRABLE = "wrong order of magnitude"
# A scale word the number check did not read as part of the figure ("3 Million-Plan": the
# hyphen glued it to the next word) is part of the span to rewrite, or it would stay beside
# the repaired one ("3 billion Million-Plan").
_LOOSE_SCALE = re.compile(r"[\s\-‐‑]*(?:million|billion|trillion|thousand|mio|mrd|bn|"
                          r"millionen|milliarden|billionen)\b|[万亿]", re.IGNORECASE)


def _edit(translation: str, issue: NumberIssue, lang: str) -> tuple[int, int, str] | None:
    """The (start, end, new text) that writes the source's amount where the translation
    wrote it wrongly, or None where nothing can be repaired."""
    q = issue.source
    if not q.amount or q.is_range:
        return None
    found = issue.found
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
    if issue.problem == "missing" and q.scale is None and re.search(r"\d[.,]\d", q.amount):
        # The figure copied as the source writes it ("6,22" in English): one place only.
        hits = list(re.finditer(rf"(?<![\d.,]){re.escape(q.amount)}(?![\d]|[.,]\d)", translation))
        new = render_amount(q, lang)
        if len(hits) == 1 and new != q.amount:
            return hits[0].start(), hits[0].end(), new
    return None


def repair_numbers(source: str, translation: str, check: NumberCheck) -> tuple[str, NumberCheck,
                                                                               tuple[tuple[str, str], ...]]:
    """``translation`` with each repairable number span rewritten, its new check, and the
    (was, now) pairs of the rewrites kept. A rewrite is kept only if it leaves fewer numbers
    wrong or missing; one that does not is undone."""
    repairs: list[tuple[str, str]] = []
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
