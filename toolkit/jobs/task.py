"""The protocol a task implements to run as a job: its settings, the work on one shard, and
how the finished job is assembled. The engine (:mod:`toolkit.jobs.engine`) knows nothing
else of the task, so translation and summarization are two implementations of it and a
third task is one new file."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from toolkit.documents import Document
from toolkit.errors import ModelError


class Tally(Protocol):
    """What a task counts over the shards of one run (checks, retries): added shard by shard,
    so memory stays flat, and shown at the end of the run."""

    def merge(self, other: Any) -> Any: ...

    def render(self) -> str: ...


@dataclass
class ShardResult:
    """What the work on one shard gave: its records (JSON-able dicts, in input order), the
    documents that failed (``{"doc", "error"}``), the task's tally, the task's own counts for
    the manifest (JSON-able), and the new tokens generated."""

    records: list[dict[str, Any]]
    failed: list[dict[str, str]] = field(default_factory=list)
    tally: Tally | None = None
    stats: dict[str, Any] | None = None
    new_tokens: int = 0


class Progress(Protocol):
    """A progress display: ``progress(n)`` for n more units done; ``phase`` says what runs."""

    def __call__(self, n: int) -> None: ...

    def phase(self, text: str) -> None: ...


class JobTask(Protocol):
    """A task the job engine can run. ``name`` goes into the manifest ("translate"); ``unit``
    is what progress counts ("seg", "doc")."""

    name: str
    unit: str

    def describe(self) -> str:
        """A few words for the progress display, e.g. "de→en"."""
        ...

    def units(self, doc: Document) -> int:
        """How many progress units one document is (read in the first pass over the input)."""
        ...

    def prepare(self, announce: Callable[[str], None] | None = None) -> None:
        """Load what the work needs (the model). Called once, after the folder is locked."""
        ...

    def settings(self) -> dict[str, Any]:
        """Everything that changes the output (a rerun with other settings is refused)."""
        ...

    def info(self) -> dict[str, Any]:
        """What the manifest records without it changing the output (model label, engine)."""
        ...

    def recipe(self) -> tuple[Callable[..., JobTask], Any]:
        """How another process rebuilds this task: a callable and its one argument (the
        task's options object); both must pickle."""
        ...

    def run_shard(self, docs: Sequence[Document], progress: Progress | None) -> ShardResult:
        """The records of one shard's documents; a document that fails on its input is in
        ``failed``, and the others are kept."""
        ...

    def assemble(self, folder: Path, records: Callable[[], Iterator[dict[str, Any]]],
                 manifest: dict[str, Any],
                 documents: Callable[[], Iterator[Document]] | None = None,
                 ) -> tuple[list[str], dict[str, Any]]:
        """Write the finished job's outputs into ``folder`` from its records (streamed, in input
        order, as often as it calls ``records()``); return the files written (relative names)
        and the fields of ``run.json`` beyond the engine's own. ``documents()`` reads the
        input again, in the same order (a marked-up document is written back around its
        translations)."""
        ...

    def cache_hits(self) -> int:
        """Generations served from the cache so far (0 without a cache)."""
        ...


RECOVERABLE: tuple[type[BaseException], ...] = (ModelError, RuntimeError, ValueError)
"""Errors on one document's input that a job records and goes on from (the rest of the
corpus is not lost to one bad article); anything else stops the job."""


def failure(doc: Document, error: BaseException) -> dict[str, str]:
    """The manifest's entry for a document that failed: its id and the error's first line."""
    first = str(error).splitlines()[0] if str(error) else ""
    return {"doc": doc.id, "error": f"{type(error).__name__}: {first}"}


def one_by_one(docs: Sequence[Document],
               work: Callable[[Sequence[Document]], ShardResult]) -> ShardResult:
    """``work`` on all documents at once; if that fails on a document's input, on each alone,
    so that a failure costs only its own document."""
    try:
        return work(docs)
    except RECOVERABLE:
        pass
    parts: list[ShardResult] = []
    failed: list[dict[str, str]] = []
    for doc in docs:
        try:
            parts.append(work([doc]))
        except RECOVERABLE as e:
            failed.append(failure(doc, e))
    return combine(parts, failed)


def combine(parts: Sequence[ShardResult], failed: list[dict[str, str]] | None = None
            ) -> ShardResult:
    """Several results as one (records in order, tallies merged, stats added up)."""
    tally: Any = None
    for part in parts:
        if part.tally is not None:
            tally = part.tally if tally is None else tally.merge(part.tally)
    stats = add_stats([p.stats for p in parts if p.stats])
    return ShardResult([r for p in parts for r in p.records],
                       [*(f for p in parts for f in p.failed), *(failed or [])],
                       tally, stats, sum(p.new_tokens for p in parts))


def add_stats(stats: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Numeric fields added up, others kept (the last non-empty value)."""
    if not stats:
        return None
    total: dict[str, Any] = {}
    for s in stats:
        for k, v in s.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                total[k] = total.get(k, 0) + v
            else:
                total[k] = v or total.get(k, v)
    return total
