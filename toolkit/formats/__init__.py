"""Documents as localization teams hold them: HTML, Markdown and XLIFF read into blocks of
text with numbered placeholders for inline markup (:mod:`toolkit.formats.tags`), and written
back in the same format with the translations in place; TMX for translation memories.

A format module parses with a well-kept parser (html5lib, markdown-it-py, lxml behind an XML
guard), never with a regex over markup. :func:`read_markup` gives the blocks of a file;
:func:`render_markup` puts translated blocks back. Both are pure functions of the file's
bytes, so a job renders from the same input it read (nothing but bytes and blocks travels).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from toolkit.errors import InputError

# What each suffix is read as.
SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html", ".md": "markdown",
            ".markdown": "markdown", ".xlf": "xliff", ".xliff": "xliff"}
# The suffix of the translated file, by format.
OUTPUT_SUFFIX = {"html": ".html", "markdown": ".md", "xliff": ".xlf"}


@dataclass(frozen=True)
class Block:
    """One run of translatable text: a paragraph, heading, list item, table cell, attribute
    (``alt``/``title``) or XLIFF segment. ``text`` holds placeholders for inline markup;
    ``split``: whether tk may cut it into sentences (an XLIFF segment is already one)."""

    text: str
    kind: str = "text"  # "text", "heading", "item"
    split: bool = True


@dataclass(frozen=True)
class Markup:
    """A marked-up document: its format, its bytes as read, and its blocks in order."""

    format: str
    data: bytes
    blocks: tuple[Block, ...]
    source_lang: str | None = None  # what the file says (XLIFF srcLang)
    target_lang: str | None = None


def read_markup(data: bytes, fmt: str, where: str) -> Markup:
    """The blocks of a file of format ``fmt``; a malformed or hostile file is one
    :class:`InputError` line naming ``where`` and the position."""
    if fmt == "html":
        from toolkit.formats.html import read_html

        return read_html(data, where)
    if fmt == "markdown":
        from toolkit.formats.markdown import read_markdown

        return read_markdown(data, where)
    if fmt == "xliff":
        from toolkit.formats.xliff import read_xliff

        return read_xliff(data, where)
    raise InputError(f"{where}: unknown document format {fmt!r}")


@dataclass(frozen=True)
class BlockResult:
    """A block's translation (placeholders in it) and what the checks found wrong (XLIFF
    writes them as notes)."""

    text: str
    problems: tuple[str, ...] = ()


def render_markup(markup: Markup, results: Sequence[BlockResult | None], lang: str) -> bytes:
    """The document again in its own format with each block's translation in place (None:
    the block is left as it was)."""
    if len(results) != len(markup.blocks):
        raise ValueError(f"{len(results)} results for {len(markup.blocks)} blocks")
    if markup.format == "html":
        from toolkit.formats.html import render_html

        return render_html(markup, results, lang)
    if markup.format == "markdown":
        from toolkit.formats.markdown import render_markdown

        return render_markdown(markup, results, lang)
    from toolkit.formats.xliff import render_xliff

    return render_xliff(markup, results, lang)
