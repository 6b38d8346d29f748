"""``tk score``: a thin adapter over :mod:`toolkit.score` (tables, JSON and CSV files)."""

from __future__ import annotations

from typing import Any

import click

from toolkit.config import setting
from toolkit.languages import TEXT_LANGUAGES

LEVELS = ("corpus", "doc", "segment")


def _common(f):  # options both subcommands share, in the order --help shows them
    options = [
        click.option("--refs", required=True, metavar="PATH",
                     help="Reference file, or eval/refs (then <kind>/<lang>.jsonl is used)."),
        click.option("--lang", type=click.Choice(TEXT_LANGUAGES),
                     help="Target language [default: from the records or the reference file name]."),
        click.option("--level", type=click.Choice(LEVELS), default="corpus", show_default=True,
                     help="Table on the terminal: corpus scores with 95% CIs, per document or per segment."),
        click.option("--compare", is_flag=True,
                     help="Paired bootstrap of every system against the first: difference, CI and p-value."),
        click.option("-o", "--output", metavar="FILE",
                     help="Also write results.json (everything) or results.csv (the chosen level and corpus)."),
        click.option("--allow-missing", is_flag=True,
                     help="Score missing segments/documents as empty instead of stopping; the output says how many."),
        click.option("--bootstrap", "n_samples", type=click.IntRange(10), metavar="N",
                     help="Bootstrap resamples [default: 1000; TK_BOOTSTRAP]."),
        click.option("--seed", type=int, help="Bootstrap seed [default: 12345, as sacreBLEU; TK_SEED]."),
        click.option("--no-language-check", is_flag=True,
                     help="Score even when the text does not look like --lang."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.group()
def score() -> None:
    """Score translations or summaries against reference sets.

    Every number comes with its signature (metric, version, tokenizer, number of
    references, model), so it can be reproduced. Scores are 0-100.
    """


@score.command()
@click.argument("hypotheses", nargs=-1, required=True, type=click.Path(exists=True))
@_common
@click.option("-m", "--metric", "metrics", default="bleu,chrf,terms,numbers,untranslated",
              show_default=True, metavar="LIST",
              help="Comma-separated: bleu, chrf, chrf++, ter, terms, numbers, untranslated "
                   "(German words left per 100 segments), semantic, comet.")
@click.option("--comet-python", metavar="PATH",
              help="Python of the separate COMET environment [default: .venv-comet/bin/python; TK_COMET_PYTHON].")
@click.option("--covered", is_flag=True,
              help="Score only the reference documents every system covers (a partial run, "
                   "a job under way, one --shard); the table says how much of the set that is.")
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(dir_okay=False),
              help="Check terms, numbers and German words left again on every system's text "
                   "with this glossary "
                   "(as tk translate checks them: a term counts only placed in the sentence), "
                   "instead of reading the records' checks: plain-text outputs of any tool get "
                   "term accuracy too.")
def translations(hypotheses: tuple[str, ...], refs: str, lang: str | None, level: str, compare: bool,
                 output: str | None, allow_missing: bool, n_samples: int | None, seed: int | None,
                 no_language_check: bool, metrics: str, comet_python: str | None,
                 covered: bool, glossaries: tuple[str, ...]) -> None:
    """Score translations (BLEU, chrF, term and number accuracy, ...).

    HYPOTHESES are tk's translations.jsonl files or output folders (aligned with
    the references by segment id; a job folder not finished yet gives its shards
    so far) or plain text files (one segment per line, aligned by line).
    Several files are shown side by side; --compare tests each against the first.

    \b
    Examples:
      tk score translations out/en/translations.jsonl --refs eval/refs --lang en
      tk score translations base.jsonl glossary.jsonl --refs eval/refs --compare -o results.json
      tk score translations hyp.txt --refs ref.en --metric bleu,chrf++ --level segment
      tk score translations out/en --refs eval/refs --lang en --covered   # a job under way
      tk score translations out/en/translations.jsonl --refs eval/refs --metric semantic,comet
      tk score translations other-tool.txt out/en --refs eval/refs -g glossaries/ai-finance.tsv

    semantic needs `pip install 'tk-translate[embeddings]'`; comet runs in its own
    environment (python -m venv .venv-comet && .venv-comet/bin/pip install unbabel-comet).
    """
    from toolkit.score import score_translations

    _check_output(output)
    glossary = None
    if glossaries:
        from toolkit.load import load_glossary

        glossary = load_glossary(glossaries)
    report = score_translations(list(hypotheses), refs, lang, metrics, compare=compare, allow_missing=allow_missing,
                                **_bootstrap(n_samples, seed), check_lang=not no_language_check,
                                comet_python=comet_python, covered=covered, glossary=glossary)
    _emit(report, level, output)


@score.command()
@click.argument("hypotheses", nargs=-1, type=click.Path(exists=True))
@_common
@click.option("-m", "--metric", "metrics", default="rouge1,rouge2,rougeL,rougeLsum", show_default=True,
              metavar="LIST", help="Comma-separated: rouge1, rouge2, rougeL, rougeLsum, semantic.")
@click.option("--stem/--no-stem", default=False, show_default=True,
              help="Stem before matching: Porter for en (ROUGE-1.5.5 -m), Cistem for de.")
@click.option("--tokenizer", type=click.Choice(["ascii", "words", "zh-char", "jieba"]),
              help="ROUGE tokenizer [default: ascii for en, words for de, zh-char for zh].")
@click.option("--agreement", is_flag=True,
              help="Ignore HYPOTHESES' scores: score each reference set against the others instead.")
def summaries(hypotheses: tuple[str, ...], refs: str, lang: str | None, level: str, compare: bool,
              output: str | None, allow_missing: bool, n_samples: int | None, seed: int | None,
              no_language_check: bool, metrics: str, stem: bool, tokenizer: str | None, agreement: bool) -> None:
    """Score summaries with ROUGE against two or more references per document.

    HYPOTHESES are JSONL files of {"doc", "summary", "lang"} records or folders
    of <doc>.txt files. Each summary counts its best-matching reference (as
    rouge_score does); corpus scores are means over documents with 95%
    bootstrap intervals.

    \b
    Examples:
      tk score summaries out/summaries.jsonl --refs eval/refs --lang zh
      tk score summaries lead3/ model/ --refs eval/refs/summaries/en.jsonl --stem --compare
      tk score summaries --agreement --refs eval/refs --lang en -o eval/results/agreement.en.json
    """
    from toolkit.score import reference_agreement, score_summaries

    if not hypotheses and not agreement:
        raise click.UsageError("give summary files or folders to score, or --agreement")
    _check_output(output)
    if agreement:
        report = reference_agreement(refs, lang, metrics, stem=stem, tokenizer=tokenizer, **_bootstrap(n_samples, seed))
    else:
        report = score_summaries(list(hypotheses), refs, lang, metrics, stem=stem, tokenizer=tokenizer,
                                 compare=compare, allow_missing=allow_missing, **_bootstrap(n_samples, seed),
                                 check_lang=not no_language_check)
    _emit(report, level, output)


def _bootstrap(n_samples: int | None, seed: int | None) -> dict[str, Any]:
    return {"n_samples": setting("bootstrap", n_samples), "seed": setting("seed", seed)}


def _check_output(output: str | None) -> None:
    """-o is checked before any scoring: an unknown extension or an unwritable place fails now."""
    if output is None:
        return
    from pathlib import Path

    from toolkit.errors import ScoreError
    from toolkit.outputs import check_writable

    if Path(output).suffix.lower() not in (".json", ".csv"):
        raise ScoreError(f"-o {output}: give a .json or .csv file")
    check_writable(output, folder=False)


def _emit(report, level: str, output: str | None) -> None:
    if level == "segment" and report.task == "summaries":
        level = "doc"  # a summary is scored as a whole
    click.echo(report.format_table(level))
    if output:
        levels = ("corpus",) if level == "corpus" else ("corpus", level)
        path = report.write(output, levels=levels)
        click.echo(f"Wrote {path}", err=True)
