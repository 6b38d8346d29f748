"""``tk run`` (the whole pipeline, resumable) and ``tk report`` (its report.html): thin
adapters over :mod:`toolkit.pipeline` and :mod:`toolkit.report`."""

from __future__ import annotations

import sys
from typing import Any

import click

from toolkit.cli.options import (
    glossary_options,
    model_options,
    model_options_from,
    note,
    quiet_libraries,
)

RUN_KEYS = {"inputs": "documents to run on (a list)", "to": "target languages, e.g. [\"en\", \"zh\"]",
            "output": "the run folder", "refs": "reference set (eval/refs)",
            "baseline": "a run or tk translate folder to compare with",
            "summaries": "true/false", "max_words": "English summary limit",
            "max_chars": "Chinese summary limit", "shard_size": "documents per shard"}


def run_table() -> dict[str, Any]:
    """The ``[run]`` table of tk.toml, its keys checked (an unknown one is an error)."""
    from toolkit.config import config_path, config_table
    from toolkit.errors import ConfigError

    table = config_table("run")
    unknown = sorted(set(table) - set(RUN_KEYS))
    if unknown:
        raise ConfigError(f"{config_path()}: [run] has unknown key(s) {', '.join(unknown)}; "
                          f"known: {', '.join(RUN_KEYS)}")
    return table


@click.command(name="run")
@click.argument("inputs", nargs=-1)
@click.option("--to", "targets", metavar="LANGS",
              help="Target languages, comma-separated [default: en,zh; [run] to in tk.toml].")
@click.option("-o", "--output", metavar="DIR",
              help="The run folder: one resumable job folder per stage, scores-<lang>.json, "
                   "report.html, run.json [default: [run] output].")
@click.option("--refs", metavar="PATH",
              help="Reference set to score against, e.g. eval/refs (translations/<lang>.jsonl, "
                   "summaries/<lang>.jsonl) [default: [run] refs; no scores without].")
@click.option("--no-refs", is_flag=True,
              help="Score nothing, whatever [run] refs says (inputs the references do not "
                   "cover: other articles, an HTML copy with other segments).")
@click.option("--baseline", metavar="DIR",
              help="Another run folder (or tk translate -o folder) to compare with: the "
                   "report shows both and the paired-bootstrap difference.")
@glossary_options("Glossary to enforce; repeat for several [default: `glossary` in tk.toml].",
                  "Run without any glossary.")
@click.option("--no-summaries", is_flag=True, help="Translate (and score) only.")
@click.option("--max-words", type=click.IntRange(5), metavar="N",
              help="English summaries' limit [default: 100].")
@click.option("--max-chars", type=click.IntRange(10), metavar="N",
              help="Chinese summaries' limit [default: 220].")
@click.option("--shard-size", type=click.IntRange(1), metavar="DOCS",
              help="Documents per shard of each stage's job [default: 32].")
@model_options
@click.option("-q", "--quiet", is_flag=True, help="No progress display and no summary on stderr.")
def run(inputs: tuple[str, ...], targets: str | None, output: str | None, refs: str | None,
        no_refs: bool, baseline: str | None, glossaries: tuple[str, ...], no_glossary: bool,
        no_summaries: bool, max_words: int | None, max_chars: int | None,
        shard_size: int | None, quiet: bool, **flags: Any) -> None:
    """Translate, summarize and score in one resumable run, ending in report.html.

    Every stage is a job of tk's engine in its own folder under DIR (translate-en,
    translate-zh, summarize-en, summarize-zh), then scores-<lang>.json against
    --refs and report.html: scores with their intervals and signatures, plots, every
    document's source and translations side by side with each problem marked, the
    summaries next to the references. Run the same command again after a crash or a
    kill: finished stages are not redone, the one under way continues, and the outputs
    are those of an uninterrupted run. A rerun with other settings is refused, naming
    them. Options not given come from the [run] table of tk.toml.

    \b
    Examples:
      tk run corpus/ --to en,zh --model starter --refs eval/refs -o out/run
      tk run                                   # everything from [run] in tk.toml
      tk run corpus/ --to en --refs eval/refs --baseline out/plain -o out/run2
      tk report out/run                        # rebuild report.html
    """
    from toolkit.errors import ConfigError
    from toolkit.pipeline import RunOptions, run_pipeline, stage_names

    table = run_table()
    inputs = inputs or tuple(table.get("inputs", ()))
    if not inputs:
        raise click.UsageError("give the documents to run on (or inputs in [run] of tk.toml)")
    output = output or table.get("output")
    if not output:
        raise click.UsageError("give the run folder with -o DIR (or output in [run])")
    langs = targets if targets is not None else table.get("to", "en,zh")
    if isinstance(langs, str):
        langs = [t.strip() for t in langs.split(",") if t.strip()]
    if no_refs and refs:
        raise ConfigError("--refs and --no-refs: give one")
    summaries = not no_summaries and bool(table.get("summaries", True))
    try:
        options = RunOptions(
            output=output, targets=tuple(langs), model=model_options_from(flags),
            glossaries=glossaries, use_glossary=not no_glossary, summaries=summaries,
            max_words=max_words or int(table.get("max_words", 100)),
            max_chars=max_chars or int(table.get("max_chars", 220)),
            refs=None if no_refs else refs or table.get("refs"), baseline=baseline or table.get("baseline"),
            shard_docs=shard_size or int(table.get("shard_size", 32)))
    except (TypeError, ValueError) as e:
        raise ConfigError(f"[run] in tk.toml: {e}") from None
    show = not quiet and sys.stderr.isatty()
    if not show:
        quiet_libraries()
    bars: list[Any] = []

    def progress(stage: Any, units: int, documents: int) -> Any:
        from tqdm.auto import tqdm

        for bar in bars:
            bar.close()
        bars.clear()
        if not show:
            return None
        names = stage_names(options)
        at = names.index(stage.name) + 1
        bar = tqdm(total=units, desc=f"[{at}/{len(names)}] {stage.name}", unit="unit",
                   dynamic_ncols=True, leave=True)
        bars.append(bar)
        return bar.update

    try:
        result = run_pipeline(list(inputs), options, announce=note, progress=progress)
    finally:
        for bar in bars:
            bar.close()
    if not quiet:
        for stage in result.stages:
            reused = stage.detail.get("reused_documents")
            now = stage.detail.get("reused_in_s")
            extra = f" ({reused} documents reused" if reused else ""
            extra += (f", {now:.1f} s now)" if now is not None else ")") if reused else ""
            click.echo(f"{stage.name:<14} {stage.status:<9} {stage.seconds:7.1f} s{extra}",
                       err=True)
        click.echo(f"report: {result.report}", err=True)


@click.command(name="report")
@click.argument("folder", type=click.Path(file_okay=False))
def report(folder: str) -> None:
    """Build report.html in FOLDER: a tk run folder, or a tk translate / tk summarize
    -o folder.

    \b
    Examples:
      tk report out/run
      tk report out/en                 # a translation job: documents, checks, problems
    """
    from toolkit.report import write_report

    path = write_report(folder)
    click.echo(f"report: {path}", err=True)
