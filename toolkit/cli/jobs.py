"""``-o DIR`` for every task: the job engine behind a progress display and a summary, and
``tk jobs status DIR``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from toolkit.cli.options import note, progress_bar, quiet_libraries


def run_job_command(task: Any, inputs: tuple[str, ...], source: str, options: Any,
                    quiet: bool) -> None:
    """Run ``task`` over ``inputs`` into ``options.output`` (see :mod:`toolkit.jobs`), with a
    progress display on a terminal and a summary at the end; every way it can stop says
    truthfully what was kept and whether running it again helps."""
    from itertools import islice

    from toolkit.documents import DocumentSource
    from toolkit.errors import TkError
    from toolkit.jobs import Job
    from toolkit.jobs.engine import Stopped
    from toolkit.qa.language import source_language_warnings

    job = Job(task, DocumentSource(inputs, source), options, announce=note)
    job.plan()  # every problem in the input before a model is loaded
    for warning in source_language_warnings(list(islice(job.documents(), 50)), source):
        note(warning)
    show = not quiet and sys.stderr.isatty()
    if not show:
        quiet_libraries()
    started = time.perf_counter()
    with job:
        with progress_bar(job.total_units, task.describe(), enabled=show,
                          unit=task.unit) as bar:
            try:
                run = job.run(bar)
            except (KeyboardInterrupt, Stopped):
                note(f"Interrupted. {_kept(job)} Run the same command again to continue.")
                raise click.exceptions.Exit(130) from None
            except TkError as e:
                done = job.folder.manifest.get("counts", {}).get("documents_done", 0)
                if done:
                    note(f"Stopped: {e}")
                    raise TkError(f"{done} of {job.total_documents} documents are kept in "
                                  f"{options.output}/; fix the problem above, then the same "
                                  "command continues") from None
                raise
    if not quiet:
        if run.tally is not None:
            text = run.tally.render()
            if text:
                click.echo(text, err=True)
        click.echo(_summary_line(job, run, time.perf_counter() - started), err=True)
        manifest = job.folder.manifest
        if manifest.get("engine_reason"):
            click.echo(f"engine: {manifest.get('engine')} ({manifest['engine_reason']})",
                       err=True)
        for redone in run.redone:
            click.echo(f"redone: {redone}", err=True)
    if run.failed:
        raise click.ClickException(
            f"{len(run.failed)} document(s) failed (first: {run.failed[0]['doc']}: "
            f"{run.failed[0]['error']}); the rest is kept in {options.output}/ - run the same "
            "command again to retry them")


def _kept(job: Any) -> str:
    """What an interrupted job keeps: the shards in the manifest, and the finished batches of
    the shard under way in the generation cache."""
    done = job.folder.manifest.get("counts", {}).get("documents_done", 0)
    return (f"{done} of {job.total_documents} documents are finished and kept in "
            f"{job.options.output}/; the batches finished of the shard under way are in the "
            "cache (unless --no-cache).")


def _summary_line(job: Any, run: Any, seconds: float) -> str:
    fresh = run.documents - run.reused_documents
    line = (f"{job.options.output}/: {run.documents - len(run.failed)} of "
            f"{job.total_documents} documents done ({run.units_done} "
            f"{'segments translated' if job.task.unit == 'seg' else 'summarized'} now")
    if run.reused_documents:
        line += f"; {run.reused_documents} documents reused from earlier runs"
    if run.cache_hits:
        line += f"; {run.cache_hits} generations served from the cache"
    line += f"), {seconds:.1f} s"
    if fresh and seconds:
        line += (f", {fresh / seconds:.2f} documents/s, {run.units_done / seconds:.2f} "
                 f"{'segments' if job.task.unit == 'seg' else 'summaries'}/s, "
                 f"{run.new_tokens / seconds:.1f} new tokens/s")
    return line


@click.group()
def jobs() -> None:
    """Inspect job folders (what `tk translate -o DIR` and `tk summarize -o DIR` write).

    \b
    Examples:
      tk jobs status out/en
      tk jobs status out/en --json
    """


@jobs.command("status")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The status as one JSON object.")
def status_command(folder: str, as_json: bool) -> None:
    """Done / remaining / failed documents of a job, its throughput and when it last moved.
    A job whose process died shows as stopped; one that ended on an error shows it."""
    from toolkit.jobs import status
    from toolkit.outputs import jsonl_line, write_stdout

    info = status(Path(folder))
    if as_json:
        write_stdout(jsonl_line(info))
        return
    lines = [f"{folder}: {info['status']}  ({info['task']}, {info['model']}, "
             f"engine {info['engine']})",
             f"  documents  {info['done']} done, {info['remaining']} remaining, "
             f"{info['failed']} failed, of {info['documents']}",
             f"  segments   {info['segments']} done"]
    if info["error"]:
        lines.append(f"  error      {info['error']}")
    if info["damaged_shards"]:
        lines.append(f"  damaged    shard(s) {', '.join(map(str, info['damaged_shards']))} do not "
                     "verify; run the same command again to redo them")
    if info["throughput"]:
        t = info["throughput"]
        lines.append(f"  last run   {t['segments_per_second']} segments/s, "
                     f"{t['new_tokens_per_second']} new tokens/s, {t['seconds']} s; peak memory "
                     f"{info['peak_memory_mb']} MB")
    lines.append(f"  updated    {info['updated']}")
    lines += [f"  failed     {f['doc']}: {f['error']}" for f in info["failures"][:5]]
    write_stdout("\n".join(lines) + "\n")
