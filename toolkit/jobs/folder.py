"""A job's output folder: its manifest, its shards, their verification, and its lock.

Layout::

    manifest.json          what made it (task, settings with the full fingerprint, model,
                           engine, tk version), the input's identity, every shard's entry
                           (documents, input digest, records, checksum, status), status,
                           throughput, peak memory
    shards/part-00000.jsonl   the records of documents 0..D-1 of the input (D = shard size)
    ...                       the task's assembled outputs and run.json, once complete
    .lock                  held by the one process writing here

Nothing is trusted because it is listed: a shard is reused only if its input digest (ids and
texts of its documents) is the input's now, and its file has the record count and SHA-256
the manifest says. Every file is written atomically (temporary file, fsync, rename).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from toolkit.documents import Document
from toolkit.errors import ConfigError, InputError, OutputError
from toolkit.outputs import atomic_write, jsonl_text

MANIFEST = "manifest.json"
SHARDS = "shards"
LOCK = ".lock"
FORMAT_VERSION = 2
STATUSES = ("running", "complete", "incomplete", "stopped", "failed")


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def input_digest(docs: Sequence[Document]) -> str:
    """What a shard's records depend on in the input: its documents' ids and texts."""
    h = hashlib.sha256()
    for d in docs:
        for part in (d.id, d.text, d.lang):
            data = part.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()[:32]


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest, checked for the shape tk writes; None where there is none."""
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"{path}: not a readable tk manifest ({e}); remove the folder or "
                         "choose another output folder") from None
    problem = _manifest_problem(data)
    if problem:
        raise InputError(f"{path}: not a tk job manifest ({problem}); remove the folder or "
                         "choose another output folder")
    return data


def _manifest_problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "not a JSON object"
    if not isinstance(data.get("settings"), dict):
        return "no settings object"
    shards = data.get("shards", [])
    if not isinstance(shards, list):
        return "shards is not a list"
    for entry in shards:
        if not isinstance(entry, dict):
            return "a shard entry is not an object"
        if not isinstance(entry.get("index"), int) or not isinstance(entry.get("name"), str):
            return "a shard entry has no index or name"
        if entry.get("status") not in ("complete", "partial"):
            return f"shard {entry.get('index')} has no valid status"
        for key in ("documents", "segments"):
            if not isinstance(entry.get(key), int):
                return f"shard {entry.get('index')} has no {key} count"
        if not isinstance(entry.get("failed", []), list):
            return f"shard {entry.get('index')}: failed is not a list"
    return None


def file_digest(path: Path) -> tuple[int, str]:
    """(records, SHA-256) of a shard file as it is on disk."""
    h = hashlib.sha256()
    lines = 0
    with path.open("rb") as f:
        for line in f:
            h.update(line)
            lines += line.strip() != b""
    return lines, h.hexdigest()


