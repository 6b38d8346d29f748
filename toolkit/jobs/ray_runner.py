"""The same job past one machine: Ray Data ``map_batches`` over an actor pool, one task (one
model) per actor (``--runner ray``, extra ``[ray]``).

The engine streams the input into shards exactly as for the local runner and skips the
shards an earlier run finished; the others go to the pool as a dataset of shards. Each actor
rebuilds the task from its recipe (its options object), loads the model once, checks that it
resolved to the driver's fingerprint, and works through whole shards. The driver writes every
shard and the manifest as results come back, so the folder, its resumption and its records
are the local runner's, for any task.

Point it at an existing cluster with ``--ray-address ray://head:10001`` (or RAY_ADDRESS); the
model, and TK_HOME if the cache is to be shared, must be reachable from the workers. Without
an address a local Ray is started with this machine's CPUs (and GPUs). An address that does
not answer, or GPUs the cluster does not have, are one error line, not a wait.
"""

from __future__ import annotations

import os
import pickle
import socket
import time
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from toolkit.documents import Document
from toolkit.errors import ConfigError, ModelError, TkError
from toolkit.jobs.runners import Done
from toolkit.jobs.task import JobTask, Progress, ShardResult

INSTALL_HINT = "pip install 'tk-translate[ray]' (or: pip install 'ray[data]')"
CONNECT_TIMEOUT_S = 10.0


def import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise ConfigError(f"--runner ray needs Ray Data: {INSTALL_HINT}") from None
    return ray


class ShardWorker:
    """One actor: rebuilds the task once, then works through shards (one per batch row)."""

    def __init__(self, recipe: bytes, settings: bytes) -> None:
        build, options = pickle.loads(recipe)
        self.task: JobTask = build(options)
        self.task.prepare()
        mine, theirs = self.task.settings(), pickle.loads(settings)
        if mine != theirs:
            raise ModelError(
                f"a Ray worker resolved {self.task.info().get('model')} to other settings than "
                "the driver: the workers must see the same model, tk and library versions")

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"index": [], "result": [], "seconds": []}
        for index, docs in zip(batch["index"], batch["docs"], strict=True):
            started = time.perf_counter()
            result = self.task.run_shard(pickle.loads(docs), None)
            out["index"].append(int(index))
            out["result"].append(pickle.dumps(result))
            out["seconds"].append(time.perf_counter() - started)
        return out


class RayRunner:
    def __init__(self, *, actors: int | None, gpus_per_actor: float,
                 address: str | None) -> None:
        self.actors = actors
        self.gpus_per_actor = gpus_per_actor
        self.address = address or os.environ.get("RAY_ADDRESS") or None

    def run(self, task: JobTask, pending: Iterable[tuple[int, list[Document], str]],
            done: Done, progress: Progress | None) -> None:
        todo: dict[int, tuple[list[Document], str]] = {}
        rows = []
        for index, docs, digest in pending:
            # The driver keeps only ids; the texts travel in the dataset (Ray's object store).
            todo[index] = ([Document(id=d.id, text="", lang=d.lang) for d in docs], digest)
            rows.append({"index": index, "docs": pickle.dumps(docs)})
        if not rows:
            return
        ray = self._start()
        actors = self.actors
        if actors is None:
            gpus = int(ray.cluster_resources().get("GPU", 0))
            actors = max(1, gpus if self.gpus_per_actor else 1)
        self._check_resources(ray, actors)
        dataset = ray.data.from_items(rows)
        with warnings.catch_warnings():
            # max_restarts=0 is how Ray Data's own code says to turn restarts off; passing it
            # as an extra argument is marked deprecated, with no named replacement yet.
            warnings.simplefilter("ignore", DeprecationWarning)
            results = self._map(dataset, task, actors, len(rows))
        for row in _rows(ray, results):
            index = int(row["index"])
            result: ShardResult = pickle.loads(row["result"])
            docs, digest = todo[index]
            done(index, docs, digest, result, float(row["seconds"]))
            if progress is not None:
                progress(len(docs) if task.unit == "doc" else len(result.records))

    def _map(self, dataset: Any, task: JobTask, actors: int, shards: int) -> Any:
        """The dataset of shards through an actor pool of ``task``s, one model per actor. An
        actor that dies is not restarted by Ray (which could not restart it: its arguments
        live in the object store, and it says so on stderr); the job fails, and the same
        command continues from the shards already written."""
        return dataset.map_batches(
            ShardWorker, fn_constructor_kwargs={"recipe": pickle.dumps(task.recipe()),
                                                "settings": pickle.dumps(task.settings())},
            batch_size=1, concurrency=min(actors, shards),
            num_gpus=self.gpus_per_actor or None, num_cpus=None if self.gpus_per_actor else 1,
            max_restarts=0)

    def _start(self) -> Any:
        ray = import_ray()
        if ray.is_initialized():
            return ray
        if self.address and self.address != "auto":
            _reachable(self.address)
        env = {k: v for k, v in os.environ.items()
               if k.startswith(("TK_", "HF_")) or k in ("TRANSFORMERS_OFFLINE",)}
        import logging

        try:
            ray.init(address=self.address, runtime_env={"env_vars": env},
                     include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                     configure_logging=True)
        except (ConnectionError, RuntimeError, ValueError, TimeoutError) as e:
            raise ConfigError(f"cannot start or reach Ray ({_first_line(e)}); check "
                              "--ray-address / RAY_ADDRESS") from None
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # tk's own display counts the work
        context.print_on_execution_start = False
        for name in ("ray", "ray.data", "ray.train", "ray.tune"):
            logging.getLogger(name).setLevel(logging.ERROR)
        return ray

    def _check_resources(self, ray: Any, actors: int) -> None:
        """Refuse what the cluster cannot place now, instead of waiting for it forever."""
        have = ray.cluster_resources()
        if self.gpus_per_actor:
            gpus = float(have.get("GPU", 0))
            if gpus < self.gpus_per_actor:
                raise ConfigError(
                    f"--ray-gpus-per-actor {self.gpus_per_actor:g}: the Ray cluster has "
                    f"{gpus:g} GPU(s); run without it (CPU actors), or on a cluster with GPUs")
        elif float(have.get("CPU", 0)) < 1:
            raise ConfigError("the Ray cluster has no CPU for an actor; add a node or give "
                              "--ray-gpus-per-actor")


def _reachable(address: str) -> None:
    """A TCP connection to the head within a few seconds, or one line naming the fix (Ray's
    own client keeps retrying for minutes)."""
    hostport = address.split("://", 1)[-1].rsplit("/", 1)[0]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"--ray-address {address!r}: give host:port or ray://host:port")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as e:
        raise ConfigError(f"cannot reach Ray at {address} ({e.strerror or e}); check "
                          "--ray-address / RAY_ADDRESS, or leave it out for a local Ray"
                          ) from None


def _rows(ray: Any, dataset: Any) -> Iterator[dict[str, Any]]:
    """The dataset's rows as they finish; a worker's error as tk's one line, not Ray's page."""
    try:
        yield from dataset.iter_rows()
    except ray.exceptions.RayError as e:
        cause: BaseException | None = e
        while cause is not None:
            if isinstance(cause, TkError):
                raise cause from None
            cause = getattr(cause, "cause", None) or cause.__cause__
        lines = [ln for ln in str(e).splitlines() if ln.strip()]
        raise ModelError(f"a Ray worker failed: {lines[-1] if lines else type(e).__name__}"
                         ) from None


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
