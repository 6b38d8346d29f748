"""A model's content identity, for fingerprints: the hub commit it loaded, or the SHA-256 of
its files (a local folder, a .gguf file). Digests are remembered by (path, size, mtime), so a
15 GB folder is hashed once, not on every run; a file saved anew is hashed anew."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from toolkit.config import tk_home
from toolkit.errors import CacheError
from toolkit.models.starter import sha256_file
from toolkit.store import open_sqlite, sqlite_errors

# A file is known by its size, mtime, ctime and inode: new weights written with the old size
# and a restored mtime still get a new ctime (which no program can set back) or a new inode.
_SCHEMA = """CREATE TABLE IF NOT EXISTS file_digests (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, sha256 TEXT NOT NULL)"""
# Files in a model folder that do not change what it computes.
_IGNORED = ("README", "LICENSE", ".gitattributes")


def digests_path() -> Path:
    return tk_home() / "cache" / "digests.sqlite"


def file_sha256(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """SHA-256 of a file, from the memo when the file is unchanged (size, mtime, ctime and
    inode). Without a usable memo (a read-only or broken $TK_HOME) the file is hashed: the
    identity never depends on the memo, only the time it takes."""
    path = path.resolve()
    stat = path.stat()
    known = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    db_path = digests_path()
    try:
        db = open_sqlite(db_path, _SCHEMA)
    except CacheError:
        return sha256_file(path, progress)
    try:
        with sqlite_errors(db_path):
            row = db.execute("SELECT size, mtime_ns, ctime_ns, inode, sha256 FROM file_digests "
                             "WHERE path = ?", (str(path),)).fetchone()
        if row and tuple(row[:4]) == known:
            return str(row[4])
        value = sha256_file(path, progress)
        try:
            with sqlite_errors(db_path):
                db.execute("INSERT OR REPLACE INTO file_digests VALUES (?, ?, ?, ?, ?, ?)",
                           (str(path), *known, value))
        except CacheError:
            pass  # not remembered: the next run hashes it again, with the same result
        return value
    finally:
        db.close()


def folder_sha256(folder: Path) -> str:
    """One SHA-256 over a model folder: every file's relative path and content digest (hidden
    files, README and LICENSE left out)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or rel.name.startswith(_IGNORED):
            continue
        digest.update(f"{rel.as_posix()}\0{file_sha256(path)}\n".encode())
    return digest.hexdigest()


def content_identity(source: str, *, local: bool, gguf_file: str | None = None,
                     commit: str | None = None) -> str:
    """``sha256:<hex>`` for local files, ``hub:<id>@<commit>`` for a hub model."""
    if gguf_file:
        return "sha256:" + file_sha256(Path(source) / gguf_file)
    if local:
        return "sha256:" + folder_sha256(Path(source))
    return f"hub:{source}@{commit or 'unknown-commit'}"


def remove_digests() -> int:
    """Forget remembered digests (``tk cache clear``); returns how many there were."""
    path = digests_path()
    if not path.is_file():
        return 0
    db = open_sqlite(path, _SCHEMA)
    try:
        with sqlite_errors(path):
            count = db.execute("SELECT COUNT(*) FROM file_digests").fetchone()[0]
            db.execute("DELETE FROM file_digests")
        return int(count)
    finally:
        db.close()

