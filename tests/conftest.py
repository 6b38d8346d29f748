"""Shared fixtures. Every test runs with TK_HOME (cache, config) in a fresh temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def tk_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("tk_home")
    monkeypatch.setenv("TK_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # The tests of a given engine say so; the rest run on transformers, as they were written
    # (--engine auto, the default, is tested on its own in test_engine_auto.py).
    monkeypatch.setenv("TK_ENGINE", "transformers")
    monkeypatch.delenv("TK_DEBUG", raising=False)
    return home


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the checkout; tests that need it skip in users' clones."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (it exists only in the development workplace)")
    return SHARED


# --- tiny models with random weights (tests/tiny_models.py), built once per test session ---
# Each fixture returns a model folder; pass it wherever a model is asked for (--model FOLDER).


def _one_torch_thread() -> None:
    """Tiny models run ~15x faster on one thread when other processes share the cores
    (torch's worker threads otherwise spin-wait for each other)."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Marian/OPUS-MT-style de->en model (sentencepiece trained on the corpus)."""
    from tiny_models import build_marian

    _one_torch_thread()
    return build_marian(tmp_path_factory.mktemp("tiny") / "marian-de-en", target_lang="en")


@pytest.fixture(scope="session")
def tiny_marian_multi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Multi-target Marian model like opus-mt-de-ZH: >>cmn_Hans<< / >>eng<< target tokens."""
    from tiny_models import build_marian

    _one_torch_thread()
    return build_marian(tmp_path_factory.mktemp("tiny") / "marian-de-multi",
                        target_codes=(">>cmn_Hans<<", ">>eng<<"))


@pytest.fixture(scope="session")
def tiny_nllb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """NLLB-style model (M2M100 + NllbTokenizer with deu_Latn, eng_Latn, zho_Hans)."""
    from tiny_models import build_nllb

    _one_torch_thread()
    return build_nllb(tmp_path_factory.mktemp("tiny") / "nllb")


@pytest.fixture(scope="session")
def tiny_t5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """T5/MADLAD-style model: "<2en>"/"<2zh>" prefixes choose the target language."""
    from tiny_models import build_t5

    _one_torch_thread()
    return build_t5(tmp_path_factory.mktemp("tiny") / "t5")


@pytest.fixture(scope="session")
def tiny_chat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Qwen2-style causal chat LM with a ChatML chat template."""
    from tiny_models import build_causal_lm

    _one_torch_thread()
    return build_causal_lm(tmp_path_factory.mktemp("tiny") / "chat")


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory, tiny_chat: Path) -> Path:
    """The tiny chat LM as a qwen2 .gguf file (returns the file path)."""
    from tiny_models import build_gguf

    return build_gguf(tmp_path_factory.mktemp("tiny") / "gguf", tiny_chat)


@pytest.fixture(scope="session")
def tiny_chat_256(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny chat LM with 256-wide layers: GGUF Q4_K blocks need rows of 256 values."""
    from tiny_models import build_causal_lm

    _one_torch_thread()
    return build_causal_lm(tmp_path_factory.mktemp("tiny") / "chat-256", hidden_size=256)


@pytest.fixture(scope="session")
def tiny_gguf_q4(tmp_path_factory: pytest.TempPathFactory, tiny_chat_256: Path) -> Path:
    """The 256-wide tiny chat LM as a Q4_K .gguf file, the starter's quantization."""
    from tiny_models import build_gguf

    return build_gguf(tmp_path_factory.mktemp("tiny") / "gguf-q4", tiny_chat_256,
                      quantization="q4_k")


@pytest.fixture(scope="session")
def tiny_bart_summarizer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A BART model whose config says it summarizes (like facebook/bart-large-cnn)."""
    from tiny_models import build_bart

    _one_torch_thread()
    return build_bart(tmp_path_factory.mktemp("tiny") / "bart-sum")
