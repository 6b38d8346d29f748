"""``tk tm``: translation memories (TMX 1.4b) from tk's runs."""

from __future__ import annotations

from pathlib import Path

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def tm() -> None:
    """Translation memories: write a run's segment pairs as TMX 1.4b, for
    `tk translate --tm` and for CAT tools (OmegaT, Trados, memoQ, Weblate).

    \b
    tk tm export out/en -o tm.tmx                 # a tk translate -o folder
    tk tm export out/run -o tm.tmx                # a tk run folder: de, en and zh together
    tk translate --to en corpus/ --tm tm.tmx -o out/en2   # exact matches reused
    """


@tm.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path(exists=False))
@click.option("-o", "--output", required=True, metavar="FILE.tmx|-",
              help="The TMX file to write (- for stdout).")
def export(runs: tuple[str, ...], output: str) -> None:
    """Write the segment pairs of RUNS as one TMX 1.4b file.

    RUNS are folders of `tk translate -o` (their translations.jsonl), folders
    of `tk run` (every translate-<lang>/ in them), or translations.jsonl files.
    One <tu> per segment (tuid = the segment id, the document as a prop), with a
    <tuv> per language: runs into English and Chinese over the same German
    give units with all three. Inline markup of HTML, Markdown and XLIFF
    inputs is written as TMX inline codes (<bpt>/<ept>, <ph>).
    """
    from toolkit import __version__
    from toolkit.errors import InputError
    from toolkit.formats.tmx import write_tmx
    from toolkit.outputs import atomic_write, check_writable, write_stdout
    from toolkit.tm import merged_units, record_files

    files = [f for run in runs for f in record_files(Path(run))]
    units = merged_units(files)
    if not units:
        raise InputError(f"no segment pairs in {', '.join(runs)}; give folders written by "
                         "tk translate -o or tk run")
    if output != "-":
        check_writable(output, folder=False)
    data = write_tmx(units, "de", tool_version=__version__)
    if output == "-":
        write_stdout(data.decode("utf-8"))
    else:
        atomic_write(output, data)
        langs = sorted({lang for u in units for lang in u.variants})
        click.echo(f"{output}: {len(units)} units ({', '.join(langs)})", err=True)
