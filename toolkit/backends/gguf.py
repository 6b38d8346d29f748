"""GGUF files through transformers (``gguf_file=``), with the conversion cached.

Converting a GGUF file takes ~45 s on two CPU cores (tokenizer rebuilt from GGUF metadata,
weights de-quantized). The result is saved once with save_pretrained under
$TK_HOME/cache/gguf/ and later runs load that folder in about a second. The folder is keyed
on the file's content (SHA-256) and the dtype; two processes converting the same file at once
take turns on a lock, and each conversion is written to a temporary folder and renamed into
place, so no process ever loads a half-written one.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.backends.runtime import dtype_name
from toolkit.config import tk_home
from toolkit.errors import CacheError, ModelError

if TYPE_CHECKING:
    import torch

    from toolkit.models import ModelRef

log = logging.getLogger(__name__)
_DONE = "tk-complete"  # written last: a folder without it is an interrupted conversion
LOCK_TIMEOUT_S = 1800  # a conversion of a 7B file can take many minutes


def gguf_root() -> Path:
    return tk_home() / "cache" / "gguf"


def gguf_cache_dir(gguf_path: Path, dtype: str) -> Path:
    """Folder holding the transformers conversion of a GGUF file, keyed on its content."""
    from toolkit.backends.identity import file_sha256

    key = file_sha256(gguf_path)[:16]
    return gguf_root() / f"{gguf_path.stem}-{dtype}-{key}"


def load_gguf(ref: ModelRef, dtype: torch.dtype, *, use_cache: bool = True) -> tuple[Any, Any]:
    """Tokenizer and causal LM for ``ref`` (a .gguf file), from tk's cache when possible."""
    from filelock import FileLock, Timeout

    assert ref.gguf_file
    path = Path(ref.source) / ref.gguf_file
    if not use_cache:
        return _convert(ref, dtype)
    cache = gguf_cache_dir(path, dtype_name(dtype))
    if (cache / _DONE).is_file():
        return _from_cache(cache, ref, dtype)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(cache) + ".lock", timeout=LOCK_TIMEOUT_S)
        with lock:
            if (cache / _DONE).is_file():  # another process converted it while we waited
                return _from_cache(cache, ref, dtype)
            tokenizer, model = _convert(ref, dtype)
            _save(tokenizer, model, cache)
            return tokenizer, model
    except Timeout:
        raise CacheError(f"{cache}.lock: another tk process has been converting {path.name} "
                         f"for {LOCK_TIMEOUT_S // 60} minutes; wait for it, or remove the lock "
                         "file if no tk process is running") from None
    except PermissionError as e:
        raise CacheError(f"cannot write the GGUF conversion cache under {cache.parent} "
                         f"({e.strerror}); check TK_HOME's permissions") from None


def _convert(ref: ModelRef, dtype: torch.dtype) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(ref.source) / str(ref.gguf_file)
    try:
        tokenizer = AutoTokenizer.from_pretrained(ref.source, gguf_file=ref.gguf_file)
        model = AutoModelForCausalLM.from_pretrained(ref.source, gguf_file=ref.gguf_file,
                                                     dtype=dtype)
    except (ValueError, KeyError, OSError) as e:
        # transformers raises these for GGUF architectures or quantizations it cannot read.
        first = (str(e).splitlines() or [type(e).__name__])[0]
        raise ModelError(f"cannot load {path} with transformers: {first}") from None
    return tokenizer, model


def _from_cache(cache: Path, ref: ModelRef, dtype: torch.dtype) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(cache)
    if (cache / "config.json").is_file():
        return tokenizer, AutoModelForCausalLM.from_pretrained(cache, dtype=dtype)
    # Only the tokenizer was cacheable (weights kept packed in GGUF blocks).
    _, model = _convert(ref, dtype)
    return tokenizer, model


def _save(tokenizer: Any, model: Any, cache: Path) -> None:
    """Save the conversion as a plain transformers folder (atomically: temp + rename).

    Weights kept packed in GGUF blocks (with the optional ``kernels`` package) load fast
    from the file itself and are not serializable: then only the tokenizer is cached."""
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


def cached_conversions() -> list[Path]:
    """Finished conversions in the cache."""
    root = gguf_root()
    return sorted(p.parent for p in root.glob(f"*/{_DONE}")) if root.is_dir() else []


def clear_gguf_cache() -> int:
    """Delete all cached GGUF conversions (and interrupted ones); returns how many finished
    ones were removed."""
    root = gguf_root()
    if not root.is_dir():
        return 0
    done = len(cached_conversions())
    for p in root.iterdir():
        if p.is_dir():
            shutil.rmtree(p)
        elif p.suffix == ".lock":
            p.unlink(missing_ok=True)
    return done
