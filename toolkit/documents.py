"""Documents: what users give tk (.txt files, folders of them, JSONL, Parquet, saved datasets,
stdin), read by one reader: :func:`iter_documents` streams them, :func:`load_documents` lists
them, :class:`DocumentSource` reads them again as often as a job needs (stdin read once)."""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from toolkit.errors import InputError
from toolkit.formats import SUFFIXES as MARKUP_SUFFIXES
from toolkit.jsonl import json_object

if TYPE_CHECKING:
    import datasets

    from toolkit.formats import Markup

# The metadata file `tk corpus clean` writes beside the cleaned .txt files.
METADATA_FILE = "documents.jsonl"
STDIN = "-"
STDIN_ID = "stdin"
_JSONL_FIELDS = ("id", "text", "title", "date", "lang")
INPUT_HINT = ("give .txt, .html, .md or .xlf files, a folder of them, a .jsonl file with id and "
              "text fields, a .parquet file, a `datasets` folder (save_to_disk), or - for stdin")
# What a folder gives: its plain-text and marked-up documents.
FOLDER_SUFFIXES = frozenset({".txt", *MARKUP_SUFFIXES})


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
    # HTML, Markdown or XLIFF: the file's bytes and blocks; its translation is written back in
    # the same format. None for plain text.
    markup: Markup | None = field(default=None, compare=False, repr=False)

    @property
    def format(self) -> str:
        return self.markup.format if self.markup is not None else "text"


def load_documents(
    inputs: Sequence[str | Path], lang: str = "de", *, stdin: BinaryIO | None = None
) -> list[Document]:
    """Every document of ``inputs`` in the order given, as a list (:func:`iter_documents`
    reads the same inputs one document at a time)."""
    return list(iter_documents(inputs, lang, stdin=stdin))


def iter_documents(
    inputs: Sequence[str | Path], lang: str = "de", *, stdin: BinaryIO | None = None
) -> Iterator[Document]:
    """Documents of .txt files, folders, .jsonl and .parquet files, saved ``datasets``
    folders and ``-`` (stdin), in the order given, one at a time: memory stays flat however
    large the input (only the ids seen are kept, to refuse a duplicate).

    A folder gives its .txt, .html, .md and .xlf files sorted by name (not a README, not
    sub-folders); a ``documents.jsonl``
    beside them (what ``tk corpus clean`` writes) adds title, date and lang to the same ids.
    A folder without .txt files but with a ``clean/`` sub-folder (tk's ``corpus/`` layout: raw/
    as fetched, clean/ as cleaned) means that cleaned corpus. Stdin is one plain-text document
    with id ``stdin``, or JSONL when its first non-blank character is ``{``.
    Every problem a user can fix raises :class:`InputError` naming the file (and line) and the fix.
    """
    if not inputs:
        raise InputError(f"no input documents; {INPUT_HINT}")
    seen: dict[str, str | None] = {}
    for item in inputs:
        for doc in _read_input(item, lang, stdin):
            if doc.id in seen:
                raise InputError(f"duplicate document id {doc.id!r} (from {seen[doc.id]} and "
                                 f"{doc.source}); ids must be unique: rename one of the files "
                                 "or change its id field")
            seen[doc.id] = doc.source
            yield doc


