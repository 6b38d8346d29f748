"""GGUF files through transformers (``gguf_file=``), with the conversion cached.

Converting a GGUF file takes ~45 s on two CPU cores (tokenizer rebuilt from GGUF metadata,
weights de-quantized). The result is saved once with save_pretrained under
$TK_HOME/cache/gguf/ and later runs load that folder in about a second.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.engines.runtime import dtype_name
from toolkit.errors import ModelError
from toolkit.models import gguf_cache_dir

if TYPE_CHECKING:
    import torch

    from toolkit.models import ModelRef

log = logging.getLogger(__name__)
_DONE = "tk-complete"  # written last: a folder without it is an interrupted conversion


def load_gguf(ref: ModelRef, dtype: torch.dtype, *, use_cache: bool = True) -> tuple[Any, Any]:
    """Tokenizer and causal LM for ``ref`` (a .gguf file), from tk's cache when possible."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    assert ref.gguf_file
    path = Path(ref.source) / ref.gguf_file
    cache = gguf_cache_dir(path, dtype_name(dtype))
    cached = use_cache and (cache / _DONE).is_file()
    try:
        if cached:
            tokenizer = AutoTokenizer.from_pretrained(cache)
            if (cache / "config.json").is_file():
                return tokenizer, AutoModelForCausalLM.from_pretrained(cache, dtype=dtype)
        else:
            tokenizer = AutoTokenizer.from_pretrained(ref.source, gguf_file=ref.gguf_file)
        model = AutoModelForCausalLM.from_pretrained(ref.source, gguf_file=ref.gguf_file,
                                                     dtype=dtype)
    except (ValueError, KeyError, OSError) as e:
        # transformers raises these for GGUF architectures or quantizations it cannot read.
        first = (str(e).splitlines() or [type(e).__name__])[0]
        raise ModelError(f"cannot load {path} with transformers: {first}") from None
    if use_cache and not cached:
        _save(tokenizer, model, cache)
    return tokenizer, model


def _save(tokenizer: Any, model: Any, cache: Path) -> None:
    """Save the conversion as a plain transformers folder (atomically: temp + rename).

    Weights kept packed in GGUF blocks (with the optional ``kernels`` package) load fast
    from the file itself and are not serializable: then only the tokenizer is cached."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=cache.name + ".", dir=cache.parent))
    quantizer = getattr(model, "hf_quantizer", None)
    quant_config = getattr(model.config, "quantization_config", None)
    try:
        # The weights are de-quantized tensors by now; only the GGUF marker blocks saving.
        packed = any(type(m).__name__.startswith("Gguf") for m in model.modules())
        if not packed:
            model.hf_quantizer = None
            if quant_config is not None:
                del model.config.quantization_config
            model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / _DONE).write_text("ok\n")
        if cache.exists():
            shutil.rmtree(cache)
        os.replace(tmp, cache)
    except OSError as e:
        log.warning("could not cache the converted GGUF model in %s: %s", cache, e)
        shutil.rmtree(tmp, ignore_errors=True)
    finally:
        model.hf_quantizer = quantizer
        if quant_config is not None:
            model.config.quantization_config = quant_config
