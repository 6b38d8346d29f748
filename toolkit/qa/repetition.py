"""Outputs that go round in circles: a stretch said three times that the source does not repeat.

Models under pressure (a forced term, a budget too large) loop: "2023年2月，该计划已被批准。" until
the budget ends, or a whole sentence four times with a forced term between the copies. Such
an output is a failure for a reader however many terms it carries, so translation retries
never accept one and summaries report it.
"""

from __future__ import annotations

import re


def _unspaced(text: str) -> bool:
    return not re.search(r"[A-Za-z]{2}", text) or len(re.findall(r"[\u4e00-\u9fff]", text)) > len(text) / 3


def repeated_stretch(text: str, source: str = "", *, n: int = 6, times: int = 3) -> str | None:
    """A run of ``n`` words (``n`` characters in Chinese) the text says ``times`` times or
    more and the source does not: a model going round in circles, not a translation or summary."""
    unspaced = _unspaced(text)
    units = list(re.sub(r"\s", "", text)) if unspaced else text.lower().split()
    source_units = list(re.sub(r"\s", "", source)) if unspaced else source.lower().split()
    if unspaced:
        n *= 2  # six words read about as long as twelve Chinese characters
    counts: dict[tuple[str, ...], int] = {}
    for i in range(len(units) - n + 1):
        gram = tuple(units[i:i + n])
        counts[gram] = counts.get(gram, 0) + 1
    in_source: dict[tuple[str, ...], int] = {}
    for i in range(len(source_units) - n + 1):
        gram = tuple(source_units[i:i + n])
        in_source[gram] = in_source.get(gram, 0) + 1
    for gram, k in counts.items():
        if k >= times and in_source.get(gram, 0) < times:
            return ("" if unspaced else " ").join(gram)
    return None


__all__ = ["repeated_stretch"]
