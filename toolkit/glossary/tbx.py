"""TBX (ISO 30042): TBX-Basic in the TBX v3 structure written (conceptEntry / langSec /
termSec / term); TBX v3 and the older martif (termEntry / langSet / tig) files read, with
external entities, DOCTYPE tricks and billion laughs refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers import expat

from toolkit.errors import GlossaryError
from toolkit.glossary.model import (
    INVISIBLE,
    KINDS,
    Glossary,
    GlossaryEntry,
    language_code,
)

TBX_NAMESPACE = "urn:iso:std:iso:30042:ed-2"
_XML_NS = "http://www.w3.org/XML/1998/namespace"


def write_tbx(glossary: Glossary) -> str:
    """The glossary as TBX-Basic (ISO 30042:2019 structure), UTF-8 XML text."""
    root = ET.Element("tbx", {"type": "TBX-Basic", "style": "dca", "xml:lang": glossary.source_lang,
                              "xmlns": TBX_NAMESPACE})
    header = ET.SubElement(ET.SubElement(root, "tbxHeader"), "fileDesc")
    p = ET.SubElement(ET.SubElement(header, "sourceDesc"), "p")
    p.text = f"Glossary {glossary.name or ''} written by tk; edit the TSV and convert with `tk glossary convert`."
    p.text = " ".join(p.text.split())
    body = ET.SubElement(ET.SubElement(root, "text"), "body")
    for i, e in enumerate(glossary, start=1):
        concept = ET.SubElement(body, "conceptEntry", {"id": f"c{i}"})
        ET.SubElement(concept, "descrip", {"type": "x-tk-kind"}).text = e.kind
        if e.case_sensitive != (e.kind == "acronym"):
            ET.SubElement(concept, "descrip", {"type": "x-tk-case"}).text = (
                "sensitive" if e.case_sensitive else "insensitive")
        if e.note:
            ET.SubElement(concept, "note").text = e.note
        pos = "properNoun" if e.is_name() and e.kind != "acronym" else "noun"
        for lang in dict.fromkeys([*e.forms, *e.expansions]):
            lang_sec = ET.SubElement(concept, "langSec", {"xml:lang": lang})
            terms = [(f, "acronym" if e.kind == "acronym" else None) for f in e.forms.get(lang, ())]
            terms += [(f, "fullForm") for f in e.expansions.get(lang, ())]
            for j, (form, term_type) in enumerate(terms):
                term_sec = ET.SubElement(lang_sec, "termSec")
                ET.SubElement(term_sec, "term").text = form
                ET.SubElement(term_sec, "termNote", {"type": "partOfSpeech"}).text = pos
                if term_type:
                    ET.SubElement(term_sec, "termNote", {"type": "termType"}).text = term_type
                status = "preferredTerm-admn-sts" if j == 0 else "admittedTerm-admn-sts"
                ET.SubElement(term_sec, "termNote", {"type": "administrativeStatus"}).text = status
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _parse_xml(path: Path, data: bytes) -> tuple[ET.Element, dict[ET.Element, int]]:
    """Parse with expat to keep each element's line number; namespaces are dropped, xml:lang
    kept. Entity declarations are refused (no entity expansion attacks from shared files)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    builder = ET.TreeBuilder()
    lines: dict[ET.Element, int] = {}

    def local(name: str) -> str:
        ns, _, tag = name.rpartition(" ")
        return f"xml:{tag}" if ns == _XML_NS else tag

    def start(name: str, attrs: dict[str, str]) -> None:
        lines[builder.start(local(name), {local(k): v for k, v in attrs.items()})] = parser.CurrentLineNumber

    def refuse_entity(*args: object) -> None:
        raise GlossaryError(f"{path}:{parser.CurrentLineNumber}: entity declarations are not allowed in glossaries")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: builder.end(local(name))
    parser.CharacterDataHandler = builder.data
    parser.EntityDeclHandler = refuse_entity

    def undeclared(name: str, is_parameter: int) -> None:
        # expat skips an entity it has no declaration for when the document names an
        # external DTD: the text would silently lose it.
        raise GlossaryError(f"{path}:{parser.CurrentLineNumber}: undeclared entity &{name}; "
                            "write the character itself (or &#...; / &amp;)")

    parser.SkippedEntityHandler = undeclared
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:
        raise GlossaryError(f"{path}:{e.lineno}: not well-formed XML ({expat.errors.messages[e.code]})") from None
    return builder.close(), lines


