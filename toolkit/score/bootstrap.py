"""Bootstrap resampling: confidence intervals for one system, paired tests for two.

Scores are recomputed from per-item sufficient statistics (sums), so one routine serves
corpus BLEU (n-gram counts), chrF (character n-gram counts), term accuracy (correct, total)
and ROUGE (per-document F and a count, whose ratio is the mean). The resampling mirrors
sacreBLEU's paired bootstrap (``sacrebleu.significance._paired_bs_test``): the same seed
gives the same resampled indices, hence the same p-values as ``sacrebleu --paired-bs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

DEFAULT_SEED = 12345  # sacreBLEU's default (SACREBLEU_SEED)
DEFAULT_SAMPLES = 1000
DEFAULT_CONFIDENCE = 0.95

ScoreFromStats = Callable[[np.ndarray], float]


@dataclass(frozen=True)
class Interval:
    """A bootstrap confidence interval: ``mid`` is the median of the resampled scores."""

    low: float
    mid: float
    high: float


@dataclass(frozen=True)
class PairedResult:
    """System vs baseline on the same items: difference, its interval, and a p-value."""

    metric: str
    baseline: str
    system: str
    baseline_score: float
    system_score: float
    delta: float  # system - baseline
    delta_low: float
    delta_high: float
    p_value: float
    n_samples: int
    seed: int

    @property
    def significant(self) -> bool:
        """p < 0.05: the difference is unlikely to be an accident of which items were tested."""
        return self.p_value < 0.05


def resample_indices(n_items: int, n_samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> np.ndarray:
    """``(n_samples, n_items)`` indices drawn with replacement, exactly as sacreBLEU draws them."""
    if n_items <= 0:
        raise ValueError("bootstrap needs at least one item")
    rng = np.random.default_rng(seed)
    return rng.choice(n_items, size=(n_samples, n_items), replace=True)


def _percentiles(samples: np.ndarray, confidence: float) -> tuple[float, float, float]:
    delta = (1 - confidence) / 2
    low, mid, high = np.nanpercentile(samples, [100 * delta, 50, 100 * (1 - delta)])
    return float(low), float(mid), float(high)


def _resampled_scores(stats: np.ndarray, score_fn: ScoreFromStats, idxs: np.ndarray) -> np.ndarray:
    return np.array([score_fn(stats[row].sum(axis=0)) for row in idxs])


def bootstrap_interval(
    stats: np.ndarray | list,
    score_fn: ScoreFromStats | None = None,
    *,
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Interval:
    """Percentile interval of a corpus score over resampled items.

    ``stats`` holds one row of sufficient statistics per item; ``score_fn`` turns their sum
    into a score. Without ``score_fn``, ``stats`` is a vector of item scores and the score is
    their mean: this is rouge_score's ``BootstrapAggregator`` (low/mid/high), made reproducible.
    """
    arr = np.asarray(stats, dtype=np.float64)
    if score_fn is None:
        arr = np.column_stack([arr, np.ones(len(arr))])
        score_fn = mean_from_sums
    idxs = resample_indices(len(arr), n_samples, seed)
    return Interval(*_percentiles(_resampled_scores(arr, score_fn, idxs), confidence))


def paired_bootstrap(
    baseline_stats: np.ndarray | list,
    system_stats: np.ndarray | list,
    score_fn: ScoreFromStats | None = None,
    *,
    metric: str = "",
    baseline: str = "baseline",
    system: str = "system",
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> PairedResult:
    """Paired bootstrap resampling test (Koehn 2004, as in sacreBLEU and Moses).

    Both systems are resampled with the same item indices. The p-value is sacreBLEU's:
    the share of resamples whose centred absolute difference exceeds the observed one
    (two-sided, with the +1 correction), except that identical scores give p = 1. Item rows
    must be aligned between the systems.
    """
    a = np.asarray(baseline_stats, dtype=np.float64)
    b = np.asarray(system_stats, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired bootstrap needs aligned items: {a.shape} vs {b.shape}")
    if score_fn is None:
        ones = np.ones(len(a))
        a, b = np.column_stack([a, ones]), np.column_stack([b, ones])
        score_fn = mean_from_sums
    score_a, score_b = score_fn(a.sum(axis=0)), score_fn(b.sum(axis=0))
    idxs = resample_indices(len(a), n_samples, seed)
    samples_a = _resampled_scores(a, score_fn, idxs)
    samples_b = _resampled_scores(b, score_fn, idxs)
    real_diff = abs(score_b - score_a)
    abs_diffs = np.abs(samples_b - samples_a)
    centred = abs_diffs - abs_diffs.mean()
    p_value = (int(np.sum(centred > real_diff)) + 1) / (n_samples + 1)
    if real_diff == 0:
        # sacreBLEU would report 1/(n+1) for two identical systems; no difference is never significant.
        p_value = 1.0
    low, _, high = _percentiles(samples_b - samples_a, confidence)
    return PairedResult(
        metric=metric,
        baseline=baseline,
        system=system,
        baseline_score=float(score_a),
        system_score=float(score_b),
        delta=float(score_b - score_a),
        delta_low=low,
        delta_high=high,
        p_value=float(p_value),
        n_samples=n_samples,
        seed=seed,
    )


def mean_from_sums(sums: np.ndarray) -> float:
    """Score from summed ``[value..., count]`` rows: the mean of the first column."""
    return float(sums[0] / sums[-1]) if sums[-1] else 0.0


def ratio_from_sums(sums: np.ndarray) -> float:
    """Score from summed ``[correct, total]`` rows, in percent (term and number accuracy)."""
    return float(100.0 * sums[0] / sums[1]) if sums[1] else float("nan")
