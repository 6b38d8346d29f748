"""Documents as a stream, for corpora too large to hold: JSONL read line by line, Parquet
read by row groups, folders of .txt files one file at a time, and a ``datasets`` dataset saved
with ``save_to_disk`` read row by row. Memory stays flat however large the input; only the
ids seen so far are kept (to refuse a duplicate id, which would make resumption ambiguous).

    from toolkit.stream import iter_documents
    for doc in iter_documents(["big.jsonl"]):
        ...
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from toolkit.documents import (
    METADATA_FILE,
    STDIN,
    Document,
    _INPUT_HINT,
    _parse_jsonl,
    decode_text,
    load_documents,
)
from toolkit.errors import InputError

STREAM_HINT = (_INPUT_HINT.replace("or - for stdin", "a .parquet file, a `datasets` folder "
                                   "(save_to_disk), or - for stdin"))


def iter_documents(inputs: Sequence[str | Path], lang: str = "de") -> Iterator[Document]:
    """Documents of ``inputs`` in order, one at a time (see the module docstring); ids must be
    unique across all inputs."""
    if not inputs:
        raise InputError(f"no input documents; {STREAM_HINT}")
    seen: dict[str, str | None] = {}
    for item in inputs:
        for doc in _iter_one(item, lang):
            if doc.id in seen:
                raise InputError(f"duplicate document id {doc.id!r} (from {seen[doc.id]} and "
                                 f"{doc.source}); ids must be unique: rename one of the files "
                                 "or change its id field")
            seen[doc.id] = doc.source
            yield doc


def _iter_one(item: str | Path, lang: str) -> Iterator[Document]:
    if str(item) == STDIN:
        yield from load_documents([STDIN], lang)
        return
    path = Path(item)
    if path.is_dir():
        if (path / "dataset_info.json").is_file() or (path / "state.json").is_file():
            yield from _iter_dataset(path, lang)
        else:
            yield from _iter_folder(path, lang)
    elif path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            yield from _iter_jsonl(path, lang)
        elif suffix == ".parquet":
            yield from _iter_parquet(path, lang)
        else:
            yield from load_documents([path], lang)
    else:
        raise InputError(f"{path}: no such file or folder; check the path ({STREAM_HINT})")


def _iter_folder(folder: Path, lang: str) -> Iterator[Document]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".txt")
    if not files and (folder / "clean").is_dir():
        yield from _iter_folder(folder / "clean", lang)
        return
    if not files or (folder / METADATA_FILE).is_file():
        yield from load_documents([folder], lang)  # metadata joins need the whole listing
        return
    for p in files:
        yield from load_documents([p], lang)


def _iter_jsonl(path: Path, lang: str) -> Iterator[Document]:
    count = 0
    try:
        with path.open("rb") as stream:
            for number, raw in enumerate(stream, start=1):
                if not raw.strip():
                    continue
                line = decode_text(raw, f"{path}:{number}")
                for doc in _parse_jsonl(line, str(path), lang):
                    count += 1
                    # _parse_jsonl numbers lines within what it was given: say the real line.
                    yield _at(doc, f"{path}:{number}")
    except InputError as e:
        message = str(e).replace(f"{path}:1:", f"{path}:{number}:", 1)
        raise InputError(message) from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); check the path and permissions"
                         ) from None
    if not count:
        raise InputError(f"{path}: no documents (the JSONL is empty)")


def _iter_parquet(path: Path, lang: str) -> Iterator[Document]:
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


def _iter_dataset(folder: Path, lang: str) -> Iterator[Document]:
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
        line = json.dumps(record, ensure_ascii=False, default=str)
        for doc in _parse_jsonl(line, where, lang):
            yield _at(doc, f"{where}:row {start + offset}")


def _at(doc: Document, source: str) -> Document:
    return Document(id=doc.id, text=doc.text, lang=doc.lang, title=doc.title, date=doc.date,
                    source=source, meta=doc.meta)


def shard_of(doc_id: str, shards: int) -> int:
    """Which of ``shards`` shards (0-based) a document belongs to: a stable hash of its id, so
    machines that each take one shard cover a corpus exactly once with no coordination."""
    value = int.from_bytes(hashlib.sha256(doc_id.encode("utf-8")).digest()[:8], "big")
    return value % shards


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` (1 <= K <= N) as (K, N)."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise InputError(f"--shard {text!r}: give K/N, e.g. 1/4 for the first of four shares"
                         ) from None
    if not 1 <= k <= n:
        raise InputError(f"--shard {text}: K must be between 1 and N (got {k} of {n})")
    return k, n


def select_shard(docs: Iterable[Document], shard: tuple[int, int] | None) -> Iterator[Document]:
    """The documents of share K of N (all of them without ``shard``)."""
    if shard is None:
        yield from docs
        return
    k, n = shard
    for doc in docs:
        if shard_of(doc.id, n) == k - 1:
            yield doc


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
