"""The one small interface every translation engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class TermHint:
    """A glossary term found in a source segment and the exact form the output must contain."""

    source: str
    target: str


@dataclass(frozen=True)
class TranslationRequest:
    """One segment to translate.

    ``terms`` are hints every engine may use its own way (an LLM puts them in its prompt).
    With ``force_terms`` the engine must make each ``target`` appear through decoding-time
    constraints, if it ``supports_constraints``. ``attempt`` counts retries of the same
    segment (0 = first try): an engine may answer a retry differently (an LLM restates the
    target language, a seq2seq model widens its beam) instead of repeating itself.
    """

    text: str
    source_lang: str
    target_lang: str
    terms: tuple[TermHint, ...] = ()
    force_terms: bool = False
    attempt: int = 0


Progress = Callable[[int], None]
"""Called with the number of requests just finished, so callers can drive a progress bar."""


class TranslationEngine(ABC):
    """Translates batches of requests; says what it can do before any work starts."""

    kind: ClassVar[str]  # registry name, e.g. "seq2seq", "llm"
    supports_constraints: ClassVar[bool] = False

    @property
    @abstractmethod
    def model_id(self) -> str:
        """What was loaded: hub id, local path or .gguf path (goes into every output record)."""

    @abstractmethod
    def target_languages(self) -> frozenset[str] | None:
        """ISO 639-1 codes the model can produce, or None when it can produce any language."""

    @abstractmethod
    def translate(
        self, requests: Sequence[TranslationRequest], progress: Progress | None = None
    ) -> list[str]:
        """Translations in the order of ``requests``."""
