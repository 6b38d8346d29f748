"""Tiny models with random weights, built offline in seconds for tests.

Each builder trains a small tokenizer on text (the German corpus in corpus/raw plus the English
and Chinese lines below), makes a model with a tiny config, and saves both with
save_pretrained into a folder, which tests then load as users do (``--model FOLDER``).
Outputs are garbage but well-formed; that is all engine and pipeline tests need.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Written for these tests (public domain); covers terms the glossary tests use.
ENGLISH = """\
Alibaba presented its new AI model Qwen3.5 on Tuesday.
The American Depositary Receipts (ADR) rose by 6.22 percent in New York trading.
The Mixture-of-Experts architecture activates only part of the parameters for each token.
Analysts raised the price target to 200 US dollars per ADR.
Tencent, Baidu and ByteDance compete with Doubao, WeChat and DeepSeek for users.
Revenue grew to 3 billion yuan, while free cash flow fell sharply.
Nvidia supplies chips to data centers in Hangzhou and Beijing.
The Apsara Conference takes place from 24 to 26 September 2025.
Earnings per share exceeded the expectations of the market.
Artificial intelligence changes how companies work and how markets move.
"""

CHINESE = """\
阿里巴巴周二发布了新的人工智能模型Qwen3.5。
美国存托凭证在纽约交易中上涨了6.22%。
混合专家架构对每个词元只激活部分参数。
分析师将目标价上调至每股美国存托凭证200美元。
腾讯、百度和字节跳动与豆包、微信和DeepSeek争夺用户。
收入增长至30亿元，而自由现金流大幅下降。
英伟达向杭州和北京的数据中心供应芯片。
云栖大会将于2025年9月24日至26日举行。
每股收益超出了市场预期。
人工智能改变了公司的工作方式和市场的走势。
"""

GERMAN_FALLBACK = """\
Alibaba hat am Dienstag sein neues KI-Modell Qwen3.5 vorgestellt.
Die American Depositary Receipts (ADR) stiegen im New Yorker Handel um 6,22 Prozent.
Die Mixture-of-Experts-Struktur aktiviert für jedes Token nur einen Teil der Parameter.
Analysten erhöhten das Kursziel auf 200 US-Dollar je ADR.
"""

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def training_text() -> str:
    """German from the committed corpus (or a fallback), plus English and Chinese."""
    raw = sorted((ROOT / "corpus" / "raw").glob("*.txt"))
    german = "\n".join(p.read_text(encoding="utf-8") for p in raw) or GERMAN_FALLBACK
    return "\n".join([german, ENGLISH * 3, CHINESE * 3])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _seed() -> None:
    import torch

    torch.manual_seed(0)


def train_sentencepiece(folder: Path, vocab_size: int = 1000) -> Path:
    """A sentencepiece unigram model with byte fallback (so any term can be spelled)."""
    import sentencepiece as spm

    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "spm-train.txt"
    corpus.write_text(training_text(), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(folder / "spm"), vocab_size=vocab_size,
        model_type="unigram", byte_fallback=True, character_coverage=1.0,
        unk_id=1, bos_id=-1, eos_id=0, pad_id=-1, unk_piece="<unk>", eos_piece="</s>",
        minloglevel=2, num_threads=1,
    )
    corpus.unlink()
    return folder / "spm.model"


# Helsinki-NLP/opus-mt-de-en's architecture (its config.json): for speed benchmarks.
OPUS_MT_SIZE = {"vocab_size": 58101, "d_model": 512, "encoder_layers": 6, "decoder_layers": 6,
                "encoder_attention_heads": 8, "decoder_attention_heads": 8,
                "encoder_ffn_dim": 2048, "decoder_ffn_dim": 2048, "max_position_embeddings": 512,
                "init_std": 0.02}


def build_marian(folder: Path, *, target_lang: str = "en",
                 target_codes: tuple[str, ...] = (), size: dict | None = None) -> Path:
    """A Marian/OPUS-MT-style model. With ``target_codes`` (">>cmn_Hans<<", ...) it is
    multi-target like opus-mt-de-ZH; otherwise its tokenizer says ``target_lang``. ``size``
    overrides the tiny dimensions (``OPUS_MT_SIZE``: the real model's, random weights; the
    vocabulary is padded with unused entries to its ``vocab_size``)."""
    import sentencepiece as spm
    from transformers import (
        GenerationConfig,
        MarianConfig,
        MarianMTModel,
        MarianTokenizer,
    )

    work = folder.parent / (folder.name + "-spm")
    spm_model = train_sentencepiece(work)
    sp = spm.SentencePieceProcessor(model_file=str(spm_model))
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    for code in target_codes:
        vocab[code] = len(vocab)
    dims = {"vocab_size": 0, "d_model": 32, "encoder_layers": 1, "decoder_layers": 1,
            "encoder_attention_heads": 2, "decoder_attention_heads": 2, "encoder_ffn_dim": 64,
            "decoder_ffn_dim": 64, "max_position_embeddings": 256, "init_std": 0.5,
            **(size or {})}
    while len(vocab) < dims["vocab_size"] - 1:
        vocab[f"<unused{len(vocab)}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    dims["vocab_size"] = len(vocab)
    work.joinpath("vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        source_spm=str(spm_model), target_spm=str(spm_model), vocab=str(work / "vocab.json"),
        source_lang="de", target_lang=None if target_codes else target_lang,
    )
    tokenizer.save_pretrained(folder)
    pad = vocab["<pad>"]
    config = MarianConfig(
        **dims, pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad,
        forced_eos_token_id=0, scale_embedding=True,
    )
    _seed()
    model = MarianMTModel(config)
    model.generation_config = GenerationConfig(
        decoder_start_token_id=pad, eos_token_id=0, pad_token_id=pad, forced_eos_token_id=0,
        bad_words_ids=[[pad]], num_beams=1, max_length=256,
    )
    model.save_pretrained(folder)
    shutil.rmtree(work)
    return folder


NLLB_CODES = ("deu_Latn", "eng_Latn", "zho_Hans")


def _train_bpe(vocab_size: int, special: list[str], *, metaspace: bool) -> object:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>" if "<unk>" in special else None,
                                     byte_fallback=False))
    if metaspace:
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
        tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
        alphabet = sorted(set(training_text()) - {"\n", " "})
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=special,
                                      initial_alphabet=alphabet + ["▁"], show_progress=False)
    else:
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tokenizer.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=special,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                      show_progress=False)
    tokenizer.train_from_iterator(_lines(training_text()), trainer=trainer)
    return tokenizer


def build_nllb(folder: Path) -> Path:
    """An NLLB-style model (M2M100 architecture, NllbTokenizer with deu_Latn/eng_Latn/zho_Hans):
    the target language is the forced first token."""
    from transformers import (
        GenerationConfig,
        M2M100Config,
        M2M100ForConditionalGeneration,
    )
    from transformers.models.nllb import NllbTokenizer

    bpe = _train_bpe(600, ["<s>", "<pad>", "</s>", "<unk>"], metaspace=True)
    state = json.loads(bpe.to_str())  # type: ignore[attr-defined]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m)
              for m in state["model"]["merges"]]
    tokenizer = NllbTokenizer(vocab=state["model"]["vocab"], merges=merges,
                              additional_special_tokens=list(NLLB_CODES), src_lang="deu_Latn")
    tokenizer.save_pretrained(folder)
    config = M2M100Config(
        vocab_size=len(tokenizer), d_model=32, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
        decoder_ffn_dim=64, max_position_embeddings=256, pad_token_id=1, bos_token_id=0,
        eos_token_id=2, decoder_start_token_id=2, scale_embedding=True, init_std=0.5,
    )
    _seed()
    model = M2M100ForConditionalGeneration(config)
    model.generation_config = GenerationConfig(
        decoder_start_token_id=2, bos_token_id=0, eos_token_id=2, pad_token_id=1, num_beams=1,
        max_length=256,
    )
    model.save_pretrained(folder)
    return folder


QWEN_05B_SIZE = {"hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
                 "num_attention_heads": 14, "num_key_value_heads": 2,
                 "max_position_embeddings": 32768, "initializer_range": 0.02}


def build_causal_lm(folder: Path, *, hidden_size: int = 32, size: dict | None = None) -> Path:
    """A Qwen2-style chat LM: byte-level BPE tokenizer with a ChatML chat template. ``size``
    overrides the tiny dimensions (``QWEN_05B_SIZE``: Qwen2.5-0.5B's body, random weights;
    the vocabulary stays the tiny tokenizer's, so its output layer is far narrower)."""
    from transformers import (
        GenerationConfig,
        PreTrainedTokenizerFast,
        Qwen2Config,
        Qwen2ForCausalLM,
    )

    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    bpe = _train_bpe(700, special, metaspace=False)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>",
        chat_template=CHAT_TEMPLATE,
    )
    tokenizer.save_pretrained(folder)
    eos, pad = tokenizer.convert_tokens_to_ids(["<|im_end|>", "<|endoftext|>"])
    config = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=hidden_size, intermediate_size=2 * hidden_size,
        num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=1024,
        eos_token_id=eos, pad_token_id=pad, bos_token_id=None, tie_word_embeddings=False,
        initializer_range=0.5,
    )
    for key, value in (size or {}).items():
        setattr(config, key, value)
    _seed()
    model = Qwen2ForCausalLM(config)
    import torch

    with torch.no_grad():
        # Untied, widely spread random weights make the output depend on the whole prompt (a
        # tied 0.02-std model only repeats the prompt's last token, "\n", forever). Special
        # tokens never score, so a random model does not end at once, and newlines score
        # low, so every output has visible text.
        head = model.get_output_embeddings().weight
        specials = tokenizer.convert_tokens_to_ids(special)
        head[specials] = 0.0
        newline = [i for t, i in tokenizer.get_vocab().items() if set(t) <= {"Ċ", "Ġ", "ĉ"}]
        head[newline] *= 0.1
    model.generation_config = GenerationConfig(eos_token_id=[eos, pad], pad_token_id=pad,
                                               do_sample=False)
    model.save_pretrained(folder)
    return folder


