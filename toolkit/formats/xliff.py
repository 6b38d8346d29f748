"""XLIFF 2.x read and written, XLIFF 1.2 (and 1.1) read, and its targets filled in the same
file and version.

Each ``<segment>`` (1.2: ``<trans-unit>``) whose target is empty (or, in 2.x, whose state is
``initial``) and that is not marked ``translate="no"`` is one block, never cut further: the
translators' segmentation stands. Inline codes become placeholders: 2.x ``<pc>`` and
``<mrk>`` (1.2 ``<g>``, ``<mrk>``) pairs whose words are translated; ``<ph>``, ``<sc>``,
``<ec>``, ``<sm>``, ``<em>``, ``<cp>`` (1.2 ``<x>``, ``<bx>``, ``<ex>``, ``<ph>``,
``<bpt>``, ``<ept>``, ``<it>``) kept whole. Written back: the target with the same codes, its
state ``translated`` (``subState="tk:check"`` where a check found a problem), and each
segment's problems as notes (category ``tk``). :func:`write_xliff` makes an XLIFF 2.1 file of
any document's segments (``tk translate -o DIR --format xliff``).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from toolkit.errors import InputError
from toolkit.formats import Block, BlockResult, Markup
from toolkit.formats.tags import escape_text, spans, unescape_text
from toolkit.formats.xml import add_text, parse_xml

XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
# 1.1 (what many tools, translate-toolkit among them, still write) reads as 1.2 does.
VERSIONS = {XLIFF2: ("2.0", "2.1", "2.2"), XLIFF12: ("1.2",),
            "urn:oasis:names:tc:xliff:document:1.1": ("1.1",)}
PAIRED = {XLIFF2: ("pc", "mrk")}  # 1.x: <g>, <mrk>
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _local(el: Any) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rpartition("}")[2]


def read_xliff(data: bytes, where: str) -> Markup:
    root = parse_xml(data, where, "XLIFF")
    ns = _namespace(root, where)
    segments, _ = _segments(root, ns)
    blocks = []
    for _segment, source in segments:
        blocks.append(Block(" ".join(_placeholders(source, ns, {}).split()), "text",
                            split=False))
    if ns == XLIFF2:
        src, trg = root.get("srcLang"), root.get("trgLang")
    else:
        file = root.find(f"{{{ns}}}file")
        src = file.get("source-language") if file is not None else None
        trg = file.get("target-language") if file is not None else None
    return Markup("xliff", data, tuple(blocks), _lang(src), _lang(trg))


def render_xliff(markup: Markup, results: Sequence[BlockResult | None], lang: str) -> bytes:
    from lxml import etree

    root = parse_xml(markup.data, "the input", "XLIFF")
    ns = _namespace(root, "the input")
    segments, units = _segments(root, ns)
    for (segment, source), result in zip(segments, results, strict=True):
        if result is None:
            continue
        codes: dict[int, Any] = {}
        _placeholders(source, ns, codes)
        target = segment.find(f"{{{ns}}}target")
        if target is None:
            target = etree.Element(f"{{{ns}}}target")
            source.addnext(target)
        for child in list(target):
            target.remove(child)
        target.text = None
        _fill(target, spans(result.text), codes, ns)
        if ns == XLIFF2:
            segment.set("state", "translated")
            if result.problems:
                segment.set("subState", "tk:check")
            elif segment.get("subState") == "tk:check":
                del segment.attrib["subState"]
        else:
            target.set("state", "translated")
            if lang:
                target.set(_XML_LANG, lang)
        if result.problems:
            _add_notes(units[segment], segment, result.problems, ns)
    if ns == XLIFF2 and not root.get("trgLang"):
        root.set("trgLang", lang)
    if ns != XLIFF2:
        for file in root.iter(f"{{{ns}}}file"):
            file.set("target-language", file.get("target-language") or lang)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _namespace(root: Any, where: str) -> str:
    ns = root.tag.partition("}")[0].lstrip("{") if root.tag.startswith("{") else ""
    if _local(root) != "xliff":
        raise InputError(f"{where}:{root.sourceline}: root element <{_local(root)}> is not "
                         "<xliff>; is this an XLIFF file?")
    version = root.get("version", "")
    if ns not in VERSIONS or version not in VERSIONS[ns]:
        raise InputError(f"{where}:{root.sourceline}: unknown XLIFF version {version or '(none)'!r}"
                         f"{f' in namespace {ns}' if ns else ''}; tk reads XLIFF 1.1, 1.2 and 2.0-2.2")
    return ns


def _segments(root: Any, ns: str) -> tuple[list[tuple[Any, Any]], dict[Any, Any]]:
    """(segment, source) of each segment to translate, in document order; and each one's unit."""
    out: list[tuple[Any, Any]] = []
    units: dict[Any, Any] = {}
    unit_tag = "unit" if ns == XLIFF2 else "trans-unit"
    for unit in root.iter(f"{{{ns}}}{unit_tag}"):
        if _not_translated(unit):
            continue
        parts = [unit] if ns != XLIFF2 else list(unit.iter(f"{{{ns}}}segment"))
        for segment in parts:
            source = segment.find(f"{{{ns}}}source")
            if source is None or not "".join(source.itertext()).strip():
                continue
            if not _needs_target(segment, ns):
                continue
            out.append((segment, source))
            units[segment] = unit
    return out, units


