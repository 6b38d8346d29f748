"""ROUGE-1/2/L/Lsum with tokenizers that work for English, German and Chinese.

Scoring is rouge_score's (Google's re-implementation of ROUGE-1.5.5); tk adds the
tokenizers. rouge_score's own tokenizer keeps only ``[a-z0-9]``, so any Chinese text scores
0 and German words are cut at umlauts ("längste" -> "l", "ngste"). ``evaluate``'s "rouge" is a
thin wrapper over the same code that loads its script from the Hugging Face Hub, so tk calls
rouge_score directly and works offline.

Tokenizers (the name goes into the signature):
  ascii    rouge_score's default: lowercase, runs of [a-z0-9]. Equals ROUGE-1.5.5 for English,
           and is what published German scores with rouge_score used (e.g. Klexikon).
  words    lowercase Unicode words (letters and digits of any script, umlauts kept).
  zh-char  every Chinese character is a token; runs of other letters/digits are words.
  jieba    Chinese words from jieba's default dictionary (lowercased, punctuation dropped).
Stemmers: porter (nltk, as rouge_score's use_stemmer and ROUGE-1.5.5 -m), cistem (nltk's
German stemmer, no data download), none. As in rouge_score, only tokens longer than 3
characters are stemmed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from toolkit.errors import ScoreError

ROUGE_TYPES: tuple[str, ...] = ("rouge1", "rouge2", "rougeL", "rougeLsum")
TOKENIZERS: tuple[str, ...] = ("ascii", "words", "zh-char", "jieba")
STEMMERS: tuple[str, ...] = ("none", "porter", "cistem")
DEFAULT_TOKENIZER = {"en": "ascii", "de": "words", "zh": "zh-char"}
DEFAULT_STEMMER = {"en": "porter", "de": "cistem", "zh": "none"}  # used when stemming is on

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ZH_TOKEN = re.compile(f"[{_HAN}]|[^\\W_{_HAN}]+")
_WORD = re.compile(r"[^\W_]+")
# Sentence ends for ROUGE-Lsum when a summary has no line breaks: Latin punctuation
# followed by space, or CJK full-width punctuation (no space follows in Chinese).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])")


@dataclass(frozen=True)
class RougeConfig:
    """How ROUGE is computed; everything that changes a number is in ``signature()``."""

    tokenizer: str = "ascii"
    stemmer: str = "none"
    rouge_types: tuple[str, ...] = ROUGE_TYPES

    def __post_init__(self) -> None:
        if self.tokenizer not in TOKENIZERS:
            raise ScoreError(f"unknown ROUGE tokenizer {self.tokenizer!r}; choose one of {', '.join(TOKENIZERS)}")
        if self.stemmer not in STEMMERS:
            raise ScoreError(f"unknown stemmer {self.stemmer!r}; choose one of {', '.join(STEMMERS)}")
        bad = [t for t in self.rouge_types if t not in ROUGE_TYPES]
        if bad:
            raise ScoreError(f"unknown ROUGE type {bad[0]!r}; choose from {', '.join(ROUGE_TYPES)}")

    @classmethod
    def for_language(cls, lang: str, *, stem: bool = False, tokenizer: str | None = None,
                     stemmer: str | None = None, rouge_types: Sequence[str] = ROUGE_TYPES) -> RougeConfig:
        """tk's defaults for a language: ascii+porter (en), words+cistem (de), zh-char (zh)."""
        tok = tokenizer or DEFAULT_TOKENIZER.get(lang, "words")
        stm = stemmer or (DEFAULT_STEMMER.get(lang, "none") if stem else "none")
        return cls(tokenizer=tok, stemmer=stm, rouge_types=tuple(rouge_types))

    def signature(self, nrefs: int) -> str:
        """e.g. ``nrefs:2|tok:zh-char|stem:none|multiref:max-f|lsum:lines|version:rouge_score-0.1.2``."""
        return (f"nrefs:{nrefs}|tok:{self.tokenizer}|stem:{self.stemmer}|multiref:max-f|lsum:lines"
                f"|version:rouge_score-{_rouge_score_version()}")


@lru_cache(maxsize=1)
def _rouge_score_version() -> str:
    from importlib.metadata import version

    return version("rouge_score")


@lru_cache(maxsize=4)
def _stemmer(name: str) -> Any:
    if name == "porter":
        from nltk.stem import porter

        return porter.PorterStemmer()  # the stemmer rouge_score's use_stemmer=True builds
    if name == "cistem":
        try:
            from nltk.stem.cistem import Cistem
        except ImportError:
            raise ScoreError("German stemming needs nltk: pip install 'tk-translate[score]'") from None
        return Cistem(case_insensitive=True)  # tokens are lowercased before stemming
    return None


class Tokenizer:
    """A rouge_score-compatible tokenizer (``tokenize(text) -> list[str]``)."""

    def __init__(self, name: str, stemmer: str = "none") -> None:
        self.name = name
        self._stemmer = _stemmer(stemmer)

    def tokenize(self, text: str) -> list[str]:
        if self.name == "ascii":
            from rouge_score import tokenize

            return tokenize.tokenize(text, self._stemmer)
        text = text.lower()
        if self.name == "words":
            tokens = _WORD.findall(text)
        elif self.name == "zh-char":
            tokens = _ZH_TOKEN.findall(text)
        else:
            tokens = [t for w in _jieba_cut(text) for t in _WORD.findall(w)]
        if self._stemmer is not None:
            tokens = [self._stemmer.stem(t) if len(t) > 3 else t for t in tokens]
        return [t for t in tokens if t]


def _jieba_cut(text: str) -> list[str]:
    try:
        import jieba
    except ImportError:
        raise ScoreError("tokenizer 'jieba' needs jieba: pip install 'tk-translate[score]'") from None
    jieba.setLogLevel(60)  # silence "Building prefix dict" on first use
    return jieba.lcut(text)


def split_sentences(text: str) -> list[str]:
    """Sentences for ROUGE-Lsum: the lines if the text has line breaks, else split at . ! ? 。！？"""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) > 1:
        return lines
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


@dataclass
class RougeScores:
    """Per-document ROUGE: ``values[type]`` is an ``(n_docs, 3)`` array of P, R, F in 0-100."""

    config: RougeConfig
    values: dict[str, np.ndarray] = field(default_factory=dict)

    def f(self, rouge_type: str) -> np.ndarray:
        return self.values[rouge_type][:, 2]


def rouge_scores(hypotheses: Sequence[str], references: Sequence[Sequence[str]],
                 config: RougeConfig) -> RougeScores:
    """ROUGE of each hypothesis against its references (best reference by F, per type,
    as rouge_score's ``score_multi``). ``references[i]`` lists the references of item i."""
    from rouge_score import rouge_scorer

    if len(hypotheses) != len(references):
        raise ScoreError(f"{len(hypotheses)} hypotheses but {len(references)} reference lists")
    scorer = rouge_scorer.RougeScorer(list(config.rouge_types),
                                      tokenizer=Tokenizer(config.tokenizer, config.stemmer))
    out = {t: np.zeros((len(hypotheses), 3)) for t in config.rouge_types}
    for i, (hyp, refs) in enumerate(zip(hypotheses, references)):
        if not refs:
            raise ScoreError(f"item {i + 1} has no reference")
        hyp_lines = "\n".join(split_sentences(hyp))
        best = scorer.score_multi(["\n".join(split_sentences(r)) for r in refs], hyp_lines)
        for t in config.rouge_types:
            s = best[t]
            out[t][i] = (100 * s.precision, 100 * s.recall, 100 * s.fmeasure)
    return RougeScores(config=config, values=out)
