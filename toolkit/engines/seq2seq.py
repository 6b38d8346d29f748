"""Encoder-decoder MT models through AutoModelForSeq2SeqLM.generate: Marian/OPUS-MT
(with >>xxx<< target tokens when multi-target), NLLB and M2M100 (source language on the
tokenizer, target language as forced first token) and T5/MADLAD (a <2xx> prefix)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from toolkit.engines.base import TranslationRequest
from toolkit.engines.hf import HFEngine, load_pretrained
from toolkit.engines.languages import LANGUAGES, to_iso1
from toolkit.errors import ModelError


class Seq2SeqEngine(HFEngine):
    """Translates with an encoder-decoder model; knows each family's language conventions."""

    kind = "seq2seq"

    def _load(self) -> tuple[Any, Any]:
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        common = {"trust_remote_code": self.trust_remote_code}
        tokenizer = load_pretrained(AutoTokenizer, self.ref, "a tokenizer", **common)
        model = load_pretrained(AutoModelForSeq2SeqLM, self.ref, "a seq2seq MT model",
                                dtype=self.dtype, **common)
        self._style = _family(model.config.model_type, tokenizer.get_vocab())
        return tokenizer, model

    # --- languages -------------------------------------------------------------------------

    def target_languages(self) -> frozenset[str] | None:
        style, vocab = self._style, self.vocab
        if style == "nllb":
            return frozenset(c for c, (_, nllb, _) in LANGUAGES.items() if nllb in vocab)
        if style == "m2m":
            return frozenset(c for c in LANGUAGES if f"__{c}__" in vocab)
        if style == "t5":
            return frozenset(c for c in LANGUAGES if f"<2{c}>" in vocab)
        if style == "marian":
            codes = set(getattr(self.tokenizer, "supported_language_codes", []) or [])
            if codes:
                return frozenset(c for c, (_, _, marian) in LANGUAGES.items()
                                 if any(m in codes for m in marian))
            target = to_iso1(getattr(self.tokenizer, "target_lang", None))
            if target:
                return frozenset({target})
        if self.ref.languages:
            return frozenset(self.ref.languages)
        # An OPUS-MT style name, e.g. opus-mt-de-en, says the pair.
        match = re.search(r"opus-mt-[a-z]{2,3}-([a-z]{2,3})\b", self.ref.source.lower())
        if match and (target := to_iso1(match.group(1))):
            return frozenset({target})
        return None  # nothing tells: trust the user

    def _target_token(self, target: str) -> str | None:
        """The token that selects ``target`` (NLLB/M2M code, Marian >>xxx<<), if any."""
        if self._style == "nllb":
            return LANGUAGES[target][1]
        if self._style == "m2m":
            return f"__{target}__"
        if self._style == "marian":
            codes = set(getattr(self.tokenizer, "supported_language_codes", []) or [])
            if codes:
                return next(m for m in LANGUAGES[target][2] if m in codes)
        return None

    def _source_code(self, source: str) -> str | None:
        if self._style == "nllb" and source in LANGUAGES:
            return LANGUAGES[source][1]
        if self._style == "m2m":
            return source
        return None

    def _prepare(self, request: TranslationRequest) -> str:
        """The source text as the model expects it (target token or prefix added)."""
        if self._style == "t5":
            return f"<2{request.target_lang}> {request.text}"
        if self._style == "marian":
            token = self._target_token(request.target_lang)
            if token:
                return f"{token} {request.text}"
        return request.text

    def _set_source(self, source: str) -> None:
        code = self._source_code(source)
        if code is not None:
            if code not in self.vocab:
                raise ModelError(f"{self.model_id} does not know source language {source!r}")
            self.tokenizer.src_lang = code

    # --- batching hooks ----------------------------------------------------------------------

    def _truncation(self) -> dict[str, Any]:
        limit = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(limit, int) and limit < 100_000:
            return {"truncation": True, "max_length": limit}
        return {}

    def _input_lengths(self, requests: Sequence[TranslationRequest]) -> list[int]:
        self._set_source(requests[0].source_lang)
        encoded = self.tokenizer([self._prepare(r) for r in requests], **self._truncation())
        return [len(ids) for ids in encoded["input_ids"]]

    def _encode_batch(self, requests: Sequence[TranslationRequest]) -> dict[str, Any]:
        self._set_source(requests[0].source_lang)
        return dict(self.tokenizer([self._prepare(r) for r in requests], padding=True,
                                   return_tensors="pt", **self._truncation()))

    def _max_new_tokens(self, request: TranslationRequest, input_length: int) -> int:
        new = 2 * input_length + 16
        limit = getattr(self.model.config, "max_position_embeddings", None)
        return min(new, limit - 2) if isinstance(limit, int) and limit > 16 else new

    def _generate_kwargs(self, requests: Sequence[TranslationRequest]) -> dict[str, Any]:
        token = self._target_token(requests[0].target_lang)
        if self._style in ("nllb", "m2m") and token is not None:
            return {"forced_bos_token_id": self.vocab[token]}
        return {}

    def _constraint_offset(self, requests: Sequence[TranslationRequest]) -> int:
        return 1 if self._style in ("nllb", "m2m") else 0

    def _new_tokens(self, sequences: Any, inputs: dict[str, Any]) -> Any:
        return sequences[:, 1:]  # after the decoder start token

    def _encode_target(self, text: str) -> list[int]:
        return list(self.tokenizer(text_target=text, add_special_tokens=False)["input_ids"])


def _family(model_type: str, vocab: dict[str, int]) -> str:
    """Which language convention a model follows: nllb, m2m, marian, t5 or plain."""
    if "eng_Latn" in vocab or "deu_Latn" in vocab:
        return "nllb"
    if "__en__" in vocab or "__de__" in vocab:
        return "m2m"
    if model_type == "marian":
        return "marian"
    if any(f"<2{c}>" in vocab for c in ("en", "de", "zh", "fr")):
        return "t5"
    return "plain"

