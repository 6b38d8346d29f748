"""``tk summarize``: a thin adapter over :mod:`toolkit.summarize` (and
:mod:`toolkit.summarize_job` for -o DIR)."""

from __future__ import annotations

import sys
from typing import Any

import click

from toolkit.cli.options import (
    glossary_options,
    job_options,
    job_options_from,
    model_options,
    model_options_from,
    note,
    progress_bar,
    quiet_libraries,
)
from toolkit.languages import SOURCE_LANGUAGES, SUMMARY_LANGUAGES


@click.command()
@click.argument("inputs", nargs=-1)
@click.option("--to", "--lang", "target", required=True, type=click.Choice(SUMMARY_LANGUAGES),
              help="Language of the summaries (--lang is the older name).")
@click.option("--from", "source", default="de", show_default=True,
              type=click.Choice(SOURCE_LANGUAGES), help="Language of INPUTS.")
@click.option("--route", type=click.Choice(["auto", "cross-lingual", "via-translation"]),
              default="auto", show_default=True,
              help="cross-lingual: the model reads the German and writes the summary in --to; "
                   "via-translation: tk translates the document first (as tk translate does: "
                   "cache, glossary enforced) and the model summarizes the translation; auto: "
                   "the route measured better for the model (the record says which and why).")
@click.option("--translation-model", metavar="NAME",
              help="Model of the via-translation route [default: the summarizing model where "
                   "it is a chat model, else tk translate's default for --to].")
@click.option("--from-translation", "translation", metavar="FILE|DIR",
              help="Summarize tk's own translation records (translations.jsonl, or the folder "
                   "tk translate -o wrote) instead of INPUTS, reusing that job; numbers are "
                   "still checked against the German source in the records.")
@click.option("--max-words", type=click.IntRange(5), metavar="N",
              help="At most N words (de, en), measured on the output.")
@click.option("--max-chars", type=click.IntRange(10), metavar="N",
              help="At most N characters (zh), measured on the output.")
@click.option("--style", type=click.Choice(["paragraph", "bullets"]), default="paragraph",
              show_default=True, help="One paragraph, or 3-5 bullet points.")
@glossary_options("Glossary whose renderings summaries must use [default: tk.toml, TK_GLOSSARY].",
                  "No glossary.")
@click.option("--no-select", is_flag=True,
              help="Give the model the whole document, not its top-ranked sentences (LexRank, "
                   "position, numbers; up to 3x the length asked for).")
@click.option("--no-checks", is_flag=True,
              help="No number, term or language checks, no retries, no length control: one "
                   "prompt per document part (the baseline the checks are measured against).")
@click.option("--window", type=click.IntRange(64), metavar="N",
              help="Most input tokens one model call takes [default: the model's limit, for "
                   "chat models at most 4096]; longer documents are summarized in parts.")
@click.option("-o", "--output", metavar="DIR|-",
              help="Folder for <doc>.<lang>.summary.txt and summaries.jsonl (a resumable job), "
                   "or - for JSONL on stdout. Without it the summaries go to stdout as text.")
