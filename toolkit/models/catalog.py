"""tk's model catalog: short names for the models tk knows how to drive, read from the
packaged ``toolkit/data/models.toml`` (licence, languages, size, defaults per language)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import tomllib

STARTER = "starter"
STARTER_LABEL = "small model to try the pipeline, not production quality"


@dataclass(frozen=True)
class CatalogEntry:
    """One named model in tk's catalog (toolkit/data/models.toml)."""

    name: str
    kind: str
    licence: str
    note: str
    hub: str | None = None
    source_langs: tuple[str, ...] = ("*",)
    target_langs: tuple[str, ...] = ("*",)
    size: str = ""
    default_for: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ("translate",)
    summary_langs: tuple[str, ...] = ()  # a seq2seq summarizer's languages (it writes in its input's)
    summary_default_for: tuple[str, ...] = ()
    summary_route: str | None = None  # the summary route measured better for this model
    summary_route_note: str = ""  # the measurement behind it
    max_input_tokens: int | None = None
    gguf_file: str | None = None
    sha256: str | None = None
    wheels: tuple[str, ...] = ()
    upstream: str | None = None


@lru_cache(maxsize=1)
def catalog() -> dict[str, CatalogEntry]:
    """tk's model catalog by name, read from the packaged models.toml."""
    text = resources.files("toolkit").joinpath("data", "models.toml").read_text(encoding="utf-8")
    entries = {}
    for name, raw in tomllib.loads(text).items():
        entries[name] = CatalogEntry(
            name=name,
            kind=raw["kind"],
            licence=raw["licence"],
            note=raw.get("note", ""),
            hub=raw.get("hub"),
            source_langs=tuple(raw.get("source", ["*"])),
            target_langs=tuple(raw.get("targets", ["*"])),
            size=raw.get("size", ""),
            default_for=tuple(raw.get("default_for", [])),
            tasks=tuple(raw.get("tasks", ["translate"])),
            summary_langs=tuple(raw.get("summary_langs", [])),
            summary_default_for=tuple(raw.get("summary_default_for", [])),
            summary_route=raw.get("summary_route"),
            summary_route_note=raw.get("summary_route_note", ""),
            max_input_tokens=raw.get("max_input_tokens"),
            gguf_file=raw.get("gguf_file"),
            sha256=raw.get("sha256"),
            wheels=tuple(raw.get("wheels", [])),
            upstream=raw.get("upstream"),
        )
    return entries
