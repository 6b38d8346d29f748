"""One job engine for every task: a corpus streamed through a task into an output folder of
shards and a manifest, so that a job killed at any moment (kill -9 included) continues where
it stopped with no record lost, none duplicated, and the same records as an uninterrupted run.

    job = Job(task, source, JobOptions(output="out/en"))
    job.plan()                      # first pass: every input problem before any model
    with job:                       # the folder locked; the task's model loaded
        run = job.run(progress)     # shards done or reused, outputs assembled when complete

A shard is a fixed run of consecutive input documents. Finished shards are reused only when
they verify (:meth:`JobFolder.verify`); the shard that was cut off is done again, its finished
batches served from the generation cache. A document that fails on its input is recorded in
its shard's entry, the rest is kept, and the next run tries it again. The manifest's status
is always true: ``running`` only while a process holds the folder, then ``complete``,
``incomplete`` (failed documents), ``stopped`` (Ctrl-C, SIGTERM) or ``failed`` (the error).
"""

from __future__ import annotations

import json
import math
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.documents import Document, DocumentSource
from toolkit.errors import ConfigError, InputError, TkError
from toolkit.jobs.folder import JobFolder, input_digest, now, read_manifest
from toolkit.jobs.task import JobTask, Progress, ShardResult
from toolkit.outputs import atomic_write, check_writable

DEFAULT_SHARD_DOCS = 32
RUNNERS = ("local", "ray")


@dataclass(frozen=True)
class JobOptions:
    """How a job runs, checked once where it enters (flags, a notebook call)."""

    output: str
    shard: tuple[int, int] | None = None  # share K of N of the input
    shard_docs: int = DEFAULT_SHARD_DOCS
    runner: str = "local"
    ray_actors: int | None = None
    ray_gpus_per_actor: float = 0.0
    ray_address: str | None = None
    replace: bool = False

    def __post_init__(self) -> None:
        if self.runner not in RUNNERS:
            raise ConfigError(f"--runner {self.runner}: choose one of {', '.join(RUNNERS)}")
        if self.shard_docs < 1:
            raise ConfigError(f"--shard-size {self.shard_docs}: give at least 1 document")
        if not math.isfinite(self.ray_gpus_per_actor) or self.ray_gpus_per_actor < 0:
            raise ConfigError(f"--ray-gpus-per-actor {self.ray_gpus_per_actor}: give a number "
                              "of GPUs of 0 or more, e.g. 1 or 0.5")
        if self.ray_actors is not None and self.ray_actors < 1:
            raise ConfigError(f"--ray-actors {self.ray_actors}: give at least 1")
        ray_set = [name for name, value in (("--ray-actors", self.ray_actors),
                                            ("--ray-gpus-per-actor", self.ray_gpus_per_actor),
                                            ("--ray-address", self.ray_address)) if value]
        if ray_set and self.runner != "ray":
            raise ConfigError(f"{', '.join(ray_set)} only apply with --runner ray")
        if self.shard is not None:
            k, n = self.shard
            if not 1 <= k <= n:
                raise ConfigError(f"--shard {k}/{n}: K must be between 1 and N")

    @property
    def shard_label(self) -> str | None:
        return f"{self.shard[0]}/{self.shard[1]}" if self.shard else None


