"""Generation backends by name. Each entry is a dotted path, imported on first use so that
``tk --help`` never pays for torch or transformers.

    from toolkit.backends import load_backend
    backend = load_backend("opus-mt-de-en")            # transformers, on the best device
    backend.generate([GenerationRequest(text="Hallo Welt.", max_new_tokens=20)])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from toolkit.backends.base import (
    Backend,
    Capabilities,
    Fingerprint,
    Generation,
    GenerationRequest,
    Progress,
)
from toolkit.config import BACKENDS as BACKEND_NAMES
from toolkit.errors import ModelError

if TYPE_CHECKING:
    from toolkit.models import ModelRef

BACKENDS: dict[str, str] = {
    "transformers": "toolkit.backends.transformers:TransformersBackend",
    "ctranslate2": "toolkit.backends.ctranslate2:CTranslate2Backend",
}
assert tuple(BACKENDS) == BACKEND_NAMES  # config.BACKENDS lists them for --help


def backend_class(name: str) -> type[Backend]:
    """The backend class registered as ``name``."""
    try:
        path = BACKENDS[name]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise ModelError(f"unknown engine {name!r}; choose one of: {known}") from None
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def load_backend(spec: str | ModelRef, engine: str = "transformers", **options: Any) -> Backend:
    """The backend ``engine`` over a model spec (catalog name, hub id, folder or .gguf),
    loaded and ready. Options: device, dtype, max_batch_tokens, max_batch_size, threads,
    trust_remote_code (lets a hub model run its own Python code: only for models you trust)."""
    from toolkit.models import resolve_model

    cls: Any = backend_class(engine)
    backend: Backend = cls(resolve_model(spec), **{k: v for k, v in options.items()
                                                    if v is not None})
    return backend


__all__ = ["BACKENDS", "Backend", "Capabilities", "Fingerprint", "Generation",
           "GenerationRequest", "Progress", "backend_class", "load_backend"]
