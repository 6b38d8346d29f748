"""Cutting a text too long for a model's window at the strongest boundary there is:
after a sentence end, else after a comma, else between words, else anywhere."""

from __future__ import annotations

import re

_BOUNDARIES = (re.compile(r"[.!?;:。！？；][\"'”’»)\]]*\s*"), re.compile(r"[,，、]\s*"),
               re.compile(r"\s+"))


def split_text(text: str) -> tuple[str, str]:
    """``text`` in two non-empty halves, cut at the strongest boundary nearest its middle:
    after a sentence end, else after a comma, else between words, else in the middle."""
    middle = len(text) / 2
    for pattern in _BOUNDARIES:
        cuts = [m.end() for m in pattern.finditer(text) if 0 < m.end() < len(text)]
        if cuts:
            cut = min(cuts, key=lambda c: abs(c - middle))
            return text[:cut].rstrip(), text[cut:].lstrip()
    cut = int(middle)
    return text[:cut], text[cut:]


def chunk_text(text: str, size: int) -> list[str]:
    """``text`` cut into runs of at most ``size`` characters in one pass, each at the strongest
    boundary in its last three quarters (sentence end, comma, space), else at ``size``."""
    out: list[str] = []
    pos = 0
    while len(text) - pos > size:
        window = text[pos:pos + size]
        cut = size
        for pattern in _BOUNDARIES:
            ends = [m.end() for m in pattern.finditer(window, size // 4) if m.end() < size]
            if ends:
                cut = ends[-1]
                break
        if piece := text[pos:pos + cut].strip():
            out.append(piece)
        pos += cut
    if rest := text[pos:].strip():
        out.append(rest)
    return out
