"""``tk corpus``: clean, count and segment documents (a thin shell over toolkit.corpus/segments)."""

from __future__ import annotations

import json
from pathlib import Path

import click

INPUTS_HELP = "INPUTS are .txt files, folders of .txt files, .jsonl files (id, text) or - for stdin."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def corpus() -> None:
    """Clean, inspect and segment a corpus of articles.

    \b
    tk corpus clean corpus/raw -o corpus/clean     # drop web boilerplate, keep the article
    tk corpus stats corpus/clean                   # documents, paragraphs, segments, characters
    tk corpus segments corpus/clean -o -           # one JSON line per segment
    """


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _inputs(inputs: tuple[str, ...], lang: str) -> list:
    from toolkit.documents import load_documents

    return load_documents(list(inputs), lang=lang)


lang_option = click.option("--lang", default="de", show_default=True,
                           help="Language of documents that do not name one (JSONL 'lang' wins).")


@corpus.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for <id>.txt files, documents.jsonl and cleaning-report.json.")
@lang_option
@click.option("-q", "--quiet", is_flag=True, help="Do not print what was removed.")
def clean(inputs: tuple[str, ...], out_dir: Path, lang: str, quiet: bool) -> None:
    """Remove web boilerplate (teasers, headline lists, promotions, author blurbs, stray
    bullets, repeated titles) and write the cleaned corpus with its metadata.

    Writes one <id>.txt per document (a paragraph per line, blank lines between),
    documents.jsonl (id, title, date, lang, text) and cleaning-report.json (every removed
    line and why). What was removed is also summarized on stderr.

    \b
    Examples:
      tk corpus clean corpus/raw -o corpus/clean
      tk corpus clean article.txt more.jsonl -o out/clean
      curl -s https://example.org/a.txt | tk corpus clean - -o out/clean
    """
    from toolkit.corpus import clean_corpus, write_clean_corpus
    from toolkit.outputs import check_writable

    docs = _inputs(inputs, lang)
    check_writable(out_dir, folder=True)
    results = clean_corpus(docs)
    write_clean_corpus(results, out_dir)
    if not quiet:
        for result in results:
            doc = result.document
            click.echo(f"{doc.id}: removed {_count(len(result.removed), 'line')}, "
                       f"{result.chars_before} -> {result.chars_after} characters", err=True)
            for r in result.removed:
                text = r.text if len(r.text) <= 70 else r.text[:69] + "…"
                click.echo(f"  line {r.line}: {r.reason}: {text}", err=True)
    click.echo(f"Wrote {_count(len(results), 'document')} to {out_dir}", err=True)


@corpus.command()
@click.argument("inputs", nargs=-1, required=True)
@lang_option
@click.option("--per-document", is_flag=True, help="One row per document, then the total.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the figures as JSON (a list with --per-document).")
def stats(inputs: tuple[str, ...], lang: str, per_document: bool, as_json: bool) -> None:
    """Count documents, paragraphs, segments (by kind) and characters.

    Characters are those of the paragraphs, without line breaks. Segments are what
    `tk corpus segments` writes and `tk translate` translates.

    \b
    Examples:
      tk corpus stats corpus/clean
      tk corpus stats corpus/raw --per-document
      tk corpus stats corpus/clean --json
    """
    from toolkit.corpus import corpus_stats

    docs = _inputs(inputs, lang)
    rows = [(d.id, corpus_stats([d])) for d in docs] if per_document else []
    rows.append(("total", corpus_stats(docs)))
    if as_json:
        figures: object = rows[-1][1].as_dict()
        if per_document:
            figures = [dict(id=name, **f.as_dict()) for name, f in rows]
        click.echo(json.dumps(figures, ensure_ascii=False))
        return
    width = max(len(name) for name, _ in rows)
    click.echo(f"{'':<{width}}  documents  paragraphs  segments  heading  item  text  characters")
    for name, f in rows:
        kinds = "  ".join(f"{f.kinds.get(kind, 0):>{len(kind)}}" for kind in ("heading", "item", "text"))
        click.echo(f"{name:<{width}}  {f.documents:>9}  {f.paragraphs:>10}  {f.segments:>8}  "
                   f"{kinds}  {f.characters:>10}")


@corpus.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", default="-", show_default=True,
              help="JSONL file to write, or - for stdout.")
@lang_option
def segments(inputs: tuple[str, ...], output: str, lang: str) -> None:
    """Split documents into segments and write them as JSONL.

    One line per segment: doc, id (<doc>:pNN:sNN), text, paragraph, sentence, kind
    (text, heading or item). Ids are stable for the same cleaned text, so translations,
    references and scores line up on them.

    \b
    Examples:
      tk corpus segments corpus/clean -o corpus/clean/segments.jsonl
      tk corpus segments article.txt | head -3
      echo "Dr. Müller kam am 21. Februar. Er blieb." | tk corpus segments -
    """
    from toolkit.outputs import atomic_write, check_writable, jsonl_line, write_stdout
    from toolkit.segments import segment_documents, segment_record

    docs = _inputs(inputs, lang)
    if output != "-":
        check_writable(output, folder=False)
    lines = [jsonl_line(segment_record(s)) for s in segment_documents(docs)]
    if output == "-":
        write_stdout("".join(lines))
    else:
        atomic_write(Path(output), "".join(lines))
        click.echo(f"Wrote {_count(len(lines), 'segment')} to {output}", err=True)
