"""Device and dtype choices shared by the engines (torch is imported only when called)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.config import DEVICES, DTYPES
from toolkit.errors import ConfigError

if TYPE_CHECKING:
    import torch


def resolve_device(device: str = "auto") -> str:
    """'auto' -> cuda, then mps, then cpu; an explicit device must be available."""
    import torch

    device = (device or "auto").lower()
    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    base = device.split(":", 1)[0]
    if base == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device {device}: no CUDA GPU is available here; use --device cpu or "
                          "auto (or set TK_DEVICE / device in tk.toml accordingly)")
    if base == "mps" and not (getattr(torch.backends, "mps", None)
                              and torch.backends.mps.is_available()):
        raise ConfigError("device mps: Apple MPS is not available here; use --device cpu or auto")
    if base not in DEVICES:
        raise ConfigError(f"unknown device {device!r}; choose one of: {', '.join(DEVICES)}")
    return device


def resolve_dtype(dtype: str, device: str) -> torch.dtype:
    """'auto' -> bfloat16 on CUDA (where supported), float16 on MPS, float32 on CPU."""
    import torch

    dtype = (dtype or "auto").lower()
    if dtype == "auto":
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        if device.startswith("mps"):
            return torch.float16
        return torch.float32
    if dtype == "int8":
        raise ConfigError("dtype int8 needs --engine ctranslate2 (the transformers backend runs "
                          "float32, bfloat16 or float16)")
    if dtype not in DTYPES:
        raise ConfigError(f"unknown dtype {dtype!r}; choose one of: {', '.join(DTYPES)}")
    return getattr(torch, dtype)


def dtype_name(dtype: torch.dtype) -> str:
    """'bfloat16' for torch.bfloat16 (for cache keys and messages)."""
    return str(dtype).removeprefix("torch.")


def set_cpu_threads(threads: int | None) -> None:
    """Use ``threads`` CPU threads for torch (TK_THREADS / ``threads`` in tk.toml when not
    given). On a machine whose cores are busy with other work, fewer threads than cores can
    be several times faster: torch's threads wait on each other for a core."""
    from toolkit.config import setting

    threads = setting("threads", threads)
    if threads is None:
        return
    if threads < 1:
        raise ConfigError(f"threads must be at least 1 (got {threads})")
    import torch

    torch.set_num_threads(threads)


# tk's --dtype as CTranslate2's compute type, by device.
_COMPUTE = {
    "cpu": {"auto": "int8", "int8": "int8", "float32": "float32"},
    "cuda": {"auto": "float16", "int8": "int8_float16", "float16": "float16",
             "bfloat16": "bfloat16", "float32": "float32"},
}


def compute_type(dtype: str, device: str) -> str:
    """The CTranslate2 compute type for tk's ``--dtype`` on ``device`` (cpu or cuda)."""
    choices = _COMPUTE[device]
    dtype = (dtype or "auto").lower()
    if dtype not in choices:
        allowed = ", ".join(choices)
        raise ConfigError(f"dtype {dtype} is not available with --engine ctranslate2 on "
                          f"{device}; choose one of: {allowed}")
    return choices[dtype]
