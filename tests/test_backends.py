"""The transformers backend and the Translator over it, on tiny random models loaded through
the user's path (a folder as --model): outputs are garbage, but non-empty, input-dependent,
and the count, order, language handling and errors are what users see."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from toolkit.backends import GenerationRequest, load_backend
from toolkit.backends.batching import plan_batches
from toolkit.errors import ModelError
from toolkit.models import resolve_model
from toolkit.tasks import TermHint, TranslationRequest, Translator, clean_output

GERMAN = [
    "Alibaba hat am Dienstag sein neues KI-Modell Qwen3.5 vorgestellt.",
    "Hallo.",
    "Die Mixture-of-Experts-Struktur aktiviert für jedes Token nur einen Teil der Parameter.",
    "Analysten erhöhten das Kursziel auf 200 US-Dollar je ADR.",
    "Der Umsatz stieg.",
]
TINY = [("tiny_marian", "en"), ("tiny_marian_multi", "zh"), ("tiny_nllb", "zh"), ("tiny_t5", "zh"),
        ("tiny_chat", "en"), ("tiny_chat", "zh")]


def requests(target: str, texts: list[str] = GERMAN) -> list[TranslationRequest]:
    return [TranslationRequest(t, "de", target) for t in texts]


def translator(path: Path, **options: object) -> Translator:
    beams = options.pop("beams", None)
    cap = options.pop("max_new_tokens", None)
    return Translator(load_backend(str(path), **options), beams=beams, max_new_tokens=cap)


@pytest.mark.parametrize("fixture,target", TINY)
def test_every_tiny_model_writes_text_that_depends_on_its_input(
    fixture: str, target: str, request: pytest.FixtureRequest
) -> None:
    """The guard that keeps comparison tests meaningful: a model whose output is empty or
    ignores its input would make batched-vs-alone and cache tests pass whatever the code does."""
    out = [t.text for t in translator(request.getfixturevalue(fixture)).translate(requests(target))]
    assert all(text.strip() for text in out), out
    assert len(set(out)) == len(out), out


@pytest.mark.parametrize("fixture,target", TINY)
def test_batched_translation_matches_one_by_one_in_input_order(
    fixture: str, target: str, request: pytest.FixtureRequest
) -> None:
    t = translator(request.getfixturevalue(fixture), max_batch_tokens=64)
    batch = requests(target)
    together = [x.text for x in t.translate(batch)]
    alone = [t.translate([r])[0].text for r in batch]
    assert together == alone  # length sorting and padding never reorder or change rows


def test_progress_reports_every_request(tiny_marian: Path) -> None:
    t = translator(tiny_marian, max_batch_tokens=40)
    done: list[int] = []
    t.translate(requests("en"), progress=done.append)
    assert sum(done) == len(GERMAN) and len(done) > 1


def test_capabilities_are_declared_before_any_work(tiny_marian: Path, tiny_chat: Path,
                                                   tiny_nllb: Path) -> None:
    marian, chat, nllb = (load_backend(str(p)).capabilities for p in (tiny_marian, tiny_chat, tiny_nllb))
    assert (marian.architecture, marian.chat, marian.constraints) == ("seq2seq", False, True)
    assert (chat.architecture, chat.chat) == ("causal", True)
    assert {"deu_Latn", "eng_Latn", "zho_Hans"} <= nllb.language_tokens and nllb.source_setting
    assert marian.max_new_tokens == 254  # 256 positions, minus the start and end tokens


def test_conventions_and_target_languages_come_from_the_model(
    tiny_marian: Path, tiny_marian_multi: Path, tiny_nllb: Path, tiny_t5: Path, tiny_chat: Path
) -> None:
    found = {p.name: (translator(p).style, translator(p).target_languages())
             for p in (tiny_marian, tiny_marian_multi, tiny_nllb, tiny_t5, tiny_chat)}
    assert found == {
        "marian-de-en": ("marian", {"en"}), "marian-de-multi": ("marian", {"en", "zh"}),
        "nllb": ("nllb", {"de", "en", "zh"}), "t5": ("t5", {"de", "en", "zh"}),
        "chat": ("chat", None),
    }


def test_a_language_the_model_cannot_produce_fails_before_any_work(tiny_marian: Path) -> None:
    t = translator(tiny_marian)
    done: list[int] = []
    with pytest.raises(ModelError, match="cannot translate into 'zh'.*--model"):
        t.translate(requests("en")[:2] + requests("zh")[:1], progress=done.append)
    assert done == []


def test_a_summarizer_is_refused_as_a_translator(tiny_bart_summarizer: Path) -> None:
    backend = load_backend(str(tiny_bart_summarizer))
    assert backend.capabilities.tasks == {"summarization"}
    with pytest.raises(ModelError, match="made for summarization, not translation"):
        Translator(backend)


def test_a_causal_lm_without_chat_template_is_refused(tiny_chat: Path, tmp_path: Path) -> None:
    import json

    plain = tmp_path / "plain-lm"
    shutil.copytree(tiny_chat, plain)
    config = json.loads((plain / "tokenizer_config.json").read_text())
    config.pop("chat_template", None)
    (plain / "tokenizer_config.json").write_text(json.dumps(config))
    (plain / "chat_template.jinja").unlink(missing_ok=True)
    with pytest.raises(ModelError, match="no chat template"):
        translator(plain)


def test_nllb_requests_set_the_source_and_force_the_target_code(tiny_nllb: Path) -> None:
    t = translator(tiny_nllb)
    drafts = t.requests(requests("zh")[:2])
    assert all(d.source_token == "deu_Latn" and d.decoder_prefix == ("zho_Hans",) for d in drafts)
    backend = t.backend
    encoded = backend._tokenize(drafts, padding=True, return_tensors="pt")
    assert backend.vocab["deu_Latn"] in encoded["input_ids"][0].tolist()
    config = backend._generation_config(drafts[0], beams=1, max_new_tokens=5)
    out = backend.model.generate(**encoded, generation_config=config)
    assert out[:, 1].tolist() == [backend.vocab["zho_Hans"]] * 2


@pytest.mark.parametrize("fixture,target,token", [
    ("tiny_marian_multi", "zh", ">>cmn_Hans<<"), ("tiny_t5", "zh", "<2zh>"), ("tiny_t5", "en", "<2en>"),
])
def test_target_tokens_lead_the_encoder_input(fixture: str, target: str, token: str,
                                              request: pytest.FixtureRequest) -> None:
    t = translator(request.getfixturevalue(fixture))
    draft = t.requests(requests(target)[:1])[0]
    ids = t.backend._tokenize([draft])["input_ids"][0]
    assert ids[0] == t.backend.vocab[token]


def test_length_budgets_follow_the_input_and_the_cap(tiny_marian: Path, tiny_chat: Path) -> None:
    seq2seq = translator(tiny_marian)
    draft = seq2seq.requests(requests("en")[:1])[0]
    assert draft.max_new_tokens == 2 * seq2seq.backend.count_tokens([draft])[0] + 16
    capped = translator(tiny_marian, max_new_tokens=5).requests(requests("en")[:2])
    assert [d.max_new_tokens for d in capped] == [5, 5]
    chat = translator(tiny_chat)
    n = chat.backend.count_tokens([GenerationRequest(text=GERMAN[0])])[0]
    assert chat.requests(requests("zh")[:1])[0].max_new_tokens == 3 * n + 32  # more room in Chinese
    out = translator(tiny_marian, max_new_tokens=3).translate(requests("en")[:2])
    assert all(t.new_tokens <= 3 for t in out)


def test_chat_prompt_uses_the_template_and_lists_the_terms(tiny_chat: Path) -> None:
    t = translator(tiny_chat)
    request = TranslationRequest("Die KI von Alibaba.", "de", "zh", terms=(TermHint("KI", "人工智能"),))
    draft = t.requests([request])[0]
    prompt = t.backend._prompt(draft)
    assert prompt.startswith("<|im_start|>system") and prompt.endswith("<|im_start|>assistant\n")
    assert "Simplified Chinese" in prompt and "KI -> 人工智能" in prompt
    assert "Die KI von Alibaba." in prompt
    assert draft.messages[0] == ("system", "Use exactly these renderings:\nKI -> 人工智能")
    retry = t.requests([TranslationRequest("Die KI.", "de", "zh", attempt=1)])[0]
    # no hints: the plain call users write, one user turn; a retry restates the language, and
    # a retry of an answer in the wrong language into Chinese is asked in Chinese
    assert [role for role, _ in retry.messages] == ["user"]
    assert retry.messages[0][1].startswith("Answer in Simplified Chinese only. Translate the "
                                           "following German text into Simplified Chinese.")
    retry = t.requests([TranslationRequest("Die KI.", "de", "zh", attempt=1, in_target=True)])[0]
    assert retry.messages[0][1] == "把下面的德文翻译成中文，只回复译文。\n\nDie KI."
    retry = t.requests([TranslationRequest("Die KI.", "de", "en", attempt=1)])[0]
    assert retry.messages[0][1].startswith("Answer in English only. Translate the "
                                           "following German text into English.")


def test_chat_batches_use_left_padding(tiny_chat: Path) -> None:
    t = translator(tiny_chat)
    mask = t.backend._tokenize(t.requests(requests("en")[:2]), padding=True,
                               return_tensors="pt")["attention_mask"]
    assert mask[:, -1].tolist() == [1, 1]


def test_beams_widen_on_seq2seq_retries_and_dtype_is_honoured(tiny_marian: Path, tiny_chat: Path) -> None:
    t = translator(tiny_marian, beams=3, dtype="bfloat16", device="cpu")
    assert str(t.backend.model.dtype) == "torch.bfloat16"
    beams = [d.beams for d in t.requests([TranslationRequest("Hallo.", "de", "en", attempt=a)
                                          for a in (0, 1, 2)])]
    assert beams == [3, 5, 7]
    assert len(t.translate(requests("en")[:2])) == 2
    assert translator(tiny_chat).requests(requests("en", ["Hallo."]))[0].beams == 1
    from toolkit.errors import ConfigError
    from toolkit.load import ModelOptions

    with pytest.raises(ConfigError, match="beams"):  # checked once, where options enter
        ModelOptions.resolve(beams=0)


def test_cpu_threads_follow_the_setting(tiny_marian: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from toolkit.errors import ConfigError

    before = torch.get_num_threads()
    try:
        monkeypatch.setenv("TK_THREADS", "2")
        load_backend(str(tiny_marian), device="cpu")
        assert torch.get_num_threads() == 2  # the fixtures run on one thread: this changed it
        monkeypatch.setenv("TK_THREADS", "0")
        with pytest.raises(ConfigError, match="TK_THREADS=0"):
            load_backend(str(tiny_marian), device="cpu")
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("raw,clean", [
    ("Here is the translation:\nAlibaba presents Qwen.", "Alibaba presents Qwen."),
    ("Sure! Here's the English translation: Alibaba presents Qwen.", "Alibaba presents Qwen."),
    ('"Alibaba presents Qwen."', "Alibaba presents Qwen."),
    ("Translation: Alibaba presents Qwen.", "Alibaba presents Qwen."),
    ("以下是中文翻译：阿里巴巴发布了Qwen。", "阿里巴巴发布了Qwen。"),
    ("德文翻译：阿里巴巴发布了Qwen。", "阿里巴巴发布了Qwen。"),  # asked in Chinese, it may say so
    ("他翻译了这本书。", "他翻译了这本书。"),
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


def test_batches_come_in_full_rounds_when_the_engine_runs_several_side_by_side() -> None:
    lengths = [10 + i % 7 for i in range(96)]
    one_lane = plan_batches(lengths, max_batch_tokens=10**6, max_batch_size=32)
    assert [len(b) for b in one_lane] == [32, 32, 32]
    two_lanes = plan_batches(lengths, max_batch_tokens=10**6, max_batch_size=32, lanes=2)
    assert [len(b) for b in two_lanes] == [16] * 6  # three rounds of two, no lane idle
    assert sorted(i for b in two_lanes for i in b) == list(range(96))
    assert [b[0] for b in two_lanes] == sorted((b[0] for b in two_lanes),
                                               key=lambda i: (-lengths[i], i))  # longest first
    many = plan_batches([5] * 1000, max_batch_tokens=10**6, max_batch_size=32, lanes=2)
    assert max(len(b) for b in many) == 32 and len(many) % 2 == 0  # the cap still holds
    assert plan_batches([5, 6, 7], 10**6, 32, lanes=2) == [[2], [1], [0]]
    with pytest.raises(ValueError):
        plan_batches([5], 100, 4, lanes=0)


def test_gguf_file_loads_as_a_chat_model_and_is_cached(tiny_gguf: Path, tiny_chat: Path,
                                                       tk_home: Path) -> None:
    ref = resolve_model(str(tiny_gguf))
    assert (ref.kind, ref.gguf_file) == ("llm", tiny_gguf.name)
    first = translator(tiny_gguf)
    cached = list((tk_home / "cache" / "gguf").glob("*/tk-complete"))
    assert len(cached) == 1 and (cached[0].parent / "config.json").is_file()
    again = translator(tiny_gguf)  # from the cache: same model, same translations
    batch = requests("zh")[:3]
    from_file = [t.text for t in first.translate(batch)]
    assert from_file == [t.text for t in again.translate(batch)]
    assert all(from_file)  # non-empty: the comparison means something
    # and the same as the model the file was written from
    assert from_file == [t.text for t in translator(tiny_chat).translate(batch)]


def test_one_gguf_parse_serves_every_reader_of_a_conversion(tiny_gguf: Path) -> None:
    import gguf

    from toolkit.backends.gguf import one_parse

    original = gguf.GGUFReader
    with one_parse():
        first = gguf.GGUFReader(tiny_gguf)
        assert gguf.GGUFReader(str(tiny_gguf)) is first and isinstance(first, original)
    assert gguf.GGUFReader is original
    assert gguf.GGUFReader(tiny_gguf) is not first  # outside: a parse of its own


def test_gguf_cache_follows_the_file_content(tiny_gguf: Path, tk_home: Path, tmp_path: Path) -> None:
    copy = tmp_path / tiny_gguf.name
    shutil.copy(tiny_gguf, copy)
    load_backend(str(copy))  # same content as the fixture's file: one conversion, reused
    load_backend(str(tiny_gguf))
    assert len(list((tk_home / "cache" / "gguf").glob("*/tk-complete"))) == 1
    with copy.open("ab") as f:
        f.write(b"\0" * 32)  # changed content (GGUF ignores trailing padding): a new conversion
    load_backend(str(copy))
    assert len(list((tk_home / "cache" / "gguf").glob("*/tk-complete"))) == 2


def test_q4_k_gguf_is_dequantized_close_to_the_weights_it_came_from(
    tiny_gguf_q4: Path, tiny_chat_256: Path
) -> None:
    """The starter's real path: Q4_K blocks de-quantized by transformers on load."""
    import gguf
    import torch

    reader = gguf.GGUFReader(str(tiny_gguf_q4))
    kinds = {t.name: t.tensor_type for t in reader.tensors}
    assert kinds["blk.0.attn_q.weight"] == gguf.GGMLQuantizationType.Q4_K
    quantized = load_backend(str(tiny_gguf_q4))
    original = load_backend(str(tiny_chat_256))
    q = quantized.model.model.layers[0].self_attn.q_proj.weight.detach()
    w = original.model.model.layers[0].self_attn.q_proj.weight.detach()
    step = (w.max() - w.min()) / 15  # 4-bit: within about half a step of its sub-block
    assert not torch.equal(q, w) and float((q - w).abs().max()) <= float(step)
    out = Translator(quantized).translate(requests("en")[:3])
    assert all(t.text for t in out)