@model_options
@job_options("Summarize")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
def summarize(inputs: tuple[str, ...], target: str, source: str, route: str,
              translation_model: str | None, translation: str | None,
              max_words: int | None, max_chars: int | None, style: str,
              glossaries: tuple[str, ...], no_glossary: bool, no_select: bool, no_checks: bool,
              window: int | None, output: str | None, quiet: bool, **flags: Any) -> None:
    """Write abstractive summaries of documents of any length, in German, English or Chinese.

    INPUTS are .txt files, folders, JSONL files with `id` and `text`, Parquet files, a
    saved `datasets` dataset, or - for stdin; or give --from-translation to summarize tk's
    translations. With -o DIR documents are streamed into a resumable job (shards and a
    manifest.json, as tk translate does, also on --runner ray): the same command continues a
    job that died. A German article is summarized into English or Chinese by the route
    measured better for the model (--route auto; for the starter: via tk's own translation).
    The model reads the document's top-ranked sentences (--no-select: all of it). Every
    summary's numbers must be in the source, glossary terms keep their rendering, the
    language is checked, no German word may stay, a headline or a summary under 40% of the
    limit is retried, and --max-words / --max-chars hold on the output. Each record says
    which route ran and why, how the input was handled (tokens, sentences selected, parts,
    levels of combining) and how much of the top sentences the summary covers.

    \b
    Examples:
      tk summarize --to en corpus/ --max-words 100 -o out/sum-en
      tk summarize --to zh corpus/ --max-chars 220 --model starter -o -
      tk summarize --to en corpus/ --route cross-lingual --model qwen2.5-7b-instruct -o -
      tk summarize --to en --from-translation out/en --model bart-large-cnn -o out/sum-en
      tk summarize --to de corpus/ --style bullets --model mt5-small-sum-de
    """
    from toolkit.errors import InputError
    from toolkit.summarize import SummarizeOptions

    if translation and inputs:
        raise InputError("give INPUTS or --from-translation, not both")
    if not translation and not inputs:
        raise click.UsageError("give documents to summarize, or --from-translation")
    jobs = job_options_from(flags, None if translation else output)
    options = SummarizeOptions(target, source, model=model_options_from(flags),
                               max_words=max_words, max_chars=max_chars, style=style,
                               window=window, glossaries=glossaries,
                               use_glossary=not no_glossary, checks=not no_checks,
                               route=route, select=not no_select,
                               translation_model=translation_model)
    if jobs is not None:
        from toolkit.cli.jobs import run_job_command
        from toolkit.summarize_job import SummarizeJob

        run_job_command(SummarizeJob(options), inputs, source, jobs, quiet)
        return
    summarize_small(inputs, translation, options, output, quiet)


def summarize_small(inputs: tuple[str, ...], translation: str | None, options: Any,
                    output: str | None, quiet: bool) -> None:
    """Summarize in memory: to stdout, or tk's translations into a folder."""
    from toolkit.documents import load_documents
    from toolkit.load import load_glossary
    from toolkit.outputs import check_writable
    from toolkit.summarize import (
        goes_via_translation,
        inputs_from_translations,
        summarize_documents,
        summarizer_for,
        translator_for_route,
    )

    items: Any
    if translation:
        items = inputs_from_translations(translation)
    else:
        items = load_documents(inputs, lang=options.source)
    if output not in (None, "-"):
        check_writable(output, folder=True)
    show = not quiet and sys.stderr.isatty()
    if not show:
        quiet_libraries()
    glossary = load_glossary(options.glossaries) if options.use_glossary else None
    summarizer = summarizer_for(options.model, options.target, window=options.window,
                                announce=note)
    translator = None
    if not translation and goes_via_translation(summarizer, options):
        translator = translator_for_route(summarizer, options, announce=note)
    with progress_bar(len(items), f"summaries ({options.target})", enabled=show,
                      unit="doc") as bar:
        run = summarize_documents(items, summarizer, options.target, glossary=glossary,
                                  progress=bar, route=options.route, translator=translator,
                                  **options.request())
    write_summaries(run, output, summarizer.backend.engine_reason)
    if not quiet:
        click.echo(run.summary(), err=True)
        if summarizer.backend.engine_reason:
            click.echo(f"engine: {summarizer.engine} ({summarizer.backend.engine_reason})",
                       err=True)


def write_summaries(run: Any, output: str | None, engine_reason: str = "") -> None:
    from pathlib import Path

    from toolkit.jobs import write_run_json
    from toolkit.outputs import atomic_write, file_stems, jsonl_text, write_stdout

    dicts = [r.to_dict() for r in run.records]
    if output is None:
        write_stdout("".join(f"# {r.doc}\n{r.summary}\n\n" for r in run.records))
        return
    if output == "-":
        write_stdout(jsonl_text(dicts))
        return
    folder = Path(output)
    stems = file_stems([r.doc for r in run.records])
    for r in run.records:
        atomic_write(folder / f"{stems[r.doc]}.{r.lang}.summary.txt", r.summary + "\n")
    atomic_write(folder / "summaries.jsonl", jsonl_text(dicts))
    write_run_json(folder, {"task": "summarize",
                            "model": run.records[0].model if run.records else None,
                            "engine": run.records[0].engine if run.records else None,
                            "engine_reason": engine_reason or None,
                            "fingerprint": run.fingerprint, "documents": len(dicts)})
    note(f"wrote {len(dicts)} summaries to {folder}/")
