"""What the transformers engines share: loading with clear errors, device/dtype, length-sorted
batching under a token budget, and decoding-time term constraints."""

from __future__ import annotations

from abc import abstractmethod
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from toolkit.engines.base import Progress, TranslationEngine, TranslationRequest
from toolkit.engines.batching import (
    DEFAULT_MAX_BATCH_SIZE,
    DEFAULT_MAX_BATCH_TOKENS,
    plan_batches,
)
from toolkit.engines.runtime import resolve_device, resolve_dtype, set_cpu_threads
from toolkit.errors import ModelError

if TYPE_CHECKING:
    from toolkit.models import ModelRef


class HFEngine(TranslationEngine):
    """Base for engines over a transformers model and tokenizer (not registered itself)."""

    supports_constraints = True

    def __init__(
        self,
        ref: ModelRef,
        *,
        device: str = "auto",
        dtype: str = "auto",
        beams: int | None = None,
        max_batch_tokens: int | None = None,
        max_batch_size: int | None = None,
        max_new_tokens: int | None = None,
        trust_remote_code: bool = False,
        threads: int | None = None,
    ) -> None:
        if beams is not None and beams < 1:
            raise ModelError(f"--beams must be at least 1 (got {beams})")
        self.ref = ref
        self.device = resolve_device(device)
        if self.device == "cpu":
            set_cpu_threads(threads)
        self.dtype = resolve_dtype(dtype, self.device)
        self.beams = beams
        self.max_batch_tokens = int(max_batch_tokens or DEFAULT_MAX_BATCH_TOKENS)
        self.max_batch_size = int(max_batch_size or DEFAULT_MAX_BATCH_SIZE)
        self.max_new_tokens_cap = max_new_tokens
        self.trust_remote_code = trust_remote_code
        self.tokenizer, self.model = self._load()
        self.model.to(self.device)
        self.model.eval()
        # tk sets max_new_tokens per batch and cuts each row at its own budget. A model's own
        # max_length would only cause warnings, and an EOS forced at the batch's last step
        # would make a row's output depend on the rows it was batched with. (generate fills
        # unset values from the model's config, so these are cleared there.)
        self.model.generation_config.max_length = None
        self.model.generation_config.forced_eos_token_id = None
        self._vocab: dict[str, int] | None = None
        # How much less likely (nats) than the model's best token a forced term's first token
        # may be and still be started on the spot (see constraints.TermConstraints).
        self.constraint_margin = 2.0
        self.last_stats: dict[str, float] = {}

    # --- what subclasses provide -----------------------------------------------------------

    @abstractmethod
    def _load(self) -> tuple[Any, Any]:
        """The tokenizer and model, on the CPU in ``self.dtype``."""

    @abstractmethod
    def _encode_batch(self, requests: Sequence[TranslationRequest]) -> dict[str, Any]:
        """Tokenized, padded model inputs for one batch (all of one language pair)."""

    @abstractmethod
    def _input_lengths(self, requests: Sequence[TranslationRequest]) -> list[int]:
        """Unpadded input length of each request in tokens (for batching)."""

    @abstractmethod
    def _max_new_tokens(self, request: TranslationRequest, input_length: int) -> int:
        """The output length budget of one request."""

    def _generate_kwargs(self, requests: Sequence[TranslationRequest]) -> dict[str, Any]:
        return {}

    @abstractmethod
    def _encode_target(self, text: str) -> list[int]:
        """Token ids of ``text`` as the model would generate it (for constraints)."""

    def _decode_target(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True,
                                     clean_up_tokenization_spaces=False)

    def _constraint_offset(self, requests: Sequence[TranslationRequest]) -> int:
        """Forced tokens at the start of the output that are not text (NLLB's language code)."""
        return 0

    def _check_request(self, request: TranslationRequest) -> None:
        """Raise ModelError for a request this model cannot serve (checked before any work)."""
        targets = self.target_languages()
        if targets is not None and request.target_lang not in targets:
            can = ", ".join(sorted(targets)) or "none tk recognizes"
            raise ModelError(
                f"{self.model_id} cannot translate into {request.target_lang!r} (it produces: "
                f"{can}); pick another model with --model (see `tk models list`)"
            )

    def _group_key(self, request: TranslationRequest) -> tuple[Any, ...]:
        """Requests that can share a batch. Rows with forced terms get a longer length budget,
        which would change what beam search picks for the others: they batch apart."""
        return (request.source_lang, request.target_lang, request.attempt,
                bool(request.force_terms and request.terms))

    # --- the shared engine ---------------------------------------------------------------------

    @property
    def model_id(self) -> str:
        return self.ref.model_id

    @property
    def vocab(self) -> dict[str, int]:
        if self._vocab is None:
            self._vocab = self.tokenizer.get_vocab()
        return self._vocab

    def num_beams(self, request: TranslationRequest) -> int:
        """Beam width: --beams, else the model's own default; retries widen it."""
        base = self.beams or int(getattr(self.model.generation_config, "num_beams", 1) or 1)
        return min(base + 2 * request.attempt, 8) if request.attempt else base

    def translate(
        self, requests: Sequence[TranslationRequest], progress: Progress | None = None
    ) -> list[str]:
        import time

        import torch

        for request in requests:
            self._check_request(request)
        results: list[str | None] = [None] * len(requests)
        groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for i, request in enumerate(requests):
            groups[self._group_key(request)].append(i)
        new_tokens = forced_tokens = 0
        started = time.perf_counter()
        with torch.inference_mode():
            for indices in groups.values():
                group = [requests[i] for i in indices]
                lengths = self._input_lengths(group)
                for batch in plan_batches(lengths, self.max_batch_tokens, self.max_batch_size):
                    batch_requests = [group[j] for j in batch]
                    texts, generated, forced = self._run_batch(
                        batch_requests, [lengths[j] for j in batch])
                    new_tokens += generated
                    forced_tokens += forced
                    for j, text in zip(batch, texts, strict=True):
                        results[indices[j]] = text
                    if progress:
                        progress(len(batch))
        elapsed = time.perf_counter() - started
        # What the last translate() call cost, for benchmarks and run summaries.
        self.last_stats = {"seconds": elapsed, "new_tokens": new_tokens,
                           "tokens_per_second": new_tokens / elapsed if elapsed else 0.0,
                           "forced_tokens": forced_tokens}
        return [r if r is not None else "" for r in results]

    def _run_batch(self, requests: list[TranslationRequest],
                   lengths: list[int]) -> tuple[list[str], int, int]:
        """Generate one batch; returns the texts, the number of new tokens, and how many
        tokens the term constraints forced."""
        from transformers import LogitsProcessorList

        inputs = {k: v.to(self.device) for k, v in self._encode_batch(requests).items()}
        # Each row keeps its own length budget, so a row's output does not depend on which
        # rows it was batched with (a runaway repetition stops at the same place every time).
        limits = [self._max_new_tokens(r, n) for r, n in zip(requests, lengths, strict=True)]
        if self.max_new_tokens_cap:
            limits = [min(limit, self.max_new_tokens_cap) for limit in limits]
        beams = self.num_beams(requests[0])
        offset = self._constraint_offset(requests)
        processors = LogitsProcessorList()
        if any(r.force_terms and r.terms for r in requests):
            from toolkit.engines.constraints import TermConstraints, build_constraints

            rows = [
                build_constraints([t.target for t in r.terms], self._encode_target,
                                  self._decode_target, self.tokenizer)
                if r.force_terms else []
                for r in requests
            ]
            # Room for every constrained term on top of the free translation; constrained
            # rows use the whole budget because the processor plans with it.
            max_new = max(limit + sum(c.longest for c in rc)
                          for limit, rc in zip(limits, rows, strict=True))
            limits = [max_new if rc else limit for limit, rc in zip(limits, rows, strict=True)]
            processors.append(TermConstraints(
                rows, num_beams=beams, max_new_tokens=max_new + offset,
                eos_token_ids=self._eos_ids(), decode=self._decode_target, offset=offset,
                margin=self.constraint_margin, tokenizer=self.tokenizer,
            ))
        config = self._generation_config(requests, beams=beams, max_new_tokens=max(limits) + offset)
        sequences = self.model.generate(**inputs, generation_config=config,
                                        logits_processor=processors)
        new = self._new_tokens(sequences, inputs).tolist()
        pad = self.tokenizer.pad_token_id
        rows_out = [[t for t in row[: offset + limit] if t != pad]
                    for row, limit in zip(new, limits, strict=True)]
        texts = [self._clean(t) for t in self.tokenizer.batch_decode(
            rows_out, skip_special_tokens=True)]
        forced = sum(getattr(p, "interventions", 0) for p in processors)
        return texts, sum(len(row) for row in rows_out), forced

    def _generation_config(self, requests: Sequence[TranslationRequest], *, beams: int,
                           max_new_tokens: int) -> Any:
        """The model's own generation config with tk's choices: deterministic search, the
        length budget, and what the subclass adds (forced language token, padding)."""
        import copy

        config = copy.deepcopy(self.model.generation_config)
        for name in ("temperature", "top_p", "top_k", "min_p", "typical_p"):
            if hasattr(config, name):
                setattr(config, name, None)  # greedy/beam search: no sampling settings
        config.do_sample = False
        config.num_beams = beams
        config.num_return_sequences = 1
        config.max_new_tokens = max_new_tokens
        config.max_length = None
        if config.pad_token_id is None:
            config.pad_token_id = self.tokenizer.pad_token_id
        for name, value in self._generate_kwargs(requests).items():
            setattr(config, name, value)
        return config

    @abstractmethod
    def _new_tokens(self, sequences: Any, inputs: dict[str, Any]) -> Any:
        """The generated part of ``sequences`` (no prompt, no decoder start token)."""

    def _clean(self, text: str) -> str:
        return text.strip()

    def _eos_ids(self) -> set[int]:
        eos = self.model.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        if eos is None:
            return set()
        return set(eos) if isinstance(eos, (list, tuple)) else {int(eos)}


def load_pretrained(loader: Callable[..., Any], ref: ModelRef, what: str, **kwargs: Any) -> Any:
    """``loader.from_pretrained(ref.source, ...)`` with hub access checked first and load
    failures turned into one ModelError line."""
    from toolkit.models import hub_errors, hub_kwargs

    extra = {} if ref.local else hub_kwargs(ref.source)
    with hub_errors(ref.spec if ref.name else ref.source):
        try:
            return loader.from_pretrained(ref.source, **extra, **kwargs)
        except ValueError as e:
            # Raised by the Auto classes for a config they cannot map (wrong model kind).
            first = str(e).splitlines()[0]
            if "Unrecognized configuration class" in first or "does not appear to have" in first:
                raise ModelError(f"cannot load {ref.model_id} as {what}: {first}") from None
            raise
