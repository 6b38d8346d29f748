"""GGUF files through transformers (``gguf_file=``), with the conversion cached.

Converting a GGUF file takes ~25 s on two CPU cores (the file parsed once, the tokenizer
rebuilt from its metadata, the weights de-quantized). The result is saved once with save_pretrained under
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
from collections.abc import Iterator
from contextlib import contextmanager
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


def dequantized_bytes(path: Path, bytes_per_weight: int) -> int:
    """What a GGUF file's weights take once de-quantized (read from its tensor shapes)."""
    import gguf  # the module's attribute: within one_parse(), the shared parse

    try:
        tensors = gguf.GGUFReader(path).tensors
    except (ValueError, OSError, IndexError, KeyError) as e:  # the reader's errors on bad files
        raise ModelError(f"{path}: not a readable GGUF file ({str(e) or type(e).__name__}); "
                         "give a .gguf model file, e.g. one `tk models pull starter` "
                         "fetches") from None
    count = 0
    for tensor in tensors:
        n = 1
        for d in tensor.shape:
            n *= int(d)
        count += n
    return count * bytes_per_weight


def available_memory() -> int | None:
    """Bytes of memory available to a new process (Linux: MemAvailable), else None."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def check_memory(path: Path, dtype: torch.dtype, cache: Path | None = None) -> int:
    """Say before loading what a GGUF file will take de-quantized, and refuse one that does
    not fit in the memory available (instead of a swap storm or an OOM kill an hour later).
    Returns the bytes needed."""
    weights = cache / "model.safetensors" if cache is not None else None
    if weights is not None and weights.is_file():
        need = weights.stat().st_size
    else:
        need = dequantized_bytes(path, 2 if dtype_name(dtype) in ("float16", "bfloat16") else 4)
    have = available_memory()
    log.info("%s: %.1f GB file, %.1f GB de-quantized to %s", path.name,
             path.stat().st_size / 1e9, need / 1e9, dtype_name(dtype))
    if have is not None and need > have:
        raise ModelError(
            f"{path.name} ({path.stat().st_size / 1e9:.1f} GB) de-quantizes to "
            f"{need / 1e9:.1f} GB of {dtype_name(dtype)} weights on the transformers backend, "
            f"and {have / 1e9:.1f} GB of memory is available here; use a smaller model, "
            "--dtype bfloat16, or --engine ctranslate2 (runs it in int8, about half its "
            "float16 size, once converted)")
    return need


@contextmanager
def one_parse() -> Iterator[None]:
    """Within it, every ``gguf.GGUFReader`` of one file is the same parse. Loading a GGUF
    file, transformers parses it three times (config, tokenizer, weights) and tk once more
    (the memory check); each parse reads every metadata field one by one, the starter's
    151,643-entry vocabulary and merges included: about 6 s each on 2 cores, half the
    conversion. The reader is read-only over a memory map, so one serves them all."""
    import gguf

    original = gguf.GGUFReader
    readers: dict[tuple[str, str], Any] = {}

    def reader(path: os.PathLike[str] | str, mode: str = "r") -> Any:
        key = (os.path.realpath(path), mode)
        if key not in readers:
            readers[key] = original(path, mode)  # type: ignore[arg-type]
        return readers[key]

    gguf.GGUFReader = reader  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        gguf.GGUFReader = original  # type: ignore[misc]


def load_gguf(ref: ModelRef, dtype: torch.dtype, *, use_cache: bool = True) -> tuple[Any, Any]:
    """Tokenizer and causal LM for ``ref`` (a .gguf file), from tk's cache when possible.
    The memory it will take is checked first (see :func:`check_memory`)."""
    with one_parse():
        return _load_gguf(ref, dtype, use_cache=use_cache)


def _load_gguf(ref: ModelRef, dtype: torch.dtype, *, use_cache: bool) -> tuple[Any, Any]:
    from filelock import FileLock, Timeout

    assert ref.gguf_file
    path = Path(ref.source) / ref.gguf_file
    if not use_cache:
        check_memory(path, dtype)
        return _convert(ref, dtype)
    cache = gguf_cache_dir(path, dtype_name(dtype))
    check_memory(path, dtype, cache)
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


def converted_folder(ref: ModelRef) -> Path:
    """The float32 transformers folder of a GGUF file (converted now if not cached), for
    backends that read a transformers folder, such as CTranslate2's converter. The model
    loaded to make it is dropped on return."""
    import gc

    import torch

    assert ref.gguf_file
    cache = gguf_cache_dir(Path(ref.source) / ref.gguf_file, "float32")
    if not (cache / "config.json").is_file() or not (cache / _DONE).is_file():
        _, model = load_gguf(ref, torch.float32)
        del model
        gc.collect()
    if not (cache / "config.json").is_file():
        raise ModelError(f"cannot convert {ref.gguf_file}: its weights could not be saved as "
                         f"a transformers folder under {cache.parent} (see the log above)")
    return cache


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


def finished_folders(root: Path) -> list[Path]:
    """Finished conversions under ``root`` (each folder holds the completion marker)."""
    return sorted(p.parent for p in root.glob(f"*/{_DONE}")) if root.is_dir() else []


def clear_folders(root: Path) -> int:
    """Delete every conversion folder and lock under ``root`` (interrupted ones too);
    returns how many finished ones were removed."""
    if not root.is_dir():
        return 0
    done = len(finished_folders(root))
    for p in root.iterdir():
        if p.is_dir():
            shutil.rmtree(p)
        elif p.suffix == ".lock":
            p.unlink(missing_ok=True)
    return done


def cached_conversions() -> list[Path]:
    """Finished conversions in the cache."""
    return finished_folders(gguf_root())


def clear_gguf_cache() -> int:
    """Delete all cached GGUF conversions (and interrupted ones); returns how many finished
    ones were removed."""
    return clear_folders(gguf_root())
