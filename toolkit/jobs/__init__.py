"""Resumable, sharded jobs for any task (see :mod:`toolkit.jobs.engine`): the folder and its
manifest (:mod:`~toolkit.jobs.folder`), the protocol a task implements
(:mod:`~toolkit.jobs.task`), and who runs the shards (:mod:`~toolkit.jobs.runners`, Ray in
:mod:`~toolkit.jobs.ray_runner`)."""

from toolkit.jobs.engine import DEFAULT_SHARD_DOCS, Job, JobOptions, JobRun, status, write_run_json
from toolkit.jobs.task import RECOVERABLE, JobTask, ShardResult, failure, one_by_one

__all__ = ["DEFAULT_SHARD_DOCS", "Job", "JobOptions", "JobRun", "JobTask", "RECOVERABLE",
           "ShardResult", "failure", "one_by_one", "status", "write_run_json"]
