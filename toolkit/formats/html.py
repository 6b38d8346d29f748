"""HTML in, HTML out: parsed with html5lib (the WHATWG HTML5 parsing algorithm, as browsers
parse), the text of each block element made one :class:`~toolkit.formats.Block` with its
inline markup as placeholders, and the translated blocks put back into the same tree.

Translated: the text of block elements (paragraphs, headings, list items, cells, captions,
``<title>``), with links, emphasis and other phrasing elements kept around their words; the
``alt`` and ``title`` attributes. Kept as they are: ``<code>``, ``<pre>``, ``<script>``,
``<style>``, images, line breaks, form controls, SVG/MathML, URLs written in the text, every
other attribute, and anything marked ``translate="no"`` (or ``class="notranslate"``).
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.errors import InputError
from toolkit.formats import Block, BlockResult, Markup
from toolkit.formats.tags import escape_text, spans, unescape_text, writable
from toolkit.formats.xml import add_text

# Phrasing elements whose words are translated: kept as <gN>…</gN> around them.
PAIRED = frozenset("a abbr b bdi bdo big cite data del dfn em font i ins label mark q s small "
                   "span strong sub sup time tt u".split())
# Inline elements kept whole, content and all: one <xN/>.
OPAQUE = frozenset("audio br button canvas code embed iframe img input kbd math meter noscript "
                   "object output picture progress ruby samp script select style svg textarea "
                   "var video wbr".split())
# Blocks whose content is never translated.
SKIPPED = frozenset("pre script style template textarea svg math noscript iframe object "
                    "head".split())
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
ITEMS = frozenset("li dt".split())
ATTRIBUTES = ("alt", "title")
# Parse errors a browser ignores and a page commonly has: no doctype (a fragment, an old page).
TOLERATED = frozenset({"expected-doctype-but-got-start-tag", "expected-doctype-but-got-chars",
                       "expected-doctype-but-got-eof", "unknown-doctype"})
# A URL written in the text is kept as it is (one placeholder), never translated.
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()]+[^\s<>\"'().,;:!?]")
_LETTER = re.compile(r"[^\W\d_]")
_WS = re.compile(r"\s+")


def read_html(data: bytes, where: str) -> Markup:
    """The blocks of an HTML page or fragment."""
    tree, _ = _parse(data, where)
    runs, attrs = _plan(tree)
    blocks = [Block(r.text, r.kind) for r in runs]
    blocks += [Block(" ".join(el.get(name, "").split()), "text", split=False) for el, name in attrs]
    return Markup("html", data, tuple(blocks))


def render_html(markup: Markup, results: Sequence[BlockResult | None], lang: str) -> bytes:
    """The page with every block's translation in place and ``<html lang>`` set."""
    tree, document = _parse(markup.data, "the input")
    runs, attrs = _plan(tree)
    for (el, name), result in zip(attrs, results[len(runs):], strict=True):
        if result is not None:
            el.set(name, writable(result.text))
    for run, result in zip(reversed(runs), reversed(results[:len(runs)]), strict=True):
        if result is not None:
            run.apply(result.text)  # last first: a run's items index its parent's children
    if document:
        for el in tree.iter("html"):
            el.set("lang", lang)
    return _serialize(tree, document).encode("utf-8")


# --- parsing ---------------------------------------------------------------------------------


def _parse(data: bytes, where: str) -> tuple[ET.Element, bool]:
    import html5lib

    text = _decode(data, where)
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"),
                                 namespaceHTMLElements=False)
    document = bool(re.match(r"\s*(<!--.*?-->\s*)*<(!doctype|html)[\s>]", text, re.I | re.S))
    tree = parser.parse(text) if document else parser.parseFragment(text)
    for (line, col), code, params in parser.errors:
        if code not in TOLERATED:
            raise InputError(f"{where}:{line}:{col}: malformed HTML ({_message(code, params)}); "
                             "fix the markup there")
    return tree, document


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise InputError(f"{where}:{line}: not UTF-8 (byte 0x{data[e.start]:02x}); re-save the "
                         "page as UTF-8") from None


def _message(code: str, params: Any) -> str:
    from html5lib.constants import E

    try:
        return str(E[code] % (params or {})).rstrip(".")
    except (KeyError, TypeError, ValueError):
        return code


def _serialize(tree: ET.Element, document: bool) -> str:
    import html5lib
    from html5lib.serializer import HTMLSerializer

    serializer = HTMLSerializer(omit_optional_tags=False, quote_attr_values="always",
                                use_trailing_solidus=False, resolve_entities=False)
    body = "".join(serializer.serialize(html5lib.getTreeWalker("etree")(tree)))
    return f"<!DOCTYPE html>\n{body}\n" if document else body


# --- blocks ----------------------------------------------------------------------------------


