"""Inline markup as the model sees it: numbered placeholders in the segment's text.

A link, emphasis or any other inline element whose words are translated becomes a pair
``<g1>words</g1>``; an element that is kept as it is (a code span, an image, a line break, a
URL, anything marked ``translate="no"``) becomes one self-closing ``<x2/>``. The names follow
XLIFF's ``<g>``/``<x>`` (and DeepL's and Okapi's tagged text): a model copies them better than
brackets, and digits glued to letters are never read as numbers by tk's checks.

:func:`tag_problems` says how an output broke them (dropped, duplicated, invented, or moved
out of the pair that held it), :func:`place_tags` puts back what a model dropped where the
words show where it belongs, and :func:`spans` gives the tree a format renders from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# <g1>, </g1>, <x1/>; what models write instead: <x1>, <x1 />, < g1 >, </ g1>, capitals.
_TAG = re.compile(r"<\s*(/?)\s*([gGxX])(\d{1,4})\s*(/?)\s*>")
_CANONICAL = re.compile(r"</?g\d+>|<x\d+/>")


@dataclass(frozen=True)
class Tag:
    kind: str  # "open", "close", "x"
    id: int
    start: int
    end: int

    @property
    def text(self) -> str:
        return {"open": f"<g{self.id}>", "close": f"</g{self.id}>", "x": f"<x{self.id}/>"}[self.kind]

    @property
    def key(self) -> tuple[str, int]:
        """("g", id) for either tag of a pair, ("x", id) for a kept element."""
        return ("x" if self.kind == "x" else "g", self.id)


def find_tags(text: str) -> list[Tag]:
    """The placeholders of ``text`` in order, read leniently (``<x1>`` is ``<x1/>``)."""
    found = []
    for m in _TAG.finditer(text):
        closing, letter, number, _ = m.groups()
        letter = letter.lower()
        kind = "x" if letter == "x" else ("close" if closing else "open")
        found.append(Tag(kind, int(number), m.start(), m.end()))
    return found


# A document's own text that reads like a placeholder ("x <g1> y" in an article about tags)
# is written with U+2039 in place of its "<" while tk works on it, and put back after.
_LOOKALIKE = re.compile(r"<(?=\s*/?\s*[gGxX]\d)")
_ESCAPED = re.compile("\u2039(?=\\s*/?\\s*[gGxX]\\d)")


def escape_text(text: str) -> str:
    """A document's text with what would read as a placeholder made plain."""
    return _LOOKALIKE.sub("\u2039", text)


def unescape_text(text: str) -> str:
    """:func:`escape_text` undone (in a translation's words)."""
    return _ESCAPED.sub("<", text)


def has_tags(text: str) -> bool:
    return bool(_CANONICAL.search(text))


def strip_tags(text: str) -> str:
    """The text without its placeholders (spaces around a removed one kept single)."""
    return re.sub(r"[ \t]{2,}", " ", _TAG.sub("", text)).strip()


def normalize(text: str) -> str:
    """Placeholders written the canonical way (``<x1>`` -> ``<x1/>``, ``</ g1>`` -> ``</g1>``)."""
    return _TAG.sub(lambda m: _text_of(m), text)


def _text_of(m: re.Match[str]) -> str:
    closing, letter, number, _ = m.groups()
    if letter.lower() == "x":
        return f"<x{number}/>"
    return f"</g{number}>" if closing else f"<g{number}>"


def _parents(tags: Sequence[Tag]) -> tuple[dict[tuple[str, int], int], list[str]]:
    """Each placeholder's enclosing pair (0 = none) and what is wrong with the nesting."""
    parents: dict[tuple[str, int], int] = {}
    problems: list[str] = []
    stack: list[int] = []
    for t in tags:
        key = t.key
        if t.kind == "close":
            if t.id not in stack:
                problems.append(f"</g{t.id}> without its <g{t.id}>")
                continue
            if stack[-1] != t.id:
                problems.append(f"</g{t.id}> closes across <g{stack[-1]}>")
            stack.remove(t.id)
            continue
        if key in parents:
            problems.append(f"{t.text} twice")
            continue
        parents[key] = stack[-1] if stack else 0
        if t.kind == "open":
            stack.append(t.id)
    problems += [f"<g{i}> not closed" for i in stack]
    return parents, problems


