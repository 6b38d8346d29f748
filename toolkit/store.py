"""SQLite files under $TK_HOME, opened the one way that is safe for several tk processes at
once (WAL journal, a busy timeout), with SQLite's errors turned into one-line tk errors."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from toolkit.errors import CacheError

BUSY_TIMEOUT_S = 60.0  # another tk process holding the write lock: wait this long for it


def open_sqlite(path: Path, schema: str) -> sqlite3.Connection:
    """Connect to ``path`` (created with ``schema`` if new)."""
    with sqlite_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection is used by one thread at a time, not always the one that opened it
        # (a Ray actor is built in one thread and called in another).
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                             check_same_thread=False)
        db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        # Two processes creating the file at once: switching it to WAL takes an exclusive
        # lock that SQLite refuses at once rather than waiting for: try again for a while.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(schema)
                return db
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


@contextmanager
def sqlite_errors(path: Path) -> Iterator[None]:
    """SQLite and file-system failures on ``path`` as one CacheError line that names the fix."""
    try:
        yield
    except sqlite3.DatabaseError as e:
        text = str(e).lower()
        if "readonly" in text or "unable to open" in text or "permission" in text:
            raise CacheError(f"{path}: the cache cannot be written ({e}); check TK_HOME's "
                             "permissions, point TK_HOME at a writable folder, or run with "
                             "--no-cache") from None
        if "locked" in text or "busy" in text:
            raise CacheError(f"{path}: the cache stayed busy for {BUSY_TIMEOUT_S:.0f} s ({e}); "
                             "another tk process holds it: try again when it has finished") from None
        if "full" in text:
            raise CacheError(f"{path}: no space left for the cache ({e}); free some space, "
                             "or point TK_HOME elsewhere") from None
        raise CacheError(f"{path}: the cache file is damaged ({e}); `tk cache clear "
                         "--generations` removes it (or point TK_HOME elsewhere)") from None
    except sqlite3.Error as e:
        raise CacheError(f"{path}: cache error ({e})") from None
    except OSError as e:
        raise CacheError(f"{path}: cannot use the cache folder ({e.strerror or e}); check "
                         "TK_HOME's permissions and free space") from None
