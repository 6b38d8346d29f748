"""Documents: what users give tk (.txt files, folders of them, JSONL with id/text, stdin)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from toolkit.errors import InputError
from toolkit.jsonl import iter_jsonl

if TYPE_CHECKING:
    import datasets

# The metadata file `tk corpus clean` writes beside the cleaned .txt files.
METADATA_FILE = "documents.jsonl"
STDIN = "-"
STDIN_ID = "stdin"
_JSONL_FIELDS = ("id", "text", "title", "date", "lang")
_INPUT_HINT = "give .txt files, a folder of .txt files, a .jsonl file with id and text fields, or - for stdin"


@dataclass(frozen=True)
class Document:
    """One article. ``id`` is stable across runs: the file stem, or the JSONL ``id`` field."""

    id: str
    text: str
    lang: str = "de"
    title: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) where the article names one
    source: str | None = None  # path or "-" for stdin
    meta: dict[str, str] = field(default_factory=dict, compare=False)


def load_documents(
    inputs: Sequence[str | Path], lang: str = "de", *, stdin: BinaryIO | None = None
) -> list[Document]:
    """Load documents from .txt files, folders, .jsonl files and ``-`` (stdin), in the order given.

    A folder gives its .txt files sorted by name (sub-folders are not read); a ``documents.jsonl``
    beside them (what ``tk corpus clean`` writes) adds title, date and lang to the same ids.
    A folder without .txt files but with a ``clean/`` sub-folder (tk's ``corpus/`` layout: raw/
    as fetched, clean/ as cleaned) means that cleaned corpus. Stdin is one plain-text document
    with id ``stdin``, or JSONL when its first non-blank character is ``{``.
    Every problem a user can fix raises :class:`InputError` naming the file (and line) and the fix.
    """
    if not inputs:
        raise InputError(f"no input documents; {_INPUT_HINT}")
    docs: list[Document] = []
    for item in inputs:
        if str(item) == STDIN:
            docs.extend(_load_stdin(stdin, lang))
            continue
        path = Path(item)
        if path.is_dir():
            docs.extend(_load_folder(path, lang))
        elif path.is_file():
            docs.extend(_load_file(path, lang))
        else:
            raise InputError(f"{path}: no such file or folder; check the path ({_INPUT_HINT})")
    _check_unique(docs)
    return docs


def documents_to_dataset(docs: Sequence[Document]) -> datasets.Dataset:
    """The documents as a ``datasets.Dataset`` (columns id, title, date, lang, text, source)."""
    import datasets

    features = datasets.Features({name: datasets.Value("string") for name in
                                  ("id", "title", "date", "lang", "text", "source")})
    rows = [{"id": d.id, "title": d.title, "date": d.date, "lang": d.lang,
             "text": d.text, "source": d.source} for d in docs]
    return datasets.Dataset.from_list(rows, features=features)


def document_record(doc: Document) -> dict[str, str | None]:
    """The JSONL record of a document (the fields :func:`load_documents` reads back)."""
    return {"id": doc.id, "title": doc.title, "date": doc.date, "lang": doc.lang, "text": doc.text}


# --- reading -------------------------------------------------------------------------------


def decode_text(data: bytes, where: str) -> str:
    """UTF-8 text with a BOM dropped and line ends made \\n; UTF-16, binary or other
    encodings refused with the fix."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        raise InputError(f"{where}: UTF-16 text, not UTF-8; re-save it as UTF-8, e.g. "
                         "iconv -f utf-16 -t utf-8")
    if b"\x00" in data:
        raise InputError(f"{where}: binary file (contains NUL bytes), not text; {_INPUT_HINT}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(
            f"{where}: not UTF-8 (byte 0x{data[e.start]:02x} on line {line}); "
            f"re-save it as UTF-8, e.g. iconv -f latin1 -t utf-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: Latin text has a NUL in every other byte."""
    head = data[:400]
    if len(head) < 8:
        return False
    even, odd = head[0::2], head[1::2]
    return odd.count(0) > 0.8 * len(odd) or even.count(0) > 0.8 * len(even)


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); check the path and permissions") from None
    return decode_text(data, str(path))


