"""Writing results: atomically to files (a crash never leaves half a file) or streamed to
stdout; file names derived safely from document ids; output locations checked before work."""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from toolkit.errors import OutputError

FORMATS = ("jsonl", "tsv", "text")


def atomic_write(path: str | Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.
    A failure (no space, no permission, a name too long) is one OutputError line, and leaves
    neither the file nor a temporary one behind."""
    path = Path(path)
    if not isinstance(data, (str, bytes)):
        raise TypeError(f"atomic_write takes str or bytes, not {type(data).__name__}")
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = data if isinstance(data, bytes) else data.encode("utf-8")
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; outputs are not
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from None
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_writer(path: str | Path) -> Iterator[IO[str]]:
    """A text stream whose content replaces ``path`` only when the block ends without an
    error (temporary file in the same folder, fsync, rename), for outputs written piece by
    piece; failures are one OutputError line and leave nothing behind."""
    path = Path(path)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from None
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


def check_writable(path: str | Path, *, folder: bool) -> None:
    """Fail now, before any work, if ``path`` cannot be written: a file where a folder is
    wanted (or the reverse), a parent that is no folder, a read-only or full location, a
    name too long. Creates nothing that stays."""
    path = Path(path)
    for part in path.parts:
        if len(part.encode("utf-8", "surrogateescape")) > 255:
            raise OutputError(f"{path}: a name in this path is longer than 255 bytes; shorten it")
    try:
        _check_writable(path, folder)
    except OSError as e:
        raise OutputError(f"cannot write to {path}: {e.strerror or e}") from None


def _check_writable(path: Path, folder: bool) -> None:
    if path.exists() and path.is_dir() != folder:
        kind = "a folder" if folder else "a file"
        raise OutputError(f"{path}: exists and is not {kind}; give {kind}, or - for stdout")
    probe_dir = path if folder and path.is_dir() else path.parent
    while not probe_dir.exists():
        probe_dir = probe_dir.parent
    if not probe_dir.is_dir():
        raise OutputError(f"{path}: {probe_dir} is a file, not a folder; choose another location")
    try:
        fd, probe = tempfile.mkstemp(prefix=".tk-write-check.", dir=probe_dir)
        try:
            os.write(fd, b"x")
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as e:
        raise OutputError(f"cannot write to {probe_dir}: {e.strerror or e}; choose another "
                          "location") from None


# --- file names from document ids ---------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_LOOKS_HASHED = re.compile(r".*-[0-9a-f]{10}")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}  # names Windows will not create


def is_plain_name(doc_id: str) -> bool:
    """Whether ``doc_id`` can be a file name as it is, on every common file system."""
    return (bool(_PLAIN.fullmatch(doc_id)) and not doc_id.endswith(".")
            and not _LOOKS_HASHED.fullmatch(doc_id)
            and doc_id.split(".")[0].lower() not in _RESERVED)


def file_stems(ids: Sequence[str]) -> dict[str, str]:
    """A file-name stem for each document id that can never leave its folder: the id itself
    when it is a plain name, else a readable slug and a hash of the id (``../etc/x`` ->
    ``etc_x-1f2e3d4c5b``). Stable across runs, and distinct for distinct ids even on
    case-insensitive file systems."""
    stems = {i: i if is_plain_name(i) else _hashed(i) for i in ids}
    folded: dict[str, list[str]] = {}
    for i, stem in stems.items():
        folded.setdefault(stem.lower(), []).append(i)
    for group in folded.values():
        if len(group) > 1:  # "A" and "a" would be one file on macOS and Windows
            for i in group:
                stems[i] = _hashed(i)
    return stems


def _hashed(doc_id: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", doc_id).strip("._-")[:60] or "doc"
    return f"{slug}-{hashlib.sha256(doc_id.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def jsonl_line(record: Mapping[str, Any]) -> str:
    """One JSON object and its newline, UTF-8 kept readable (Chinese is not escaped), with
    what other readers take for a line end (U+0085, U+2028, U+2029) and lone surrogates
    escaped, so the record stays one line that any JSON reader reads back as it was."""
    line = json.dumps(record, ensure_ascii=False)
    return _UNSAFE_IN_JSONL.sub(lambda m: f"\\u{ord(m.group()):04x}", line) + "\n"


def jsonl_text(records: Iterable[Mapping[str, Any]]) -> str:
    """:func:`jsonl_line` for each record."""
    return "".join(jsonl_line(r) for r in records)


# Inside a JSON string these can only be text (json.dumps escapes every other control
# character), so escaping them never touches the JSON syntax.
_UNSAFE_IN_JSONL = re.compile("[\x85\u2028\u2029\ud800-\udfff]")


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
    """Write to stdout; a closed pipe (``tk ... | head``) ends quietly, a full or broken one
    (``> /dev/full``) is one OutputError line."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    except OSError as e:
        silence_stdout()
        raise OutputError(f"cannot write to stdout: {e.strerror or e}") from None


def silence_stdout() -> None:
    """Python flushes stdout again at exit; point it at devnull so that cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # no real file descriptor (a test runner's capture): nothing to flush at exit


STDOUT_ERRORS = frozenset({errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG})
