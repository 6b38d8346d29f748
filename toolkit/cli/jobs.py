"""``tk translate -o DIR`` as a resumable job, and ``tk jobs status DIR``."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from toolkit.cli.options import progress_bar, quiet_libraries


def translate_job(inputs: tuple[str, ...], *, target: str, source: str, output: str,
                  fmt: str | None, shard: str | None, shard_size: int | None, quiet: bool,
                  model: str | None, glossaries: tuple[str, ...], no_glossary: bool,
                  no_enforce: bool, no_checks: bool, no_cache: bool, no_fallback: bool,
                  repair: bool = True, retry: str = "inline", runner: str = "local", ray_actors: int | None = None,
                  ray_gpus_per_actor: float = 0.0, ray_address: str | None = None,
                  **options: Any) -> None:
    """Stream ``inputs`` into the job folder ``output`` (see :mod:`toolkit.jobs`)."""
    from itertools import islice

    from toolkit.jobs import DEFAULT_SHARD_DOCS, Job, run_job
    from toolkit.outputs import check_writable
    from toolkit.qa.language import source_language_warnings
    from toolkit.stream import iter_documents, parse_shard, select_shard
    from toolkit.translate import (glossary_digest, glossary_from_settings, load_translator,
                                   translate_shard)

    share = parse_shard(shard) if shard else None
    check_writable(output, folder=True)  # now, not after an hour of translation
    # A first pass over the input: every problem in it is found before a model is loaded,
    # and the total makes progress and `tk jobs status` meaningful. Only ids are kept.
    from toolkit.segments import segment_documents

    total = segments = 0
    for doc in select_shard(iter_documents(inputs, source), share):
        total += 1
        segments += len(segment_documents([doc]))
    if not total:
        raise click.UsageError(f"--shard {shard}: no document of the input falls in this share")
    for warning in source_language_warnings(list(islice(iter_documents(inputs, source), 50)),
                                            source):
        _note(warning)
    show = not quiet and sys.stderr.isatty()
    if not show:
        quiet_libraries()
    glossary = None if no_glossary else glossary_from_settings(glossaries)
    translator = load_translator(
        model, target, source_lang=source, cache=not no_cache,
        fallback=False if no_fallback else None, announce=_note, **options)
    settings = {
        "task": "translate", "target": target, "source": source,
        "fingerprint": translator.fingerprint(), "glossary": glossary_digest(glossary),
        "enforce": not no_enforce, "checks": not no_checks,
        "repair": repair and not no_enforce, "retry": retry if not no_enforce else None,
        "shard": f"{share[0]}/{share[1]}" if share else None,
        "shard_docs": shard_size or DEFAULT_SHARD_DOCS,
    }
    job = Job(output, settings, {"model": translator.model_label, "engine": translator.engine,
                                 "fingerprint_short": translator.fingerprint_short})
    options_ = {"source_lang": source, "glossary": glossary, "enforce": not no_enforce,
                "checks": not no_checks, "repair": repair, "retry": retry}
    started = time.perf_counter()
    reused = [0]
    with progress_bar(segments, f"{source}→{target}", enabled=show) as bar:
        def on_shard(documents: int, count: int, from_earlier: bool) -> None:
            if from_earlier:  # a finished shard of an earlier run: counted, not redone
                reused[0] += count
                bar(count)
                bar.phase(f"{reused[0]} segments from earlier runs")

        def advance(documents: int, count: int, from_earlier: bool) -> None:
            on_shard(documents, count, from_earlier)
            if not from_earlier:  # Ray: whole shards come back
                bar(count)

        try:
            stream = select_shard(iter_documents(inputs, source), share)
            if runner == "ray":
                from toolkit.ray_runner import run_job_ray

                recipe = {"translator": {"model": _ref(translator) or model,
                                         "target_lang": target, "source_lang": source,
                                         "cache": not no_cache, "fallback": not no_fallback,
                                         **options},
                          "fingerprint": translator.fingerprint_short, "target": target,
                          "options": options_}
                run = run_job_ray(job, stream, recipe, actors=ray_actors,
                                  gpus_per_actor=ray_gpus_per_actor, address=ray_address,
                                  total=total, on_shard=advance)
            else:
                run = run_job(job, stream,
                              lambda docs: translate_shard(docs, translator, target,
                                                           progress=bar, **options_),
                              total=total, on_shard=on_shard)
        except KeyboardInterrupt:
            _note(f"Interrupted. {_kept(job, total, output, no_cache)}")
            raise click.exceptions.Exit(130) from None
        except BaseException:
            _note(f"Stopped. {_kept(job, total, output, no_cache)}")
            raise
    job.cache_hits = getattr(translator.backend, "hits", 0)
    if run.complete:
        assemble(job, target, fmt)
    if not quiet:
        _summary(run, job, total, time.perf_counter() - started, no_checks)
    if run.failed:
        raise click.ClickException(
            f"{len(run.failed)} document(s) failed (first: {run.failed[0]['doc']}: "
            f"{run.failed[0]['error']}); the rest is kept in {output}/ - run the same command "
            "again to retry them")


def _ref(translator: Any) -> Any:
    """The resolved model of a translator (a path made absolute), for workers elsewhere."""
    backend = translator.backend
    return getattr(getattr(backend, "backend", backend), "ref", None)


def _kept(job: Any, total: int, output: str, no_cache: bool) -> str:
    """What an interrupted job keeps, truthfully: the shards in the manifest, and (unless
    --no-cache) the finished batches of the shard under way."""
    done = job.manifest.get("counts", {}).get("documents_done", 0)
    under_way = ("" if no_cache else "; the batches finished of the shard under way are in "
                 "the cache")
    return (f"{done} of {total} documents are finished and kept in {output}/{under_way}. Run "
            "the same command again to continue.")


def assemble(job: Any, target: str, fmt: str | None) -> None:
    """The finished job as the files small runs have: <doc>.<lang>.txt, translations.jsonl,
    run.json (and translations.tsv with --format tsv), written shard by shard."""
    from toolkit import __version__
    from toolkit.outputs import atomic_write, file_stems, tsv_text
    from toolkit.translate import TranslationRecord, document_texts

    folder = job.folder
    docs: list[str] = []
    for entry in job.manifest["shards"]:
        with (folder / entry["name"]).open(encoding="utf-8") as stream:
            for line in stream:
                doc = json.loads(line)["doc"]
                if not docs or docs[-1] != doc:
                    docs.append(doc)
    stems = file_stems(docs)  # ids never choose where a file goes
    tmp = folder / ".translations.jsonl.tmp"
    tsv = folder / ".translations.tsv.tmp"
    columns = ["doc", "id", "source", "translation"]
    count = 0
    with tmp.open("w", encoding="utf-8") as out, \
            (tsv.open("w", encoding="utf-8") if fmt == "tsv" else open(os.devnull, "w")) as table:
        table.write(tsv_text([], columns))  # the header
        for entry in job.manifest["shards"]:
            text = (folder / entry["name"]).read_text(encoding="utf-8")
            out.write(text)
            records = [TranslationRecord(**json.loads(line)) for line in text.splitlines()
                       if line.strip()]
            count += len(records)
            for doc, body in document_texts(records).items():
                atomic_write(folder / f"{stems[doc]}.{target}.txt", body)
            table.write(tsv_text([r.to_dict() for r in records], columns).split("\n", 1)[1])
    tmp.replace(folder / "translations.jsonl")
    if fmt == "tsv":
        tsv.replace(folder / "translations.tsv")
    manifest = job.manifest
    from toolkit.translate import _sum_stats

    retries = _sum_stats([e["retries"] for e in manifest["shards"] if e.get("retries")])
    atomic_write(folder / "run.json", json.dumps(
        {"tk": __version__, "model": manifest.get("model"),
         "fingerprint": manifest["settings"]["fingerprint"], "segments": count,
         "documents": len(docs), "retries": retries,
         "new_tokens": sum(e.get("new_tokens", 0) for e in manifest["shards"]),
         "throughput": manifest.get("throughput"), "manifest": "manifest.json"},
        ensure_ascii=False, indent=2) + "\n")


def _summary(run: Any, job: Any, total: int, seconds: float, no_checks: bool) -> None:
    from toolkit.tasks.retry import RetryStats

    if run.checks is not None and not no_checks:
        click.echo(run.checks.render(), err=True)
    stats = run.stats
    if stats and stats.get("retried") is not None:
        click.echo(RetryStats(**stats).render(), err=True)
    fresh = run.documents - run.reused_documents
    line = (f"{job.folder}/: {run.documents - len(run.failed)} of {total} documents done "
            f"({run.translated_segments} segments translated now")
    if run.reused_documents:
        line += f"; {run.reused_documents} documents reused from earlier runs"
    hits = getattr(job, "cache_hits", 0)
    if hits:
        line += f"; {hits} generations served from the cache"
    line += f"), {seconds:.1f} s"
    if fresh and seconds:
        line += (f", {fresh / seconds:.2f} documents/s, {run.translated_segments / seconds:.2f} "
                 f"segments/s, {run.new_tokens / seconds:.1f} new tokens/s")
    click.echo(line, err=True)


def _note(message: str) -> None:
    click.echo(message, err=True)


@click.group()
def jobs() -> None:
    """Inspect job folders (what `tk translate -o DIR` writes).

    \b
    Examples:
      tk jobs status out/en
      tk jobs status out/en --json
    """


@jobs.command("status")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The status as one JSON object.")
def status_command(folder: str, as_json: bool) -> None:
    """Done / remaining / failed documents of a job, its throughput and when it last moved."""
    from toolkit.jobs import status

    info = status(Path(folder))
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    total = info["documents"]
    click.echo(f"{folder}: {info['status']}  ({info['task']}, {info['model']}, "
               f"engine {info['engine']})")
    click.echo(f"  documents  {info['done']} done, {info['remaining']} remaining, "
               f"{info['failed']} failed, of {total}")
    click.echo(f"  segments   {info['segments']} done")
    if info["throughput"]:
        t = info["throughput"]
        click.echo(f"  last run   {t['segments_per_second']} segments/s, "
                   f"{t['new_tokens_per_second']} new tokens/s, {t['seconds']} s; peak memory "
                   f"{info['peak_memory_mb']} MB")
    click.echo(f"  updated    {info['updated']}")
    for failure in info["failures"][:5]:
        click.echo(f"  failed     {failure['doc']}: {failure['error']}")


def summarize_job(inputs: tuple[str, ...], *, target: str, source: str, output: str,
                  shard: str | None, shard_size: int | None, quiet: bool, summarizer: Any,
                  glossary: Any, options: dict[str, Any], no_cache: bool) -> None:
    """``tk summarize -o DIR`` over documents: streamed, sharded and resumable like
    :func:`translate_job`; a document that fails is recorded and retried next run."""
    from toolkit.jobs import DEFAULT_SHARD_DOCS, RECOVERABLE, Job, ShardResult, run_job
    from toolkit.jobs import translation_failure
    from toolkit.stream import iter_documents, parse_shard, select_shard
    from toolkit.summarize import inputs_from_documents, summarize_documents
    from toolkit.translate import glossary_digest

    share = parse_shard(shard) if shard else None
    total = sum(1 for _ in select_shard(iter_documents(inputs, source), share))
    if not total:
        raise click.UsageError(f"--shard {shard}: no document of the input falls in this share")
    settings = {"task": "summarize", "target": target, "source": source,
                "fingerprint": summarizer.fingerprint(), "glossary": glossary_digest(glossary),
                "options": {k: v for k, v in options.items()},
                "shard": f"{share[0]}/{share[1]}" if share else None,
                "shard_docs": shard_size or DEFAULT_SHARD_DOCS}
    job = Job(output, settings, {"model": summarizer.model_label, "engine": summarizer.engine,
                                 "fingerprint_short": summarizer.fingerprint_short})

    def work(docs: list[Any]) -> ShardResult:
        records, failed = [], []
        for doc in docs:  # one document at a time: a failure costs only that one
            try:
                run = summarize_documents(inputs_from_documents([doc]), summarizer, target,
                                          glossary=glossary, **options)
                records += [r.to_dict() for r in run.records]
            except RECOVERABLE as e:
                failed.append(translation_failure(doc, e))
        return ShardResult(records, failed)

    show = not quiet and sys.stderr.isatty()
    started = time.perf_counter()
    with progress_bar(total, f"summaries ({target})", enabled=show, unit="doc") as bar:
        try:
            run = run_job(job, select_shard(iter_documents(inputs, source), share), work,
                          total=total, on_shard=lambda docs, n, reused: bar(docs))
        except KeyboardInterrupt:
            _note(f"Interrupted. {_kept(job, total, output, no_cache)}")
            raise click.exceptions.Exit(130) from None
    if run.complete:
        _assemble_summaries(job)
        if not quiet:
            from toolkit.summarize import SummaryRecord, SummaryRun

            done = SummaryRun([SummaryRecord(**r) for r in job.records()])
            click.echo(done.summary(), err=True)
    if not quiet:
        click.echo(f"{output}/: {run.documents - len(run.failed)} of {total} documents "
                   f"summarized ({run.reused_documents} reused from earlier runs), "
                   f"{time.perf_counter() - started:.1f} s", err=True)
    if run.failed:
        raise click.ClickException(
            f"{len(run.failed)} document(s) failed (first: {run.failed[0]['doc']}: "
            f"{run.failed[0]['error']}); the rest is kept in {output}/ - run the same command "
            "again to retry them")


def _assemble_summaries(job: Any) -> None:
    from toolkit import __version__
    from toolkit.outputs import atomic_write, file_stems

    folder = job.folder
    records = list(job.records())  # one per document: small next to the documents
    stems = file_stems([r["doc"] for r in records])
    for r in records:
        atomic_write(folder / f"{stems[r['doc']]}.{r['lang']}.summary.txt", r["summary"] + "\n")
    tmp = folder / ".summaries.jsonl.tmp"
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                   encoding="utf-8")
    tmp.replace(folder / "summaries.jsonl")
    atomic_write(folder / "run.json", json.dumps(
        {"tk": __version__, "model": job.manifest.get("model"),
         "fingerprint": job.manifest["settings"]["fingerprint"], "documents": len(records),
         "manifest": "manifest.json"}, ensure_ascii=False, indent=2) + "\n")
