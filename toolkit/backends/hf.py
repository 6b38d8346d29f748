"""What every backend over a Hugging Face model shares, converted or not: the capabilities
the model declares in its config and tokenizer, and loading it with one-line errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from toolkit.backends.base import Capabilities
from toolkit.errors import ModelError

if TYPE_CHECKING:
    from toolkit.models import ModelRef

# Vocabulary entries that select a language: Marian >>cmn_Hans<<, M2M __en__, T5/MADLAD <2zh>,
# NLLB eng_Latn.
_LANGUAGE_TOKEN = re.compile(r">>[a-z]{2,3}(?:_[A-Za-z]{4})?<<|__[a-z]{2,3}__|<2[a-z]{2,3}>"
                             r"|[a-z]{3}_[A-Z][a-z]{3}")


def declare(config: Any, generation_config: Any, tokenizer: Any, ref: ModelRef, *,
            seq2seq: bool, constraints: bool) -> Capabilities:
    """What a transformers model can do, read from its config and tokenizer (shared by every
    backend that runs transformers models, converted or not)."""
    params = getattr(config, "task_specific_params", None) or {}
    tasks = {"translation" if t.startswith("translation") else t for t in params}
    prefixes = tuple((t, p["prefix"]) for t, p in params.items()
                     if isinstance(p, dict) and isinstance(p.get("prefix"), str))
    tokens = {t for t in tokenizer.get_vocab() if _LANGUAGE_TOKEN.fullmatch(t)}
    tokens |= set(getattr(tokenizer, "supported_language_codes", None) or [])
    positions = getattr(config, "max_position_embeddings", None)
    limits = [n for n in (getattr(tokenizer, "model_max_length", None), positions,
                          ref.max_input_tokens)
              if isinstance(n, int) and 0 < n < 1_000_000]
    return Capabilities(
        architecture="seq2seq" if seq2seq else "causal",
        chat=bool(getattr(tokenizer, "chat_template", None)),
        constraints=constraints,
        beams=True,
        default_beams=int(getattr(generation_config, "num_beams", 1) or 1),
        max_input_tokens=min(limits) if limits else None,
        max_new_tokens=(positions - 2 if seq2seq and isinstance(positions, int)
                        and positions > 16 else None),
        model_type=str(getattr(config, "model_type", "") or ""),
        tasks=frozenset(tasks),
        language_tokens=frozenset(tokens),
        source_setting=hasattr(tokenizer, "src_lang"),
        declared_target=getattr(tokenizer, "target_lang", None),
        prefixes=prefixes,
    )

def load_pretrained(loader: Callable[..., Any], ref: ModelRef, what: str, **kwargs: Any) -> Any:
    """``loader.from_pretrained(ref.source, ...)`` with hub access checked first and load
    failures turned into one ModelError line."""
    from toolkit.models import hub_errors, hub_kwargs

    extra = {} if ref.local else hub_kwargs(ref.source)
    with hub_errors(ref.spec if ref.name else ref.source):
        try:
            return loader.from_pretrained(ref.source, **extra, **kwargs)  # type: ignore[attr-defined]
        except ValueError as e:
            # Raised by the Auto classes for a config they cannot map (wrong model kind).
            first = str(e).splitlines()[0]
            if "Unrecognized configuration class" in first or "does not appear to have" in first:
                raise ModelError(f"cannot load {ref.label} as {what}: {first}") from None
            raise
