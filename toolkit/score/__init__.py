"""Scores for translations and summaries against reference sets, each with a signature.

    from toolkit.score import score_translations, score_summaries
    report = score_translations(["out/en/translations.jsonl"], "eval/refs", lang="en",
                                metrics="bleu,chrf,terms,numbers", compare=True)
    report.to_frame()                 # corpus scores with 95% bootstrap intervals
    report.to_frame("doc")            # per document
    print(report.format_table())

All scores are on a 0-100 scale (sacreBLEU's convention; ROUGE F, cosine and COMET x 100).
"""

from toolkit.score.bootstrap import Interval, PairedResult, bootstrap_interval, paired_bootstrap
from toolkit.score.hf_evaluate import evaluate_module
from toolkit.score.hypotheses import (
                                      SummaryHypotheses,
                                      TranslationHypotheses,
                                      read_summaries,
                                      read_translations,
)
from toolkit.score.references import (
                                      SummaryReferences,
                                      TranslationReferences,
                                      load_reference_summaries,
                                      load_reference_translations,
                                      read_reference_summaries,
                                      read_reference_translations,
)
from toolkit.score.report import MetricScore, ScoreReport, SystemScores
from toolkit.score.rouge import RougeConfig, rouge_scores
from toolkit.score.summaries import (
                                      DEFAULT_SUMMARY_METRICS,
                                      SUMMARY_METRICS,
                                      reference_agreement,
                                      score_summaries,
)
from toolkit.score.translations import (
                                      DEFAULT_TRANSLATION_METRICS,
                                      TRANSLATION_METRICS,
                                      score_translations,
)

__all__ = [
    "DEFAULT_SUMMARY_METRICS", "DEFAULT_TRANSLATION_METRICS", "Interval", "MetricScore", "PairedResult",
    "RougeConfig", "ScoreReport", "SUMMARY_METRICS", "SummaryHypotheses", "SummaryReferences", "SystemScores",
    "TRANSLATION_METRICS", "TranslationHypotheses", "TranslationReferences", "bootstrap_interval", "evaluate_module",
    "load_reference_summaries", "load_reference_translations", "paired_bootstrap", "read_reference_summaries",
    "read_reference_translations", "read_summaries", "read_translations", "reference_agreement", "rouge_scores",
    "score_summaries", "score_translations",
]
