"""``tk glossary``: check, convert and look up terms (a thin shell over toolkit.glossary)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit.errors import GlossaryError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def glossary() -> None:
    """Check, convert and look up terms in glossaries (TSV, CSV, TBX).

    \b
    tk glossary check glossaries/ai-finance.tsv          # validate; problems as file:line
    tk glossary convert glossaries/ai-finance.tsv out.tbx  # TSV <-> CSV <-> TBX
    tk glossary find article.txt -g glossaries/ai-finance.tsv   # which terms match where

    A TSV/CSV glossary starts with a header of language codes and optional columns, e.g.
    "de  en  zh  kind  note"; see glossaries/README.md for the format.
    """


@glossary.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(files: tuple[str, ...]) -> None:
    """Validate glossary FILES: every problem is printed as file:line: message.

    Several files are also checked together, as `tk translate --glossary A --glossary B`
    would merge them: a term defined differently in two files is a conflict.

    \b
    Examples:
      tk glossary check glossaries/ai-finance.tsv
      tk glossary check glossaries/*.tsv extra.tbx
    """
    from toolkit.glossary import check_glossary, load_glossaries

    problems: list[str] = []
    for path in files:
        g, found = check_glossary(path)
        problems += found
        if g is not None:
            targets = ", ".join(sorted(g.languages - {g.source_lang}))
            click.echo(f"{path}: {len(g)} entries ({g.source_lang} -> {targets})")
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise GlossaryError(f"{len(problems)} problem(s) in the glossary; fix the lines named above")
    if len(files) > 1:
        merged = load_glossaries(list(files))
        click.echo(f"together: {len(merged)} entries, no conflicts")


@glossary.command()
@click.argument("source", type=click.Path(dir_okay=False))
@click.argument("target", type=click.Path(dir_okay=False))
def convert(source: str, target: str) -> None:
    """Convert glossary SOURCE to TARGET; formats follow the extensions (.tsv, .csv, .tbx).

    The glossary is validated first. TSV -> TBX -> TSV gives the same entries back
    (comment lines of a TSV are not carried over).

    \b
    Examples:
      tk glossary convert glossaries/ai-finance.tsv glossaries/ai-finance.tbx
      tk glossary convert vendor-terms.tbx vendor-terms.tsv
    """
    from toolkit.glossary import load_glossary, save_glossary
    from toolkit.glossary.formats import glossary_format
    from toolkit.outputs import check_writable

    glossary_format(target)  # an unknown extension fails before any reading
    check_writable(target, folder=False)
    g = load_glossary(source)
    save_glossary(g, target)
    click.echo(f"wrote {target} ({len(g)} entries)", err=True)


@glossary.command()
@click.argument("input", default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-g", "--glossary", "glossaries", multiple=True, type=click.Path(dir_okay=False),
              help="Glossary file; repeat for several [default: `glossary` in tk.toml, TK_GLOSSARY].")
@click.option("--from", "source_lang", default="de", show_default=True, help="Language of INPUT.")
@click.option("--to", "target_lang", default=None,
              help="Show renderings in this language only [default: every language of the glossary].")
def find(input: str, glossaries: tuple[str, ...], source_lang: str, target_lang: str | None) -> None:
    """Show the glossary terms found in INPUT (a text file, or - for stdin), line by line.

    Each match is printed as line:column, the text as written, and the required renderings:
    useful to see why a term matched (or did not) before translating.

    \b
    Examples:
      tk glossary find corpus/clean/000_1c88.txt -g glossaries/ai-finance.tsv
      echo "Alibabas KI-Modelle" | tk glossary find - -g glossaries/ai-finance.tsv --to zh
    """
    from toolkit.config import setting
    from toolkit.glossary import find_terms, load_glossaries

    paths = list(glossaries) or setting("glossary")
    if not paths:
        raise GlossaryError("no glossary given; pass --glossary FILE (e.g. glossaries/ai-finance.tsv)")
    g = load_glossaries(paths)
    from toolkit.documents import decode_text

    if input == "-":
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        data = stream.read()
        text = decode_text(data.encode("utf-8") if isinstance(data, str) else data, "stdin")
    else:
        try:
            text = decode_text(Path(input).read_bytes(), input)
        except OSError as e:
            raise GlossaryError(f"{input}: cannot read it ({e.strerror})") from None
    targets = [target_lang] if target_lang else sorted(g.languages - {source_lang})
    total = 0
    for number, line in enumerate(text.splitlines(), start=1):
        for m in find_terms(line, g, source_lang):
            renderings = ", ".join(f"{lang} {m.target(lang)}" for lang in targets if m.target(lang))
            click.echo(f"{number}:{m.start + 1}\t{m.text}\t-> {renderings or '(no rendering)'}\t[{m.entry.kind}]")
            total += 1
    click.echo(f"{total} term(s) found", err=True)
