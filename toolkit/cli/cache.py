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
@click.option("--generations", "what", flag_value="generations",
              help="Only cached generations (translations).")
@click.option("--gguf", "what", flag_value="gguf", help="Only converted GGUF models.")
@click.option("--ctranslate2", "what", flag_value="ctranslate2",
              help="Only CTranslate2 conversions (--engine ctranslate2).")
def clear(what: str | None) -> None:
    """Delete cached generations, converted models and file digests (all by default).
    Nothing is lost that cannot be rebuilt: a rerun translates or converts again."""
    from toolkit.cache import clear_cache

    for name, n in clear_cache(what or "all").items():
        click.echo(f"removed {n} {name}")


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
