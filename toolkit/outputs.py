"""Writing results: atomically to files (a crash never leaves half a file) or streamed to stdout."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

FORMATS = ("jsonl", "tsv", "text")


def atomic_write(path: str | Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; outputs are not
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def jsonl_text(records: Iterable[Mapping[str, Any]]) -> str:
    """One JSON object per line, UTF-8 kept readable (Chinese is not escaped)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def tsv_text(records: Iterable[Mapping[str, Any]], columns: list[str]) -> str:
    """Tab-separated with a header; tabs and line breaks inside fields are escaped (\\t, \\n,
    \\r, \\u2028 ...), so every record is one line."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE,
                        escapechar=None, quotechar=None)
    writer.writerow(columns)
    for r in records:
        writer.writerow([_tsv_field(r.get(c)) for c in columns])
    return buf.getvalue()


def _tsv_field(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return _LINE_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}" if m.group() != "\r" else "\\r", value)


# What tools (and Python's str.splitlines) take for the end of a line besides "\n": a model's
# garbage can hold any of them, and a TSV row must stay one row.
_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def write_stdout(text: str) -> None:
    """Write to stdout; a closed pipe (``tk ... | head``) ends quietly."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at devnull so that cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