def parse_share(text: str) -> tuple[int, int]:
    """``"K/N"`` (1 <= K <= N) as (K, N): share K of N of a corpus (``--shard``)."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ConfigError(f"--shard {text!r}: give K/N, e.g. 1/4 for the first of four shares"
                          ) from None
    if not 1 <= k <= n:
        raise ConfigError(f"--shard {text}: K must be between 1 and N (got {k} of {n})")
    return k, n


@dataclass
class JobRun:
    """What one run of a job did, for the summary users see."""

    documents: int = 0
    shards: int = 0
    reused_shards: int = 0
    reused_documents: int = 0
    units_done: int = 0  # records made by this run
    redone: list[str] = field(default_factory=list)  # "shard 3: checksum"
    failed: list[dict[str, str]] = field(default_factory=list)
    tally: Any = None  # the task's Tally over this run's shards
    seconds: float = 0.0
    new_tokens: int = 0
    cache_hits: int = 0
    complete: bool = False

    def add(self, result: ShardResult) -> None:
        self.units_done += len(result.records)
        self.failed += result.failed
        self.new_tokens += result.new_tokens
        if result.tally is not None:
            self.tally = result.tally if self.tally is None else self.tally.merge(result.tally)


class Stopped(BaseException):
    """SIGTERM: the run stops as it does on Ctrl-C (status ``stopped``, work kept)."""


class Job:
    """A task over an input into an output folder (see the module docstring)."""

    def __init__(self, task: JobTask, source: DocumentSource, options: JobOptions, *,
                 announce: Callable[[str], None] | None = None) -> None:
        self.task = task
        self.announce = announce
        self.source = source
        self.options = options
        self.folder = JobFolder(options.output)
        self.total_documents = 0
        self.total_units = 0
        self._ids = ""

    # --- before any model --------------------------------------------------------------------

    def documents(self) -> Iterator[Document]:
        return self.source.select(self.options.shard)

    def plan(self) -> None:
        """A first pass over the input: every problem in it is found before a model is loaded,
        and the totals make progress and ``tk jobs status`` meaningful. Only counts are kept."""
        import hashlib

        check_writable(self.options.output, folder=True)
        ids = hashlib.sha256()
        for doc in self.documents():
            self.total_documents += 1
            self.total_units += self.task.units(doc)
            ids.update(doc.id.encode("utf-8", "surrogatepass") + b"\n")
        if not self.total_documents:
            share = self.options.shard_label
            raise InputError(f"--shard {share}: no document of the input falls in this share; "
                             "give fewer shares or more documents")
        self._ids = ids.hexdigest()[:32]

    # --- the run ---------------------------------------------------------------------------

    def __enter__(self) -> Job:
        self.folder.lock()
        try:
            self.task.prepare(self.announce)
            settings = {**self.task.settings(), "shard": self.options.shard_label,
                        "shard_docs": self.options.shard_docs}
            self.folder.open(self.task.name, settings,
                             {"documents": self.total_documents, "units": self.total_units,
                              "ids": self._ids},
                             {**self.task.info(), "runner": self.options.runner},
                             replace=self.options.replace)
        except BaseException:
            self.folder.manifest = {}
            self.folder.discard()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self.folder.unlock()

    def chunks(self) -> Iterator[tuple[int, list[Document]]]:
        """The input in shards of ``shard_docs`` consecutive documents."""
        chunk: list[Document] = []
        index = 0
        for doc in self.documents():
            chunk.append(doc)
            if len(chunk) == self.options.shard_docs:
                yield index, chunk
                index, chunk = index + 1, []
        if chunk:
            yield index, chunk

    def run(self, progress: Progress | None = None) -> JobRun:
        """Every shard done or reused; the outputs assembled when all are complete. Whatever
        ends the run, the manifest says how."""
        run = JobRun()
        started = time.perf_counter()
        self.folder.save(status="running", started=now())
        previous = signal.getsignal(signal.SIGTERM) if _main_thread() else None
        if previous is not None:
            signal.signal(signal.SIGTERM, _raise_stopped)
        try:
            self._shards(run, progress, started)
        except (KeyboardInterrupt, Stopped):
            self._close(run, started, "stopped")
            raise
        except TkError as e:
            self._close(run, started, "failed", str(e))
            raise
        except BaseException as e:
            self._close(run, started, "failed", f"{type(e).__name__}: {e}")
            raise
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        return run

    def _shards(self, run: JobRun, progress: Progress | None, started: float) -> None:
        from toolkit.jobs.runners import runner_for

        runner = runner_for(self.options)

        def pending() -> Iterator[tuple[int, list[Document], str]]:
            for index, chunk in self.chunks():
                run.shards += 1
                run.documents += len(chunk)
                digest = input_digest(chunk)
                why = self.folder.verify(index, chunk, digest)
                if why is None:
                    run.reused_shards += 1
                    run.reused_documents += len(chunk)
                    if progress is not None:
                        entry = self.folder.entry(index) or {}
                        progress(self._units(entry, chunk))
                        progress.phase(f"{run.reused_documents} documents from earlier runs")
                    continue
                if why not in ("new", "partial"):
                    run.redone.append(f"shard {index}: {why}")
                yield index, chunk, digest

        def done(index: int, chunk: list[Document], digest: str, result: ShardResult,
                 seconds: float) -> None:
            self.folder.write_shard(index, chunk, digest, result, seconds)
            run.add(result)

        runner.run(self.task, pending(), done, progress)
        dropped = self.folder.drop_shards_from(run.shards)
        if dropped:
            run.redone.append(f"{dropped} shard(s) past the input's end removed")
        run.cache_hits = self.task.cache_hits()
        run.seconds = time.perf_counter() - started
        self.folder.manifest["throughput"] = _throughput(run)
        complete = all(e["status"] == "complete" for e in self.folder.manifest["shards"])
        run.complete = complete
        if complete:
            self._assemble()
        self._close(run, started, "complete" if complete else "incomplete")

    def _units(self, entry: dict[str, Any], chunk: list[Document]) -> int:
        if self.task.unit == "doc":
            return len(chunk)
        return int(entry.get("segments", 0))

    def _assemble(self) -> None:
        """The task's outputs, then the one ``run.json`` every job folder gets."""
        manifest = self.folder.manifest
        outputs, fields = self.task.assemble(self.folder.folder, self.folder.records, manifest,
                                             self.documents)
        write_run_json(self.folder.folder, {
            "task": self.task.name, "model": manifest.get("model"),
            "engine": manifest.get("engine"), "engine_reason": manifest.get("engine_reason"),
            "fingerprint": manifest["settings"]["fingerprint"],
            **fields, "throughput": manifest.get("throughput"), "manifest": "manifest.json"})
        self.folder.manifest["outputs"] = sorted(outputs)

    def _close(self, run: JobRun, started: float, status: str, error: str | None = None) -> None:
        run.seconds = time.perf_counter() - started
        manifest = self.folder.manifest
        elapsed = manifest.get("seconds", 0.0) + run.seconds
        try:
            self.folder.save(status=status, error=error, seconds=round(elapsed, 2),
                             throughput=_throughput(run), peak_memory_mb=peak_memory_mb(),
                             gpu_peak_memory_mb=gpu_peak_mb())
        except TkError:
            if status in ("complete", "incomplete"):
                raise  # an unwritable folder at the end is the error to show


