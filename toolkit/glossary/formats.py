"""Glossary files: hand-edited TSV/CSV and TBX (ISO 30042), read and written without loss.

TSV/CSV (the shape DeepL, Google and Amazon glossaries take, plus a few columns)::

    de      en      zh      kind    note
    KI      AI      人工智能  acronym
    Kursziel        price target    目标价   translate
    Qwen3.5 | Qwen 3.5      Qwen3.5 Qwen3.5 keep    Alibaba's model family

The header names the columns: ISO 639-1 language codes (the first one is the language the
glossary translates from), ``kind`` (keep, translate, acronym; empty = translate), ``note``,
``case`` (sensitive / insensitive; empty = sensitive for acronyms only) and ``<lang>_expansion``
(the spelled-out form of an acronym). A cell holds the preferred form, then variants after
``|``. Lines starting with ``#`` and blank lines are skipped.

TBX: TBX-Basic in the ISO 30042:2019 (TBX v3) structure is written (conceptEntry / langSec /
termSec / term); TBX v3 and the older martif (termEntry / langSet / tig) files are read. Kind and
case travel in ``<descrip type="x-tk-kind">`` / ``"x-tk-case"``; acronyms and their expansions
use the standard ``termType`` values ``acronym`` and ``fullForm``; variants are admitted terms.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from toolkit.errors import GlossaryError
from toolkit.glossary.model import (
    INVISIBLE,
    KINDS,
    Glossary,
    GlossaryEntry,
    find_conflicts,
    language_code,
    rendering_key,
)
from toolkit.glossary.tbx import read_tbx, write_tbx
from toolkit.outputs import atomic_write

FORMATS = {".tsv": "tsv", ".csv": "csv", ".tbx": "tbx"}
_LANG_TAG = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$", re.IGNORECASE)
_NOTE_COLUMNS = ("note", "notes", "comment")


def glossary_format(path: str | Path) -> str:
    """"tsv", "csv" or "tbx" from the file extension."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise GlossaryError(f"{path}: unknown glossary format; name the file .tsv, .csv or .tbx")
    return fmt