def model_text(text: str) -> str:
    """``text`` as a model can take it: a lone surrogate (valid in a JSON string, refused by
    every tokenizer) becomes U+FFFD. Records keep the source as it was."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


_SURROGATE = re.compile("[\ud800-\udfff]")


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
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data) and _reads_as_utf16(data):
        raise InputError(f"{where}: UTF-16 text, not UTF-8; re-save it as UTF-8, e.g. "
                         "iconv -f utf-16 -t utf-8")
    if b"\x00" in data:
        raise InputError(f"{where}: binary file (contains NUL bytes), not text; {INPUT_HINT}")
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


def _reads_as_utf16(data: bytes) -> bool:
    """Whether ``data`` decodes as UTF-16 into text (a program or an image does not)."""
    head = data[:400]
    for encoding in ("utf-16-le", "utf-16-be"):
        text = head[: len(head) // 2 * 2].decode(encoding, errors="replace")
        if text and sum(c.isprintable() or c.isspace() for c in text) >= 0.95 * len(text):
            return True
    return False


# --- the readers, one per kind of input ------------------------------------------------------


def _read_input(item: str | Path, lang: str, stdin: BinaryIO | None) -> Iterator[Document]:
    if str(item) == STDIN:
        yield from _read_stdin(_stdin_bytes(stdin), lang)
        return
    path = Path(item)
    if path.is_dir():
        if (path / "dataset_info.json").is_file() or (path / "state.json").is_file():
            yield from _read_dataset(path, lang)
        else:
            yield from _read_folder(path, lang)
    elif path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".txt":
            yield _text_document(path.stem, _read(path), lang, str(path))
        elif suffix in MARKUP_SUFFIXES:
            yield _markup_document(path, lang)
        elif suffix == ".jsonl":
            yield from _read_jsonl(path, lang)
        elif suffix == ".parquet":
            yield from _read_parquet(path, lang)
        else:
            raise InputError(f"{path}: unsupported file type {suffix or '(no extension)'!r}; "
                             f"{INPUT_HINT}")
    else:
        raise InputError(f"{path}: no such file or folder; check the path ({INPUT_HINT})")


def _read(path: Path) -> str:
    return decode_text(_read_bytes(path), str(path))


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); check the path and permissions"
                         ) from None


def _markup_document(path: Path, lang: str) -> Document:
    """An HTML, Markdown or XLIFF file: its blocks (inline markup as placeholders), and as
    ``text`` their words, a block a paragraph."""
    from toolkit.formats import read_markup

    data = _read_bytes(path)
    if not data.strip():
        raise InputError(f"{path}: file is empty; add the article's text or leave the file out")
    markup = read_markup(data, MARKUP_SUFFIXES[path.suffix.lower()], str(path))
    if not markup.blocks:
        raise InputError(f"{path}: no text to translate in this file")
    return markup_document(path.stem, markup, lang, str(path))


def markup_document(doc_id: str, markup: Markup, lang: str, source: str | None = None) -> Document:
    """The document of a marked-up file or request: its blocks, and as ``text`` their words
    (placeholders aside), a block a paragraph; the language the file states wins."""
    from toolkit.formats.tags import strip_tags

    text = "\n\n".join(strip_tags(b.text) for b in markup.blocks)
    return Document(id=doc_id, text=text, lang=markup.source_lang or lang, source=source,
                    markup=markup)


def _read_folder(folder: Path, lang: str) -> Iterator[Document]:
    files = sorted(p for p in folder.iterdir() if p.is_file()
                   and p.suffix.lower() in FOLDER_SUFFIXES and p.stem.lower() != "readme")
    if not any(p.suffix.lower() == ".txt" for p in files) and (folder / "clean").is_dir():
        yield from _read_folder(folder / "clean", lang)  # tk's corpus layout (its README aside)
        return
    if not files:
        raise InputError(f"{folder}: no documents in this folder (sub-folders are not read); "
                         f"{INPUT_HINT}")
    meta_path = folder / METADATA_FILE
    known: dict[str, Document] = {}
    if meta_path.is_file():  # one small record per article: read whole
        known = {d.id: d for d in _parse_jsonl(_read(meta_path), str(meta_path), lang)}
    for p in files:
        if p.suffix.lower() != ".txt":
            yield _markup_document(p, lang)
            continue
        doc = _text_document(p.stem, _read(p), lang, str(p))
        meta = known.get(doc.id)
        yield doc if meta is None else Document(
            id=doc.id, text=doc.text, lang=meta.lang, title=meta.title, date=meta.date,
            source=doc.source, meta=meta.meta)  # the .txt's text wins over the JSONL copy


def _read_jsonl(path: Path, lang: str) -> Iterator[Document]:
    count = 0
    try:
        with path.open("rb") as stream:
            for doc in _jsonl_lines(stream, str(path), lang):
                count += 1
                yield doc
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); check the path and permissions"
                         ) from None
    if not count:
        raise InputError(f"{path}: no documents (the JSONL is empty); {_JSONL_FIX}")


def _jsonl_lines(stream: Any, where: str, lang: str) -> Iterator[Document]:
    """Documents of a binary JSONL stream, line by line (only "\\n" ends a line)."""
    for number, raw in enumerate(stream, start=1):
        if raw.strip():
            yield _document(json_object(decode_text(raw, f"{where}:{number}"),
                                        f"{where}:{number}", _JSONL_FIX), f"{where}:{number}", lang)


def _read_parquet(path: Path, lang: str) -> Iterator[Document]:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises its own error types for a file that is not Parquet
        raise InputError(f"{path}: not a readable Parquet file ({_first_line(e)})") from None
    names = set(table.schema_arrow.names)
    if not {"id", "text"} <= names:
        raise InputError(f"{path}: a Parquet file needs columns id and text (it has "
                         f"{', '.join(sorted(names)) or 'none'})")
    columns = [c for c in ("id", "text", "title", "date", "lang") if c in names]
    row = 0
    for batch in table.iter_batches(batch_size=256, columns=columns):
        yield from _from_rows(batch.to_pylist(), str(path), lang, start=row)
        row += batch.num_rows


def _read_dataset(folder: Path, lang: str) -> Iterator[Document]:
    import datasets

    try:
        data = datasets.load_from_disk(str(folder))
    except (FileNotFoundError, ValueError) as e:
        raise InputError(f"{folder}: not a dataset saved with save_to_disk ({_first_line(e)})"
                         ) from None
    if isinstance(data, datasets.DatasetDict):
        raise InputError(f"{folder}: a DatasetDict with splits {', '.join(data)}; give one "
                         f"split's folder, e.g. {folder / next(iter(data))}")
    if not {"id", "text"} <= set(data.column_names):
        raise InputError(f"{folder}: the dataset needs columns id and text (it has "
                         f"{', '.join(data.column_names)})")
    for start in range(0, len(data), 256):
        yield from _from_rows(data[start:start + 256], str(folder), lang, start=start)


def _from_rows(rows: Any, where: str, lang: str, *, start: int) -> Iterator[Document]:
    """Documents from a list of row dicts, or a dict of columns (a datasets slice)."""
    if isinstance(rows, dict):
        keys = list(rows)
        rows = [dict(zip(keys, values, strict=True)) for values in zip(*rows.values(), strict=True)]
    for offset, row in enumerate(rows):
        record = {k: v for k, v in row.items() if v is not None}
        yield _document(record, f"{where}:row {start + offset}", lang)


def _stdin_bytes(stream: BinaryIO | None) -> BinaryIO:
    if stream is not None:
        return stream
    if sys.stdin is None:  # `tk ... - <&-`
        raise InputError("stdin is closed; pipe a document in, e.g. cat article.txt | tk ... -")
    return getattr(sys.stdin, "buffer", None) or sys.stdin  # type: ignore[return-value]


def _read_stdin(stream: BinaryIO, lang: str) -> Iterator[Document]:
    """Plain text (one document) or JSONL (streamed line by line) from a binary stream."""
    try:
        first = b""
        while not first.strip():
            line = stream.readline()
            if isinstance(line, str):  # a text stream without .buffer
                line = line.encode("utf-8")
            if not line:
                break
            first += line
    except (OSError, ValueError) as e:
        raise InputError(f"stdin cannot be read ({e}); pipe a document in") from None
    if first.lstrip().startswith(b"{"):
        yield from _jsonl_lines(_chain(first, stream), "stdin", lang)
        return
    rest = stream.read()
    data = first + (rest.encode("utf-8") if isinstance(rest, str) else rest)
    yield _text_document(STDIN_ID, decode_text(data, "stdin"), lang, STDIN)


def _chain(first: bytes, stream: BinaryIO) -> Iterator[bytes]:
    yield from first.splitlines(keepends=True)
    for line in stream:
        yield line.encode("utf-8") if isinstance(line, str) else line


def _text_document(doc_id: str, text: str, lang: str, source: str) -> Document:
    if not text.strip():
        if source == STDIN:
            raise InputError("stdin is empty; pipe a document in, e.g. cat article.txt | tk ... -")
        raise InputError(f"{source}: file is empty; add the article's text or leave the file out")
    return Document(id=doc_id, text=text, lang=lang, source=source)


_JSONL_FIX = 'each line must be one JSON object with "id" and "text", e.g. {"id": "a1", "text": "..."}'


def _parse_jsonl(text: str, where: str, lang: str) -> list[Document]:
    docs = [_document(json_object(line, f"{where}:{n}", _JSONL_FIX), f"{where}:{n}", lang)
            for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if not docs:
        raise InputError(f"{where}: no documents (the JSONL is empty); {_JSONL_FIX}")
    return docs


def _document(record: dict[str, Any], where: str, lang: str) -> Document:
    """A document from one JSON record (a JSONL line, a Parquet or dataset row)."""
    missing = [name for name in ("id", "text") if name not in record]
    if missing:
        names = " and ".join(f'"{m}"' for m in missing)
        raise InputError(f"{where}: no {names} field; {_JSONL_FIX}")
    doc_id, body = record["id"], record["text"]
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int) or not str(doc_id).strip():
        raise InputError(f'{where}: "id" must be a non-empty string; {_JSONL_FIX}')
    if not isinstance(body, str) or not body.strip():
        raise InputError(f'{where}: "text" is empty or not a string; give the document text')
    for name in ("title", "date", "lang"):
        if record.get(name) is not None and not isinstance(record[name], str):
            raise InputError(f'{where}: "{name}" must be a string or null')
    extra = {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
             for k, v in record.items() if k not in _JSONL_FIELDS}
    return Document(id=str(doc_id), text=body.replace("\r\n", "\n"),
                    lang=record.get("lang") or lang, title=record.get("title"),
                    date=record.get("date"), source=where, meta=extra)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class DocumentSource:
    """The documents of ``inputs``, to be read as often as a job needs (a first pass that
    counts, then the work): files are read again; stdin is read once, into an anonymous
    temporary file that goes when the source does."""

    def __init__(self, inputs: Sequence[str | Path], lang: str = "de", *,
                 stdin: BinaryIO | None = None) -> None:
        if not inputs:
            raise InputError(f"no input documents; {INPUT_HINT}")
        self.inputs = list(inputs)
        self.lang = lang
        self._stdin = stdin
        self._spool: Any = None

    def __iter__(self) -> Iterator[Document]:
        if STDIN in (str(i) for i in self.inputs) and self._spool is None:
            source = _stdin_bytes(self._stdin)
            spool = tempfile.TemporaryFile()
            for chunk in iter(lambda: source.read(1 << 20), b""):
                spool.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            self._spool = spool
        if self._spool is not None:
            self._spool.seek(0)
        return iter_documents(self.inputs, self.lang, stdin=self._spool)

    def select(self, share: tuple[int, int] | None) -> Iterator[Document]:
        """The documents of share K of N (all of them without ``share``); see :func:`shard_of`."""
        for doc in self:
            if share is None or shard_of(doc.id, share[1]) == share[0] - 1:
                yield doc


def shard_of(doc_id: str, shards: int) -> int:
    """Which of ``shards`` shares (0-based) a document belongs to: a stable hash of its id, so
    machines that each take one share cover a corpus exactly once with no coordination."""
    import hashlib

    value = int.from_bytes(hashlib.sha256(doc_id.encode("utf-8", "surrogatepass")).digest()[:8],
                           "big")
    return value % shards