def test_a_folder_holding_one_gguf_file_resolves_to_it(tiny_gguf: Path) -> None:
    ref = resolve_model(str(tiny_gguf.parent))
    assert ref.gguf_file == tiny_gguf.name and ref.kind == "llm"


@pytest.mark.slow
def test_continuous_batching_gives_the_padded_batches_text_with_each_rows_own_budget(
        tiny_chat: Path) -> None:
    """transformers' continuous batching (generate_batch) behind --batching continuous: the
    same greedy text as padded batches, each row cut at its own budget, and a fingerprint of
    its own; seq2seq models and unknown settings are padded / refused."""
    from toolkit.backends import load_backend
    from toolkit.errors import ModelError
    from toolkit.tasks import TranslationRequest, Translator

    texts = ["Alibaba stellt Qwen3.5 vor.", "Die Aktie fiel um 6,22 Prozent.", "Überblick"]
    padded = Translator(load_backend(str(tiny_chat), batching="padded"))
    continuous = Translator(load_backend(str(tiny_chat), batching="continuous"))
    requests = [TranslationRequest(t, "de", "en") for t in texts]
    budgets = [4, 9, 6]
    generic = [replace(g, max_new_tokens=b) for g, b in zip(padded.requests(requests), budgets)]
    want = padded.backend.generate(generic)
    got = continuous.backend.generate(generic)
    assert [(g.text, g.new_tokens) for g in got] == [(w.text, w.new_tokens) for w in want]
    assert all(g.new_tokens <= b for g, b in zip(got, budgets))
    assert continuous.backend.fingerprint.settings["batching"] == "continuous"
    assert "batching" not in padded.backend.fingerprint.settings
    with pytest.raises(ModelError, match="unknown batching"):
        load_backend(str(tiny_chat), batching="sometimes")
