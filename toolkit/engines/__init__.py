"""Translation engines by name. Each entry is a dotted path, imported on first use so that
``tk --help`` never pays for torch or transformers."""

from __future__ import annotations

import importlib

from toolkit.engines.base import TermHint, TranslationEngine, TranslationRequest
from toolkit.errors import ModelError

ENGINES: dict[str, str] = {
    "seq2seq": "toolkit.engines.seq2seq:Seq2SeqEngine",
    "llm": "toolkit.engines.llm:ChatEngine",
}


def engine_class(kind: str) -> type[TranslationEngine]:
    """The engine class registered as ``kind``."""
    try:
        path = ENGINES[kind]
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise ModelError(f"unknown engine {kind!r}; choose one of: {known}") from None
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


__all__ = ["ENGINES", "TermHint", "TranslationEngine", "TranslationRequest", "engine_class"]
