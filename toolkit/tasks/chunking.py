"""A document of any length through a model's window: split by tokens along segment
boundaries into parts, each part summarized (map), the partial summaries combined, and while
they are still longer than the window summarized again in groups (a recursive collapse).
Every call fits the window by construction: no summary is ever made from a cut input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from toolkit.errors import InputError
from toolkit.tasks.splitting import split_text
from toolkit.tasks.summarizer import Summarizer, SummaryRequest

MAX_LEVELS = 8


def reduce_to_summary(doc: str, text: str, segments: Sequence[str], s: Summarizer,
                      base: SummaryRequest) -> tuple[str, dict[str, Any]]:
    """Map-reduce with a recursive collapse: the summary, and how the input was handled."""
    whole = replace(base, text=text)
    tokens = s.count([text])[0]
    if tokens <= room_for(s, whole):
        return s.summarize([whole])[0].text, {"tokens": tokens, "chunks": 1, "levels": 1,
                                              "window": s.window, "final_input": text,
                                              "partial": False}
    units = list(segments) or [text]
    # Parts are summarized without the glossary list (the final summary gets it): every
    # token of prompt is a token less of text in the window.
    partial_base = replace(base, max_words=None, max_chars=None, part=True, terms=())
    room = room_for(s, partial_base)
    parts = pack(units, s, room, joiner="\n")
    chunks = len(parts)
    summaries = [x.text for x in s.summarize([replace(partial_base, text=p) for p in parts])]
    levels = 1
    while True:
        combined = "\n".join(summaries)
        if s.count([combined])[0] <= room_for(s, replace(base, partial=True)):
            break
        levels += 1
        if levels > MAX_LEVELS or len(summaries) == 1:
            raise _not_shrinking(doc, s, combined, base)
        # Each group is summarized in at most a sixth of the window, so several fit in one
        # again: the partial summaries shrink level by level.
        groups = pack(summaries, s, room_for(s, replace(partial_base, partial=True)), joiner="\n")
        if len(groups) == len(summaries) and levels > 2:
            raise _not_shrinking(doc, s, combined, base)
        summaries = [x.text for x in s.summarize(
            [replace(partial_base, text=g, partial=True) for g in groups])]
    final = s.summarize([replace(base, text=combined, partial=True)])[0].text
    return final, {"tokens": s.count([text])[0], "chunks": chunks, "levels": levels + 1,
                   "window": s.window, "final_input": combined, "partial": True}


def within(s: Summarizer, request: SummaryRequest) -> SummaryRequest | None:
    """``request`` if it fits the window, else without its number and term lists if that
    fits, else None (the retry is skipped rather than its input cut)."""
    for candidate in (request, replace(request, numbers=()), replace(request, numbers=(), terms=())):
        room = s.window - s.overhead(replace(candidate, text=""))
        if s.count([candidate.text])[0] <= room:
            return candidate
    return None


def room_for(s: Summarizer, request: SummaryRequest) -> int:
    """Tokens of text ``request`` may carry within the window (prompt and answer aside)."""
    overhead = s.overhead(replace(request, text=""))
    room = s.window - overhead
    if room < 32:
        raise InputError(f"the window ({s.window} tokens) leaves no room for text beside the "
                         f"prompt and the answer ({overhead} tokens); give --window "
                         f"{overhead + 256} or more")
    return room


def _not_shrinking(doc: str, s: Summarizer, combined: str,
                   base: SummaryRequest) -> InputError:
    """The partial summaries still do not fit: say which window would take them at once."""
    need = s.count([combined])[0] + s.overhead(replace(base, text="", partial=True))
    return InputError(f"{doc}: the partial summaries do not shrink below the window "
                      f"({s.window} tokens; they take {need}); give --window {need} or more"
                      + ("" if s.backend.capabilities.max_input_tokens is None
                         or need <= s.backend.capabilities.max_input_tokens
                         else f", or a model with a larger window than "
                              f"{s.backend.capabilities.max_input_tokens}"))


def pack(units: Sequence[str], s: Summarizer, room: int, *, joiner: str) -> list[str]:
    """Consecutive units joined into parts of at most ``room`` tokens (a unit longer than
    that is split between sentences, clauses or words first)."""
    pieces: list[str] = []
    for unit in units:
        pieces.extend(_fit(unit, s, room))
    counts = s.count(pieces)
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for piece, n in zip(pieces, counts, strict=True):
        if current and size + n + 1 > room:
            parts.append(joiner.join(current))
            current, size = [], 0
        current.append(piece)
        size += n + 1
    if current:
        parts.append(joiner.join(current))
    # Joining can merge tokens differently: check each part, split one that grew too long.
    return [q for part in parts for q in _fit(part, s, room)]


def _fit(text: str, s: Summarizer, room: int) -> list[str]:
    if len(text) < 2 or s.count([text])[0] <= room:
        return [text]
    head, tail = split_text(text)
    return [*_fit(head, s, room), *_fit(tail, s, room)]