def check_glossary(path: str | Path) -> tuple[Glossary | None, list[str]]:
    """Read and validate one file: the glossary (None when it has problems) and every problem
    as "file:line: message"."""
    path = Path(path)
    fmt = glossary_format(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise GlossaryError(f"{path}: cannot read the glossary ({e.strerror})") from None
    if fmt == "tbx":
        try:
            entries, source_lang, problems = read_tbx(path, data)
        except GlossaryError as e:  # not XML at all: one problem, reported like the others
            return None, [str(e)]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            return None, [f"{path}:{line}: not UTF-8 text; save the file as UTF-8"]
        entries, source_lang, problems = _read_table(path, text, "\t" if fmt == "tsv" else ",")
    problems += find_conflicts(entries, source_lang)
    if problems:
        return None, problems
    if not entries:
        return None, [f"{path}: the glossary has no entries"]
    return Glossary(entries, source_lang=source_lang, name=path.name), []


def load_glossary(path: str | Path) -> Glossary:
    """A validated glossary from a .tsv, .csv or .tbx file; GlossaryError names file and line."""
    glossary, problems = check_glossary(path)
    if problems:
        more = f" (and {len(problems) - 1} more; see `tk glossary check {path}`)" if len(problems) > 1 else ""
        raise GlossaryError(problems[0] + more)
    assert glossary is not None
    return glossary


def load_glossaries(paths: Sequence[str | Path]) -> Glossary:
    """Several glossary files merged into one; a term defined differently in two is an error,
    an entry repeated verbatim is taken once."""
    if not paths:
        raise GlossaryError("no glossary files given")
    glossaries = [load_glossary(p) for p in paths]
    # An entry repeated verbatim in another file is harmless; a different rendering is not.
    entries: list[GlossaryEntry] = []
    seen: set[tuple[object, ...]] = set()
    for e in (e for g in glossaries for e in g.entries):
        if (key := rendering_key(e)) not in seen:
            seen.add(key)
            entries.append(e)
    source_lang = glossaries[0].source_lang
    problems = find_conflicts(entries, source_lang)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise GlossaryError(problems[0] + more)
    return Glossary(entries, source_lang=source_lang, name=" + ".join(g.name for g in glossaries))


def save_glossary(glossary: Glossary, path: str | Path) -> None:
    """Write ``glossary`` as TSV, CSV or TBX, chosen by the extension of ``path``."""
    path = Path(path)
    fmt = glossary_format(path)
    text = write_tbx(glossary) if fmt == "tbx" else write_table(glossary, "\t" if fmt == "tsv" else ",")
    atomic_write(path, text)


# --- TSV / CSV -------------------------------------------------------------------------------


def _columns(glossary: Glossary) -> tuple[list[str], list[str], bool]:
    langs = [glossary.source_lang] if any(glossary.source_lang in e.forms for e in glossary) else []
    for e in glossary:
        langs += [lang for lang in e.forms if lang not in langs]
    expanded = [lang for lang in langs if any(lang in e.expansions for e in glossary)]
    default_case = all(e.case_sensitive == (e.kind == "acronym") for e in glossary)
    return langs, expanded, not default_case


def write_table(glossary: Glossary, delimiter: str = "\t") -> str:
    """The glossary as TSV (``delimiter="\\t"``) or CSV text, header first."""
    langs, expanded, with_case = _columns(glossary)
    header = langs + [f"{lang}_expansion" for lang in expanded] + ["kind"]
    header += ["case"] if with_case else []
    header += ["note"]
    rows = [header]
    for e in glossary:
        row = [" | ".join(e.forms.get(lang, ())) for lang in langs]
        row += [" | ".join(e.expansions.get(lang, ())) for lang in expanded]
        row.append(e.kind)
        if with_case:  # only where the entry departs from the default (acronyms sensitive)
            row.append("" if e.case_sensitive == (e.kind == "acronym")
                       else "sensitive" if e.case_sensitive else "insensitive")
        row.append(e.note)
        rows.append(row)
    if delimiter == "\t":
        for row in rows:
            for cell in row:
                if "\t" in cell or "\n" in cell:
                    raise GlossaryError(f"cannot write {cell!r} to TSV (it holds a tab or line break)")
        return "".join("\t".join(row) + "\n" for row in rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _header(path: Path, line: int, cells: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Column roles (("lang", "de"), ("expansion", "en"), ("kind", "")...) or problems."""
    roles: list[tuple[str, str]] = []
    problems: list[str] = []
    for raw in cells:
        name = raw.strip().lower()
        role: tuple[str, str]
        if name == "kind":
            role = ("kind", "")
        elif name == "case":
            role = ("case", "")
        elif name in _NOTE_COLUMNS:
            role = ("note", "")
        elif name.endswith("_expansion") and language_code(name[: -len("_expansion")]):
            role = ("expansion", language_code(name[: -len("_expansion")]) or "")
        elif code := language_code(name):
            role = ("lang", code)
        elif _LANG_TAG.match(name.removesuffix("_expansion")):
            problems.append(
                f"{path}:{line}: unknown language code {raw.strip()!r} in the header; "
                "use ISO 639-1 codes such as de, en, zh"
            )
            continue
        else:
            problems.append(
                f"{path}:{line}: unknown column {raw.strip()!r}; columns are language codes "
                "(de, en, zh...), <lang>_expansion, kind, case and note"
            )
            continue
        if role in roles:
            problems.append(f"{path}:{line}: column {raw.strip()!r} appears twice in the header")
        roles.append(role)
    if not problems and not any(kind == "lang" for kind, _ in roles):
        problems.append(f"{path}:{line}: the header names no language column; start it with e.g. de, en, zh")
    return roles, problems




def _split_forms(cell: str) -> tuple[str, ...] | None:
    """"A | B" -> ("A", "B"), whitespace collapsed; None when a part between bars is empty."""
    if not cell.strip():
        return ()
    parts = tuple(" ".join(p.split()) for p in cell.split("|"))
    return None if any(not p for p in parts) else parts


def _read_table(path: Path, text: str, delimiter: str) -> tuple[list[GlossaryEntry], str, list[str]]:
    reader = csv.reader(
        io.StringIO(text), delimiter=delimiter, quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    )
    roles: list[tuple[str, str]] | None = None
    entries: list[GlossaryEntry] = []
    problems: list[str] = []
    source_lang = "de"
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue
            if roles is None:
                roles, header_problems = _header(path, start, row)
                if header_problems:
                    return [], source_lang, header_problems
                source_lang = next(code for kind, code in roles if kind == "lang")
                continue
            entry = _row_entry(path, start, row, roles, problems, "tab" if delimiter == "\t" else "comma")
            if entry is not None:
                entries.append(entry)
    except csv.Error as e:
        return entries, source_lang, problems + [f"{path}:{reader.line_num}: {e}; check the quoting"]
    if roles is None:
        problems.append(f"{path}:1: no header row; start with a line like 'de<TAB>en<TAB>zh<TAB>kind'")
    return entries, source_lang, problems


def _row_entry(path: Path, line: int, row: list[str], roles: list[tuple[str, str]],
               problems: list[str], sep: str) -> GlossaryEntry | None:
    where = f"{path}:{line}"
    if len(row) != len(roles):
        problems.append(
            f"{where}: expected {len(roles)} columns ({', '.join(c or k for k, c in roles)}), "
            f"found {len(row)}; check for a missing or extra {sep}"
        )
        return None
    forms: dict[str, tuple[str, ...]] = {}
    expansions: dict[str, tuple[str, ...]] = {}
    kind, case, note = "translate", "", ""
    for (role, lang), cell in zip(roles, row):
        if role in ("lang", "expansion") and (hidden := INVISIBLE.search(cell)):
            problems.append(f"{where}: the {lang} form {cell.strip()!r} holds an invisible "
                            f"character (U+{ord(hidden.group()):04X}), which no text would "
                            "match as meant; delete it")
            return None
        if role in ("lang", "expansion"):
            split = _split_forms(cell)
            if split is None:
                problems.append(f"{where}: empty form between '|' in the {lang} column {cell!r}")
                return None
            (forms if role == "lang" else expansions)[lang] = split
        elif role == "kind":
            kind = cell.strip().lower() or "translate"
        elif role == "case":
            case = cell.strip().lower()
        else:
            note = " ".join(cell.split())
    if kind not in KINDS:
        problems.append(f"{where}: unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
        return None
    if case not in ("", "sensitive", "insensitive"):
        problems.append(f"{where}: unknown case {case!r}; use sensitive or insensitive (or leave it empty)")
        return None
    langs = [lang for role, lang in roles if role == "lang"]
    present = [lang for lang in langs if forms[lang]]
    if not present:
        problems.append(f"{where}: the row has no terms")
        return None
    label = forms[present[0]][0]
    if kind == "keep":
        if not forms[langs[0]]:
            problems.append(f"{where}: empty {langs[0]} term for {label!r}")
            return None
    else:
        for lang in langs:
            if not forms[lang]:
                what = "term" if lang == langs[0] else "target"
                problems.append(
                    f"{where}: empty {lang} {what} for {label!r}; fill it in "
                    "(or use kind keep for a term that stays the same in every language)"
                )
                return None
    try:
        return GlossaryEntry(
            forms={lang: fs for lang, fs in forms.items() if fs},
            kind=kind,  # type: ignore[arg-type]
            expansions={lang: fs for lang, fs in expansions.items() if fs},
            case_sensitive=None if not case else case == "sensitive",
            note=note,
            origin=where,
        )
    except GlossaryError as e:
        problems.append(str(e))
        return None
