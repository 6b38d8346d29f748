"""``tk translate``: a thin adapter over :mod:`toolkit.translate` (and
:mod:`toolkit.translate_job` for -o DIR)."""

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
from toolkit.languages import SOURCE_LANGUAGES


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--to", "target", required=True, metavar="LANG",
              help="Target language: en or zh.")
@click.option("--from", "source", default="de", show_default=True,
              type=click.Choice(SOURCE_LANGUAGES), help="Source language of the documents.")
@glossary_options("Glossary (TSV/CSV/TBX) to enforce; repeat for several "
                  "[default: `glossary` in tk.toml, TK_GLOSSARY].",
                  "Translate without any glossary.")
@click.option("--no-enforce", is_flag=True,
              help="Check glossary terms and numbers but never intervene (no hints, no retries): "
                   "the baseline that shows what enforcement adds.")
@click.option("--no-repair", is_flag=True,
              help="Leave the output as the model wrote it. By default a number whose figure "
                   "is right and whose scale or format is wrong (380 million for 380 "
                   "Milliarden, 6,22% in English) is rewritten from the source, and a "
                   "glossary term no retry placed that stands in its German form is written "
                   "as the glossary says; each recorded in the record's checks.repaired.")
@click.option("--retry", "retry", type=click.Choice(["inline", "force", "inline+force"]),
              default="inline", show_default=True,
              help="How a retry asks for missing terms, wrong numbers and German words left: "
                   "inline writes the required forms (and the words, translated) into the "
                   "source where they stand (models copy them into place; runs on any engine; "
                   "into Chinese, what still fails goes through English); force forces them "
                   "while decoding "
                   "(transformers; often lands after the sentence; on --engine ctranslate2 "
                   "the last round runs on transformers); inline+force: inline, then force in "
                   "the last round.")
@click.option("--no-checks", is_flag=True,
              help="Skip the number, language and German-word checks (and their retries).")
@click.option("-o", "--output", metavar="DIR|-",
              help="Folder for <doc>.<lang>.txt files and translations.jsonl (a resumable "
                   "job), or - for records on stdout. Without it the translated text goes to "
                   "stdout.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "tsv", "text", "xliff"]),
              help="Format on stdout [default: jsonl with -o -, else text]; with -o DIR, tsv "
                   "adds translations.tsv and xliff writes each document as <doc>.<lang>.xlf "
                   "(XLIFF 2.1: a unit per paragraph, a segment per sentence, check problems "
                   "as notes).")
@click.option("--tm", "tm", type=click.Path(dir_okay=False), metavar="FILE.tmx",
              help="Translation memory (TMX 1.4b, e.g. from `tk tm export`): a segment whose "
                   "German is in it is reused without the model (record: tm exact; still "
                   "checked).")
@click.option("--tm-fuzzy", "tm_fuzzy", type=float, metavar="SIMILARITY",
              help="Also show a chat model the memory's most similar pair (0.5-0.99, e.g. "
                   "0.75) before each segment (record: tm fuzzy 0.83). Off by default: on the "
                   "starter it did not help (docs/formats.md).")
@model_options
@job_options("Translate")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
def translate(inputs: tuple[str, ...], target: str, source: str, glossaries: tuple[str, ...],
              no_glossary: bool, no_enforce: bool, no_repair: bool, retry: str,
              no_checks: bool, output: str | None, fmt: str | None, quiet: bool,
              tm: str | None, tm_fuzzy: float | None, **flags: Any) -> None:
    """Translate German documents into English or Chinese, segment by segment.

    INPUTS are .txt files, HTML (.html), Markdown (.md) and XLIFF (.xlf)
    files, folders of them, JSONL files with `id` and `text` fields, Parquet
    files with `id` and `text` columns, a `datasets` dataset saved with
    save_to_disk, or - for stdin. HTML and Markdown come back in their own
    format with links, emphasis and code kept around their words (code, URLs
    and translate="no" are not translated); an XLIFF file comes back with its
    targets filled, their state set and each segment's problems as notes. Every output record carries its
    checks, counted as a reader sees the text: each glossary term placed,
    appended after the sentence, left untranslated or missing; numbers right,
    wrong or missing (and those repaired from the source); whether the output
    is in the target language and whether it repeats itself.

    With -o DIR the input is streamed (memory stays flat for any corpus) into
    shards of documents plus a manifest.json; a job that dies (Ctrl-C, kill -9,
    a lost machine) continues where it stopped when the same command is run
    again - no segment lost or duplicated, every reused shard verified. A rerun
    with settings that would change the output, or over another input, is
    refused (--replace starts anew). `tk jobs status DIR` shows its progress.

    \b
    Examples:
      tk translate --to en corpus/ -o out/en
      tk translate --to zh corpus/ --model starter -o - | jq .translation
      echo "Alibaba stellt Qwen3.5 vor." | tk translate --to en -
      tk translate --to zh articles.jsonl -g glossaries/ai-finance.tsv -o out/zh
      tk translate --to en corpus/ --model Helsinki-NLP/opus-mt-de-en --device cuda
      tk translate --to en big.parquet -o out/en --shard 2/8     # machine 2 of 8
      tk translate --to zh article.html -o out/zh          # out/zh/article.zh.html
      tk translate --to en strings.xlf -o out/en           # targets filled
    """
    from toolkit.errors import ConfigError
    from toolkit.translate import TranslateOptions

    jobs = job_options_from(flags, output)
    options = TranslateOptions(target, source, model=model_options_from(flags),
                               glossaries=glossaries, use_glossary=not no_glossary,
                               enforce=not no_enforce, checks=not no_checks,
                               repair=not no_repair, retry=retry, tm=tm, tm_fuzzy=tm_fuzzy)
    if jobs is not None:
        if fmt not in (None, "jsonl", "tsv", "xliff"):
            raise ConfigError(f"--format {fmt} is for stdout; -o DIR writes <doc>.{target}.txt "
                              "and translations.jsonl (--format tsv adds translations.tsv, "
                              "--format xliff writes <doc>.{target}.xlf)")
        from toolkit.cli.jobs import run_job_command
        from toolkit.translate_job import TranslateJob

        run_job_command(TranslateJob(options, fmt), inputs, source, jobs, quiet)
        return
    translate_small(inputs, options, output, fmt, quiet)