def _load_file(path: Path, lang: str) -> list[Document]:
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return [_text_document(path.stem, _read(path), lang, str(path))]
    if suffix == ".jsonl":
        return _parse_jsonl(_read(path), str(path), lang)
    raise InputError(f"{path}: unsupported file type {suffix or '(no extension)'!r}; {_INPUT_HINT}")


def _load_folder(folder: Path, lang: str) -> list[Document]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".txt")
    if not files:
        if (folder / "clean").is_dir():
            return _load_folder(folder / "clean", lang)
        raise InputError(f"{folder}: no .txt files in this folder (sub-folders are not read); {_INPUT_HINT}")
    docs = [_text_document(p.stem, _read(p), lang, str(p)) for p in files]
    meta_path = folder / METADATA_FILE
    if meta_path.is_file():
        known = {d.id: d for d in _parse_jsonl(_read(meta_path), str(meta_path), lang)}
        docs = [_with_metadata(d, known[d.id]) if d.id in known else d for d in docs]
    return docs


def _with_metadata(doc: Document, meta: Document) -> Document:
    """``doc`` (text from its .txt file, which wins over the JSONL copy) with title, date, lang."""
    return Document(id=doc.id, text=doc.text, lang=meta.lang, title=meta.title, date=meta.date,
                    source=doc.source, meta=meta.meta)


def _load_stdin(stream: BinaryIO | None, lang: str) -> list[Document]:
    if stream is None:
        stream = getattr(sys.stdin, "buffer", None) or sys.stdin  # type: ignore[assignment]
    data = stream.read()
    if isinstance(data, str):  # a text stream without .buffer
        data = data.encode("utf-8")
    text = decode_text(data, "stdin")
    if text.lstrip().startswith("{"):
        return _parse_jsonl(text, "stdin", lang)
    return [_text_document(STDIN_ID, text, lang, STDIN)]


def _text_document(doc_id: str, text: str, lang: str, source: str) -> Document:
    if not text.strip():
        if source == STDIN:
            raise InputError("stdin is empty; pipe a document in, e.g. cat article.txt | tk ... -")
        raise InputError(f"{source}: file is empty; add the article's text or leave the file out")
    return Document(id=doc_id, text=text, lang=lang, source=source)


def _parse_jsonl(text: str, where: str, lang: str) -> list[Document]:
    fix = 'each line must be one JSON object with "id" and "text", e.g. {"id": "a1", "text": "..."}'
    docs = []
    for number, record in iter_jsonl(text, where, fix):
        missing = [name for name in ("id", "text") if name not in record]
        if missing:
            names = " and ".join(f'"{m}"' for m in missing)
            raise InputError(f"{where}:{number}: no {names} field; {fix}")
        doc_id, body = record["id"], record["text"]
        if isinstance(doc_id, bool) or not isinstance(doc_id, str | int) or not str(doc_id).strip():
            raise InputError(f'{where}:{number}: "id" must be a non-empty string; {fix}')
        if not isinstance(body, str) or not body.strip():
            raise InputError(f'{where}:{number}: "text" is empty or not a string; '
                             "give the document text")
        for name in ("title", "date", "lang"):
            if record.get(name) is not None and not isinstance(record[name], str):
                raise InputError(f'{where}:{number}: "{name}" must be a string or null')
        extra = {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                 for k, v in record.items() if k not in _JSONL_FIELDS}
        docs.append(Document(id=str(doc_id), text=body.replace("\r\n", "\n"),
                             lang=record.get("lang") or lang, title=record.get("title"),
                             date=record.get("date"), source=f"{where}:{number}", meta=extra))
    if not docs:
        raise InputError(f"{where}: no documents (the JSONL is empty); {fix}")
    return docs


def _check_unique(docs: list[Document]) -> None:
    seen: dict[str, Document] = {}
    for doc in docs:
        if doc.id in seen:
            first = seen[doc.id]
            raise InputError(
                f"duplicate document id {doc.id!r} (from {first.source} and {doc.source}); "
                "ids must be unique: rename one of the files or change its id field"
            )
        seen[doc.id] = doc
