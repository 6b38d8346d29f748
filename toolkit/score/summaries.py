"""Scoring summaries with ROUGE (and semantic similarity for English) against two or more
reference summaries per document; plus inter-reference agreement, the ceiling for systems."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from toolkit.errors import ScoreError
from toolkit.score.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    bootstrap_interval,
    paired_bootstrap,
)
from toolkit.score.hypotheses import (
    SummaryHypotheses,
    check_language,
    detect_language,
    read_summaries,
    unique_names,
)
from toolkit.score.references import SummaryReferences, read_reference_summaries
from toolkit.score.report import MetricScore, ScoreReport, SystemScores
from toolkit.score.rouge import ROUGE_TYPES, RougeConfig, rouge_scores
from toolkit.score.translations import parse_metrics

SUMMARY_METRICS: tuple[str, ...] = (*ROUGE_TYPES, "semantic")
DEFAULT_SUMMARY_METRICS: tuple[str, ...] = ROUGE_TYPES


def score_summaries(
    hypotheses: Sequence[str | Path | SummaryHypotheses],
    references: str | Path | SummaryReferences,
    lang: str | None = None,
    metrics: str | Sequence[str] = DEFAULT_SUMMARY_METRICS,
    *,
    stem: bool = False,
    tokenizer: str | None = None,
    stemmer: str | None = None,
    compare: bool = False,
    allow_missing: bool = False,
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
    check_lang: bool = True,
) -> ScoreReport:
    """ROUGE F (0-100) of each system's summaries, best reference per document (as
    rouge_score's ``score_multi``), averaged over documents with a bootstrap interval
    (rouge_score's BootstrapAggregator, seeded). Tokenizer and stemmer default by language:
    en ascii (+porter with ``stem``), de words (+cistem), zh zh-char."""
    hyps = [h if isinstance(h, SummaryHypotheses) else read_summaries(h) for h in hypotheses]
    if not hyps:
        raise ScoreError("no summary files given")
    for h, name in zip(hyps, unique_names([h.name for h in hyps], [h.path for h in hyps])):
        h.name = name
    hyp_langs = {h.lang for h in hyps if h.lang}
    refs = references if isinstance(references, SummaryReferences) else \
        read_reference_summaries(references, lang or (hyp_langs.pop() if len(hyp_langs) == 1 else None))
    lang = lang or next((h.lang for h in hyps if h.lang), None) or refs.lang or \
        detect_language([s for v in refs.summaries.values() for s in v])
    if not lang:
        raise ScoreError("cannot tell the summaries' language; pass --lang en, de or zh")
    if check_lang:
        check_language([s for v in refs.summaries.values() for s in v], lang, f"references {refs.path}")
    systems = []
    for h in hyps:
        texts, missing = _align(h, refs, allow_missing)
        if check_lang:
            check_language(texts, lang, f"summaries {h.path}")
        systems.append((h.name, str(h.path), texts, missing, [refs.summaries[d] for d in refs.docs]))
    return _score(systems, refs.docs, str(refs.path), lang, metrics, stem=stem, tokenizer=tokenizer, stemmer=stemmer,
                  compare=compare, n_samples=n_samples, seed=seed, confidence=confidence)


def reference_agreement(
    references: str | Path | SummaryReferences,
    lang: str | None = None,
    metrics: str | Sequence[str] = DEFAULT_SUMMARY_METRICS,
    *,
    stem: bool = False,
    tokenizer: str | None = None,
    stemmer: str | None = None,
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
) -> ScoreReport:
    """Each reference set scored against the others ("ref A" vs B, C...): how much two
    careful human summaries agree, a practical ceiling for any system's ROUGE."""
    refs = references if isinstance(references, SummaryReferences) else read_reference_summaries(references, lang)
    lang = lang or refs.lang or detect_language([s for v in refs.summaries.values() for s in v]) or "en"
    docs = [d for d in refs.docs if len(refs.summaries[d]) >= 2]
    if not docs:
        raise ScoreError(f"{refs.path}: agreement needs two or more references per document")
    labels = sorted({label for d in docs for label in refs.labels[d]})
    systems = []
    for label in labels:
        texts, others = [], []
        for d in docs:
            pairs = list(zip(refs.labels[d], refs.summaries[d]))
            own = [s for lab, s in pairs if lab == label]
            texts.append(own[0] if own else "")
            others.append([s for lab, s in pairs if lab != label] or [""])
        missing = sum(1 for d in docs if label not in refs.labels[d])
        systems.append((f"ref {label}", str(refs.path), texts, missing, others))
    report = _score(systems, docs, str(refs.path), lang, metrics, stem=stem, tokenizer=tokenizer, stemmer=stemmer,
                    compare=False, n_samples=n_samples, seed=seed, confidence=confidence)
    report.notes.append("Inter-reference agreement: each reference set scored against the others.")
    return report


def _align(h: SummaryHypotheses, refs: SummaryReferences, allow_missing: bool) -> tuple[list[str], int]:
    if h.plain:
        lines = h.lines or []
        if len(lines) != len(refs.docs):
            raise ScoreError(
                f"{h.path}: {len(lines)} lines, but the references {refs.path} have "
                f"{len(refs.docs)} documents; a plain file needs one summary per line in this "
                f"order: {', '.join(refs.docs[:5])}{', ...' if len(refs.docs) > 5 else ''} "
                '(or give JSONL records {"doc": ..., "summary": ...})')
        h.summaries = dict(zip(refs.docs, lines, strict=True))
    extra = [d for d in h.summaries if d not in refs.summaries]
    if extra:
        raise ScoreError(f"{h.path}: {len(extra)} documents are not in the references {refs.path} "
                         f"(first: {extra[0]!r}); are these the right references?")
    absent = [d for d in refs.docs if d not in h.summaries]
    if absent and not allow_missing:
        raise ScoreError(f"{h.path}: {len(absent)} of {len(refs.docs)} documents have no summary "
                         f"(first: {absent[0]!r}); add them, or pass --allow-missing to score them as empty")
    texts = [h.summaries.get(d, "") for d in refs.docs]
    if not any(t.strip() for t in texts):
        raise ScoreError(f"{h.path}: every summary is empty; nothing to score")
    return texts, len(absent)


def _score(systems: list[tuple[str, str, list[str], int, list[list[str]]]], docs: list[str], ref_path: str,
           lang: str, metrics: str | Sequence[str], *, stem: bool, tokenizer: str | None, stemmer: str | None,
           compare: bool, n_samples: int, seed: int, confidence: float) -> ScoreReport:
    metric_names = parse_metrics(metrics, SUMMARY_METRICS)
    rouge_types = tuple(m for m in metric_names if m in ROUGE_TYPES)
    config = RougeConfig.for_language(lang, stem=stem, tokenizer=tokenizer, stemmer=stemmer,
                                      rouge_types=rouge_types or ("rouge1",))
    boot = {"n_samples": n_samples, "seed": seed, "confidence": confidence}
    nrefs = max(len(r) for _, _, _, _, refs in systems for r in refs)
    signatures = {t: f"{t}|{config.signature(nrefs)}" for t in rouge_types}
    report = ScoreReport(task="summaries", lang=lang, references=ref_path, metrics=metric_names,
                         signatures=signatures, systems=[], bootstrap=boot)
    per_system: dict[str, dict[str, np.ndarray]] = {}
    for name, path, texts, missing, refs in systems:
        values: dict[str, np.ndarray] = {}
        detail: dict[str, dict[str, float]] = {}
        if rouge_types:
            rs = rouge_scores(texts, refs, config)
            for t in rouge_types:
                values[t] = rs.f(t)
                detail[t] = {"precision": float(rs.values[t][:, 0].mean()), "recall": float(rs.values[t][:, 1].mean())}
        if "semantic" in metric_names:
            from toolkit.score.semantic import semantic_signature, semantic_similarity

            flat_refs = [r for rr in refs for r in rr]
            sims = semantic_similarity([t for t, rr in zip(texts, refs) for _ in rr], flat_refs, lang=lang)
            best, k = [], 0
            for rr in refs:  # best reference per document, as for ROUGE
                best.append(float(sims[k:k + len(rr)].max()))
                k += len(rr)
            values["semantic"] = np.asarray(best)
            signatures["semantic"] = semantic_signature(nrefs).replace("|model:", "|multiref:max|model:")
        scores = {}
        for m in metric_names:
            interval = bootstrap_interval(values[m], n_samples=n_samples, seed=seed, confidence=confidence)
            scores[m] = MetricScore(score=float(values[m].mean()), low=interval.low, high=interval.high,
                                    count=len(docs), detail={"mid": interval.mid, **detail.get(m, {})})
            report.documents.extend({"system": name, "doc": d, "metric": m, "score": float(v)}
                                    for d, v in zip(docs, values[m]))
        empty = sum(1 for t in texts if not t.strip()) - missing
        report.systems.append(SystemScores(name=name, path=path, scores=scores, items=len(docs), missing=missing,
                                           empty=empty))
        per_system[name] = values
    if compare and len(systems) > 1:
        base = systems[0][0]
        for name, *_ in systems[1:]:
            for m in metric_names:
                report.comparisons.append(paired_bootstrap(per_system[base][m], per_system[name][m], metric=m,
                                                           baseline=base, system=name, n_samples=n_samples,
                                                           seed=seed, confidence=confidence))
    return report