def _kept_parent(key: tuple[str, int], want: dict[tuple[str, int], int],
                 got: dict[tuple[str, int], int]) -> int:
    """The pair ``key`` belongs in: its source parent, or where that pair was dropped, the
    nearest enclosing pair the output still has (a link inside lost emphasis stays a link)."""
    parent = want[key]
    while parent and ("g", parent) not in got:
        parent = want.get(("g", parent), 0)
    return parent


def tag_problems(source: str, output: str) -> list[str]:
    """How ``output`` broke the placeholders of ``source``: each dropped, duplicated or
    invented one, a pair not closed or crossing another, one moved out of (or into) another
    pair. Empty when every placeholder is there once and nested as in the source; pairs may
    change order among their siblings (the words do, from German to English)."""
    want, _ = _parents(find_tags(source))
    if not want:
        return []
    got, problems = _parents(find_tags(output))
    inner = inner_texts(source)
    for key in want:
        name = f"<x{key[1]}/>" if key[0] == "x" else f"<g{key[1]}>"
        if key not in got:
            words = inner.get(key[1], "") if key[0] == "g" else ""
            shown = words if len(words) <= 40 else words[:39] + "…"
            problems.append(f"{name} dropped ({shown})" if shown else f"{name} dropped")
        elif got[key] != _kept_parent(key, want, got):
            problems.append(f"{name} moved out of its pair")
    problems += [f"<{'x' if k[0] == 'x' else 'g'}{k[1]}{'/' if k[0] == 'x' else ''}> invented"
                 for k in got if k not in want]
    return problems


@dataclass(frozen=True)
class Placement:
    """What :func:`place_tags` did: the text, and for each placeholder put back how."""

    text: str
    placed: tuple[str, ...] = ()  # "<g1> around 'words'", "<x2/> by position"
    lost: tuple[str, ...] = ()  # pairs whose words are kept but whose markup could not be placed


def place_tags(source: str, output: str,
               renderings: Callable[[str], Sequence[str]] | None = None) -> Placement:
    """``output`` with the placeholders of ``source`` made whole: those kept in place stay;
    broken, duplicated and invented ones are removed; a dropped pair is put around its words
    where they can be found once in the output (the source's words themselves - names,
    numbers, terms - or what ``renderings(words)`` gives: their translation), else it is lost
    (its words stay, its markup goes: recorded); a dropped ``<xN/>`` (kept content: code, an
    image, a break) is put at the same relative place, between words, so nothing is lost."""
    if not tag_problems(source, output):
        return Placement(output)
    src_tags = find_tags(source)
    want, _ = _parents(src_tags)
    text = _keep_sound(output, want)
    placed: list[str] = []
    lost: list[str] = []
    inner = inner_texts(source)
    for t in src_tags:  # outer pairs first: a child is placed inside its parent
        present, _ = _parents(find_tags(text))
        if t.kind != "open" or t.key in present:
            continue
        words = inner[t.id]
        candidates = [words, *(renderings(words) if renderings and words else ())]
        span = _find_once(text, [c for c in candidates if c.strip()],
                          _kept_parent(t.key, want, present))
        if span is None:
            lost.append(f"<g{t.id}> {words!r}")
            continue
        a, b = span
        wrapped = f"{text[:a]}<g{t.id}>{text[a:b]}</g{t.id}>{text[b:]}"
        if _unsound(source, wrapped):  # a pair of its own kept outside it: no place fits
            lost.append(f"<g{t.id}> {words!r}")
            continue
        text = wrapped
        placed.append(f"<g{t.id}> around {text[a + len(f'<g{t.id}>'):b + len(f'<g{t.id}>')]!r}")
    for t in src_tags:
        present, _ = _parents(find_tags(text))
        if t.kind != "x" or t.key in present:
            continue
        parent = _kept_parent(t.key, want, present)
        text = _insert_by_position(source, t, text, _bounds(src_tags, t, text), parent)
        placed.append(f"<x{t.id}/> by position")
    return Placement(text, tuple(placed), tuple(lost))


