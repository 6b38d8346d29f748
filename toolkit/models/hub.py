"""The Hugging Face Hub: a quick reachability probe, cache look-ups, and load failures turned
into one line that names the fix. Offline is its own error (:class:`HubUnreachable`), so
callers can fall back on it and on nothing else."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from toolkit.errors import ModelError


class HubUnreachable(ModelError):
    """The Hub cannot be reached and the model is not in the local cache."""


def in_hf_cache(repo_id: str) -> bool:
    """Whether ``repo_id`` has a config.json in the local Hugging Face cache."""
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)


_OFFLINE_FIX = (
    "download it where the Hub is reachable (`hf download {id}`) and copy the Hugging Face "
    "cache, pass a local model folder, or use the offline starter: `tk models pull starter` "
    "then `--model starter`"
)


def offline_fix(repo_id: str) -> str:
    """What to do when ``repo_id`` is needed offline."""
    return _OFFLINE_FIX.format(id=repo_id)


@lru_cache(maxsize=1)
def hub_reachable() -> bool:
    """A quick check (3 s at most) that the Hub answers, so an offline run fails at once
    instead of after huggingface_hub's retries (~25 s)."""
    from huggingface_hub.constants import ENDPOINT, HF_HUB_OFFLINE

    if HF_HUB_OFFLINE or os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}:
        return False
    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True  # a proxy may reach what a direct connection cannot; let the download try
    from urllib.parse import urlparse

    url = urlparse(ENDPOINT)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "huggingface.co", port), timeout=3):
            return True
    except OSError:
        return False


def hub_kwargs(repo_id: str) -> dict[str, Any]:
    """from_pretrained arguments for a hub id: cache only when the Hub is out of reach."""
    if hub_reachable():
        return {}
    if in_hf_cache(repo_id):
        return {"local_files_only": True}
    raise HubUnreachable(f"cannot load {repo_id}: the Hugging Face Hub is unreachable and the "
                         "model is not in the local cache; " + offline_fix(repo_id))


@contextmanager
def hub_errors(model: str) -> Iterator[None]:
    """A failed from_pretrained (offline, missing repo, missing files) becomes one ModelError
    line that names the fix. Only OSError - what transformers and huggingface_hub raise for
    these - is translated; anything else is a bug and propagates."""
    try:
        yield
    except OSError as e:
        message = (str(e).splitlines() or [type(e).__name__])[0]
        lowered = message.lower()
        if "couldn't connect" in lowered or "offline" in lowered:
            raise HubUnreachable(f"cannot load {model}: the Hugging Face Hub is unreachable; "
                                 + offline_fix(model)) from None
        if "not a valid model identifier" in lowered or "repository not found" in lowered:
            raise ModelError(f"model {model!r} not found on the Hugging Face Hub; check the "
                             "id, or run `tk models list` for catalog names") from None
        raise ModelError(f"cannot load {model}: {message}") from None
