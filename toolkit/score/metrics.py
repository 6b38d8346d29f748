"""Translation metrics through sacreBLEU (BLEU, chrF, chrF++, TER) and from tk's QA checks.

sacreBLEU metrics are used as sacreBLEU defines them, so a corpus score here equals
``sacrebleu -m bleu chrf`` on the same lines and carries sacreBLEU's signature. Chinese
targets use ``tok:zh`` for BLEU and TER's Asian support; everything else ``13a``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from toolkit.errors import ScoreError

SACREBLEU_METRICS: tuple[str, ...] = ("bleu", "chrf", "chrf++", "ter")
SACREBLEU_NAMES = {"bleu": "BLEU", "chrf": "chrF2", "chrf++": "chrF2++", "ter": "TER"}  # as sacreBLEU prints them
CHECK_METRICS: tuple[str, ...] = ("terms", "numbers", "untranslated")
LOWER_IS_BETTER = frozenset({"ter", "untranslated"})


def bleu_tokenizer(lang: str) -> str:
    """sacreBLEU tokenizer for a target language: ``zh`` for Chinese, ``13a`` otherwise."""
    return "zh" if lang == "zh" else "13a"


def sacrebleu_metric(name: str, lang: str, *, sentence: bool = False) -> Any:
    """A configured sacreBLEU metric object. ``sentence`` turns on BLEU's effective order,
    which sacreBLEU recommends for single sentences (it shows as ``eff:yes``)."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    if name == "bleu":
        return BLEU(tokenize=bleu_tokenizer(lang), effective_order=sentence)
    if name == "chrf":
        return CHRF()
    if name == "chrf++":
        return CHRF(word_order=2)
    if name == "ter":
        return TER(asian_support=lang == "zh")
    raise ScoreError(f"unknown sacreBLEU metric {name!r}; choose from {', '.join(SACREBLEU_METRICS)}")


@dataclass
class CorpusMetric:
    """One sacreBLEU metric over a corpus: its score, signature and per-segment statistics
    (for bootstrap) plus sentence-level scores."""

    name: str
    score: float
    signature: str
    stats: np.ndarray  # (n_segments, k) sufficient statistics
    metric: Any  # the sacreBLEU object, to turn summed stats into a score

    def score_from_stats(self, sums: np.ndarray) -> float:
        return float(self.metric._compute_score_from_stats(list(sums)).score)


def corpus_metric(name: str, hypotheses: Sequence[str], references: Sequence[Sequence[str]],
                  lang: str) -> CorpusMetric:
    """Corpus-level sacreBLEU score. ``references`` are streams: ``references[k][i]`` is
    the k-th reference of segment i (sacreBLEU's layout)."""
    metric = sacrebleu_metric(name, lang)
    refs = [list(r) for r in references]
    # sacreBLEU's own path to per-segment sufficient statistics (its significance tests use it).
    stats = metric._extract_corpus_statistics(list(hypotheses), refs)
    score = metric._compute_score_from_stats(np.asarray(stats, dtype=np.float64).sum(axis=0).tolist()).score
    return CorpusMetric(name=name, score=float(score), signature=metric.get_signature().format(),
                        stats=np.asarray(stats, dtype=np.float64), metric=metric)


def sentence_scores(name: str, stats: np.ndarray, lang: str, nrefs: int = 1) -> tuple[list[float], str]:
    """Sentence-level scores from per-segment statistics (what ``sentence_score`` computes,
    without extracting the statistics again; BLEU with effective order) and their signature."""
    metric = sacrebleu_metric(name, lang, sentence=True)
    out = [float(metric._compute_score_from_stats(list(row)).score) for row in stats]
    metric.num_refs = nrefs  # what sacreBLEU records while reading references; the signature needs it
    return out, metric.get_signature().format()


# --- term and number accuracy from tk's QA checks ----------------------------------------

CHECKS_SIGNATURE = {
    "terms": "source:checks.terms|count:placed/found|version:tk-{v}",
    "numbers": "source:checks.numbers|count:matched/(matched+mismatched)|unverified:excluded|version:tk-{v}",
    "untranslated": "source:checks.untranslated_words|count:words/segments|version:tk-{v}",
}


def check_counts(name: str, checks: Mapping[str, Any] | None) -> tuple[int, int] | None:
    """``(correct, total)`` for one segment from the checks tk stores with it, counted as
    ``tk translate``'s run summary counts them (toolkit.qa.checks.CheckSummary): terms found in
    the source that the translation places as required (``violated`` is a subset of ``found``:
    appended after the sentence, left untranslated or missing; records of tk before 0.2 did not
    tell appended terms apart - ``tk score --glossary`` checks such outputs again); source quantities that come out right, leaving out those tk could not verify.
    None when the segment has no such check (older outputs, no glossary): reported as n/a,
    never as 0 or 100. ``untranslated``: ``(German words left, 1)``, so the score is German
    words left per 100 segments (lower is better)."""
    if not checks or not isinstance(checks, Mapping):
        return None
    if name == "untranslated":
        left = checks.get("untranslated_words")
        return (len(left), 1) if isinstance(left, list) else None
    part = checks.get(name)
    if not isinstance(part, Mapping):
        return None
    if name == "terms":
        found, violated = part.get("found") or [], part.get("violated") or []
        return (max(len(found) - len(violated), 0), len(found))
    wrong = len(part.get("mismatched") or [])
    matched = part.get("matched")
    if isinstance(matched, int):
        return (matched, matched + wrong)
    checked = part.get("checked")
    if not isinstance(checked, int) or checked < 0:
        return None
    verifiable = max(checked - len(part.get("unverified") or []), 0)
    return (max(verifiable - wrong, 0), verifiable)


def recheck_signature(glossary: Any) -> str:
    """Where the term and number checks came from when ``tk score --glossary`` made them."""
    from toolkit.load import glossary_digest

    return f"source:recheck|glossary:{glossary_digest(glossary)}"


def checks_signature(name: str) -> str:
    from toolkit import __version__

    return CHECKS_SIGNATURE[name].format(v=__version__)


def percent(correct: int, total: int) -> float:
    return 100.0 * correct / total if total else math.nan
