"""A model's generation config as CTranslate2 takes it: transformers applies the config by
itself; CTranslate2 is given what it can honour as its own options, and the rest is named in
the backend's fingerprint, so that the two engines do the same work or say where they cannot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Decoding settings of a generation config that change what greedy or beam search writes,
# with their CTranslate2 names (translate_batch, generate_batch).
_MAPPED = {"min_new_tokens": ("min_decoding_length", "min_length"),
           "repetition_penalty": ("repetition_penalty", "repetition_penalty"),
           "no_repeat_ngram_size": ("no_repeat_ngram_size", "no_repeat_ngram_size"),
           "length_penalty": ("length_penalty", None)}
_NOT_MAPPED = ("min_length", "encoder_no_repeat_ngram_size", "encoder_repetition_penalty",
               "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens",
               "sequence_bias", "diversity_penalty")
# forced_eos_token_id is left out: tk's transformers backend turns it off as well (a forced
# end at the budget would hide a cut output).
_NEUTRAL: dict[str, Any] = {"repetition_penalty": 1.0, "length_penalty": 1.0,
                            "no_repeat_ngram_size": 0, "min_new_tokens": None, "min_length": 0,
                            "encoder_repetition_penalty": 1.0, "diversity_penalty": 0.0,
                            "encoder_no_repeat_ngram_size": 0}


def decoding_options(generation_config: Any, tokenizer: Any, *, seq2seq: bool,
                     vocabulary: set[str] | None = None) -> tuple[dict[str, Any], list[str]]:
    """What of a model's generation config CTranslate2 honours, as its own options (a
    minimum length, repetition settings, banned word sequences), and the names of the
    settings it cannot (recorded in the fingerprint, so the difference is on the record)."""
    options: dict[str, Any] = {}
    for name, (for_translator, for_generator) in _MAPPED.items():
        value = getattr(generation_config, name, None)
        target = for_translator if seq2seq else for_generator
        if value is None or value == _NEUTRAL.get(name):
            continue
        if target is None:
            continue  # a beam-search length penalty means nothing to greedy decoding
        options[target] = value
    bad = getattr(generation_config, "bad_words_ids", None)
    if bad:
        sequences = [tokenizer.convert_ids_to_tokens(list(ids)) for ids in bad]
        # A token the converted model does not have (Marian's <pad>) can never be written:
        # banning it is already done.
        sequences = [s for s in sequences if vocabulary is None or set(s) <= vocabulary]
        if sequences:
            options["suppress_sequences"] = sequences
    not_honoured = [name for name in _NOT_MAPPED
                    if getattr(generation_config, name, None) not in (None, _NEUTRAL.get(name),
                                                                      [], {})]
    return options, not_honoured


def target_vocabulary(model_dir: Path) -> set[str] | None:
    """The tokens a converted CTranslate2 model can write (None if its files do not say)."""
    for name in ("target_vocabulary", "shared_vocabulary", "vocabulary"):
        for suffix, read in ((".json", json.loads), (".txt", str.splitlines)):
            path = model_dir / f"{name}{suffix}"
            if path.is_file():
                return set(read(path.read_text(encoding="utf-8")))
    return None