_GGUF_LAYER_NAMES = {
    "input_layernorm.weight": "attn_norm.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight", "self_attn.q_proj.bias": "attn_q.bias",
    "self_attn.k_proj.weight": "attn_k.weight", "self_attn.k_proj.bias": "attn_k.bias",
    "self_attn.v_proj.weight": "attn_v.weight", "self_attn.v_proj.bias": "attn_v.bias",
    "self_attn.o_proj.weight": "attn_output.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}


def quantize_q4_k(weights: object) -> object:
    """Rows of float32 weights (each a multiple of 256 long) as GGUF Q4_K blocks, the
    4-bit format of the starter (Q4_K_M). gguf-py reads Q4_K but cannot write it; this is
    a plain min/max quantizer in llama.cpp's block layout (per 256 values: f16 scale and
    min, 8 six-bit sub-block scales and mins packed in 12 bytes, 128 bytes of nibbles)."""
    import numpy as np

    w = np.asarray(weights, dtype=np.float32)
    rows = w.reshape(-1, 8, 32)  # super-blocks of 8 sub-blocks of 32
    low = np.minimum(rows.min(axis=2), 0.0)
    step = (rows.max(axis=2) - low) / 15.0
    d = np.maximum(step.max(axis=1), 1e-12) / 63.0
    dmin = np.maximum((-low).max(axis=1), 1e-12) / 63.0
    sc = np.clip(np.rint(step / d[:, None]), 1, 63).astype(np.uint8)
    mn = np.clip(np.rint(-low / dmin[:, None]), 0, 63).astype(np.uint8)
    d16, dmin16 = d.astype(np.float16), dmin.astype(np.float16)
    scale = d16.astype(np.float32)[:, None] * sc
    offset = dmin16.astype(np.float32)[:, None] * mn
    safe = np.where(scale > 0, scale, 1.0)[:, :, None]  # an all-zero block stores zeros
    q = np.clip(np.rint((rows + offset[:, :, None]) / safe), 0, 15).astype(np.uint8)
    packed = np.zeros((len(rows), 12), dtype=np.uint8)
    packed[:, 0:4] = sc[:, 0:4] | ((sc[:, 4:8] >> 4) << 6)
    packed[:, 4:8] = mn[:, 0:4] | ((mn[:, 4:8] >> 4) << 6)
    packed[:, 8:12] = (sc[:, 4:8] & 0xF) | ((mn[:, 4:8] & 0xF) << 4)
    nibbles = (q[:, 0::2, :] | (q[:, 1::2, :] << 4)).reshape(len(rows), 128)
    blocks = np.concatenate([d16.view(np.uint8).reshape(-1, 2), dmin16.view(np.uint8).reshape(-1, 2),
                             packed, nibbles], axis=1)
    return blocks.reshape(w.shape[0], -1)


def build_gguf(folder: Path, chat_model: Path, *, quantization: str = "f32") -> Path:
    """The tiny chat LM written as a qwen2 .gguf file (float32 tensors, or with
    ``quantization="q4_k"`` its matrices in Q4_K blocks as the starter has them; GPT-2 style
    BPE tokenizer and chat template in the metadata), the way llama.cpp lays one out."""
    import gguf
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(chat_model)
    model = AutoModelForCausalLM.from_pretrained(chat_model)
    config = model.config
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"tiny-chat-{quantization}.gguf"
    writer = gguf.GGUFWriter(str(path), arch="qwen2")
    writer.add_name("tiny-chat")
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_rope_freq_base(config.rope_parameters["rope_theta"])
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    q4 = quantization == "q4_k"
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_K_M if q4 else gguf.LlamaFileType.ALL_F32)
    state = json.loads(tokenizer.backend_tokenizer.to_str())
    tokens = [""] * len(tokenizer)
    for token, i in state["model"]["vocab"].items():
        tokens[i] = token
    special = {added["id"]: added["content"] for added in state["added_tokens"]}
    for i, token in special.items():
        tokens[i] = token
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_types([gguf.TokenType.CONTROL if i in special else gguf.TokenType.NORMAL
                            for i in range(len(tokens))])
    writer.add_token_merges([m if isinstance(m, str) else " ".join(m)
                             for m in state["model"]["merges"]])
    writer.add_eos_token_id(tokenizer.eos_token_id)
    writer.add_pad_token_id(tokenizer.pad_token_id)
    writer.add_add_bos_token(False)
    writer.add_chat_template(tokenizer.chat_template)
    for name, tensor in model.state_dict().items():
        if name == "lm_head.weight":
            if config.tie_word_embeddings:
                continue  # the embeddings serve as the output layer
            gguf_name = "output.weight"
        elif name == "model.embed_tokens.weight":
            gguf_name = "token_embd.weight"
        elif name == "model.norm.weight":
            gguf_name = "output_norm.weight"
        else:
            _, _, layer, rest = name.split(".", 3)
            gguf_name = f"blk.{layer}.{_GGUF_LAYER_NAMES[rest]}"
        data = tensor.float().numpy()
        if q4 and data.ndim == 2 and data.shape[1] % 256 == 0:
            writer.add_tensor(gguf_name, quantize_q4_k(data),
                              raw_dtype=gguf.GGMLQuantizationType.Q4_K)
        else:
            writer.add_tensor(gguf_name, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def build_t5(folder: Path) -> Path:
    """A T5/MADLAD-style model: the target language is a "<2xx>" token in front of the source."""
    import sentencepiece as spm
    from transformers import GenerationConfig, T5Config, T5ForConditionalGeneration
    from transformers.models.t5 import T5Tokenizer

    work = folder.parent / (folder.name + "-spm")
    work.mkdir(parents=True, exist_ok=True)
    (work / "train.txt").write_text(training_text(), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(work / "train.txt"), model_prefix=str(work / "spm"), vocab_size=800,
        model_type="unigram", character_coverage=1.0, pad_id=0, eos_id=1, unk_id=2, bos_id=-1,
        minloglevel=2, num_threads=1,
    )
    sp = spm.SentencePieceProcessor(model_file=str(work / "spm.model"))
    tokenizer = T5Tokenizer(vocab=[(sp.id_to_piece(i), sp.get_score(i))
                                   for i in range(sp.get_piece_size())], extra_ids=0)
    tokenizer.add_tokens(["<2de>", "<2en>", "<2zh>"])
    tokenizer.save_pretrained(folder)
    config = T5Config(vocab_size=len(tokenizer), d_model=32, d_kv=16, d_ff=64, num_layers=1,
                      num_heads=2, decoder_start_token_id=0, eos_token_id=1, pad_token_id=0,
                      tie_word_embeddings=False, initializer_factor=5.0)
    _seed()
    model = T5ForConditionalGeneration(config)
    import torch

    with torch.no_grad():  # end-of-sequence and padding never score: every output has text
        model.get_output_embeddings().weight[[0, 1]] = 0.0
    model.generation_config = GenerationConfig(decoder_start_token_id=0, eos_token_id=1,
                                               pad_token_id=0)
    model.save_pretrained(folder)
    shutil.rmtree(work)
    return folder


def build_bart(folder: Path) -> Path:
    """A BART model with ``task_specific_params`` for summarization, as facebook/bart-large-cnn
    has: a seq2seq model that is not a translator."""
    from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

    special = ["<s>", "<pad>", "</s>", "<unk>"]
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=_train_bpe(500, special, metaspace=False),
                                        bos_token="<s>", pad_token="<pad>", eos_token="</s>",
                                        unk_token="<unk>")
    tokenizer.save_pretrained(folder)
    config = BartConfig(
        vocab_size=len(tokenizer), d_model=32, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
        decoder_ffn_dim=64, max_position_embeddings=256, pad_token_id=1, bos_token_id=0,
        eos_token_id=2, decoder_start_token_id=2,
        task_specific_params={"summarization": {"length_penalty": 2.0, "max_length": 142,
                                                "min_length": 56, "num_beams": 4}},
    )
    _seed()
    BartForConditionalGeneration(config).save_pretrained(folder)
    return folder
