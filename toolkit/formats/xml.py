"""XML from files others wrote (XLIFF, TMX), read safely: a first pass with expat refuses
entity declarations (billion laughs, external entities), an internal DTD subset and entities
it cannot resolve, and names the line and column of malformed XML; then lxml builds the tree
(prefixes and source lines kept) with entity resolution, DTD loading and the network off."""

from __future__ import annotations

from typing import Any
from xml.parsers import expat

from toolkit.errors import InputError


def parse_xml(data: bytes, where: str, kind: str) -> Any:
    """The root element of ``data`` (an lxml element); ``kind`` names the format in errors."""
    guard(data, where, kind)
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:  # expat accepted it; libxml2 did not
        line, col = e.position
        raise InputError(f"{where}:{line}:{col}: not well-formed {kind} ({e.msg})") from None


def guard(data: bytes, where: str, kind: str) -> None:
    """Refuse what a shared file must not do to the reader; one line with the position."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def at() -> str:
        return f"{where}:{parser.CurrentLineNumber}:{parser.CurrentColumnNumber + 1}"

    def entity(name: str, *args: object) -> None:
        raise InputError(f"{at()}: entity declaration <!ENTITY {name}> refused ({kind} files "
                         "need none; a shared file must not expand or fetch entities)")

    def doctype(name: str, sysid: str | None, pubid: str | None, internal: int) -> None:
        if internal:
            raise InputError(f"{at()}: DOCTYPE with an internal subset refused ({kind} files "
                             "need none)")

    def skipped(name: str, is_parameter: int) -> None:
        raise InputError(f"{at()}: undeclared entity &{name}; write the character itself "
                         "(or &#...;)")

    parser.EntityDeclHandler = entity
    parser.StartDoctypeDeclHandler = doctype
    parser.SkippedEntityHandler = skipped
    parser.ExternalEntityRefHandler = lambda *args: 0
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:
        raise InputError(f"{where}:{e.lineno}:{e.offset + 1}: not well-formed {kind} "
                         f"({expat.errors.messages[e.code]})") from None


def add_text(parent: Any, text: str) -> None:
    """``text`` appended where it reads next in ``parent``: its text if it has no child yet,
    else its last child's tail (ElementTree and lxml alike)."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text
