"""Scoring translations: every metric at corpus, document and segment level, with bootstrap
intervals and paired comparisons against the first system."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ScoreError
from toolkit.languages import TEXT_LANGUAGES
from toolkit.score import metrics as M
from toolkit.score.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    bootstrap_interval,
    paired_bootstrap,
    ratio_from_sums,
)
from toolkit.score.hypotheses import (
    TranslationHypotheses,
    check_language,
    detect_language,
    read_translations,
    unique_names,
)
from toolkit.score.references import TranslationReferences, read_reference_translations
from toolkit.score.report import MetricScore, ScoreReport, SystemScores

TRANSLATION_METRICS: tuple[str, ...] = ("bleu", "chrf", "chrf++", "ter", "terms", "numbers",
                                        "untranslated", "semantic", "comet")
DEFAULT_TRANSLATION_METRICS: tuple[str, ...] = ("bleu", "chrf", "terms", "numbers", "untranslated")


@dataclass
class _Computed:
    """One metric for one system: what the report shows and what the bootstrap needs."""

    score: float | None
    stats: np.ndarray  # one row per segment
    score_fn: Callable[[np.ndarray], float] | None  # None: mean of a score column
    segment: list[float | None]
    count: int


@dataclass
class _Aligned:
    system: TranslationHypotheses
    texts: list[str]  # in reference order; missing segments are ""
    checks: list[dict | None]
    missing: int
    empty: int


def parse_metrics(metrics: str | Sequence[str], allowed: Sequence[str]) -> list[str]:
    """``"bleu,chrf"`` or a list -> validated names in the given order."""
    names = [m.strip().lower() for m in (metrics.split(",") if isinstance(metrics, str) else metrics) if m.strip()]
    names = [{"rougel": "rougeL", "rougelsum": "rougeLsum"}.get(n, n) for n in names]
    unknown = [m for m in names if m not in allowed]
    if unknown:
        raise ScoreError(f"unknown metric {unknown[0]!r}; choose from {', '.join(allowed)}")
    if not names:
        raise ScoreError("no metric chosen")
    return list(dict.fromkeys(names))


def align_translations(hyp: TranslationHypotheses, refs: TranslationReferences, *,
                       allow_missing: bool = False) -> _Aligned:
    """Put one system's translations in reference order, or say precisely why not."""
    n = len(refs)
    if not hyp.ids:
        raise ScoreError(f"{hyp.path}: no translations to score (empty file)")
    if hyp.plain or refs.plain:
        if len(hyp.ids) != n:
            raise ScoreError(f"{hyp.path} has {len(hyp.ids)} lines but the references ({refs.path}) have {n}; "
                             "plain files must align line by line")
        texts, checks, missing = list(hyp.texts), list(hyp.checks), 0
    else:
        by_id = {i: k for k, i in enumerate(hyp.ids)}
        known = set(refs.ids)
        extra = [i for i in hyp.ids if i not in known]
        if extra:
            raise ScoreError(f"{hyp.path}: {len(extra)} segment ids are not in the references {refs.path} "
                             f"(first: {extra[0]!r}); are these the right references for these outputs?")
        absent = [i for i in refs.ids if i not in by_id]
        if absent and not allow_missing:
            raise ScoreError(f"{hyp.path}: {len(absent)} of {n} reference segments have no translation "
                             f"(first: {absent[0]!r}); translate them, or pass --allow-missing to score them as empty")
        texts = [hyp.texts[by_id[i]] if i in by_id else "" for i in refs.ids]
        checks = [hyp.checks[by_id[i]] if i in by_id else None for i in refs.ids]
        missing = len(absent)
    if not any(t.strip() for t in texts):
        raise ScoreError(f"{hyp.path}: every translation is empty; nothing to score")
    empty = sum(1 for t in texts if not t.strip()) - missing
    return _Aligned(system=hyp, texts=texts, checks=checks, missing=missing, empty=empty)


def _rechecked(a: _Aligned, refs: TranslationReferences, lang: str, glossary: Any) -> _Aligned:
    """``a`` with its checks made again from the references' sources and its texts."""
    from toolkit.glossary import check_terms
    from toolkit.qa.checks import check_segment

    if any(s is None for s in refs.sources):
        raise ScoreError("--glossary needs the German sources: use JSONL references with a "
                         "'source' field")
    checks: list[dict | None] = []
    for source, text, old in zip(refs.sources, a.texts, a.checks, strict=True):
        if not text.strip() and old is None:
            checks.append(None)  # missing: n/a, as before
            continue
        assert source is not None  # every source was checked above
        terms = check_terms(source, text, glossary, lang)
        checks.append(check_segment(source, text, target_lang=lang, terms=terms).to_dict())
    return replace(a, checks=checks)


