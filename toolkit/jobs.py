"""Resumable, sharded jobs: a corpus streamed through a task into an output folder of shards
and a manifest, so that a job killed at any moment (kill -9 included) continues where it
stopped with no segment lost, none duplicated, and the same records as an uninterrupted run.

Layout of an output folder::

    manifest.json          what made it (model, fingerprint, engine, glossary hash, settings,
                           tk version), every shard's counts and status, throughput, peak memory
    shards/part-00000.jsonl   the records of documents 0..D-1 of the input (D = shard size)
    shards/part-00001.jsonl   ...
    translations.jsonl, <doc>.<lang>.txt, run.json   assembled once every shard is complete

A shard is a fixed run of consecutive input documents, written atomically (temporary file,
then rename) and only then entered in the manifest (also written atomically). On a rerun
into the same folder the input is streamed again, finished shards are skipped (checked by
their first and last document id), and the shard that was cut off is done again; its
segments finished before the kill come from the generation cache, which commits every
batch. A rerun whose settings would change the output is refused, naming what differs.
A document that fails (a model error on its input) is recorded in its shard's entry with the
error, the rest of the shard is kept, and the next run tries it again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from toolkit.documents import Document
from toolkit.errors import ConfigError, InputError, ModelError
from toolkit.outputs import atomic_write

MANIFEST = "manifest.json"
SHARDS = "shards"
DEFAULT_SHARD_DOCS = 32
FORMAT_VERSION = 1


@dataclass
class ShardResult:
    """What translating (or summarizing) one shard's documents gave."""

    records: list[dict[str, Any]]
    failed: list[dict[str, str]] = field(default_factory=list)  # {"doc", "error"}
    checks: list[Any] = field(default_factory=list)  # SegmentChecks of the records
    stats: dict[str, Any] | None = None
    new_tokens: int = 0


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def peak_memory_mb() -> float:
    """This process's peak resident memory (MB); with CUDA, the GPU's peak is reported apart."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def gpu_peak_mb() -> float | None:
    import sys

    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available():
        return None
    return round(torch.cuda.max_memory_allocated() / 2**20, 1)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise InputError(f"{path}: not a readable tk manifest ({e}); remove the folder or "
                         "choose another output folder") from None
    if not isinstance(data, dict) or "settings" not in data:
        raise InputError(f"{path}: not a tk job manifest; choose another output folder")
    return data


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


class Job:
    """One output folder: its manifest, its shards, and resumption.

    ``settings`` are everything that changes the output (the task's full fingerprint, the
    glossary's hash, target/source language, enforcement, checks, the share of the corpus and
    the shard size); ``info`` is what is recorded but may differ between runs (model label).
    """

    def __init__(self, folder: str | Path, settings: dict[str, Any],
                 info: dict[str, Any] | None = None) -> None:
        self.folder = Path(folder)
        self.settings = json.loads(json.dumps(settings, sort_keys=True, default=str))
        self.shard_docs = int(settings.get("shard_docs", DEFAULT_SHARD_DOCS))
        existing = read_manifest(self.folder)
        if existing is not None:
            diff = differences(existing["settings"], self.settings)
            if diff:
                shown = "; ".join(diff[:3]) + (f"; and {len(diff) - 3} more" if len(diff) > 3 else "")
                raise ConfigError(f"{self.folder}/ holds a job made with other settings ({shown}); "
                                  "rerun with the same settings to resume it, or choose another "
                                  "output folder")
            self.manifest = existing
        else:
            self.manifest = {"format": FORMAT_VERSION, "task": settings.get("task"),
                             "status": "running", "created": now(), "settings": self.settings,
                             "shards": []}
        self.manifest.update(info or {})
        self.manifest["tk"] = _tk_version()

    # --- shards ----------------------------------------------------------------------------------

    def shard_path(self, index: int) -> Path:
        return self.folder / SHARDS / f"part-{index:05d}.jsonl"

    def _entry(self, index: int) -> dict[str, Any] | None:
        for entry in self.manifest["shards"]:
            if entry["index"] == index:
                return entry
        return None

    def done(self, index: int, docs: list[Document]) -> bool:
        """Whether shard ``index`` is finished for exactly these documents."""
        entry = self._entry(index)
        return (entry is not None and entry["status"] == "complete"
                and entry["first"] == docs[0].id and entry["last"] == docs[-1].id
                and entry["documents"] == len(docs) and self.shard_path(index).is_file())

    def chunks(self, docs: Iterable[Document]) -> Iterator[tuple[int, list[Document]]]:
        """The input in shards of ``shard_docs`` consecutive documents."""
        chunk: list[Document] = []
        index = 0
        for doc in docs:
            chunk.append(doc)
            if len(chunk) == self.shard_docs:
                yield index, chunk
                index, chunk = index + 1, []
        if chunk:
            yield index, chunk

    def write_shard(self, index: int, docs: list[Document], result: ShardResult,
                    seconds: float) -> None:
        """The shard's records (atomically), then its entry in the manifest."""
        from toolkit.outputs import jsonl_text

        atomic_write(self.shard_path(index), jsonl_text(result.records))
        entry = {"index": index, "name": self.shard_path(index).relative_to(self.folder).as_posix(),
                 "documents": len(docs), "first": docs[0].id, "last": docs[-1].id,
                 "segments": len(result.records), "new_tokens": result.new_tokens,
                 "seconds": round(seconds, 2),
                 "status": "partial" if result.failed else "complete", "failed": result.failed,
                 "retries": result.stats, "finished": now()}
        self.manifest["shards"] = sorted(
            [e for e in self.manifest["shards"] if e["index"] != index] + [entry],
            key=lambda e: e["index"])
        self.save()

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

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record of the finished shards, in input order (streamed shard by shard)."""
        for entry in self.manifest["shards"]:
            with (self.folder / entry["name"]).open(encoding="utf-8") as stream:
                for line in stream:
                    if line.strip():
                        yield json.loads(line)


@dataclass
class JobRun:
    """What one ``run_job`` call did, for the summary users see."""

    documents: int = 0
    shards: int = 0
    reused_shards: int = 0
    reused_documents: int = 0
    translated_segments: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    checks: Any = None  # CheckSummary of the segments translated in this run, shard by shard
    stats: dict[str, Any] | None = None  # retry stats, summed
    seconds: float = 0.0
    new_tokens: int = 0
    complete: bool = False

    def add(self, result: ShardResult) -> None:
        """Count a finished shard (summaries only: nothing per segment is kept)."""
        from toolkit.qa.checks import CheckSummary

        self.translated_segments += len(result.records)
        self.failed += result.failed
        self.new_tokens += result.new_tokens
        if result.checks:
            summary = CheckSummary.from_checks(result.checks)
            self.checks = summary if self.checks is None else self.checks.merge(summary)
        if result.stats:
            from toolkit.translate import _sum_stats

            self.stats = _sum_stats([s for s in (self.stats, result.stats) if s])


def run_job(job: Job, docs: Iterable[Document], work: Callable[[list[Document]], ShardResult],
            *, total: int | None = None,
            on_shard: Callable[[int, int, bool], None] | None = None) -> JobRun:
    """Stream ``docs`` through ``work`` shard by shard into ``job``; finished shards are
    skipped. ``on_shard(documents, segments, reused)`` is called after each shard."""
    run = JobRun()
    started = time.perf_counter()
    job.save(status="running", input={"documents": total} if total is not None else {})
    for index, chunk in job.chunks(docs):
        run.shards += 1
        run.documents += len(chunk)
        if job.done(index, chunk):
            run.reused_shards += 1
            run.reused_documents += len(chunk)
            if on_shard:
                on_shard(len(chunk), job._entry(index)["segments"], True)  # type: ignore[index]
            continue
        t0 = time.perf_counter()
        result = work(chunk)
        job.write_shard(index, chunk, result, time.perf_counter() - t0)
        run.add(result)
        if on_shard:
            on_shard(len(chunk), len(result.records), False)
    return finish(job, run, started)


def finish(job: Job, run: JobRun, started: float) -> JobRun:
    """Close a run: check the folder holds no shard beyond this input, then record status,
    elapsed time, throughput and peak memory in the manifest."""
    # Shards past the end of this input (a shorter input into the same folder) do not belong.
    stale = [e for e in job.manifest["shards"] if e["index"] >= run.shards]
    if stale:
        raise InputError(f"{job.folder}/ holds {len(stale)} more shard(s) than this input has; "
                         "the input changed since the job began: choose another output folder")
    run.seconds = time.perf_counter() - started
    run.complete = all(e["status"] == "complete" for e in job.manifest["shards"])
    elapsed = job.manifest.get("seconds", 0.0) + run.seconds
    segments = job.manifest.get("counts", {}).get("segments_done", 0)
    job.save(status="complete" if run.complete else "incomplete", seconds=round(elapsed, 2),
             throughput=_throughput(job, run), peak_memory_mb=peak_memory_mb(),
             gpu_peak_memory_mb=gpu_peak_mb(), segments=segments)
    return run


def _throughput(job: Job, run: JobRun) -> dict[str, float]:
    """Of this run's own work (reused shards cost nothing and would flatter it)."""
    seconds = run.seconds or 1e-9
    docs = run.documents - run.reused_documents
    return {"documents_per_second": round(docs / seconds, 3),
            "segments_per_second": round(run.translated_segments / seconds, 3),
            "new_tokens_per_second": round(run.new_tokens / seconds, 2),
            "seconds": round(run.seconds, 2), "shards": run.shards - run.reused_shards}


