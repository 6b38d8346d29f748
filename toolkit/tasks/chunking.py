"""A document of any length through a model's window: split by tokens along segment
boundaries into parts, each part summarized (map), the partial summaries combined, and while
they are still longer than the window summarized again in groups (a recursive collapse).
Every call fits the window by construction: no summary is ever made from a cut input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from toolkit.errors import InputError
from toolkit.tasks.splitting import split_text
from toolkit.tasks.summarizer import Summarizer, SummaryRequest

MAX_LEVELS = 8


def reduce_to_summary(doc: str, text: str, segments: Sequence[str], s: Summarizer,
                      base: SummaryRequest) -> tuple[str, dict[str, Any]]:
    """Map-reduce with a recursive collapse: the summary, and how the input was handled."""
    return reduce_many([Reduction(doc, text, tuple(segments), base)], s)[0]


@dataclass(frozen=True)
class Reduction:
    """One document to bring to a summary: its text, the units to split it along, and the
    request its final summary is written with."""

    doc: str
    text: str
    segments: tuple[str, ...]
    base: SummaryRequest


@dataclass
class _State:
    job: Reduction
    tokens: int
    chunks: int = 1
    levels: int = 1
    summaries: list[str] = field(default_factory=list)
    done: tuple[str, dict[str, Any]] | None = None


def reduce_many(jobs: Sequence[Reduction], s: Summarizer) -> list[tuple[str, dict[str, Any]]]:
    """Map-reduce with a recursive collapse for many documents at once: each level's calls of
    every document go to the model together (one batch of parts, one of groups, one of final
    summaries), not one document after another. Returns each summary and how its input was
    handled (tokens, chunks, levels, window, final_input, partial)."""
    states = [_State(j, n) for j, n in zip(jobs, s.count([j.text for j in jobs]), strict=True)]
    first: list[tuple[_State, SummaryRequest]] = []
    for st in states:
        whole = replace(st.job.base, text=st.job.text)
        if st.tokens <= room_for(s, whole):
            first.append((st, whole))
            continue
        partial_base = _partial_base(st.job.base)
        parts = pack(list(st.job.segments) or [st.job.text], s, room_for(s, partial_base),
                     joiner="\n")
        st.chunks = len(parts)
        first.extend((st, replace(partial_base, text=p)) for p in parts)
    outputs = s.summarize([r for _, r in first]) if first else []
    for (st, r), out in zip(first, outputs, strict=True):
        if st.chunks == 1:
            st.done = (out.text, _handling(st, s, r.text, partial=False))
        else:
            st.summaries.append(out.text)
    while True:
        open_ = [st for st in states if st.done is None]
        if not open_:
            break
        final: list[tuple[_State, SummaryRequest]] = []
        groups: list[tuple[_State, SummaryRequest]] = []
        for st in open_:
            combined = "\n".join(st.summaries)
            if s.count([combined])[0] <= room_for(s, replace(st.job.base, partial=True)):
                final.append((st, replace(st.job.base, text=combined, partial=True)))
                continue
            st.levels += 1
            if st.levels > MAX_LEVELS or len(st.summaries) == 1:
                raise _not_shrinking(st.job.doc, s, combined, st.job.base)
            # Each group is summarized in at most a sixth of the window, so several fit in
            # one again: the partial summaries shrink level by level.
            partial_base = replace(_partial_base(st.job.base), partial=True)
            packed = pack(st.summaries, s, room_for(s, partial_base), joiner="\n")
            if len(packed) == len(st.summaries) and st.levels > 2:
                raise _not_shrinking(st.job.doc, s, combined, st.job.base)
            groups.extend((st, replace(partial_base, text=g)) for g in packed)
            st.summaries = []
        batch = [(st, r, True) for st, r in final] + [(st, r, False) for st, r in groups]
        for (st, r, last), out in zip(batch, s.summarize([r for _, r, _ in batch]), strict=True):
            if last:
                st.levels += 1
                st.done = (out.text, _handling(st, s, r.text, partial=True))
            else:
                st.summaries.append(out.text)
    return [st.done for st in states if st.done is not None]


def _partial_base(base: SummaryRequest) -> SummaryRequest:
    # Parts are summarized without the glossary list (the final summary gets it): every
    # token of prompt is a token less of text in the window.
    return replace(base, max_words=None, max_chars=None, part=True, terms=())


def _handling(st: _State, s: Summarizer, final_input: str, *, partial: bool) -> dict[str, Any]:
    return {"tokens": st.tokens, "chunks": st.chunks, "levels": st.levels, "window": s.window,
            "final_input": final_input, "partial": partial}


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
