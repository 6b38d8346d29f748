"""The one small interface every generation backend implements.

A backend runs a model; it knows nothing of translation or summarization. Tasks (the
Translator, later a Summarizer) turn their work into :class:`GenerationRequest` objects and
read :class:`Capabilities` before any work starts. What a backend resolved to - the model's
content, dtype, device, library versions - is its :class:`Fingerprint`, which keys the cache
and travels with every output.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from toolkit.errors import ModelError

if TYPE_CHECKING:
    from toolkit.models import ModelRef

Message = tuple[str, str]
"""One chat turn: (role, content), role "system", "user" or "assistant"."""


@dataclass(frozen=True)
class GenerationRequest:
    """One generic generation: no task conventions, everything the output depends on.

    ``text`` is the encoder input of a seq2seq model or the raw prompt of a causal one;
    ``messages`` is a chat conversation (backends whose capabilities say ``chat``).
    ``source_token`` is the language code a tokenizer takes as its source setting (NLLB's
    ``deu_Latn``); ``decoder_prefix`` are tokens forced at the start of the output that are
    not text (NLLB's ``eng_Latn``). ``must_include`` are strings the output must contain,
    forced while decoding by backends whose capabilities say ``constraints``.
    """

    text: str = ""
    messages: tuple[Message, ...] = ()
    source_token: str | None = None
    decoder_prefix: tuple[str, ...] = ()
    max_new_tokens: int = 256
    beams: int = 1
    must_include: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Generation:
    """What one request produced: the decoded text (special tokens dropped, stripped), how many
    new tokens it took, and how many decoding steps a constraint forced."""

    text: str
    new_tokens: int = 0
    forced_tokens: int = 0


@dataclass(frozen=True)
class Capabilities:
    """What a backend and its model can do, declared before any work.

    ``architecture`` is "seq2seq" (encoder-decoder) or "causal"; ``chat`` says the model has a
    chat template; ``model_type`` and ``tasks`` come from the model's config (``tasks`` holds
    what it says it was made for, e.g. {"summarization"} for facebook/bart-large-cnn);
    ``language_tokens`` are vocabulary entries that select a language (``>>cmn_Hans<<``,
    ``__en__``, ``<2zh>``, ``eng_Latn``); ``declared_target`` is a tokenizer's own target
    language (single-pair Marian models).
    """

    architecture: Literal["seq2seq", "causal"]
    chat: bool = False
    constraints: bool = False
    beams: bool = True
    default_beams: int = 1
    max_input_tokens: int | None = None
    max_new_tokens: int | None = None
    model_type: str = ""
    tasks: frozenset[str] = frozenset()
    language_tokens: frozenset[str] = frozenset()
    source_setting: bool = False
    declared_target: str | None = None
    prefixes: tuple[tuple[str, str], ...] = ()  # (task, input prefix), e.g. T5's "summarize: "


@dataclass(frozen=True)
class Fingerprint:
    """What a backend actually resolved to: the model's content identity (hub commit, SHA-256
    of its files or of the GGUF file), the runtime settings and library versions. Two
    fingerprints with the same :attr:`key` produce the same outputs for the same requests."""

    backend: str
    model: str  # content identity, e.g. "sha256:3f2a..." or "hub:Helsinki-NLP/opus-mt-de-en@ab12..."
    settings: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"backend": self.backend, "model": self.model, "settings": dict(self.settings),
                "versions": dict(self.versions)}

    @property
    def key(self) -> str:
        return digest(self.to_dict())

    @property
    def short(self) -> str:
        return self.key[:12]


def digest(value: Any) -> str:
    """SHA-256 of a JSON-serializable value in canonical form."""
    payload = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class Usage:
    """What a backend has generated since it was loaded: requests, new tokens, seconds."""

    requests: int = 0
    new_tokens: int = 0
    seconds: float = 0.0

    def add(self, requests: int, new_tokens: int, seconds: float) -> None:
        self.requests += requests
        self.new_tokens += new_tokens
        self.seconds += seconds

    def to_dict(self) -> dict[str, Any]:
        rate = self.new_tokens / self.seconds if self.seconds else 0.0
        return {"requests": self.requests, "new_tokens": self.new_tokens,
                "seconds": round(self.seconds, 3), "new_tokens_per_second": round(rate, 2)}


def check_window(caps: Capabilities, label: str, requests: Sequence[GenerationRequest],
                 lengths: Sequence[int]) -> None:
    """Inputs are never cut silently: one longer than the model's window (with a causal LM's
    output budget) is an error; tasks split long texts before they get here."""
    limit = caps.max_input_tokens
    if limit is None:
        return
    for r, n in zip(requests, lengths, strict=True):
        total = n + (0 if caps.architecture == "seq2seq" else r.max_new_tokens)
        if total > limit:
            raise ModelError(f"{label}: an input of {n} tokens (plus {total - n} to generate) "
                             f"does not fit the model's {limit}-token window; split the text")


Progress = Callable[[int], None]
"""Called with the number of requests just finished, so callers can drive a progress bar."""


class Backend(ABC):
    """Generates text for batches of requests; declares what it can do before any work."""

    name: ClassVar[str]  # registry name, e.g. "transformers"
    ref: ModelRef | None = None  # the resolved model it runs (a path made absolute)
    engine_reason: str = ""  # why this engine runs it (asked for, or what --engine auto chose)

    @property
    def cache_hits(self) -> int | None:
        """Generations served from a cache instead of the model (None: no cache)."""
        return None

    @property
    def usage(self) -> Usage:
        """Requests, new tokens and seconds generated so far (for run summaries)."""
        if "_usage" not in self.__dict__:
            self.__dict__["_usage"] = Usage()
        return self.__dict__["_usage"]

    @property
    @abstractmethod
    def capabilities(self) -> Capabilities:
        """What this backend and model can do."""

    @property
    @abstractmethod
    def fingerprint(self) -> Fingerprint:
        """What was resolved and loaded (keys the cache, goes into every output)."""

    @property
    @abstractmethod
    def model_label(self) -> str:
        """The model as the user named it: catalog name, hub id or a path relative to the
        working folder (never a machine-specific absolute path)."""

    @abstractmethod
    def count_tokens(self, requests: Sequence[GenerationRequest]) -> list[int]:
        """Input tokens of each request as the model would see them (for length budgets)."""

    @abstractmethod
    def generate(self, requests: Sequence[GenerationRequest],
                 progress: Progress | None = None) -> list[Generation]:
        """Generations in the order of ``requests``."""

    def check(self, requests: Sequence[GenerationRequest]) -> None:
        """Raise ModelError for a request this backend cannot serve, before any work."""
        caps = self.capabilities
        for r in requests:
            if r.messages and not caps.chat:
                raise ModelError(f"{self.model_label} has no chat template; it cannot take "
                                   "chat messages")
            if r.must_include and not caps.constraints:
                raise ModelError(f"the {self.name} backend cannot force strings into the output")
            if r.beams < 1:
                raise ModelError(f"beams must be at least 1 (got {r.beams})")

