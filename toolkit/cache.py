"""A translation cache that wraps any engine, so a job that dies halfway resumes where it stopped.

Finished segments are committed to SQLite after every chunk; a rerun of the same command
translates only what is missing. Keys cover everything that changes the output: the model,
the engine settings that matter, both languages, the text and the glossary hints.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from toolkit.config import tk_home
from toolkit.engines.base import Progress, TranslationEngine, TranslationRequest

CHUNK = 64  # requests per commit: small enough to lose little, large enough to batch well


class TranslationCache:
    """Segment translations on disk, keyed by model, settings and request."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else tk_home() / "cache" / "translations.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, translation TEXT NOT NULL)"
        )

    @staticmethod
    def key(model: str, settings: str, request: TranslationRequest) -> str:
        payload = json.dumps([model, settings, asdict(request)], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):  # SQLite caps the number of bound parameters
            part = list(keys[start : start + 500])
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT key, translation FROM translations WHERE key IN ({marks})", part
            )
            found.update(rows)
        return found

    def put_many(self, items: Sequence[tuple[str, str]]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?)", items)

    def close(self) -> None:
        self._db.close()


class CachedEngine(TranslationEngine):
    """Serves repeated requests from the cache and stores new ones chunk by chunk."""

    def __init__(self, engine: TranslationEngine, cache: TranslationCache, settings: str = "") -> None:
        self.engine = engine
        self.cache = cache
        self.settings = settings  # e.g. "beams=4": engine options that change the output
        self.kind = engine.kind  # type: ignore[misc]
        self.supports_constraints = engine.supports_constraints  # type: ignore[misc]
        self.hits = 0

    @property
    def model_id(self) -> str:
        return self.engine.model_id

    def target_languages(self) -> frozenset[str] | None:
        return self.engine.target_languages()

    def translate(
        self, requests: Sequence[TranslationRequest], progress: Progress | None = None
    ) -> list[str]:
        keys = [self.cache.key(self.model_id, self.settings, r) for r in requests]
        done = self.cache.get_many(keys)
        self.hits += sum(k in done for k in keys)
        if progress and done:
            progress(sum(k in done for k in keys))
        # Longest first, so each committed chunk holds segments of similar length and the
        # engine's token-budget batches stay full; chunks are stored as they finish.
        todo = sorted((i for i, k in enumerate(keys) if k not in done),
                      key=lambda i: len(requests[i].text), reverse=True)
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            outputs = self.engine.translate([requests[i] for i in chunk], progress)
            self.cache.put_many([(keys[i], out) for i, out in zip(chunk, outputs)])
            done.update((keys[i], out) for i, out in zip(chunk, outputs))
        return [done[k] for k in keys]
