"""TMX 1.4b (translation memory exchange) written and read.

Written: one ``<tu>`` per segment pair, ``tuid`` the segment id, the document as a ``<prop
type="x-tk-doc">``, one ``<tuv xml:lang>`` per language; inline markup placeholders as TMX
inline codes (``<bpt>``/``<ept>`` for a pair, ``<ph>`` for a kept element). Read: every
``<tu>``'s variants by language (``en-US`` counts as ``en``), inline codes back to
placeholders; hostile XML refused (:mod:`toolkit.formats.xml`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from toolkit.errors import InputError
from toolkit.formats.tags import escape_text, spans, unescape_text
from toolkit.formats.xml import add_text, parse_xml

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Unit:
    """One translation unit: its id, and its text in each language (placeholders for codes)."""

    id: str
    variants: dict[str, str]
    doc: str | None = None


def write_tmx(units: Iterable[Unit], source_lang: str, *, tool_version: str = "") -> bytes:
    from lxml import etree

    root = etree.Element("tmx", {"version": "1.4"})
    etree.SubElement(root, "header", {
        "creationtool": "tk", "creationtoolversion": tool_version or "0", "segtype": "sentence",
        "o-tmf": "tk", "adminlang": "en", "srclang": source_lang, "datatype": "plaintext"})
    body = etree.SubElement(root, "body")
    for unit in units:
        tu = etree.SubElement(body, "tu", {"tuid": unit.id})
        if unit.doc:
            etree.SubElement(tu, "prop", {"type": "x-tk-doc"}).text = unit.doc
        for lang, text in unit.variants.items():
            tuv = etree.SubElement(tu, "tuv", {_XML_LANG: lang})
            _seg(etree.SubElement(tuv, "seg"), spans(text))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _seg(el: Any, nodes: Sequence[Any]) -> None:
    """A ``<seg>``'s content from spans: TMX pairs are flat (``<bpt>`` words ``<ept>``), not
    nested elements."""
    from lxml import etree

    for node in nodes:
        if node.tag is None:
            add_text(el, unescape_text(node.text))
        elif node.tag == "x":
            etree.SubElement(el, "ph", {"x": str(node.id)})
        else:
            etree.SubElement(el, "bpt", {"i": str(node.id), "x": str(node.id)})
            _seg(el, node.children or [])
            etree.SubElement(el, "ept", {"i": str(node.id)})


def read_tmx(data: bytes, where: str) -> list[Unit]:
    root = parse_xml(data, where, "TMX")
    if root.tag != "tmx":
        raise InputError(f"{where}:{root.sourceline}: root element <{root.tag}> is not <tmx>; is "
                         "this a TMX file?")
    version = root.get("version", "")
    if not version.startswith("1."):
        raise InputError(f"{where}:{root.sourceline}: unknown TMX version {version or '(none)'!r}; "
                         "tk reads TMX 1.4b (and 1.1-1.3)")
    units = []
    for n, tu in enumerate(root.iter("tu"), start=1):
        variants: dict[str, str] = {}
        for tuv in tu.iter("tuv"):
            lang = tuv.get(_XML_LANG) or tuv.get("lang") or ""
            seg = tuv.find("seg")
            if not lang or seg is None:
                continue
            code = lang.split("-")[0].split("_")[0].lower()
            variants.setdefault(code, " ".join(_text(seg).split()))
        doc = next((p.text for p in tu.iter("prop") if p.get("type") == "x-tk-doc"), None)
        if variants:
            units.append(Unit(tu.get("tuid") or str(n), variants, doc))
    return units


def _text(seg: Any) -> str:
    """A ``<seg>``'s text, its inline codes as placeholders (numbered by ``x``/``i``)."""
    out = [escape_text(seg.text or "")]
    for child in seg:
        tag = child.tag if isinstance(child.tag, str) else ""
        number = child.get("x") or child.get("i") or ""
        if tag == "bpt" and number.isdigit():
            out.append(f"<g{child.get('i') or number}>")
        elif tag == "ept" and (child.get("i") or "").isdigit():
            out.append(f"</g{child.get('i')}>")
        elif tag in ("ph", "it", "ut") and number.isdigit():
            out.append(f"<x{number}/>")
        elif tag == "hi":
            out.append(_text(child))
        out.append(escape_text(child.tail or ""))
    return "".join(out)
