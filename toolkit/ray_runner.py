"""The same job past one machine: Ray Data ``map_batches`` over an actor pool, one model per
actor (``--runner ray``, extra ``[ray]``).

The driver streams the input into shards exactly as the local runner does, skips the shards
an earlier run finished, and hands the others to the pool as a dataset of shards; each actor
loads the translator once (with the same settings as the driver's, checked by fingerprint)
and translates whole shards. The driver writes every shard and the manifest as it comes
back, so the output folder, its resumption and its records are the local runner's.

Point it at an existing cluster with ``--ray-address ray://head:10001`` (or RAY_ADDRESS);
the model, and the TK_HOME cache if it is to be shared, must be reachable from the workers
(a shared file system or the same path on every node). Without an address a local Ray is
started with this machine's CPUs (and GPUs).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from toolkit.documents import Document
from toolkit.errors import ConfigError, ModelError
from toolkit.jobs import Job, JobRun, ShardResult, finish

INSTALL_HINT = "pip install 'tk-translate[ray]' (or: pip install 'ray[data]')"


def import_ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise ConfigError(f"--runner ray needs Ray Data: {INSTALL_HINT}") from None
    return ray


class ShardWorker:
    """One actor: loads the translator once, then translates shards (one per batch row)."""

    def __init__(self, recipe: dict[str, Any]) -> None:
        from toolkit.translate import load_translator

        self.translator = load_translator(**recipe["translator"])
        if self.translator.fingerprint_short != recipe["fingerprint"]:
            raise ModelError(
                f"a Ray worker loaded {self.translator.model_label} with fingerprint "
                f"{self.translator.fingerprint_short}, the driver {recipe['fingerprint']}: the "
                "workers must see the same model, tk and library versions as the driver")
        self.target = recipe["target"]
        self.options = recipe["options"]

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        from toolkit.translate import translate_shard

        out: dict[str, list[Any]] = {"index": [], "records": [], "failed": [], "stats": [],
                                     "new_tokens": [], "seconds": []}
        for index, docs in zip(batch["index"], batch["docs"], strict=True):
            started = time.perf_counter()
            chunk = [Document(**d) for d in json.loads(docs)]
            result = translate_shard(chunk, self.translator, self.target, **self.options)
            out["index"].append(int(index))
            out["records"].append(json.dumps(result.records, ensure_ascii=False))
            out["failed"].append(json.dumps(result.failed, ensure_ascii=False))
            out["stats"].append(json.dumps(result.stats))
            out["new_tokens"].append(result.new_tokens)
            out["seconds"].append(time.perf_counter() - started)
        return out


def run_job_ray(job: Job, docs: Iterable[Document], recipe: dict[str, Any], *,
                actors: int | None = None, gpus_per_actor: float = 0.0,
                address: str | None = None, total: int | None = None,
                on_shard: Callable[[int, int, bool], None] | None = None) -> JobRun:
    """:func:`toolkit.jobs.run_job` with the shards translated by a Ray actor pool."""
    ray = import_ray()
    if not ray.is_initialized():
        env = {k: v for k, v in os.environ.items()
               if k.startswith(("TK_", "HF_")) or k in ("TRANSFORMERS_OFFLINE",)}
        try:
            ray.init(address=address or os.environ.get("RAY_ADDRESS"),
                     runtime_env={"env_vars": env}, include_dashboard=False,
                     log_to_driver=False, logging_level="ERROR")
        except (ConnectionError, RuntimeError, ValueError) as e:
            raise ConfigError(f"cannot start or reach Ray ({str(e).splitlines()[0]}); check "
                              "--ray-address / RAY_ADDRESS") from None
    import logging

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # tk's own bar counts the segments
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    run = JobRun()
    started = time.perf_counter()
    job.save(status="running", input={"documents": total} if total is not None else {},
             runner="ray")
    todo: dict[int, list[Document]] = {}
    rows = []
    for index, chunk in job.chunks(docs):
        run.shards += 1
        run.documents += len(chunk)
        if job.done(index, chunk):
            run.reused_shards += 1
            run.reused_documents += len(chunk)
            if on_shard:
                on_shard(len(chunk), job._entry(index)["segments"], True)  # type: ignore[index]
            continue
        # The driver keeps only ids; the texts travel in the dataset (Ray's object store).
        todo[index] = [Document(id=d.id, text="", lang=d.lang) for d in chunk]
        rows.append({"index": index, "docs": json.dumps([_plain(d) for d in chunk],
                                                        ensure_ascii=False)})
    if rows:
        if actors is None:
            gpus = int(ray.cluster_resources().get("GPU", 0))
            actors = max(1, gpus if gpus_per_actor else 1)
        dataset = ray.data.from_items(rows)
        done = dataset.map_batches(
            ShardWorker, fn_constructor_kwargs={"recipe": recipe}, batch_size=1,
            concurrency=min(actors, len(rows)), num_gpus=gpus_per_actor or None,
            num_cpus=None if gpus_per_actor else 1)
        for row in _rows(ray, done):
            index = int(row["index"])
            result = ShardResult(records=json.loads(row["records"]),
                                 failed=json.loads(row["failed"]),
                                 stats=json.loads(row["stats"]), new_tokens=int(row["new_tokens"]))
            job.write_shard(index, todo[index], result, float(row["seconds"]))
            run.add(result)
            if on_shard:
                on_shard(len(todo[index]), len(result.records), False)
    return finish(job, run, started)


def _rows(ray: Any, dataset: Any) -> Any:
    """The dataset's rows as they finish; a worker's error as tk's one line, not Ray's page."""
    from toolkit.errors import TkError

    try:
        yield from dataset.iter_rows()
    except ray.exceptions.RayError as e:
        cause = e
        while getattr(cause, "cause", None) is not None or cause.__cause__ is not None:
            cause = getattr(cause, "cause", None) or cause.__cause__  # type: ignore[assignment]
            if isinstance(cause, TkError):
                raise cause from None
        lines = [ln for ln in str(e).splitlines() if ln.strip()]
        raise ModelError(f"a Ray worker failed: {lines[-1] if lines else type(e).__name__}"
                         ) from None


def _plain(doc: Document) -> dict[str, Any]:
    return asdict(doc)
