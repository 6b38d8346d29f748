"""What every task checks of a model before any work."""

from __future__ import annotations

from toolkit.backends.base import Backend
from toolkit.errors import ModelError


def is_chat_model(backend: Backend, task: str, what: str) -> bool:
    """Whether ``backend`` runs a chat model (else a seq2seq one), for ``task`` ("translate",
    "summarize"; ``what`` names the role, "a translation model"). Refuses a catalog model made
    for another task, and a causal LM without a chat template (not instruction-tuned)."""
    caps = backend.capabilities
    ref = getattr(backend, "ref", None)
    if ref is not None and ref.tasks and task not in ref.tasks:
        raise ModelError(f"{backend.model_label} is a {'/'.join(ref.tasks)} model, not {what}; "
                         "pick another with --model (see `tk models list`)")
    if caps.architecture != "causal":
        return False
    if not caps.chat:
        raise ModelError(
            f"{backend.model_label} has no chat template, so it is not an instruction-tuned "
            "chat model; pick an *-instruct model (see `tk models list`)")
    return True
