"""Engines load tiny random models through the user's path (a folder as --model) and translate:
outputs are garbage, but the count, order, language handling and errors are what users see."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from toolkit.engines import TermHint, TranslationRequest, load_engine
from toolkit.engines.batching import plan_batches
from toolkit.engines.llm import clean_output
from toolkit.errors import ModelError
from toolkit.models import resolve_model

GERMAN = [
    "Alibaba hat am Dienstag sein neues KI-Modell Qwen3.5 vorgestellt.",
    "Hallo.",
    "Die Mixture-of-Experts-Struktur aktiviert für jedes Token nur einen Teil der Parameter.",
    "Analysten erhöhten das Kursziel auf 200 US-Dollar je ADR.",
    "Der Umsatz stieg.",
]


def requests(target: str, texts: list[str] = GERMAN) -> list[TranslationRequest]:
    return [TranslationRequest(t, "de", target) for t in texts]


@pytest.mark.parametrize("fixture,target", [
    ("tiny_marian", "en"), ("tiny_marian_multi", "zh"), ("tiny_nllb", "zh"), ("tiny_t5", "zh"),
    ("tiny_chat", "en"),
])
def test_batched_translation_matches_one_by_one_in_input_order(
    fixture: str, target: str, request: pytest.FixtureRequest
) -> None:
    engine = load_engine(str(request.getfixturevalue(fixture)), max_batch_tokens=64)
    batch = requests(target)
    together = engine.translate(batch)
    alone = [engine.translate([r])[0] for r in batch]
    assert len(together) == len(batch)
    assert all(isinstance(t, str) for t in together)
    assert together == alone  # length sorting and padding never reorder or change rows


def test_progress_reports_every_request(tiny_marian: Path) -> None:
    engine = load_engine(str(tiny_marian), max_batch_tokens=40)
    done: list[int] = []
    engine.translate(requests("en"), progress=done.append)
    assert sum(done) == len(GERMAN) and len(done) > 1


def test_engine_kind_comes_from_the_model_folder(tiny_marian: Path, tiny_chat: Path) -> None:
    assert load_engine(str(tiny_marian)).kind == "seq2seq"
    assert load_engine(str(tiny_chat)).kind == "llm"


def test_target_languages_come_from_the_tokenizer(
    tiny_marian: Path, tiny_marian_multi: Path, tiny_nllb: Path, tiny_chat: Path
) -> None:
    assert load_engine(str(tiny_marian)).target_languages() == {"en"}
    assert load_engine(str(tiny_marian_multi)).target_languages() == {"en", "zh"}
    assert load_engine(str(tiny_nllb)).target_languages() == {"de", "en", "zh"}
    assert load_engine(str(tiny_chat)).target_languages() is None


def test_a_language_the_model_cannot_produce_fails_before_any_work(tiny_marian: Path) -> None:
    engine = load_engine(str(tiny_marian))
    done: list[int] = []
    with pytest.raises(ModelError, match="cannot translate into 'zh'.*--model"):
        engine.translate(requests("en")[:2] + requests("zh")[:1], progress=done.append)
    assert done == []


def test_nllb_output_starts_with_the_target_language_token(tiny_nllb: Path) -> None:
    engine = load_engine(str(tiny_nllb))
    for target, code in [("zh", "zho_Hans"), ("en", "eng_Latn")]:
        inputs = engine._encode_batch(requests(target)[:2])
        config = engine._generation_config(requests(target)[:2], beams=1, max_new_tokens=5)
        out = engine.model.generate(**inputs, generation_config=config)
        assert out[:, 1].tolist() == [engine.tokenizer.convert_tokens_to_ids(code)] * 2


def test_nllb_source_language_is_set_on_the_tokenizer(tiny_nllb: Path) -> None:
    engine = load_engine(str(tiny_nllb))
    inputs = engine._encode_batch(requests("en")[:1])
    deu = engine.tokenizer.convert_tokens_to_ids("deu_Latn")
    assert deu in inputs["input_ids"][0].tolist()


def test_multi_target_marian_gets_its_target_token(tiny_marian_multi: Path) -> None:
    engine = load_engine(str(tiny_marian_multi))
    ids = engine._encode_batch(requests("zh")[:1])["input_ids"][0].tolist()
    assert ids[0] == engine.tokenizer.convert_tokens_to_ids(">>cmn_Hans<<")


def test_t5_style_models_get_a_target_prefix(tiny_t5: Path) -> None:
    engine = load_engine(str(tiny_t5))
    assert engine.target_languages() == {"de", "en", "zh"}
    for target in ("zh", "en"):
        ids = engine._encode_batch(requests(target)[:1])["input_ids"][0].tolist()
        assert ids[0] == engine.tokenizer.convert_tokens_to_ids(f"<2{target}>")


def test_chat_prompt_uses_the_template_and_lists_the_terms(tiny_chat: Path) -> None:
    engine = load_engine(str(tiny_chat))
    request = TranslationRequest("Die KI von Alibaba.", "de", "zh",
                                 terms=(TermHint("KI", "人工智能"),))
    prompt = engine._prompt(request)
    assert prompt.startswith("<|im_start|>system") and prompt.endswith("<|im_start|>assistant\n")
    assert "Simplified Chinese" in prompt and "KI -> 人工智能" in prompt
    assert "Die KI von Alibaba." in prompt


def test_chat_batches_use_left_padding(tiny_chat: Path) -> None:
    engine = load_engine(str(tiny_chat))
    mask = engine._encode_batch(requests("en")[:2])["attention_mask"]
    assert mask[:, -1].tolist() == [1, 1]


def test_beams_and_dtype_options(tiny_marian: Path) -> None:
    engine = load_engine(str(tiny_marian), beams=3, dtype="bfloat16", device="cpu")
    assert str(engine.model.dtype) == "torch.bfloat16"
    assert len(engine.translate(requests("en")[:2])) == 2
    with pytest.raises(ModelError, match="--beams"):
        load_engine(str(tiny_marian), beams=0)


def test_cpu_threads_follow_the_setting(tiny_marian: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from toolkit.errors import ConfigError

    monkeypatch.setenv("TK_THREADS", "1")
    load_engine(str(tiny_marian), device="cpu")
    assert torch.get_num_threads() == 1
    with pytest.raises(ConfigError, match="threads"):
        load_engine(str(tiny_marian), threads=0)


@pytest.mark.parametrize("raw,clean", [
    ("Here is the translation:\nAlibaba presents Qwen.", "Alibaba presents Qwen."),
    ("Sure! Here's the English translation: Alibaba presents Qwen.", "Alibaba presents Qwen."),
    ('"Alibaba presents Qwen."', "Alibaba presents Qwen."),
    ("Translation: Alibaba presents Qwen.", "Alibaba presents Qwen."),
    ("以下是中文翻译：阿里巴巴发布了Qwen。", "阿里巴巴发布了Qwen。"),
    ("“阿里巴巴发布了Qwen。”", "阿里巴巴发布了Qwen。"),
    ("```\nAlibaba presents Qwen.\n```", "Alibaba presents Qwen."),
    ("Alibaba presents Qwen.\n\nNote: Qwen is a model name.", "Alibaba presents Qwen."),
    ('He said "yes" and "no".', 'He said "yes" and "no".'),  # inner quotes stay
    ("The translation is not easy.", "The translation is not easy."),
])
def test_chat_chatter_is_stripped(raw: str, clean: str) -> None:
    assert clean_output(raw) == clean


def test_batches_are_length_sorted_within_the_token_budget() -> None:
    lengths = [5, 50, 7, 48, 6, 200]
    batches = plan_batches(lengths, max_batch_tokens=100, max_batch_size=3)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert batches[0] == [5]  # too long for the budget: alone, and first
    for batch in batches:
        assert len(batch) <= 3
        assert len(batch) == 1 or max(lengths[i] for i in batch) * len(batch) <= 100
    assert [lengths[i] for i in batches[1]] == [50, 48]


def test_gguf_file_loads_as_a_chat_engine_and_is_cached(tiny_gguf: Path, tk_home: Path) -> None:
    ref = resolve_model(str(tiny_gguf))
    assert (ref.kind, ref.gguf_file) == ("llm", tiny_gguf.name)
    first = load_engine(str(tiny_gguf))
    cached = list((tk_home / "cache" / "gguf").glob("*/tk-complete"))
    assert len(cached) == 1 and (cached[0].parent / "config.json").is_file()
    again = load_engine(str(tiny_gguf))  # from the cache: same model, same translations
    batch = requests("zh")[:3]
    assert first.translate(batch) == again.translate(batch)
    assert first.model_id == again.model_id == str(tiny_gguf)


def test_gguf_cache_follows_the_file(tiny_gguf: Path, tk_home: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / tiny_gguf.name
    shutil.copy(tiny_gguf, copy)
    load_engine(str(copy))
    os.utime(copy, (1_000_000_000, 1_000_000_000))  # a changed file gets a new conversion
    load_engine(str(copy))
    assert len(list((tk_home / "cache" / "gguf").glob("*/tk-complete"))) == 2


def test_a_folder_holding_one_gguf_file_resolves_to_it(tiny_gguf: Path) -> None:
    ref = resolve_model(str(tiny_gguf.parent))
    assert ref.gguf_file == tiny_gguf.name and ref.kind == "llm"