def status(folder: str | Path) -> dict[str, Any]:
    """Done / remaining / failed of a job folder, from its manifest."""
    manifest = read_manifest(Path(folder))
    if manifest is None:
        raise InputError(f"{folder}: no {MANIFEST} here; give the output folder of a tk job")
    counts = manifest.get("counts", {})
    total = (manifest.get("input") or {}).get("documents")
    done = counts.get("documents_done", 0)
    return {
        "status": manifest.get("status"), "task": manifest.get("task"),
        "model": manifest.get("model"), "engine": manifest.get("engine"),
        "documents": total, "done": done, "failed": counts.get("documents_failed", 0),
        "remaining": (total - done) if isinstance(total, int) else None,
        "segments": counts.get("segments_done", 0),
        "throughput": manifest.get("throughput"), "seconds": manifest.get("seconds"),
        "updated": manifest.get("updated"), "peak_memory_mb": manifest.get("peak_memory_mb"),
        "failures": [f for e in manifest.get("shards", []) for f in e.get("failed", [])],
    }


def _tk_version() -> str:
    from toolkit import __version__

    return __version__


def translation_failure(doc: Document, error: BaseException) -> dict[str, str]:
    return {"doc": doc.id, "error": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"}


RECOVERABLE: tuple[type[BaseException], ...] = (ModelError, RuntimeError, ValueError)
"""Errors on one document's input that a job records and goes on from (the rest of the
corpus is not lost to one bad article); anything else stops the job."""