class JobFolder:
    """The manifest and shards of one output folder (see the module docstring)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.manifest: dict[str, Any] = {}
        self._lock: Any = None
        self.created = False

    # --- lock ------------------------------------------------------------------------------

    def lock(self) -> None:
        """Become the one writer of the folder, or say which process is."""
        from filelock import FileLock, Timeout

        self.created = not self.folder.exists()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create {self.folder}: {e.strerror or e}") from None
        lock = FileLock(str(self.folder / LOCK), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            holder = self._holder()
            raise ConfigError(f"{self.folder}/ is being written by another tk run ({holder}); "
                              "wait for it to end, or choose another output folder") from None
        self._lock = lock
        atomic_write(self.folder / (LOCK + ".owner"),
                     json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "since": now()}) + "\n")

    def _holder(self) -> str:
        try:
            owner = json.loads((self.folder / (LOCK + ".owner")).read_text(encoding="utf-8"))
            return f"process {owner['pid']} on {owner['host']}, since {owner['since']}"
        except (OSError, ValueError, KeyError, TypeError):
            return "a process that is starting"

    def discard(self) -> None:
        """Undo :meth:`lock` on a folder it created, when the job never started: nothing is
        left behind by a run that failed before any work."""
        self.unlock()
        if self.created and not self.manifest:
            (self.folder / LOCK).unlink(missing_ok=True)
            try:
                self.folder.rmdir()
            except OSError:
                pass  # something else is in it now: leave it

    def unlock(self) -> None:
        if self._lock is not None:
            (self.folder / (LOCK + ".owner")).unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    # --- the manifest ----------------------------------------------------------------------

    def open(self, task: str, settings: dict[str, Any], input_id: dict[str, Any],
             info: dict[str, Any], *, replace: bool = False) -> None:
        """Start a job here, or take up the one this folder holds: refused if its settings
        differ (naming them) or its input is another (unless ``replace``: the old job's files
        go, and a new one starts)."""
        settings = json.loads(json.dumps(settings, sort_keys=True, default=str))
        existing = read_manifest(self.folder)
        if existing is not None and existing.get("format") != FORMAT_VERSION and not replace:
            raise ConfigError(f"{self.folder}/ holds a job of an older tk (manifest format "
                              f"{existing.get('format')}); rerun with --replace to start it "
                              "anew, or choose another output folder")
        if existing is not None and not replace:
            diff = differences(existing["settings"], settings)
            if diff:
                shown = "; ".join(diff[:3]) + (f"; and {len(diff) - 3} more" if len(diff) > 3
                                               else "")
                raise ConfigError(f"{self.folder}/ holds a job made with other settings "
                                  f"({shown}); rerun with the same settings to resume it, "
                                  "--replace to start it anew, or choose another output folder")
            old = existing.get("input", {})
            if old.get("ids") != input_id["ids"]:
                raise ConfigError(
                    f"{self.folder}/ holds a job over another input ({old.get('documents')} "
                    f"documents, this one {input_id['documents']}, not the same ids); rerun "
                    "with --replace to start it anew, or choose another output folder")
        elif existing is not None or self._has_tk_files():
            self.clear(existing)
            existing = None
        if existing is None:
            existing = {"format": FORMAT_VERSION, "task": task, "created": now(),
                        "settings": settings, "shards": []}
        self.manifest = existing
        self.manifest.update(info)
        self.manifest["input"] = input_id
        from toolkit import __version__

        self.manifest["tk"] = __version__

    def _has_tk_files(self) -> bool:
        return (self.folder / SHARDS).is_dir()

    def clear(self, manifest: dict[str, Any] | None) -> None:
        """Remove a job's files: its shards, what it assembled, run.json and the manifest."""
        names = list((manifest or {}).get("outputs", [])) + ["run.json", MANIFEST]
        for name in names:
            path = self.folder / name
            if path.resolve().parent == self.folder.resolve() and path.is_file():
                path.unlink()
        shutil.rmtree(self.folder / SHARDS, ignore_errors=True)

    def save(self, **fields: Any) -> None:
        self.manifest.update(fields)
        self.manifest["updated"] = now()
        shards = self.manifest["shards"]
        self.manifest["counts"] = {
            "shards_complete": sum(e["status"] == "complete" for e in shards),
            "documents_done": sum(e["documents"] - len(e["failed"]) for e in shards),
            "documents_failed": sum(len(e["failed"]) for e in shards),
            "segments_done": sum(e["segments"] for e in shards),
        }
        atomic_write(self.folder / MANIFEST,
                     json.dumps(self.manifest, ensure_ascii=False, indent=2) + "\n")

    # --- shards ----------------------------------------------------------------------------

    def shard_path(self, index: int) -> Path:
        return self.folder / SHARDS / f"part-{index:05d}.jsonl"

    def entry(self, index: int) -> dict[str, Any] | None:
        for e in self.manifest["shards"]:
            if e["index"] == index:
                return e
        return None

    def verify(self, index: int, docs: Sequence[Document], digest: str) -> str | None:
        """None if shard ``index`` is finished for exactly these documents and its file is
        what was written; else why it must be done (again): "new", "input changed",
        "partial", "missing file", "checksum"."""
        e = self.entry(index)
        if e is None:
            return "new"
        if e.get("input") != digest or e["documents"] != len(docs):
            return "input changed"
        if e["status"] != "complete":
            return "partial"
        path = self.folder / e["name"]
        if not path.is_file():
            return "missing file"
        try:
            count, sha = file_digest(path)
        except OSError:
            return "unreadable file"
        if count != e["segments"] or sha != e.get("sha256"):
            return "checksum"
        return None

    def write_shard(self, index: int, docs: Sequence[Document], digest: str, result: Any,
                    seconds: float) -> None:
        """The shard's records (atomically), then its entry in the manifest."""
        text = jsonl_text(result.records)
        path = self.shard_path(index)
        atomic_write(path, text)
        entry = {"index": index, "name": path.relative_to(self.folder).as_posix(),
                 "documents": len(docs), "first": docs[0].id, "last": docs[-1].id,
                 "input": digest, "segments": len(result.records),
                 "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                 "new_tokens": result.new_tokens, "seconds": round(seconds, 2),
                 "status": "partial" if result.failed else "complete", "failed": result.failed,
                 "stats": result.stats, "finished": now()}
        self.manifest["shards"] = sorted(
            [e for e in self.manifest["shards"] if e["index"] != index] + [entry],
            key=lambda e: e["index"])
        self.save()

    def drop_shards_from(self, count: int) -> int:
        """Forget shards at ``count`` and past it (left by an input that had more); their
        files go. Returns how many."""
        stale = [e for e in self.manifest["shards"] if e["index"] >= count]
        for e in stale:
            (self.folder / e["name"]).unlink(missing_ok=True)
        self.manifest["shards"] = [e for e in self.manifest["shards"] if e["index"] < count]
        return len(stale)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record of the shards, in input order (streamed shard by shard)."""
        for e in self.manifest["shards"]:
            with (self.folder / e["name"]).open(encoding="utf-8", newline="\n") as stream:
                for number, line in enumerate(stream, start=1):
                    if not line.strip():
                        continue
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError:
                        raise InputError(f"{self.folder / e['name']}:{number}: not a JSON record; "
                                         "run the same command again to redo the shard"
                                         ) from None


def differences(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """``key: old -> new`` for every leaf that differs."""
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        name = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            out += differences(a, b, name + ".")
        elif a != b:
            out.append(f"{name}: {json.dumps(a, ensure_ascii=False)} -> "
                       f"{json.dumps(b, ensure_ascii=False)}")
    return out
