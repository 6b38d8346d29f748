"""The transformers backend: encoder-decoder models through AutoModelForSeq2SeqLM and causal
LMs through AutoModelForCausalLM (chat template, left padding), from a hub id, a folder or a
.gguf file. Loading with clear errors, device and dtype, length-sorted batches under a token
budget, per-row length budgets, and decoding-time string constraints."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from toolkit.backends.base import (
    Capabilities,
    Fingerprint,
    Generation,
    GenerationRequest,
)
from toolkit.backends.batching import (
    DEFAULT_MAX_BATCH_SIZE,
    DEFAULT_MAX_BATCH_TOKENS,
    BatchedBackend,
)
from toolkit.backends.hf import declare, load_pretrained
from toolkit.backends.runtime import dtype_name, resolve_device, resolve_dtype, set_cpu_threads
from toolkit.errors import ModelError

if TYPE_CHECKING:
    from toolkit.models import ModelRef

BATCHING = ("auto", "padded", "continuous")


class TransformersBackend(BatchedBackend):
    """Runs a transformers model on generic requests; one class for seq2seq and causal models.

    ``constraint_margin`` (nats): how much less likely than the model's best token a forced
    string's first token may be and still be started on the spot (see constraints).

    ``batching``: how a causal LM's unconstrained greedy requests are batched - ``padded``
    (left-padded batches under the token budget), ``continuous`` (transformers' continuous
    batching, ``generate_batch`` with paged attention: a finished row's slot goes to the next
    request at once) or ``auto`` (continuous on CUDA, padded elsewhere: on this project's CPU
    continuous batching measured 1.4x padded batches of 8, and CTranslate2 is the fast CPU
    path). Beam search, constrained rows and seq2seq models always use padded batches.
    Continuous batching drops logits processors it does not support with only a warning, so
    tk passes none and cuts each row at its own length budget itself.
    """

    ref: ModelRef  # always set: built from a resolved model

    name = "transformers"

    def __init__(
        self,
        ref: ModelRef,
        *,
        device: str = "auto",
        dtype: str = "auto",
        max_batch_tokens: int | None = None,
        max_batch_size: int | None = None,
        trust_remote_code: bool = False,
        threads: int | None = None,
        constraint_margin: float = 2.0,
        batching: str = "auto",
    ) -> None:
        if batching not in BATCHING:
            raise ModelError(f"unknown batching {batching!r}; use one of: {', '.join(BATCHING)}")
        self.ref = ref
        self.device = resolve_device(device)
        if self.device == "cpu":
            set_cpu_threads(threads)
        self.dtype = resolve_dtype(dtype, self.device)
        self.max_batch_tokens = int(max_batch_tokens or DEFAULT_MAX_BATCH_TOKENS)
        self.max_batch_size = int(max_batch_size or DEFAULT_MAX_BATCH_SIZE)
        self.trust_remote_code = trust_remote_code
        self.constraint_margin = constraint_margin
        self.seq2seq = ref.kind == "seq2seq"
        self.continuous = not self.seq2seq and (
            batching == "continuous" or (batching == "auto" and self.device.startswith("cuda")))
        self.tokenizer, self.model = self._load()
        self.model.to(self.device)
        self.model.eval()
        # tk sets max_new_tokens per batch and cuts each row at its own budget. A model's own
        # max_length would only cause warnings, and an EOS forced at the batch's last step
        # would make a row's output depend on the rows it was batched with. (generate fills
        # unset values from the model's config, so these are cleared there.)
        self.model.generation_config.max_length = None
        self.model.generation_config.forced_eos_token_id = None
        self.vocab: dict[str, int] = self.tokenizer.get_vocab()
        self._capabilities = self._declare()
        self._fingerprint: Fingerprint | None = None
        self.last_stats: dict[str, float] = {}
        self.oom_splits = 0  # batches split in two after an out-of-memory error

    # --- loading -------------------------------------------------------------------------------

    def _load(self) -> tuple[Any, Any]:
        from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

        common = {"trust_remote_code": self.trust_remote_code}
        if self.seq2seq:
            tokenizer = load_pretrained(AutoTokenizer, self.ref, "a tokenizer", **common)
            model = load_pretrained(AutoModelForSeq2SeqLM, self.ref, "a seq2seq model",
                                    dtype=self.dtype, **common)
            return tokenizer, model
        if self.ref.gguf_file:
            from toolkit.backends.gguf import load_gguf

            tokenizer, model = load_gguf(self.ref, self.dtype)
        else:
            tokenizer = load_pretrained(AutoTokenizer, self.ref, "a tokenizer", **common)
            model = load_pretrained(AutoModelForCausalLM, self.ref, "a causal LM",
                                    dtype=self.dtype, **common)
        tokenizer.padding_side = "left"  # generation continues at the right edge of every row
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        return tokenizer, model

    def _declare(self) -> Capabilities:
        return declare(self.model.config, self.model.generation_config, self.tokenizer,
                       self.ref, seq2seq=self.seq2seq, constraints=True)

    # --- what the interface promises -------------------------------------------------------------

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    @property
    def fingerprint(self) -> Fingerprint:
        if self._fingerprint is None:
            import torch
            import transformers

            from toolkit import __version__
            from toolkit.backends.identity import content_identity

            model = content_identity(self.ref.source, local=self.ref.local,
                                     gguf_file=self.ref.gguf_file,
                                     commit=getattr(self.model.config, "_commit_hash", None))
            self._fingerprint = Fingerprint(
                backend=self.name,
                model=model,
                settings={"architecture": self._capabilities.architecture,
                          "dtype": dtype_name(self.dtype), "device": self.device.split(":")[0],
                          "constraint_margin": self.constraint_margin,
                          **({"batching": "continuous"} if self.continuous else {})},
                versions={"tk": __version__, "transformers": transformers.__version__,
                          "torch": torch.__version__.split("+")[0]},
            )
        return self._fingerprint

    @property
    def model_label(self) -> str:
        return self.ref.label

    def count_tokens(self, requests: Sequence[GenerationRequest]) -> list[int]:
        result = [0] * len(requests)
        for indices in self.group(requests):
            encoded = self._tokenize([requests[i] for i in indices])
            for i, ids in zip(indices, encoded["input_ids"], strict=True):
                result[i] = len(ids)
        return result

    def check(self, requests: Sequence[GenerationRequest]) -> None:
        super().check(requests)
        for r in requests:
            if len(r.decoder_prefix) > (1 if self.seq2seq else 0):
                raise ModelError(f"{self.model_label}: the transformers backend forces at most "
                                 "one decoder-prefix token, and none on a causal LM")
            for token in (r.source_token, *r.decoder_prefix):
                if token is not None and token not in self.vocab:
                    raise ModelError(f"{self.model_label} has no token {token!r}")

    # --- the shared skeleton's parts (toolkit.backends.batching.BatchedBackend) ------------------

    def running(self) -> Any:
        import torch

        return torch.inference_mode()

    def encode(self, requests: Sequence[GenerationRequest]) -> list[Any]:
        return list(self._tokenize(requests)["input_ids"])

    def whole(self, group: Sequence[GenerationRequest]) -> bool:
        # Continuous batching takes a chat LM's greedy, unconstrained rows in one call.
        return bool(self.continuous and group[0].beams == 1 and not group[0].must_include)

    def run_batch(self, rows: list[GenerationRequest], inputs: list[Any]) -> list[Generation]:
        if self.whole(rows):
            return self._run_continuous(rows)
        return self._run_split(rows)

    def _run_split(self, requests: list[GenerationRequest]) -> list[Generation]:
        """One batch; on an out-of-memory error, the two halves one after the other (down to
        single rows: only a row that does not fit alone is an error)."""
        import torch

        try:
            return self._run_batch(requests)
        except torch.OutOfMemoryError:
            if self.device.startswith("cuda"):
                torch.cuda.empty_cache()
            if len(requests) == 1:
                raise ModelError(f"{self.model_label}: out of memory on one segment alone on "
                                 f"{self.device}; use a smaller model, --dtype bfloat16, or "
                                 "a shorter --max-new-tokens") from None
            self.oom_splits += 1
            half = len(requests) // 2
            return self._run_split(requests[:half]) + self._run_split(requests[half:])

    # --- batching --------------------------------------------------------------------------------

    def group(self, requests: Sequence[GenerationRequest]) -> list[list[int]]:
        """Requests that can share a batch: one source setting and decoder prefix, one beam
        width. Rows with forced strings get a longer length budget, which would change what
        beam search picks for the others: they batch apart."""
        groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for i, r in enumerate(requests):
            # A row with forced strings plans its search with the batch's budget and shares
            # beams' padding with the others: it runs alone, so its output never depends on
            # which segments happened to be retried with it (or where a job was resumed).
            alone = i if r.must_include else None
            groups[(r.source_token, r.decoder_prefix, r.beams, alone)].append(i)
        return list(groups.values())

    def _prompt(self, request: GenerationRequest) -> str:
        if request.messages:
            return self.tokenizer.apply_chat_template(
                [{"role": role, "content": content} for role, content in request.messages],
                tokenize=False, add_generation_prompt=True)
        return request.text

    def _tokenize(self, requests: Sequence[GenerationRequest], **kwargs: Any) -> Any:
        """Model inputs of one group (one source setting)."""
        if not self.seq2seq:
            return self.tokenizer([self._prompt(r) for r in requests], add_special_tokens=False,
                                  **kwargs)
        source = requests[0].source_token
        if source is not None:
            self.tokenizer.src_lang = source
        return self.tokenizer([r.text for r in requests], **kwargs)

    def _run_batch(self, requests: list[GenerationRequest]) -> list[Generation]:
        """Generate one batch (one group)."""
        from transformers import LogitsProcessorList

        encoded = self._tokenize(requests, padding=True, return_tensors="pt")
        inputs = {k: v.to(self.device) for k, v in dict(encoded).items()}
        # Each row keeps its own length budget, so a row's output does not depend on which
        # rows it was batched with (a runaway repetition stops at the same place every time).
        cap = self._capabilities.max_new_tokens
        limits = [min(r.max_new_tokens, cap) if cap else r.max_new_tokens for r in requests]
        beams = requests[0].beams
        offset = len(requests[0].decoder_prefix)
        processors = LogitsProcessorList()
        tracker = None
        if any(r.must_include for r in requests):
            from toolkit.backends.constraints import build_constraints
            from toolkit.backends.logits import TermConstraints

            rows = [build_constraints(list(r.must_include), self.encode_target,
                                      self.decode_target, self.tokenizer) for r in requests]
            # Room for every constrained string on top of the free output; constrained rows
            # use the whole budget because the processor plans with it.
            max_new = max(limit + sum(c.longest for c in rc)
                          for limit, rc in zip(limits, rows, strict=True))
            limits = [max_new if rc else limit for limit, rc in zip(limits, rows, strict=True)]
            tracker = TermConstraints(
                rows, num_beams=beams, max_new_tokens=max_new + offset,
                eos_token_ids=self.eos_ids(), decode=self.decode_target, offset=offset,
                margin=self.constraint_margin, tokenizer=self.tokenizer,
            )
            processors.append(tracker)
        config = self._generation_config(requests[0], beams=beams,
                                         max_new_tokens=max(limits) + offset)
        sequences = self.model.generate(**inputs, generation_config=config,
                                        logits_processor=processors)
        if self.seq2seq:
            new = sequences[:, 1:]  # after the decoder start token
        else:
            new = sequences[:, inputs["input_ids"].shape[1]:]
        pad = self.tokenizer.pad_token_id
        rows_out = [[t for t in row[: offset + limit] if t != pad]
                    for row, limit in zip(new.tolist(), limits, strict=True)]
        texts = self.tokenizer.batch_decode(rows_out, skip_special_tokens=True)
        forced = tracker.tracker.forced if tracker else [0] * len(requests)
        return [Generation(text, len(ids), n)
                for text, ids, n in zip(texts, rows_out, forced, strict=True)]

    def _run_continuous(self, requests: list[GenerationRequest]) -> list[Generation]:
        """One group through transformers' continuous batching (paged attention), greedy,
        each row cut at its own length budget (``generate_batch`` takes one budget for all)."""
        prompts = [self.tokenizer(self._prompt(r), add_special_tokens=False)["input_ids"]
                   for r in requests]
        cap = self._capabilities.max_new_tokens
        limits = [min(r.max_new_tokens, cap) if cap else r.max_new_tokens for r in requests]
        config = self._generation_config(requests[0], beams=1, max_new_tokens=max(limits))
        config.eos_token_id = sorted(self.eos_ids()) or None
        # generate_batch picks its paged attention itself (the "paged|" prefix is deprecated).
        out = self.model.generate_batch(inputs=prompts, generation_config=config,
                                        progress_bar=False, warmup=self.device.startswith("cuda"))
        results = list(out.values())
        failed = [r for r in results if getattr(r, "error", None)]
        if len(results) != len(requests) or failed:
            why = failed[0].error if failed else f"{len(requests) - len(results)} rows missing"
            raise ModelError(f"{self.model_label}: continuous batching failed ({why}); run "
                             "with --batching padded")
        pad = self.tokenizer.pad_token_id
        rows = [[t for t in list(result.generated_tokens)[:limit] if t != pad]
                for result, limit in zip(results, limits, strict=True)]
        texts = self.tokenizer.batch_decode(rows, skip_special_tokens=True)
        return [Generation(text, len(ids)) for text, ids in zip(texts, rows, strict=True)]

    def _generation_config(self, request: GenerationRequest, *, beams: int,
                           max_new_tokens: int) -> Any:
        """The model's own generation config with tk's choices: deterministic search, the
        length budget, a forced first token (the decoder prefix), padding."""
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
        if request.decoder_prefix:
            config.forced_bos_token_id = self.vocab[request.decoder_prefix[0]]
        return config

    # --- what constraints need -------------------------------------------------------------------

    def encode_target(self, text: str) -> list[int]:
        """Token ids of ``text`` as the model would generate it."""
        if self.seq2seq:
            return list(self.tokenizer(text_target=text, add_special_tokens=False)["input_ids"])
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def decode_target(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True,
                                     clean_up_tokenization_spaces=False)

    def eos_ids(self) -> set[int]:
        eos = self.model.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        if eos is None:
            return set()
        return set(eos) if isinstance(eos, (list, tuple)) else {int(eos)}