def unplaced_words(source: str, output: str) -> list[str]:
    """The words of each pair of ``source`` that ``output`` does not hold soundly: those
    :func:`place_tags` will look for (ask for their translation in one batch first)."""
    want, _ = _parents(find_tags(source))
    sound = {t.id for t in find_tags(_keep_sound(output, want)) if t.kind == "open"}
    return [words for pair, words in inner_texts(source).items() if words and pair not in sound]


def _unsound(source: str, text: str) -> bool:
    """Whether ``text`` breaks the source's placeholders other than by dropping some."""
    return any(p.split(" ", 2)[1] != "dropped" for p in tag_problems(source, text))


def _keep_sound(output: str, want: dict[tuple[str, int], int]) -> str:
    """``output`` with only the placeholders that are sound: known, once, pairs closed and
    nested; the rest removed (their words kept)."""
    text = normalize(output)
    tags = find_tags(text)
    keep: set[int] = set()  # indexes into tags
    seen: set[tuple[str, int]] = set()
    stack: list[tuple[int, int]] = []  # (id, index of the open tag)
    for i, t in enumerate(tags):
        if t.kind == "x":
            if t.key in want and t.key not in seen:
                seen.add(t.key)
                keep.add(i)
        elif t.kind == "open":
            if t.key in want and t.key not in seen:
                seen.add(t.key)
                stack.append((t.id, i))
        elif stack and stack[-1][0] == t.id:
            keep.update((stack.pop()[1], i))
        # a close that does not match the innermost open pair is dropped
    # a placeholder whose pair is not the one it belongs in goes; that can leave another out
    # of place (its pair just went), so until none is left
    bad: set[tuple[str, int]] = set()
    while True:
        kept = [t for i, t in enumerate(tags) if i in keep and t.key not in bad]
        parents, _ = _parents(kept)
        wrong = {k for k, p in parents.items() if k not in want or _kept_parent(k, want, parents) != p}
        if not wrong:
            break
        bad |= wrong
    out, last = [], 0
    for i, t in enumerate(tags):
        out.append(text[last:t.start])
        if i in keep and t.key not in bad:
            out.append(t.text)
        last = t.end
    out.append(text[last:])
    return re.sub(r"[ \t]{2,}", " ", "".join(out)).strip()


def inner_texts(source: str) -> dict[int, str]:
    """The words of each pair of ``source`` (placeholders inside it aside), by pair id."""
    tags = find_tags(source)
    opens = {t.id: t.end for t in tags if t.kind == "open"}
    return {t.id: strip_tags(source[opens[t.id]:t.start])
            for t in tags if t.kind == "close" and t.id in opens}


def _find_once(text: str, candidates: Sequence[str], parent: int) -> tuple[int, int] | None:
    """The span of the first candidate found exactly once (case kept, then ignored) directly
    inside the pair ``parent`` (0: in none) of ``text``, not cutting a pair."""
    for candidate in candidates:
        for flags in (0, re.IGNORECASE):
            edge = r"(?<![\w])" if candidate[:1].isalnum() and candidate[:1].isascii() else ""
            tail = r"(?![\w])" if candidate[-1:].isalnum() and candidate[-1:].isascii() else ""
            hits = [m.span() for m in re.finditer(edge + re.escape(candidate) + tail, text, flags)
                    if _enclosing(text, m.start()) == parent]
            if len(hits) == 1 and _balanced(text[hits[0][0]:hits[0][1]]):
                return hits[0]
    return None


def _enclosing(text: str, at: int) -> int:
    """The innermost pair open at position ``at`` of ``text`` (0: none)."""
    stack: list[int] = []
    for t in find_tags(text):
        if t.start >= at:
            break
        if t.kind == "open":
            stack.append(t.id)
        elif t.kind == "close" and t.id in stack:
            stack.remove(t.id)
    return stack[-1] if stack else 0


