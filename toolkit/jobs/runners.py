"""Who does the work on a job's shards: this process (``local``) or a Ray actor pool (``ray``,
:mod:`toolkit.jobs.ray_runner`). A runner takes the shards still to do and hands each result back to
the engine, which alone writes the folder."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from toolkit.documents import Document
from toolkit.jobs.task import JobTask, Progress, ShardResult

Done = Callable[[int, list[Document], str, ShardResult, float], None]
"""``done(index, docs, input digest, result, seconds)``: a shard is finished."""


class Runner(Protocol):
    def run(self, task: JobTask, pending: Iterable[tuple[int, list[Document], str]],
            done: Done, progress: Progress | None) -> None: ...


class LocalRunner:
    """Shards one after the other in this process, progress unit by unit."""

    def run(self, task: JobTask, pending: Iterable[tuple[int, list[Document], str]],
            done: Done, progress: Progress | None) -> None:
        for index, docs, digest in pending:
            started = time.perf_counter()
            result = task.run_shard(docs, progress)
            done(index, docs, digest, result, time.perf_counter() - started)


def runner_for(options: Any) -> Runner:
    if options.runner == "ray":
        from toolkit.jobs.ray_runner import RayRunner

        return RayRunner(actors=options.ray_actors, gpus_per_actor=options.ray_gpus_per_actor,
                         address=options.ray_address)
    return LocalRunner()