def write_run_json(folder: str | Path, fields: dict[str, Any]) -> None:
    """``run.json``: what made an output folder (the one writer, for jobs and small runs)."""
    from toolkit import __version__

    atomic_write(Path(folder) / "run.json",
                 json.dumps({"tk": __version__, **fields}, ensure_ascii=False, indent=2) + "\n")


def _raise_stopped(signum: int, frame: Any) -> None:
    raise Stopped()


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _throughput(run: JobRun) -> dict[str, float]:
    """Of this run's own work (reused shards cost nothing and would flatter it)."""
    seconds = run.seconds or 1e-9
    docs = run.documents - run.reused_documents
    return {"documents_per_second": round(docs / seconds, 3),
            "segments_per_second": round(run.units_done / seconds, 3),
            "new_tokens_per_second": round(run.new_tokens / seconds, 2),
            "seconds": round(run.seconds, 2), "shards": run.shards - run.reused_shards}


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


def status(folder: str | Path) -> dict[str, Any]:
    """Done / remaining / failed of a job folder, from its manifest, with every finished
    shard's file verified (record count and SHA-256): a ``running`` job whose folder no
    process holds is reported as ``stopped`` (it was killed), a job with a shard that does not
    verify as ``incomplete`` (the next run redoes it)."""
    path = Path(folder)
    manifest = read_manifest(path)
    if manifest is None:
        raise InputError(f"{folder}: no manifest.json here; give the output folder of a tk job")
    counts = manifest.get("counts", {})
    total = (manifest.get("input") or {}).get("documents")
    done = counts.get("documents_done", 0)
    state = manifest.get("status")
    if state == "running" and not _held(path):
        state = "stopped"
    damaged = [e["index"] for e in manifest.get("shards", []) if not _verifies(path, e)]
    if damaged and state == "complete":
        state = "incomplete"
    return {
        "damaged_shards": damaged,
        "status": state, "task": manifest.get("task"),
        "model": manifest.get("model"), "engine": manifest.get("engine"),
        "documents": total, "done": done, "failed": counts.get("documents_failed", 0),
        "remaining": (total - done) if isinstance(total, int) else None,
        "segments": counts.get("segments_done", 0), "error": manifest.get("error"),
        "throughput": manifest.get("throughput"), "seconds": manifest.get("seconds"),
        "updated": manifest.get("updated"), "peak_memory_mb": manifest.get("peak_memory_mb"),
        "failures": [f for e in manifest.get("shards", []) for f in e.get("failed", [])],
    }


def _verifies(folder: Path, entry: dict[str, Any]) -> bool:
    from toolkit.jobs.folder import file_digest

    try:
        count, sha = file_digest(folder / entry["name"])
    except OSError:
        return False
    return count == entry["segments"] and sha == entry.get("sha256")


def _held(folder: Path) -> bool:
    from filelock import FileLock, Timeout

    lock = FileLock(str(folder / ".lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    except OSError:
        return False
    lock.release()
    return False
