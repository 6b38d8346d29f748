"""The CTranslate2 backend: a transformers model converted once to CTranslate2 (int8 on CPU,
float16 / bfloat16 / int8 on GPU) and run by its Translator (Marian, M2M100/NLLB, T5/MADLAD)
or Generator (Qwen2 and other decoders, chat prompts; every row goes whole).

The conversion is cached under $TK_HOME/cache/ctranslate2/, keyed on the model's content
identity (the same one its fingerprint carries), the quantization and the CTranslate2
version: a model saved anew into the same folder is converted anew, and two processes
converting one model take turns on a lock (temporary folder, then rename). A ``.gguf`` goes
through tk's GGUF conversion first (see :mod:`toolkit.backends.gguf`) and then runs in int8,
about its file size in memory instead of four times it.

CTranslate2 cannot force a string mid-sentence (``constraints=False``): terms reach it as
hints or written into the source (see :mod:`toolkit.tasks.retry`) and are verified after.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.backends.base import (
    Capabilities,
    Fingerprint,
    Generation,
    GenerationRequest,
    digest,
)
from toolkit.backends.batching import (
    DEFAULT_MAX_BATCH_SIZE,
    DEFAULT_MAX_BATCH_TOKENS,
    Batch,
    BatchedBackend,
)
from toolkit.backends.generation import decoding_options, target_vocabulary
from toolkit.backends.runtime import compute_type
from toolkit.config import tk_home
from toolkit.errors import CacheError, ConfigError, ModelError

if TYPE_CHECKING:
    from toolkit.models import ModelRef

log = logging.getLogger(__name__)
_DONE = "tk-complete"
LOCK_TIMEOUT_S = 1800
INSTALL_HINT = "pip install 'tk-translate[ctranslate2]' (or: pip install ctranslate2)"


def import_ctranslate2() -> Any:
    """The ctranslate2 module, or one line saying which extra installs it."""
    try:
        import ctranslate2
    except ImportError:
        raise ModelError(f"--engine ctranslate2 needs the CTranslate2 package: {INSTALL_HINT}"
                         ) from None
    return ctranslate2


def conversion_root() -> Path:
    return tk_home() / "cache" / "ctranslate2"




class CTranslate2Backend(BatchedBackend):
    """Runs a CTranslate2 conversion of a transformers model on generic requests."""

    ref: ModelRef  # always set: built from a resolved model

    name = "ctranslate2"

    def __init__(
        self,
        ref: ModelRef,
        *,
        device: str = "auto",
        dtype: str = "auto",
        max_batch_tokens: int | None = None,
        max_batch_size: int | None = None,
        threads: int | None = None,
        trust_remote_code: bool = False,
    ) -> None:
        from toolkit.config import setting

        ct2 = import_ctranslate2()
        self.ref = ref
        self.device = self._device(ct2, device)
        self.compute_type = compute_type(dtype, self.device)
        self.max_batch_tokens = int(max_batch_tokens or DEFAULT_MAX_BATCH_TOKENS)
        self.max_batch_size = int(max_batch_size or DEFAULT_MAX_BATCH_SIZE)
        self.threads = setting("threads", threads) or 0  # 0: CTranslate2 picks
        self.trust_remote_code = trust_remote_code
        self.seq2seq = ref.kind == "seq2seq"
        self.source = self._transformers_folder()
        self.tokenizer, config, generation_config = self._load_tokenizer()
        if not self.seq2seq:
            self.tokenizer.padding_side = "left"
        self.identity = self._identity(config)
        self.model_dir = self._converted()
        cls = ct2.Translator if self.seq2seq else ct2.Generator
        self.inter_threads, self.intra_threads = self._parallelism()
        self.lanes = self.inter_threads
        try:
            self.model = cls(str(self.model_dir), device=self.device,
                             compute_type=self.compute_type, intra_threads=self.intra_threads,
                             inter_threads=self.inter_threads)
        except (RuntimeError, ValueError) as e:
            raise ModelError(f"CTranslate2 cannot load {ref.label}: {_first_line(e)}") from None
        self.vocab: dict[str, int] = self.tokenizer.get_vocab()
        from toolkit.backends.hf import declare

        self._capabilities = declare(config, generation_config, self.tokenizer, ref,
                                     seq2seq=self.seq2seq, constraints=False)
        self._eos = self._end_tokens(config, generation_config)
        self._decoding, self._not_honoured = decoding_options(
            generation_config, self.tokenizer, seq2seq=self.seq2seq,
            vocabulary=target_vocabulary(self.model_dir))
        self._fingerprint: Fingerprint | None = None

    # --- loading -------------------------------------------------------------------------------

    def _parallelism(self) -> tuple[int, int]:
        """(batches in parallel, threads per batch). On CPU, batches run side by side, one
        or two threads each (measured on 2 cores: two one-thread batches at once took 5.9 s
        where one two-thread batch at a time took 7.2-11 s); on a GPU, one at a time."""
        if self.device == "cuda":
            return 1, 0
        cores = int(self.threads) or os.cpu_count() or 1
        inter = max(1, min(4, cores if cores <= 4 else cores // 2))
        return inter, max(1, cores // inter)

    def batch_rows(self, beams: int) -> int:
        """On CPU a batch holds at most ``max_batch_size`` hypotheses (rows x beams): beam
        search multiplies each row's work, and smaller batches keep the lanes even (measured
        on 2 cores, full-size OPUS-MT, 96 sentences, beam 4: 32 rows a batch 11.3 s, 16 rows
        7.4 s, 8 rows 6.6 s; 1,000 sentences: 16 rows 89.8 s, 8 rows 73.9 s, 4 rows 81.1 s).
        On a GPU, rows: wide batches are what it is for."""
        if self.device == "cuda":
            return self.max_batch_size
        return max(1, self.max_batch_size // max(1, beams))

    @staticmethod
    def _device(ct2: Any, device: str) -> str:
        device = (device or "auto").lower()
        gpus = ct2.get_cuda_device_count()
        if device == "auto":
            return "cuda" if gpus else "cpu"
        base = device.split(":", 1)[0]
        if base == "cuda":
            if not gpus:
                raise ConfigError(f"device {device}: no CUDA GPU is available to CTranslate2 "
                                  "here; use --device cpu or auto")
            return "cuda"
        if base == "cpu":
            return "cpu"
        raise ConfigError(f"device {device}: --engine ctranslate2 runs on cpu or cuda only")

    def _transformers_folder(self) -> str:
        """A transformers model the converter can read: a folder, a hub id, or tk's
        conversion of a .gguf file."""
        if self.ref.gguf_file:
            from toolkit.backends.gguf import converted_folder

            return str(converted_folder(self.ref))
        return self.ref.source

    def _load_tokenizer(self) -> tuple[Any, Any, Any]:
        from transformers import AutoConfig, AutoTokenizer, GenerationConfig

        from toolkit.backends.hf import load_pretrained

        ref = self.ref if not self.ref.gguf_file else _local(self.ref, self.source)
        common = {"trust_remote_code": self.trust_remote_code}
        tokenizer = load_pretrained(AutoTokenizer, ref, "a tokenizer", **common)
        config = load_pretrained(AutoConfig, ref, "a model config", **common)
        try:
            generation_config = load_pretrained(GenerationConfig, ref, "a generation config")
        except (OSError, ModelError):
            generation_config = GenerationConfig.from_model_config(config)
        return tokenizer, config, generation_config

    def _identity(self, config: Any) -> str:
        from toolkit.backends.identity import content_identity

        return content_identity(self.ref.source, local=self.ref.local,
                                gguf_file=self.ref.gguf_file,
                                commit=getattr(config, "_commit_hash", None))

    def _quantization(self) -> str:
        """What the conversion stores; CTranslate2 converts to the compute type on load."""
        if self.compute_type.startswith("int8"):
            return "int8"
        return "float16" if self.compute_type in ("float16", "bfloat16") else "float32"

    def _converted(self) -> Path:
        """The cached CTranslate2 folder for this model, converted now if missing."""
        from filelock import FileLock, Timeout

        ct2 = import_ctranslate2()
        quantization = self._quantization()
        key = digest({"model": self.identity, "quantization": quantization,
                      "ctranslate2": ct2.__version__})[:16]
        stem = Path(self.ref.gguf_file or self.ref.source.rstrip("/")).name or "model"
        folder = conversion_root() / f"{stem.removesuffix('.gguf')}-{quantization}-{key}"
        if (folder / _DONE).is_file():
            return folder
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(str(folder) + ".lock", timeout=LOCK_TIMEOUT_S):
                if not (folder / _DONE).is_file():
                    self._convert(folder, quantization)
        except Timeout:
            raise CacheError(f"{folder}.lock: another tk process has been converting "
                             f"{self.ref.label} for {LOCK_TIMEOUT_S // 60} minutes; wait for it, "
                             "or remove the lock file if no tk process is running") from None
        except PermissionError as e:
            raise CacheError(f"cannot write the CTranslate2 conversion cache under "
                             f"{folder.parent} ({e.strerror}); check TK_HOME's permissions"
                             ) from None
        return folder

    def _convert(self, folder: Path, quantization: str) -> None:
        from ctranslate2.converters import TransformersConverter

        from toolkit.models import hub_errors

        log.info("converting %s to CTranslate2 (%s) in %s", self.ref.label, quantization, folder)
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
        try:
            converter = TransformersConverter(self.source, low_cpu_mem_usage=True,
                                              trust_remote_code=self.trust_remote_code)
            with hub_errors(self.ref.spec if self.ref.name else self.ref.source):
                converter.convert(str(tmp), quantization=quantization, force=True)
            (tmp / _DONE).write_text("ok\n")
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(tmp, folder)
        except (ValueError, NotImplementedError, KeyError) as e:
            raise ModelError(f"CTranslate2 cannot convert {self.ref.label}: {_first_line(e)}"
                             ) from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _end_tokens(self, config: Any, generation_config: Any) -> list[str]:
        ids: set[int] = set()
        for source in (generation_config, config):
            eos = getattr(source, "eos_token_id", None)
            if eos is not None:
                ids |= set(eos) if isinstance(eos, (list, tuple)) else {int(eos)}
        if self.tokenizer.eos_token_id is not None:
            ids.add(int(self.tokenizer.eos_token_id))
        return sorted(t for t in self.tokenizer.convert_ids_to_tokens(sorted(ids)) if t)

    # --- what the interface promises -------------------------------------------------------------

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    @property
    def fingerprint(self) -> Fingerprint:
        if self._fingerprint is None:
            import ctranslate2
            import transformers

            from toolkit import __version__

            self._fingerprint = Fingerprint(
                backend=self.name,
                model=self.identity,
                settings={"architecture": self._capabilities.architecture,
                          "compute_type": self.compute_type, "device": self.device,
                          # which rows share a batch changes a few int8 outputs, so how
                          # batches are made is part of what reproduces a run
                          "batches": {"lanes": self.lanes, "max_batch_size": self.max_batch_size,
                                      "counts": "rows" if self.device == "cuda"
                                      else "hypotheses",
                                      "max_batch_tokens": self.max_batch_tokens},
                          # what of the model's generation config is honoured, and what not
                          **({"generation": self._decoding} if self._decoding else {}),
                          **({"not_honoured": self._not_honoured} if self._not_honoured
                             else {})},
                versions={"tk": __version__, "ctranslate2": ctranslate2.__version__,
                          "transformers": transformers.__version__},
            )
        return self._fingerprint

    @property
    def model_label(self) -> str:
        return self.ref.label

    def count_tokens(self, requests: Sequence[GenerationRequest]) -> list[int]:
        return [len(tokens) for tokens in self._tokens(requests)]

    def check(self, requests: Sequence[GenerationRequest]) -> None:
        super().check(requests)
        for r in requests:
            if r.decoder_prefix and not self.seq2seq:
                raise ModelError(f"{self.model_label}: a decoder prefix needs a seq2seq model")
            for token in (r.source_token, *r.decoder_prefix):
                if token is not None and token not in self.vocab:
                    raise ModelError(f"{self.model_label} has no token {token!r}")

    # --- the shared skeleton's parts (toolkit.backends.batching.BatchedBackend) ------------------

    def group(self, requests: Sequence[GenerationRequest]) -> list[list[int]]:
        groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for i, r in enumerate(requests):
            groups[(r.source_token, r.decoder_prefix, r.beams)].append(i)
        return list(groups.values())

    def encode(self, requests: Sequence[GenerationRequest]) -> list[Any]:
        return self._tokens(requests)

    def run_batches(self, batches: Iterator[Batch]) -> Iterator[tuple[list[int], list[Generation]]]:
        # Every batch is submitted at once: CTranslate2 runs up to ``inter_threads`` of them in
        # parallel (on a small CPU, two batches on one core each beat one on two cores).
        pending = [(where, rows, self._submit(rows, inputs)) for where, rows, inputs in batches]
        for where, rows, handles in pending:
            yield where, self._collect(rows, handles)

    # --- running ---------------------------------------------------------------------------------

    def _tokens(self, requests: Sequence[GenerationRequest]) -> list[list[str]]:
        """Each request's input as CTranslate2 takes it: token strings."""
        tok = self.tokenizer
        if self.seq2seq:
            out = []
            for r in requests:
                if r.source_token is not None:
                    tok.src_lang = r.source_token
                out.append(tok.convert_ids_to_tokens(tok(r.text)["input_ids"]))
            return out
        prompts = [tok.apply_chat_template([{"role": role, "content": content}
                                            for role, content in r.messages],
                                           tokenize=False, add_generation_prompt=True)
                   if r.messages else r.text for r in requests]
        return [tok.convert_ids_to_tokens(ids)
                for ids in tok(prompts, add_special_tokens=False)["input_ids"]]

    def _limits(self, requests: list[GenerationRequest]) -> list[int]:
        cap = self._capabilities.max_new_tokens
        return [min(r.max_new_tokens, cap) if cap else r.max_new_tokens for r in requests]

    def _submit(self, requests: list[GenerationRequest], tokens: list[list[str]]) -> list[Any]:
        """Start one batch; returns CTranslate2's async results (one per row)."""
        max_new = max(self._limits(requests))
        beams = requests[0].beams
        decoding = dict(self._decoding)
        try:
            if self.seq2seq:
                prefix = list(requests[0].decoder_prefix)
                if "min_decoding_length" in decoding:  # as transformers: never past the budget
                    decoding["min_decoding_length"] = min(decoding["min_decoding_length"],
                                                          max_new) + len(prefix)
                return self.model.translate_batch(
                    tokens, target_prefix=[prefix] * len(tokens) if prefix else None,
                    beam_size=beams, max_decoding_length=max_new + len(prefix),
                    num_hypotheses=1, return_scores=False, asynchronous=True, **decoding)
            if "min_length" in decoding:
                decoding["min_length"] = min(decoding["min_length"], max_new)
            options: dict[str, Any] = {"max_length": max_new, "sampling_topk": 1,
                                       "beam_size": beams, "include_prompt_in_result": False,
                                       "end_token": self._eos or None, "asynchronous": True,
                                       **decoding}
            return self.model.generate_batch(tokens, **options)
        except RuntimeError as e:
            raise ModelError(f"CTranslate2 failed on {self.model_label}: {_first_line(e)}"
                             ) from None

    def _collect(self, requests: list[GenerationRequest], handles: list[Any]) -> list[Generation]:
        """Wait for one batch; each row cut at its own budget, as on the transformers backend."""
        try:
            results = [h.result() for h in handles]
        except RuntimeError as e:
            raise ModelError(f"CTranslate2 failed on {self.model_label}: {_first_line(e)}"
                             ) from None
        rows = []
        for r, result in zip(requests, results, strict=True):
            if self.seq2seq:
                hypothesis = result.hypotheses[0][len(r.decoder_prefix):]
                rows.append([self.vocab.get(t, self.tokenizer.unk_token_id) for t in hypothesis])
            else:
                rows.append(list(result.sequences_ids[0]))
        rows = [row[:limit] for row, limit in zip(rows, self._limits(requests), strict=True)]
        texts = self.tokenizer.batch_decode(rows, skip_special_tokens=True)
        return [Generation(text.strip(), len(ids)) for text, ids in zip(texts, rows, strict=True)]


def _local(ref: ModelRef, folder: str) -> ModelRef:
    """``ref`` pointing at a local transformers folder (a GGUF file's conversion)."""
    from dataclasses import replace

    return replace(ref, source=folder, local=True, gguf_file=None)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def cached_conversions() -> list[Path]:
    from toolkit.backends.gguf import finished_folders

    return finished_folders(conversion_root())


def clear_conversions() -> int:
    """Delete all cached CTranslate2 conversions; returns how many finished ones were removed."""
    from toolkit.backends.gguf import clear_folders

    return clear_folders(conversion_root())
