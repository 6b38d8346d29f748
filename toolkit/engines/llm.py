"""Instruction-tuned chat LLMs through AutoModelForCausalLM and the model's chat template,
from a hub id, a folder or a .gguf file (converted once, then loaded from tk's cache)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from toolkit.engines.base import TranslationRequest
from toolkit.engines.hf import HFEngine, load_pretrained
from toolkit.engines.languages import language_name
from toolkit.errors import ModelError

SYSTEM_PROMPT = (
    "You are a professional translator of news articles. Translate the user's {source} text "
    "into {target}. Translate faithfully and completely: keep every name, number, date and "
    "currency exact. Reply with the translation only - no explanations, notes, quotes, or "
    "the original text."
)
TERMS_PROMPT = "Use exactly these renderings:\n{lines}"
RETRY_PROMPT = "Answer in {target} only. Translate into {target}:\n\n{text}"


class ChatEngine(HFEngine):
    """Translates by asking a chat model, one segment per conversation, batched with left
    padding; glossary hints go into the prompt, forced terms into decoding."""

    kind = "llm"

    def _load(self) -> tuple[Any, Any]:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if self.ref.gguf_file:
            from toolkit.engines.gguf import load_gguf

            tokenizer, model = load_gguf(self.ref, self.dtype)
        else:
            common = {"trust_remote_code": self.trust_remote_code}
            tokenizer = load_pretrained(AutoTokenizer, self.ref, "a tokenizer", **common)
            model = load_pretrained(AutoModelForCausalLM, self.ref, "a causal LM",
                                    dtype=self.dtype, **common)
        if not getattr(tokenizer, "chat_template", None):
            raise ModelError(
                f"{self.ref.model_id} has no chat template, so it is not an instruction-tuned "
                "chat model; pick an *-instruct model (see `tk models list`)"
            )
        tokenizer.padding_side = "left"  # generation continues at the right edge of every row
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        return tokenizer, model

    def target_languages(self) -> frozenset[str] | None:
        return None

    def num_beams(self, request: TranslationRequest) -> int:
        return self.beams or 1  # greedy unless asked: a chat model's own config may sample

    def messages(self, request: TranslationRequest) -> list[dict[str, str]]:
        """The conversation that asks for one translation (public so users can inspect it)."""
        target = language_name(request.target_lang)
        system = SYSTEM_PROMPT.format(source=language_name(request.source_lang), target=target)
        if request.terms:
            lines = "\n".join(f"{t.source} -> {t.target}" for t in request.terms)
            system += "\n" + TERMS_PROMPT.format(lines=lines)
        user = request.text
        if request.attempt:
            user = RETRY_PROMPT.format(target=target, text=request.text)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def _prompt(self, request: TranslationRequest) -> str:
        return self.tokenizer.apply_chat_template(
            self.messages(request), tokenize=False, add_generation_prompt=True
        )

    def _group_key(self, request: TranslationRequest) -> tuple[Any, ...]:
        # Every row carries its own prompt, so languages mix; forced rows batch apart.
        return (bool(request.force_terms and request.terms),)

    def _check_request(self, request: TranslationRequest) -> None:
        return None

    def _input_lengths(self, requests: Sequence[TranslationRequest]) -> list[int]:
        encoded = self.tokenizer([self._prompt(r) for r in requests], add_special_tokens=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def _encode_batch(self, requests: Sequence[TranslationRequest]) -> dict[str, Any]:
        return dict(self.tokenizer([self._prompt(r) for r in requests], padding=True,
                                   add_special_tokens=False, return_tensors="pt"))

    def _max_new_tokens(self, request: TranslationRequest, input_length: int) -> int:
        source = len(self.tokenizer(request.text, add_special_tokens=False)["input_ids"])
        factor = 3 if request.target_lang in ("zh", "ja", "ko") else 2
        return factor * source + 32

    def _new_tokens(self, sequences: Any, inputs: dict[str, Any]) -> Any:
        return sequences[:, inputs["input_ids"].shape[1]:]

    def _clean(self, text: str) -> str:
        return clean_output(text)

    def _encode_target(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])


# A chat model's chatter around the translation: "Here is the translation:", "Translation:",
# "以下是翻译：" and similar lead-ins, and trailing notes.
_LEAD_IN = re.compile(
    r"^\s*(?:(?:sure|certainly|of course)[!,.]?\s*)?"
    r"(?:(?:here(?:'s| is)|below is)\s+(?:the|my|your)?\s*(?:\w+\s+){0,3}translation[^:\n]*:"
    r"|(?:english|chinese|simplified chinese|german)?\s*translation\s*:"
    r"|(?:english|chinese|simplified chinese)\s*:"
    r"|(?:以下是|这是)[^：:\n]{0,20}(?:翻译|译文)[^：:\n]{0,10}[：:]"
    r"|(?:翻译|译文|中文翻译|英文翻译)\s*[：:])\s*",
    re.IGNORECASE,
)
_TRAILING_NOTE = re.compile(r"\n\s*(?:\(?note:|\(?notes:|注[:：]|备注[:：]|说明[:：]).*\Z",
                            re.IGNORECASE | re.DOTALL)
_FENCE = re.compile(r"^```[\w-]*\n(.*?)\n?```$", re.DOTALL)
_QUOTES = [('"', '"'), ("“", "”"), ("'", "'"), ("„", "“"), ("«", "»"), ("「", "」"), ("『", "』")]


def clean_output(text: str) -> str:
    """The translation without a chat model's lead-in, code fence, wrapping quotes or notes."""
    text = text.strip()
    if fence := _FENCE.match(text):
        text = fence.group(1).strip()
    text = _LEAD_IN.sub("", text, count=1).strip()
    text = _TRAILING_NOTE.sub("", text).strip()
    for left, right in _QUOTES:
        inner = text[len(left):-len(right)]
        if (len(text) >= 2 and text.startswith(left) and text.endswith(right)
                and left not in inner and right not in inner):
            text = inner.strip()
            break
    return text