def _resolve_lang(lang: str | None, hyps: list[TranslationHypotheses], refs: TranslationReferences) -> str:
    if lang:
        return lang
    for candidate in [*(h.lang for h in hyps), refs.lang]:
        if candidate:
            return candidate
    found = detect_language(refs.streams[0])
    if found in ("en", "zh"):
        return found
    raise ScoreError("cannot tell the target language; pass --lang en or --lang zh")


def score_translations(
    hypotheses: Sequence[str | Path | TranslationHypotheses],
    references: str | Path | TranslationReferences,
    lang: str | None = None,
    metrics: str | Sequence[str] = DEFAULT_TRANSLATION_METRICS,
    *,
    compare: bool = False,
    allow_missing: bool = False,
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
    check_lang: bool = True,
    comet_python: str | None = None,
    comet_model: str | None = None,
    covered: bool = False,
    glossary: Any = None,
) -> ScoreReport:
    """Score one or more systems' translations against reference translations.

    Hypotheses are tk JSONL files (aligned by segment id) or plain text (line by line);
    references are ``eval/refs/translations/<lang>.jsonl`` or plain text. Corpus scores come
    with bootstrap intervals; with ``compare`` every system is tested against the first.
    COMET runs in its own environment (``comet_python``, see :mod:`toolkit.score.comet`).
    With a ``glossary`` (a :class:`toolkit.glossary.Glossary`) the term and number checks are
    run again on every system's text against the references' sources, with tk's current
    checks (terms placed in the sentence; see :mod:`toolkit.qa.checks`): plain-text outputs
    of other tools get them too, and outputs of older tk versions are counted the same way.
    """
    metric_names = parse_metrics(metrics, TRANSLATION_METRICS)
    _check_available(metric_names, comet_python)
    hyps = [h if isinstance(h, TranslationHypotheses) else read_translations(h) for h in hypotheses]
    if not hyps:
        raise ScoreError("no hypothesis files given")
    for h, name in zip(hyps, unique_names([h.name for h in hyps], [h.path for h in hyps])):
        h.name = name
    refs = references if isinstance(references, TranslationReferences) else \
        read_reference_translations(references, lang or _single_lang(hyps))
    lang = _resolve_lang(lang, hyps, refs)
    coverage = None
    if covered:
        refs, coverage = covered_references(refs, hyps)
    if lang not in TEXT_LANGUAGES:
        raise ScoreError(f"unsupported target language {lang!r}; tk scores en and zh translations")
    if check_lang:
        check_language([t for s in refs.streams for t in s], lang, f"references {refs.path}")
    aligned = [align_translations(h, refs, allow_missing=allow_missing) for h in hyps]
    if check_lang:
        for a in aligned:
            check_language(a.texts, lang, f"hypotheses {a.system.path}")
    signatures: dict[str, str] = {}
    recheck = None
    if glossary is not None and any(m in M.CHECK_METRICS for m in metric_names):
        aligned = [_rechecked(a, refs, lang, glossary) for a in aligned]
        recheck = M.recheck_signature(glossary)

    computed: dict[str, dict[str, _Computed]] = {a.system.name: {} for a in aligned}
    for m in metric_names:
        for a in aligned:
            computed[a.system.name][m] = _compute(m, a, refs, lang, signatures,
                                                  comet={"python": comet_python, "model": comet_model},
                                                  recheck=recheck)

    boot = {"n_samples": n_samples, "seed": seed, "confidence": confidence}
    report = ScoreReport(task="translations", lang=lang, references=str(refs.path), metrics=metric_names,
                         signatures=signatures, systems=[], bootstrap=boot)
    doc_index: dict[str, list[int]] = {}
    for k, d in enumerate(refs.docs):
        doc_index.setdefault(d, []).append(k)
    for a in aligned:
        name = a.system.name
        scores: dict[str, MetricScore] = {}
        for m, c in computed[name].items():
            interval = None
            if c.score is not None and len(c.stats):
                interval = bootstrap_interval(c.stats, c.score_fn, n_samples=n_samples, seed=seed,
                                              confidence=confidence)
            scores[m] = MetricScore(score=c.score, low=interval.low if interval else None,
                                    high=interval.high if interval else None, count=c.count)
            for doc, idx in doc_index.items():
                report.documents.append({"system": name, "doc": doc, "metric": m,
                                         "score": _doc_score(c, idx)})
            for k, value in enumerate(c.segment):
                report.segments.append({"system": name, "doc": refs.docs[k], "id": refs.ids[k], "metric": m,
                                        "score": value})
        report.systems.append(SystemScores(name=name, path=str(a.system.path), scores=scores, items=len(refs),
                                           missing=a.missing, empty=a.empty))
    if compare and len(aligned) > 1:
        base = aligned[0].system.name
        for a in aligned[1:]:
            for m in metric_names:
                cb, cs = computed[base][m], computed[a.system.name][m]
                if cb.score is None or cs.score is None:
                    continue
                report.comparisons.append(paired_bootstrap(cb.stats, cs.stats, cb.score_fn, metric=m, baseline=base,
                                                           system=a.system.name, n_samples=n_samples, seed=seed,
                                                           confidence=confidence))
    if "ter" in metric_names:
        report.notes.append("TER: lower is better.")
    if "untranslated" in metric_names:
        report.notes.append("untranslated: German words left in the output per 100 segments "
                            "(checks.untranslated_words); lower is better.")
    if coverage is not None:
        report.notes.insert(0, coverage)
    return report