def translate_small(inputs: tuple[str, ...], options: Any, output: str | None,
                    fmt: str | None, quiet: bool) -> None:
    """Translate everything in memory and write it to stdout (small inputs, pipes)."""
    from toolkit.documents import load_documents
    from toolkit.load import load_glossary
    from toolkit.qa.language import source_language_warnings
    from toolkit.translate import translate_segments, translator_for

    documents = load_documents(inputs, lang=options.source)
    for warning in source_language_warnings(documents, options.source):
        note(warning)
    show = not quiet and sys.stderr.isatty()
    if not show:
        quiet_libraries()
    glossary = load_glossary(options.glossaries) if options.use_glossary else None
    memory = options.memory()
    # A fallback to the starter is announced even with -q: outputs would silently come from
    # a 0.5B model otherwise.
    translator = translator_for(options.model, options.target, options.source, note)
    segments = segment(documents, show)
    with progress_bar(len(segments), f"{options.source}→{options.target}", enabled=show) as bar:
        run = translate_segments(segments, translator, options.target,
                                 source_lang=options.source, glossary=glossary,
                                 enforce=options.enforce, checks=options.checks,
                                 repair=options.repair, retry=options.retry, progress=bar,
                                 memory=memory, fuzzy=options.tm_fuzzy)
    write_stdout_run(run, output, fmt, documents)
    if not quiet and options.checks:
        click.echo(run.summary(), err=True)
    if not quiet and translator.backend.engine_reason:
        click.echo(f"engine: {translator.engine} ({translator.backend.engine_reason})", err=True)


def segment(documents, show: bool):
    """The documents' segments; long inputs (segmentation takes seconds) get their own bar."""
    from toolkit.segments import paragraphs, segment_documents

    chars = sum(len(p) for d in documents for p in paragraphs(d.text))
    with progress_bar(chars, "segmenting", enabled=show and chars > 200_000, unit="char") as bar:
        return segment_documents(documents, bar)


def write_stdout_run(run: Any, output: str | None, fmt: str | None,
                     documents: Any = ()) -> None:
    """A small run's records (jsonl, tsv), text, or documents in their own format (HTML,
    Markdown, XLIFF; ``--format xliff``: XLIFF of any input) on stdout."""
    from toolkit.outputs import jsonl_text, tsv_text, write_stdout
    from toolkit.translate import document_output

    dicts = [r.to_dict() for r in run.records]
    fmt = fmt or ("jsonl" if output == "-" else "text")
    if fmt == "jsonl":
        write_stdout(jsonl_text(dicts))
    elif fmt == "tsv":
        write_stdout(tsv_text(dicts, ["doc", "id", "source", "translation"]))
    else:
        by_id = {d.id: d for d in documents}
        grouped: dict[str, list[dict[str, Any]]] = {}
        for r in dicts:
            grouped.setdefault(r["doc"], []).append(r)
        lang = run.records[0].lang if run.records else ""
        texts = [document_output(rs, by_id.get(doc), lang, fmt)[1].decode("utf-8")
                 for doc, rs in grouped.items()]
        write_stdout("\n".join(texts))