def _balanced(text: str) -> bool:
    tags = find_tags(text)
    _, problems = _parents(tags)
    return not problems


def _bounds(src_tags: Sequence[Tag], tag: Tag, text: str) -> tuple[int, int]:
    """Where in ``text`` ``tag`` may go so that the kept elements stay in their source order:
    after the last one before it in the source that ``text`` holds, before the next one."""
    present = {(t.kind, t.id): t for t in find_tags(text) if t.kind == "x"}
    lo, hi = 0, len(text)
    for t in src_tags:
        found = present.get((t.kind, t.id))
        if found is None:
            continue
        if t.start < tag.start:
            lo = max(lo, found.end)
        elif t.start > tag.start:
            hi = min(hi, found.start)
    return lo, max(lo, hi)


def _insert_by_position(source: str, tag: Tag, text: str, bounds: tuple[int, int],
                        parent: int) -> str:
    """``tag`` put into ``text`` at its relative place in ``source`` (0 = start, 1 = end),
    moved to the nearest boundary between words within ``bounds`` that lies directly in the
    pair ``parent`` (0: in none), never inside another placeholder."""
    lo, hi = bounds
    plain = strip_tags(source)
    words_before = strip_tags(source[:tag.start])
    if not words_before:
        want = lo
    elif not strip_tags(source[tag.end:]):
        want = hi
    else:
        want = round(len(words_before) / len(plain) * len(text)) if plain else hi
    inside = [(t.start, t.end) for t in find_tags(text)]
    places = sorted({lo, hi, *(m.start() for m in re.finditer(r" ", text) if lo <= m.start() <= hi)})
    places = [p for p in places if not any(a < p < b for a, b in inside)
              and _enclosing(text, p) == parent]
    if not places:  # the bounds leave no place in its pair: anywhere in it
        places = [p for p in range(len(text) + 1) if not any(a < p < b for a, b in inside)
                  and _enclosing(text, p) == parent] or [len(text)]
    at = min(places, key=lambda p: abs(p - want))
    gap = " " if source[tag.start - 1:tag.start] == " " and text[at - 1:at] not in ("", " ") else ""
    rest = text[at:].lstrip() if gap else text[at:]
    return f"{text[:at]}{gap}{tag.text}{rest}"


# --- a segment's placeholders as a tree, for the formats to render ---------------------------

@dataclass
class Span:
    """A run of a translated block: text, or a placeholder with its children (pairs)."""

    text: str = ""
    tag: str | None = None  # "g" or "x"
    id: int = 0
    children: list[Span] | None = None


# What no HTML page or XML file may hold (C0/C1 controls but tab and line ends, lone
# surrogates, noncharacters): a model's garbage can, and a written file must not.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def writable(text: str) -> str:
    """``text`` without the characters no HTML or XML file may hold."""
    return _UNWRITABLE.sub("", text)


def spans(text: str) -> list[Span]:
    """``text`` (sound placeholders, as :func:`place_tags` leaves them) as a tree of spans;
    a stray placeholder left in it is dropped, and characters no file may hold too."""
    text = writable(text)
    root: list[Span] = []
    stack: list[list[Span]] = [root]
    open_ids: list[int] = []
    last = 0
    for t in find_tags(text):
        if t.start > last:
            stack[-1].append(Span(text[last:t.start]))
        last = t.end
        if t.kind == "x":
            stack[-1].append(Span(tag="x", id=t.id))
        elif t.kind == "open":
            node = Span(tag="g", id=t.id, children=[])
            stack[-1].append(node)
            stack.append(node.children)  # type: ignore[arg-type]
            open_ids.append(t.id)
        elif open_ids and open_ids[-1] == t.id:
            stack.pop()
            open_ids.pop()
    if last < len(text):
        stack[-1].append(Span(text[last:]))
    return root
