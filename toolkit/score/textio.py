"""Reading hypothesis and reference files: JSONL (optionally gzipped), plain text, folders."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from toolkit.errors import InputError
from toolkit.jsonl import iter_jsonl


def read_text(path: Path) -> str:
    """A UTF-8 text file (``.gz`` read transparently); a clear error where it cannot be read."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as f:
                return f.read()
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start}); re-save it as UTF-8") from None
    except (OSError, EOFError) as e:
        raise InputError(f"{path}: cannot read ({e})") from None


def is_jsonl(path: Path) -> bool:
    name = path.name.removesuffix(".gz")
    return name.endswith((".jsonl", ".json", ".ndjson"))


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, record)`` for each non-blank line; a malformed line names file and line."""
    return iter_jsonl(read_text(path), str(path))


def segment_records(path: Path) -> Iterator[tuple[int, dict[str, Any], str, str]]:
    """``(line, record, segment id, document id)`` of a segment-level JSONL file (hypotheses
    or references); an id given twice is an error naming file and line."""
    seen: set[str] = set()
    for line, record in read_jsonl(path):
        seg_id = require(record, "id", path, line)
        if seg_id in seen:
            raise InputError(f"{path}:{line}: segment id {seg_id!r} appears twice; one record per segment")
        seen.add(seg_id)
        yield line, record, seg_id, str(record.get("doc") or seg_id.split(":")[0])


def require(record: dict[str, Any], key: str, path: Path, line: int) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        raise InputError(f"{path}:{line}: missing text field {key!r}")
    return value


def read_lines(path: Path) -> list[str]:
    """One segment per line (a trailing newline does not add an empty segment)."""
    text = read_text(path)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln.rstrip("\r") for ln in lines]
