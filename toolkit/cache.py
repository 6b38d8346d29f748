"""A generation cache that wraps any backend, so a job that dies halfway resumes where it
stopped, and a cache that can never serve a stale output.

Each entry is keyed on the backend's fingerprint (the model's content hash or hub commit,
dtype, device, library versions), a task namespace (the prompt version) and the exact
request (prompt or messages, budget, beams, forced strings). Change any of them - a model
saved anew into the same folder, another dtype, a new prompt - and the entry is not found.
Finished requests are committed to SQLite chunk by chunk; several tk processes may share one
$TK_HOME (WAL journal, busy timeout).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toolkit.backends.base import (
    Backend,
    Capabilities,
    Fingerprint,
    Generation,
    GenerationRequest,
    Progress,
    Usage,
    digest,
)
from toolkit.config import tk_home
from toolkit.store import open_sqlite, sqlite_errors

CHUNK = 256  # most requests per commit (at most one call of the backend: see generate)
_SCHEMA = """CREATE TABLE IF NOT EXISTS generations (
    key TEXT PRIMARY KEY, text TEXT NOT NULL, new_tokens INTEGER NOT NULL,
    forced_tokens INTEGER NOT NULL)"""


def cache_path() -> Path:
    return tk_home() / "cache" / "generations.sqlite"


class GenerationCache:
    """Generations on disk, keyed by fingerprint, namespace and request."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else cache_path()
        self._db = open_sqlite(self.path, _SCHEMA)

    @staticmethod
    def key(fingerprint: str, namespace: str, request: GenerationRequest) -> str:
        return digest([fingerprint, namespace, request.to_dict()])

    def get_many(self, keys: Sequence[str]) -> dict[str, Generation]:
        found: dict[str, Generation] = {}
        with sqlite_errors(self.path):
            for start in range(0, len(keys), 500):  # SQLite caps the number of bound parameters
                part = list(keys[start:start + 500])
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT key, text, new_tokens, forced_tokens FROM generations "
                    f"WHERE key IN ({marks})", part)
                found.update((k, Generation(t, n, f)) for k, t, n, f in rows)
        return found

    def put_many(self, items: Sequence[tuple[str, Generation]]) -> None:
        with sqlite_errors(self.path):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO generations VALUES (?, ?, ?, ?)",
                    [(k, g.text, g.new_tokens, g.forced_tokens) for k, g in items])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def count(self) -> int:
        with sqlite_errors(self.path):
            return int(self._db.execute("SELECT COUNT(*) FROM generations").fetchone()[0])

    def clear(self) -> int:
        with sqlite_errors(self.path):
            n = self.count()
            self._db.execute("DELETE FROM generations")
            self._db.execute("VACUUM")
            return n

    def close(self) -> None:
        self._db.close()


