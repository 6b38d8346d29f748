"""Translation engines by name. Each entry is a dotted path, imported on first use so that
``tk --help`` never pays for torch or transformers."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from toolkit.engines.base import TermHint, TranslationEngine, TranslationRequest
from toolkit.errors import ModelError

if TYPE_CHECKING:
    from toolkit.models import ModelRef

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


def load_engine(
    spec: str | ModelRef,
    *,
    device: str = "auto",
    dtype: str = "auto",
    beams: int | None = None,
    max_batch_tokens: int | None = None,
    max_batch_size: int | None = None,
    max_new_tokens: int | None = None,
    trust_remote_code: bool = False,
    threads: int | None = None,
) -> TranslationEngine:
    """The engine for a model spec (catalog name, hub id, folder or .gguf), loaded and ready.

    ``trust_remote_code`` lets a hub model run its own Python code: only for models you trust.
    ``threads`` sets torch's CPU threads (default: TK_THREADS, tk.toml, else torch's own).
    """
    from toolkit.models import resolve_model

    ref = resolve_model(spec)
    return engine_class(ref.kind)(
        ref, device=device, dtype=dtype, beams=beams, max_batch_tokens=max_batch_tokens,
        max_batch_size=max_batch_size, max_new_tokens=max_new_tokens,
        trust_remote_code=trust_remote_code, threads=threads,
    )


__all__ = ["ENGINES", "TermHint", "TranslationEngine", "TranslationRequest", "engine_class",
           "load_engine"]