def _tag(el: ET.Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _no_translate(el: ET.Element) -> bool:
    return (el.get("translate", "").lower() == "no"
            or "notranslate" in el.get("class", "").split())


def _is_inline(el: ET.Element) -> bool:
    """Phrasing content: a known inline element, or an unknown one with no block inside."""
    tag = _tag(el)
    if not tag:  # a comment
        return True
    if tag in OPAQUE or _no_translate(el):
        return True
    if tag in PAIRED or "-" in tag:
        return all(_is_inline(c) for c in el)
    return False


@dataclass
class _Run:
    """The text and inline elements of one block element between its block children:
    ``items`` (strings and elements) taken from ``parent``'s content at ``index``."""

    parent: ET.Element
    start: int  # index of the first item in the parent's item list
    items: list[Any]
    kind: str
    text: str = ""
    lead: str = ""
    trail: str = ""
    codes: dict[int, Any] = field(default_factory=dict)  # placeholder id -> element or string

    def apply(self, translation: str) -> None:
        """Replace this run's items in its parent with the translation, rebuilt."""
        items = _items(self.parent)
        built = [self.lead, *self._build(spans(translation)), self.trail]
        items[self.start:self.start + len(self.items)] = [b for b in built if b is not None and b != ""]
        _set_items(self.parent, items)

    def _build(self, nodes: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            if node.tag is None:
                out.append(unescape_text(node.text))
            elif node.tag == "x":
                code = self.codes.get(node.id)
                out.append(copy.deepcopy(code) if isinstance(code, ET.Element) else code)
            else:
                original = self.codes.get(node.id)
                if not isinstance(original, ET.Element):
                    out += self._build(node.children or [])
                    continue
                el = ET.Element(original.tag, dict(original.attrib))
                _set_items(el, self._build(node.children or []))
                out.append(el)
        return out


def _items(el: ET.Element) -> list[Any]:
    """An element's content as a list of strings and child elements (tails split off)."""
    items: list[Any] = [el.text] if el.text else []
    for child in el:
        items.append(child)
        if child.tail:
            items.append(child.tail)
    return items


def _set_items(el: ET.Element, items: Sequence[Any]) -> None:
    for child in list(el):
        el.remove(child)
    el.text = None
    for item in items:
        if isinstance(item, str):
            add_text(el, item)
        else:
            item.tail = None
            el.append(item)


def _plan(tree: ET.Element) -> tuple[list[_Run], list[tuple[ET.Element, str]]]:
    """The runs of translatable text in document order, and the translatable attributes."""
    runs: list[_Run] = []
    _collect(tree, runs)
    attrs = [(el, name) for el in _translated_elements(tree) for name in ATTRIBUTES
             if _LETTER.search(el.get(name, ""))]
    return runs, attrs


def _translated_elements(el: ET.Element) -> Iterator[ET.Element]:
    tag = _tag(el)
    if not tag or tag in SKIPPED or _no_translate(el):  # <head> too: its <title> is text
        return
    yield el
    for child in el:
        yield from _translated_elements(child)


def _collect(el: ET.Element, runs: list[_Run]) -> None:
    tag = _tag(el)
    if tag == "head":
        for title in el.iter("title"):
            if not _no_translate(title):
                _collect_runs(title, runs, "heading")
        return
    if tag in SKIPPED or (tag and _no_translate(el)):
        return
    _collect_runs(el, runs, "heading" if tag in HEADINGS or tag == "title"
                  else "item" if tag in ITEMS else "text")


def _collect_runs(el: ET.Element, runs: list[_Run], kind: str) -> None:
    items = _items(el)
    current: list[Any] = []
    start = 0
    for i, item in enumerate(items):
        if isinstance(item, str) or _is_inline(item):
            if not current:
                start = i
            current.append(item)
            continue
        _add_run(el, start, current, kind, runs)
        current = []
        _collect(item, runs)
    _add_run(el, start, current, kind, runs)


def _add_run(parent: ET.Element, start: int, items: list[Any], kind: str, runs: list[_Run]) -> None:
    if not items:
        return
    run = _Run(parent, start, list(items), kind)
    text = _placeholders(items, run)
    if not _LETTER.search(_plain(items)):
        return
    # whitespace around the words (indentation, line ends) stays outside the translation
    first = items[0] if isinstance(items[0], str) else ""
    last = items[-1] if isinstance(items[-1], str) else ""
    run.lead = first[: len(first) - len(first.lstrip())]
    run.trail = last[len(last.rstrip()):] if last.strip() or len(items) > 1 else ""
    run.text = _WS.sub(" ", text).strip()
    runs.append(run)


def _plain(items: Sequence[Any]) -> str:
    """The words a reader sees in items that are translated (not in code, not in a URL)."""
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(URL.sub(" ", item))
        elif _tag(item) in PAIRED and not _no_translate(item):
            out.append(_plain(_items(item)))
    return " ".join(out)


def _placeholders(items: Sequence[Any], run: _Run) -> str:
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(_text_with_urls(item, run))
            continue
        tag = _tag(item)
        number = len(run.codes) + 1
        if tag in PAIRED and not _no_translate(item) and all(_is_inline(c) for c in item):  # words
            run.codes[number] = item
            out.append(f"<g{number}>{_placeholders(_items(item), run)}</g{number}>")
        else:  # kept whole: code, an image, a break, a comment
            run.codes[number] = item
            out.append(f"<x{number}/>")
    return "".join(out)


def _text_with_urls(text: str, run: _Run) -> str:
    out, last = [], 0
    for m in URL.finditer(text):
        out.append(escape_text(text[last:m.start()]))
        number = len(run.codes) + 1
        run.codes[number] = m.group()
        out.append(f"<x{number}/>")
        last = m.end()
    out.append(escape_text(text[last:]))
    return "".join(out)
