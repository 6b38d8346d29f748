"""What every task shares: the model it runs on, the fingerprint its records cite, and the
check of a model's kind before any work."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from toolkit.backends.base import Backend, digest
from toolkit.errors import ModelError


class Task(ABC):
    """A task over a backend. Subclasses name themselves (``task``), their prompt version and
    the settings of theirs that change outputs (``settings()``)."""

    task: ClassVar[str]
    backend: Backend

    @property
    @abstractmethod
    def prompt_version(self) -> str:
        """The version of the task's prompts and conventions (keys the cache)."""

    @property
    def model_label(self) -> str:
        return self.backend.model_label

    @property
    def engine(self) -> str:
        return self.backend.name

    def settings(self) -> dict[str, Any]:
        return {}

    def fingerprint(self) -> dict[str, Any]:
        """The backend's fingerprint and the task's own settings: what every record cites."""
        return {**self.backend.fingerprint.to_dict(),
                "task": {"name": self.task, "prompt": self.prompt_version, **self.settings()}}

    @property
    def fingerprint_short(self) -> str:
        return digest(self.fingerprint())[:12]


def is_chat_model(backend: Backend, task: str, what: str) -> bool:
    """Whether ``backend`` runs a chat model (else a seq2seq one), for ``task`` ("translate",
    "summarize"; ``what`` names the role, "a translation model"). Refuses a catalog model made
    for another task, and a causal LM without a chat template (not instruction-tuned)."""
    caps = backend.capabilities
    ref = backend.ref
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