def _text(el: ET.Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def read_tbx(path: Path, data: bytes) -> tuple[list[GlossaryEntry], str, list[str]]:
    root, lines = _parse_xml(path, data)
    problems: list[str] = []
    if root.tag not in ("tbx", "martif"):
        return [], "de", [f"{path}:{lines[root]}: root element <{root.tag}> is not <tbx> or <martif>; is this a TBX file?"]
    source_lang = language_code(root.get("xml:lang", "")) or ""
    entries: list[GlossaryEntry] = []
    for concept in root.iter():
        if concept.tag not in ("conceptEntry", "termEntry"):
            continue
        entry = _tbx_entry(path, concept, lines, problems)
        if entry is not None:
            entries.append(entry)
            source_lang = source_lang or next(iter(entry.forms))
    return entries, source_lang or "de", problems


def _tbx_entry(path: Path, concept: ET.Element, lines: dict[ET.Element, int],
               problems: list[str]) -> GlossaryEntry | None:
    where = f"{path}:{lines[concept]}"
    kind, case = "", ""
    notes: list[str] = []
    for child in concept:
        if child.tag == "descrip" and child.get("type") == "x-tk-kind":
            kind = _text(child).lower()
        elif child.tag == "descrip" and child.get("type") == "x-tk-case":
            case = _text(child).lower()
        elif child.tag == "note":
            notes.append(_text(child))
    forms: dict[str, list[tuple[str, bool]]] = {}  # lang -> (form, preferred)
    fulls: dict[str, list[str]] = {}
    any_acronym = False
    for lang_sec in concept:
        if lang_sec.tag not in ("langSec", "langSet"):
            continue
        tag = lang_sec.get("xml:lang", "")
        lang = language_code(tag)
        if lang is None:
            problems.append(f"{path}:{lines[lang_sec]}: unknown language code {tag!r}; use ISO 639-1 codes such as de, en, zh")
            return None
        for term_sec in lang_sec:
            if term_sec.tag not in ("termSec", "tig", "ntig"):
                continue
            term = next(term_sec.iter("term"), None)
            form = _text(term)
            if not form:
                problems.append(f"{path}:{lines[term if term is not None else term_sec]}: empty {lang} term")
                return None
            if hidden := INVISIBLE.search(form):
                problems.append(f"{path}:{lines[term if term is not None else term_sec]}: the "
                                f"{lang} term {form!r} holds an invisible character "
                                f"(U+{ord(hidden.group()):04X}); delete it")
                return None
            notes_of = {n.get("type"): _text(n) for n in term_sec.iter("termNote")}
            term_type = notes_of.get("termType", "")
            any_acronym |= term_type in ("acronym", "abbreviation")
            if term_type == "fullForm":
                fulls.setdefault(lang, []).append(form)
            else:
                preferred = notes_of.get("administrativeStatus", "").startswith("preferred")
                forms.setdefault(lang, []).append((form, preferred))
    if not kind:
        preferred_forms = {fs[0][0] for fs in forms.values() if fs}
        kind = "acronym" if any_acronym else "keep" if len(preferred_forms) == 1 and not fulls else "translate"
    if kind not in KINDS:
        problems.append(f"{where}: unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
        return None
    if kind != "acronym":  # full forms outside acronyms are plain variants
        for lang, fs in fulls.items():
            forms.setdefault(lang, []).extend((f, False) for f in fs)
        fulls = {}
    if case not in ("", "sensitive", "insensitive"):
        problems.append(f"{where}: unknown case {case!r}; use sensitive or insensitive")
        return None
    ordered = {lang: tuple(f for f, p in sorted(fs, key=lambda fp: not fp[1])) for lang, fs in forms.items()}
    try:
        return GlossaryEntry(
            forms=ordered, kind=kind, expansions={k: tuple(v) for k, v in fulls.items()},  # type: ignore[arg-type]
            case_sensitive=None if not case else case == "sensitive", note="; ".join(notes), origin=where,
        )
    except GlossaryError as e:
        problems.append(str(e))
        return None