def _not_translated(unit: Any) -> bool:
    el = unit
    while el is not None:
        if el.get("translate") == "no":
            return True
        el = el.getparent()
    return False


def _needs_target(segment: Any, ns: str) -> bool:
    target = segment.find(f"{{{ns}}}target")
    if target is None or not "".join(target.itertext()).strip():
        return True
    if ns == XLIFF2:
        return segment.get("state", "initial") == "initial"
    return target.get("state") in ("new", "needs-translation")


def _placeholders(el: Any, ns: str, codes: dict[int, Any]) -> str:
    out = [escape_text(el.text or "")]
    for child in el:
        name = _local(child)
        number = len(codes) + 1
        codes[number] = child
        if name in PAIRED.get(ns, ("g", "mrk")):
            out.append(f"<g{number}>{_placeholders(child, ns, codes)}</g{number}>")
        else:  # a code kept whole (or an element tk does not know: kept, not translated)
            out.append(f"<x{number}/>")
        out.append(escape_text(child.tail or ""))
    return "".join(out)


def _fill(el: Any, nodes: Sequence[Any], codes: dict[int, Any], ns: str) -> None:
    """``el``'s content built from a translation's spans, each code a copy of the source's."""
    from lxml import etree

    for node in nodes:
        if node.tag is None:
            add_text(el, unescape_text(node.text))
            continue
        original = codes.get(node.id)
        if original is None:
            continue
        if node.tag == "x":
            child = copy.deepcopy(original)
            child.tail = None
        else:
            child = etree.Element(original.tag, dict(original.attrib), nsmap=original.nsmap)
            _fill(child, node.children or [], codes, ns)
        el.append(child)


def _add_notes(unit: Any, segment: Any, problems: Sequence[str], ns: str) -> None:
    from lxml import etree

    if ns != XLIFF2:
        for p in problems:
            note = etree.SubElement(unit, f"{{{ns}}}note", {"from": "tk"})
            note.text = p
        return
    notes = unit.find(f"{{{ns}}}notes")
    if notes is None:
        notes = etree.Element(f"{{{ns}}}notes")
        first = next((c for c in unit if _local(c) in ("originalData", "segment", "ignorable")), None)
        if first is not None:
            first.addprevious(notes)
        else:
            unit.append(notes)
    sid = segment.get("id")
    for p in problems:
        note = etree.SubElement(notes, f"{{{ns}}}note", {"category": "tk", "appliesTo": "target"})
        note.text = f"segment {sid}: {p}" if sid else p


def _lang(code: str | None) -> str | None:
    return code.split("-")[0].split("_")[0].lower() if code else None


# --- XLIFF 2.1 from any document ---------------------------------------------------------------


def write_xliff(doc_id: str, original: str | None, source_lang: str, target_lang: str,
                units: Sequence[Sequence[tuple[str, str, str, Sequence[str]]]]) -> bytes:
    """An XLIFF 2.1 file with one ``<file>`` for a document: a unit per paragraph, a segment
    per sentence (``(segment id, source, target, problems)``), placeholders as ``<pc>`` /
    ``<ph>`` (ids unique in the unit), each segment ``translated`` and its problems as notes."""
    from lxml import etree

    q = f"{{{XLIFF2}}}"
    root = etree.Element(q + "xliff", {"version": "2.1", "srcLang": source_lang,
                                       "trgLang": target_lang}, nsmap={None: XLIFF2})
    file = etree.SubElement(root, q + "file", {"id": "f1", **({"original": original} if original else {})})
    for u, segments in enumerate(units, start=1):
        unit = etree.SubElement(file, q + "unit", {"id": f"u{u}", "name": doc_id})
        notes = None
        for sid, _source, _target, problems in segments:
            if problems:
                notes = notes if notes is not None else etree.SubElement(unit, q + "notes")
                for p in problems:
                    etree.SubElement(notes, q + "note", {"category": "tk", "appliesTo": "target"}
                                     ).text = f"segment {sid}: {p}"
        for sid, source, target, problems in segments:
            attrs = {"id": sid, "state": "translated"}
            if problems:
                attrs["subState"] = "tk:check"
            segment = etree.SubElement(unit, q + "segment", attrs)
            _inline(etree.SubElement(segment, q + "source"), spans(source), q)
            _inline(etree.SubElement(segment, q + "target"), spans(target), q)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _inline(el: Any, nodes: Sequence[Any], q: str) -> None:
    from lxml import etree

    for node in nodes:
        if node.tag is None:
            add_text(el, unescape_text(node.text))
        elif node.tag == "x":
            etree.SubElement(el, q + "ph", {"id": str(node.id)})
        else:
            _inline(etree.SubElement(el, q + "pc", {"id": str(node.id)}), node.children or [], q)
