"""``tk cache``: what tk keeps under $TK_HOME/cache, and clearing it."""

from __future__ import annotations

import click


@click.group()
def cache() -> None:
    """Show or clear tk's cache: finished generations (what lets a killed job resume),
    converted GGUF models, CTranslate2 conversions and remembered file digests, all under
    $TK_HOME/cache.

    \b
    Examples:
      tk cache info
      tk cache clear                 # everything
      tk cache clear --gguf          # only the converted GGUF models (several GB each)
    """


@cache.command("info")
def info() -> None:
    """Where each store is, how many entries it holds, and its size on disk."""
    from toolkit.cache import cache_info
    from toolkit.config import tk_home

    click.echo(f"TK_HOME: {tk_home()}")
    for what, path, entries, size in cache_info():
        count = f"{entries} entries" if entries >= 0 else "-"
        click.echo(f"{what:<22} {count:>14}  {_mb(size):>10}  {path}")


@cache.command("clear")
@click.option("--generations", is_flag=True,
              help="Cached generations (translations, summaries); a damaged file is removed.")
@click.option("--gguf", is_flag=True, help="Converted GGUF models.")
@click.option("--ctranslate2", is_flag=True,
              help="CTranslate2 conversions (--engine ctranslate2).")
def clear(generations: bool, gguf: bool, ctranslate2: bool) -> None:
    """Delete cached generations, converted models and file digests: those named (several
    may be given), else all. Nothing is lost that cannot be rebuilt: a rerun translates or
    converts again."""
    from toolkit.cache import clear_cache

    chosen = [name for name, on in (("generations", generations), ("gguf", gguf),
                                    ("ctranslate2", ctranslate2)) if on] or ["all"]
    for what in chosen:
        for name, n in clear_cache(what).items():
            click.echo(f"removed {'a damaged file of' if n < 0 else n} {name}")


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