class CachedBackend(Backend):
    """Serves repeated requests from the cache and stores new ones chunk by chunk. Everything
    else (capabilities, fingerprint, the model) is the wrapped backend's."""

    def __init__(self, backend: Backend, cache: GenerationCache, namespace: str = "") -> None:
        self.backend = backend
        self.cache = cache
        self.namespace = namespace  # the task and its prompt version
        self.name = backend.name  # type: ignore[misc]
        self.hits = 0

    def __getattr__(self, name: str) -> Any:  # the wrapped backend's own attributes (ref, ...)
        backend = self.__dict__.get("backend")
        if backend is None:
            raise AttributeError(name)
        return getattr(backend, name)

    @property
    def ref(self) -> Any:  # type: ignore[override]
        return self.backend.ref

    @property
    def engine_reason(self) -> str:  # type: ignore[override]
        return self.backend.engine_reason

    @property
    def cache_hits(self) -> int | None:
        return self.hits

    @property
    def capabilities(self) -> Capabilities:
        return self.backend.capabilities

    @property
    def fingerprint(self) -> Fingerprint:
        return self.backend.fingerprint

    @property
    def model_label(self) -> str:
        return self.backend.model_label

    def count_tokens(self, requests: Sequence[GenerationRequest]) -> list[int]:
        return self.backend.count_tokens(requests)

    @property
    def usage(self) -> Usage:
        return self.backend.usage

    def generate(self, requests: Sequence[GenerationRequest],
                 progress: Progress | None = None) -> list[Generation]:
        self.backend.check(requests)
        fingerprint = self.backend.fingerprint.key
        keys = [self.cache.key(fingerprint, self.namespace, r) for r in requests]
        done = self.cache.get_many(keys)
        asked = Counter(keys)
        # Longest first, so each chunk holds requests of similar length and the backend's
        # token-budget batches stay full; chunks are stored as they finish.
        first: dict[str, int] = {}
        for i, k in enumerate(keys):
            first.setdefault(k, i)  # a request asked twice is generated once
        order = sorted(first.values(),
                       key=lambda i: len(requests[i].text) + sum(len(c) for _, c in requests[i].messages),
                       reverse=True)
        # One commit per backend call of the size that keeps all its lanes busy (batches the
        # engine runs side by side): an interrupted run loses at most that.
        size = getattr(self.backend, "rows_per_call", getattr(self.backend, "max_batch_size", CHUNK))
        step = max(1, min(CHUNK, int(size)))
        for start in range(0, len(order), step):
            chunk = order[start:start + step]
            if all(keys[i] in done for i in chunk):
                self.hits += sum(asked[keys[i]] for i in chunk)
                if progress:
                    progress(len(chunk))
                continue
            # The chunks are planned over every request, cached or not, and a chunk runs
            # whole: which rows share a batch changes the numbers of int8 and other reduced-
            # precision kernels, so no output depends on what an earlier run left in the
            # cache, and a resumed job writes what an uninterrupted one did.
            outputs = self.backend.generate([requests[i] for i in chunk], progress)
            self.cache.put_many([(keys[i], out) for i, out in zip(chunk, outputs, strict=True)])
            done.update((keys[i], out) for i, out in zip(chunk, outputs, strict=True))
        return [done[k] for k in keys]


def cache_info() -> list[tuple[str, Path, int, int]]:
    """What tk stores under $TK_HOME/cache: (what, where, entries, bytes) per store."""
    from toolkit.backends.gguf import cached_conversions, gguf_root
    from toolkit.backends.identity import digests_path

    rows = []
    path = cache_path()
    entries = GenerationCache(path).count() if path.is_file() else 0
    rows.append(("generations", path, entries, _size(path)))
    conversions = cached_conversions()
    rows.append(("converted GGUF models", gguf_root(), len(conversions), _size(gguf_root())))
    from toolkit.backends.ctranslate2 import cached_conversions as ct2_conversions
    from toolkit.backends.ctranslate2 import conversion_root

    rows.append(("CTranslate2 conversions", conversion_root(), len(ct2_conversions()),
                 _size(conversion_root())))
    rows.append(("file digests", digests_path(), -1, _size(digests_path())))
    return rows


def _clear_generations() -> int:
    """Empty the generation cache; a damaged one is removed as files (what `tk cache clear`
    promises whatever state the file is in)."""
    from toolkit.errors import CacheError

    try:
        cache = GenerationCache()
        try:
            return cache.clear()
        finally:
            cache.close()
    except CacheError as e:
        if "damaged" not in str(e):
            raise  # read-only or full: removing files would fail the same way
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(f"{cache_path()}{suffix}")
        try:
            path.unlink(missing_ok=True)
        except OSError as e:
            raise CacheError(f"cannot remove {path}: {e.strerror or e}; check TK_HOME's "
                             "permissions") from None
    return -1  # a damaged file: its entries could not be counted


def clear_cache(what: str = "all") -> dict[str, int]:
    """Remove cached generations ("generations"), converted GGUF models ("gguf"),
    CTranslate2 conversions ("ctranslate2"), or all of them and the remembered file digests
    ("all"); returns how many entries each lost."""
    from toolkit.backends.gguf import clear_gguf_cache
    from toolkit.backends.identity import remove_digests

    removed: dict[str, int] = {}
    if what in ("generations", "all") and cache_path().is_file():
        removed["generations"] = _clear_generations()
    if what in ("gguf", "all"):
        removed["converted GGUF models"] = clear_gguf_cache()
    if what in ("ctranslate2", "all"):
        from toolkit.backends.ctranslate2 import clear_conversions

        removed["CTranslate2 conversions"] = clear_conversions()
    if what == "all":
        removed["file digests"] = remove_digests()
    return removed


def _size(path: Path) -> int:
    if path.is_file():
        extra = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
        return path.stat().st_size + sum(p.stat().st_size for p in extra if p.is_file())
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return 0
