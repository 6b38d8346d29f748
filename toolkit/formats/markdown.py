"""Markdown in, Markdown out: parsed with markdown-it-py (CommonMark, with tables), each
paragraph, heading, list item and table cell one :class:`~toolkit.formats.Block`, and the
translation written back over the same source lines, so everything else in the file (code
blocks, front matter, HTML blocks, blank lines, list markers, quote markers) stays byte for
byte.

Kept around their words: emphasis, strong emphasis, links (``[words](url "title")``). Kept as
they are (one placeholder each): code spans, images, inline HTML, autolinks, URLs written in
the text, hard line breaks. Soft line breaks inside a paragraph become spaces (the paragraph
is written on one line). Not translated: code blocks, HTML blocks, image alt text, link titles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.errors import InputError
from toolkit.formats import Block, BlockResult, Markup
from toolkit.formats.html import URL
from toolkit.formats.tags import escape_text, spans, unescape_text

_LETTER = re.compile(r"[^\W\d_]")
# Characters that would start markup if a translation wrote them in the text.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+[.)])(?=\s|$)")


def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


@dataclass
class _Inline:
    """One inline token: where its content stands in the source, and its placeholder codes."""

    line: int  # first source line (0-based)
    content: str
    kind: str
    text: str = ""
    codes: dict[int, str] = field(default_factory=dict)  # id -> Markdown source to put back
    pairs: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (before, after)


def read_markdown(data: bytes, where: str) -> Markup:
    inlines = _plan(_decode(data, where))
    return Markup("markdown", data, tuple(Block(i.text, i.kind) for i in inlines))


def render_markdown(markup: Markup, results: Sequence[BlockResult | None], lang: str) -> bytes:
    source = _decode(markup.data, "the input")
    inlines = _plan(source)
    lines = source.split("\n")
    cursor: dict[int, int] = {}
    drop: set[int] = set()
    edits: list[tuple[int, int, int, str]] = []
    for inline, result in zip(inlines, results, strict=True):
        located = _locate(lines, inline, cursor)
        if located is None or result is None:
            continue
        first, rest, prefix = located
        edits.append((*first, _write(result.text, inline, prefix)))
        for line, a, b in rest:
            edits.append((line, a, b, ""))
            drop.add(line)
    for line, a, b, text in sorted(edits, key=lambda e: (e[0], -e[1])):
        lines[line] = lines[line][:a] + text + lines[line][b:]
    kept = [line for i, line in enumerate(lines)
            if i not in drop or line.strip(" \t>")]
    return "\n".join(kept).encode("utf-8")


def _decode(data: bytes, where: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise InputError(f"{where}:{line}: not UTF-8 (byte 0x{data[e.start]:02x}); re-save it "
                         "as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _plan(source: str) -> list[_Inline]:
    tokens = _parser().parse(source)
    inlines: list[_Inline] = []
    context: list[str] = []
    for token in tokens:
        if token.nesting == 1:
            context.append(token.type)
        elif token.nesting == -1 and context:
            context.pop()
        if token.type != "inline" or token.map is None:
            continue
        kind = ("heading" if context and context[-1] == "heading_open"
                else "item" if "list_item_open" in context else "text")
        inline = _Inline(token.map[0], token.content, kind)
        inline.text = " ".join(_placeholders(token.children or [], inline).split())
        if _LETTER.search(_words(token.children or [])):
            inlines.append(inline)
    return inlines


def _words(children: Sequence[Any]) -> str:
    out, skip = [], 0
    for c in children:
        if c.type == "link_open" and c.markup == "autolink":
            skip += 1
        elif c.type == "link_close" and c.markup == "autolink":
            skip -= 1
        elif c.type == "text" and not skip:
            out.append(URL.sub(" ", c.content))
    return " ".join(out)


def _placeholders(children: Sequence[Any], inline: _Inline) -> str:
    out: list[str] = []
    stack: list[int] = []
    i = 0
    while i < len(children):
        c = children[i]
        number = len(inline.codes) + len(inline.pairs) + 1
        if c.type == "text":
            out.append(_text(c.content, inline))
        elif c.type == "softbreak":
            out.append(" ")
        elif c.type in ("em_open", "strong_open", "s_open"):
            inline.pairs[number] = (c.markup, c.markup)
            stack.append(number)
            out.append(f"<g{number}>")
        elif c.type == "link_open" and c.markup == "autolink":
            j = i
            while children[j].type != "link_close":
                j += 1
            inline.codes[number] = f"<{''.join(x.content for x in children[i + 1:j])}>"
            out.append(f"<x{number}/>")
            i = j
        elif c.type == "link_open":
            title = c.attrs.get("title")
            after = f"]({c.attrs.get('href', '')}" + (f' "{title}"' if title else "") + ")"
            inline.pairs[number] = ("[", after)
            stack.append(number)
            out.append(f"<g{number}>")
        elif c.type.endswith("_close"):
            if stack:
                out.append(f"</g{stack.pop()}>")
        else:  # code_inline, image, html_inline, hardbreak
            inline.codes[number] = _source_of(c)
            out.append(f"<x{number}/>")
        i += 1
    return "".join(out)


def _text(text: str, inline: _Inline) -> str:
    out, last = [], 0
    for m in URL.finditer(text):
        out.append(escape_text(text[last:m.start()]))
        number = len(inline.codes) + len(inline.pairs) + 1
        inline.codes[number] = m.group()
        out.append(f"<x{number}/>")
        last = m.end()
    out.append(escape_text(text[last:]))
    return "".join(out)


def _source_of(token: Any) -> str:
    if token.type == "code_inline":
        tick = token.markup or "`"
        pad = " " if token.content.startswith("`") or token.content.endswith("`") else ""
        return f"{tick}{pad}{token.content}{pad}{tick}"
    if token.type == "image":
        title = token.attrs.get("title")
        return (f"![{token.content}]({token.attrs.get('src', '')}"
                + (f' "{title}"' if title else "") + ")")
    if token.type == "hardbreak":
        return "\\\n"
    return str(token.content)


def _locate(lines: list[str], inline: _Inline, cursor: dict[int, int]
            ) -> tuple[tuple[int, int, int], list[tuple[int, int, int]], str] | None:
    """Where the inline's content stands: (line, start, end) of its first line, the same for
    each further line, and the prefix of the continuation lines (quote markers, indent)."""
    parts = inline.content.split("\n")
    found: list[tuple[int, int, int]] = []
    for k, part in enumerate(parts):
        line = inline.line + k
        if line >= len(lines):
            return None
        at = lines[line].find(part, cursor.get(line, 0))
        if at < 0:
            return None
        found.append((line, at, at + len(part)))
    for line, _, end in found:
        cursor[line] = end
    prefix = lines[found[1][0]][:found[1][1]] if len(found) > 1 else " " * found[0][1]
    return found[0], found[1:], prefix


def _write(translation: str, inline: _Inline, prefix: str) -> str:
    """The translation as Markdown: placeholders back to their source, text escaped where it
    would start markup."""

    def build(nodes: Sequence[Any]) -> str:
        out = []
        for node in nodes:
            if node.tag is None:
                out.append(_SPECIAL.sub(r"\\\1", unescape_text(node.text)))
            elif node.tag == "x":
                code = inline.codes.get(node.id, "")
                out.append(code.replace("\n", "\n" + prefix) if code == "\\\n" else code)
            else:
                before, after = inline.pairs.get(node.id, ("", ""))
                out.append(before + build(node.children or []) + after)
        return "".join(out)

    text = build(spans(translation)).strip()
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text, count=1)
