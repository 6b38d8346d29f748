"""``tk summarize``: a thin adapter over :mod:`toolkit.summarize`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit.cli.options import progress_bar, quiet_libraries
from toolkit.config import SETTINGS


@click.command()
@click.argument("inputs", nargs=-1)
@click.option("--lang", "target", required=True, type=click.Choice(["de", "en", "zh"]),
              help="Language of the summaries.")
@click.option("--from", "source", default="de", show_default=True,
              type=click.Choice(["de", "en", "zh"]), help="Language of INPUTS.")
@click.option("--from-translation", "translation", metavar="FILE|DIR",
              help="Summarize tk's own translation records (translations.jsonl, or the folder "
                   "tk translate -o wrote) instead of INPUTS; numbers are still checked "
                   "against the German source in the records.")
@click.option("-m", "--model", metavar="MODEL",
              help="Catalog name, hub id, local folder or .gguf file [default: the catalog's "
                   "summary model for the language; TK_MODEL].")
@click.option("--max-words", type=click.IntRange(5), metavar="N",
              help="At most N words (de, en), measured on the output.")
@click.option("--max-chars", type=click.IntRange(10), metavar="N",
              help="At most N characters (zh), measured on the output.")
@click.option("--style", type=click.Choice(["paragraph", "bullets"]), default="paragraph",
              show_default=True, help="One paragraph, or 3-5 bullet points.")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(dir_okay=False),
              help="Glossary whose renderings summaries must use [default: tk.toml, TK_GLOSSARY].")
@click.option("--no-glossary", is_flag=True, help="No glossary.")
@click.option("--no-checks", is_flag=True,
              help="No number, term or language checks, no retries, no length control: one "
                   "prompt per document part (the baseline the checks are measured against).")
@click.option("--window", type=click.IntRange(64), metavar="N",
              help="Most input tokens one model call takes [default: the model's limit, for "
                   "chat models at most 4096]; longer documents are summarized in parts.")
@click.option("-o", "--output", metavar="DIR|-",
              help="Folder for <doc>.<lang>.summary.txt and summaries.jsonl, or - for JSONL on "
                   "stdout. Without it the summaries go to stdout as text.")
@click.option("--engine", type=SETTINGS["engine"].type, help="Generation backend [TK_ENGINE].")
@click.option("--device", type=SETTINGS["device"].type, help="Where the model runs [TK_DEVICE].")
@click.option("--dtype", type=SETTINGS["dtype"].type, help="Weights' dtype [TK_DTYPE].")
@click.option("--beams", type=SETTINGS["beams"].type, help="Beam size [TK_BEAMS].")
@click.option("--threads", type=SETTINGS["threads"].type, metavar="N",
              help="CPU threads for torch [TK_THREADS].")
@click.option("--no-cache", is_flag=True, help="Generate everything again.")
@click.option("--no-fallback", is_flag=True,
              help="Without --model, fail instead of falling back to the offline starter.")
@click.option("--shard", metavar="K/N",
              help="Summarize only share K of N of the documents (stable hash of the id).")
@click.option("--shard-size", type=click.IntRange(1), default=None, metavar="DOCS",
              help="Documents per output shard with -o DIR [default: 32].")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
def summarize(inputs: tuple[str, ...], target: str, source: str, translation: str | None,
              model: str | None, max_words: int | None, max_chars: int | None, style: str,
              glossaries: tuple[str, ...], no_glossary: bool, no_checks: bool, window: int | None,
              output: str | None, engine: str | None, device: str | None, dtype: str | None,
              beams: int | None, threads: int | None, no_cache: bool, no_fallback: bool,
              shard: str | None, shard_size: int | None, quiet: bool) -> None:
    """Write abstractive summaries of documents of any length, in German, English or Chinese.

    INPUTS are .txt files, folders, JSONL files with `id` and `text`, Parquet files, a
    saved `datasets` dataset, or - for stdin; or give --from-translation to summarize tk's
    translations. With -o DIR documents are streamed into a resumable job (shards and a
    manifest.json, as tk translate does): the same command continues a job that died. A German article goes straight
    into English or Chinese with a chat model (cross-lingual); seq2seq summarizers write in
    their input's language, so use them with --from-translation. Every summary's numbers
    must be in the source, glossary terms keep their rendering, the language is checked, and
    --max-words / --max-chars hold on the output. Each record says how the input was
    handled: its tokens, the parts it was split into, and the levels of combining.

    \b
    Examples:
      tk summarize --lang en corpus/ --max-words 100 -o out/sum-en
      tk summarize --lang zh corpus/ --max-chars 220 --model starter -o -
      tk summarize --lang en --from-translation out/en --model bart-large-cnn -o out/sum-en
      tk summarize --lang de corpus/ --style bullets --model mt5-small-sum-de
    """
    from toolkit.errors import InputError
    from toolkit.outputs import check_writable
    from toolkit.summarize import (inputs_from_documents, inputs_from_translations,
                                   load_summarizer, summarize_documents)
    from toolkit.translate import glossary_from_settings

    if max_words and max_chars:
        raise InputError("give --max-words (de, en) or --max-chars (zh), not both")
    if max_words and target == "zh":
        raise InputError("Chinese is measured in characters: use --max-chars with --lang zh")
    if max_chars and target != "zh":
        raise InputError(f"{target} is measured in words: use --max-words with --lang {target}")
    if translation and inputs:
        raise InputError("give INPUTS or --from-translation, not both")
    if translation:
        items = inputs_from_translations(translation)
    else:
        if not inputs:
            raise click.UsageError("give documents to summarize, or --from-translation")
        if output in (None, "-"):
            from toolkit.documents import load_documents

            items = inputs_from_documents(load_documents(inputs, lang=source))
        else:  # a job: checked and streamed there
            from toolkit.stream import iter_documents

            for _ in iter_documents(inputs, source):  # every input problem before any model
                pass
            items = []
    if output not in (None, "-"):
        check_writable(output, folder=True)
    show = not quiet and sys.stderr.isatty()
    if not show:
        quiet_libraries()
    glossary = None if no_glossary else glossary_from_settings(glossaries)
    summarizer = load_summarizer(
        model, target, engine=engine, device=device, dtype=dtype, beams=beams, threads=threads,
        window=window, cache=not no_cache, fallback=False if no_fallback else None,
        announce=_note)
    if output not in (None, "-") and not translation:
        from toolkit.cli.jobs import summarize_job

        summarize_job(inputs, target=target, source=source, output=output, shard=shard,
                      shard_size=shard_size, quiet=quiet, summarizer=summarizer,
                      glossary=glossary, no_cache=no_cache,
                      options={"max_words": max_words, "max_chars": max_chars, "style": style,
                               "checks": not no_checks})
        return
    if shard or shard_size:
        raise InputError("--shard and --shard-size need documents and an output folder (-o DIR)")
    with progress_bar(len(items), f"summaries ({target})", enabled=show, unit="doc") as bar:
        run = summarize_documents(items, summarizer, target, max_words=max_words,
                                  max_chars=max_chars, style=style, glossary=glossary,
                                  checks=not no_checks, progress=bar)
    write_summaries(run, output)
    if not quiet:
        click.echo(run.summary(), err=True)


def write_summaries(run, output: str | None) -> None:  # noqa: ANN001
    import json

    from toolkit import __version__
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
    atomic_write(folder / "run.json", json.dumps(
        {"tk": __version__, "model": run.records[0].model if run.records else None,
         "fingerprint": run.fingerprint, "documents": len(dicts)},
        ensure_ascii=False, indent=2) + "\n")
    _note(f"wrote {len(dicts)} summaries to {folder}/")


def _note(message: str) -> None:
    click.echo(message, err=True)