def covered_references(refs: TranslationReferences,
                       hyps: Sequence[TranslationHypotheses]) -> tuple[TranslationReferences, str]:
    """The references of the documents every system covers (a partial run, e.g. a job still
    under way, is scored on what it did), and a line saying how much of the set that is."""
    if refs.plain or any(h.plain for h in hyps):
        raise ScoreError("--covered needs tk JSONL files (documents are known by id), not "
                         "plain text")
    docs = set(refs.docs)
    for h in hyps:
        docs &= set(h.docs)
    keep = [k for k, d in enumerate(refs.docs) if d in docs]
    if not keep:
        raise ScoreError("--covered: no reference document is covered by every system")
    subset = TranslationReferences(
        ids=[refs.ids[k] for k in keep], docs=[refs.docs[k] for k in keep],
        sources=[refs.sources[k] for k in keep],
        streams=[[stream[k] for k in keep] for stream in refs.streams], path=refs.path,
        lang=refs.lang, plain=False)
    total_docs = len(dict.fromkeys(refs.docs))
    line = (f"partial: scored on the {len(docs)} of {total_docs} reference documents "
            f"({len(keep)} of {len(refs)} segments, {100 * len(keep) / len(refs):.0f}%) that "
            "every system covers (--covered); the rest of the reference set is not counted")
    return subset, line


def _check_available(metric_names: list[str], comet_python: str | None) -> None:
    """Fail before any work when an optional metric cannot run here."""
    if "semantic" in metric_names:
        from toolkit.score.semantic import model_path

        model_path()
    if "comet" in metric_names:
        from toolkit.score.comet import comet_python as find_comet

        find_comet(comet_python)


def _single_lang(hyps: list[TranslationHypotheses]) -> str | None:
    langs = {h.lang for h in hyps if h.lang}
    return langs.pop() if len(langs) == 1 else None


def _compute(m: str, a: _Aligned, refs: TranslationReferences, lang: str, signatures: dict[str, str],
             comet: dict[str, Any], recheck: str | None = None) -> _Computed:
    if m in M.SACREBLEU_METRICS:
        cm = M.corpus_metric(m, a.texts, refs.streams, lang)
        signatures[m] = f"{M.SACREBLEU_NAMES[m]}|{cm.signature}"
        seg, seg_sig = M.sentence_scores(m, cm.stats, lang, len(refs.streams))
        if m == "bleu":
            signatures["bleu@segment"] = f"BLEU|{seg_sig}"
        return _Computed(score=cm.score, stats=cm.stats, score_fn=cm.score_from_stats,
                         segment=list[float | None](seg),
                         count=len(a.texts))
    if m in M.CHECK_METRICS:
        counts = [M.check_counts(m, c) for c in a.checks]
        stats = np.array([c if c else (0, 0) for c in counts], dtype=np.float64)
        total = int(stats[:, 1].sum())
        signature = M.checks_signature(m)
        if recheck:  # the checks were made again here, not read from the records
            signature = re.sub(r"source:checks\.\w+", recheck, signature, count=1)
        signatures[m] = f"{m}|{signature}"
        shares: list[float | None] = [M.percent(*c) if c and c[1] else None for c in counts]
        return _Computed(score=ratio_from_sums(stats.sum(axis=0)) if total else None, stats=stats,
                         score_fn=ratio_from_sums, segment=shares, count=total)
    if m == "semantic":
        from toolkit.score.semantic import semantic_signature, semantic_similarity

        sims = semantic_similarity(a.texts, refs.streams[0], lang=lang)
        signatures[m] = semantic_signature(len(refs.streams[:1]))
        return _Computed(score=float(np.mean(sims)), stats=np.asarray(sims), score_fn=None,
                         segment=[float(s) for s in sims], count=len(sims))
    if m == "comet":
        from toolkit.score.comet import comet_scores

        if any(s is None for s in refs.sources):
            raise ScoreError("COMET needs the German sources: use JSONL references with a 'source' field")
        result = comet_scores([s or "" for s in refs.sources], a.texts, refs.streams[0], **comet)
        signatures[m] = result.signature
        return _Computed(score=float(np.mean(result.scores)), stats=np.asarray(result.scores), score_fn=None,
                         segment=list(result.scores), count=len(result.scores))
    raise ScoreError(f"unknown metric {m!r}")


def _doc_score(c: _Computed, idx: list[int]) -> float | None:
    if c.score is None:
        return None
    sub = c.stats[idx]
    if c.score_fn is None:
        return float(sub.mean())
    value = c.score_fn(sub.sum(axis=0))
    return None if math.isnan(value) else value
