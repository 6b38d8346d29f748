"""tk's ROUGE as a Hugging Face ``evaluate`` module: Chinese by characters, German words kept
whole (rouge_score's default tokenizer drops both), the best of several references.

    import evaluate
    from toolkit.score import evaluate_module
    rouge = evaluate.load(evaluate_module("tk_rouge"))
    rouge.compute(predictions=["阿里巴巴发布了模型。"], references=[["阿里巴巴发布模型。"]], lang="zh")
"""

import datasets
import evaluate

from toolkit.score.rouge import ROUGE_TYPES, RougeConfig, rouge_scores

_DESCRIPTION = ("ROUGE-1/2/L/Lsum F-measure (0-100) through rouge_score, with tk's tokenizers: "
                "zh-char for Chinese, words (umlauts kept) for German, ascii for English.")
_INPUTS = """
predictions: summaries, one string each.
references: one string or a list of reference strings per prediction.
lang: "en", "de" or "zh" (chooses the tokenizer). use_stemmer: Porter (en) / Cistem (de).
Returns rouge1, rouge2, rougeL, rougeLsum (means over predictions) and the signature.
"""


class TkRouge(evaluate.Metric):
    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION, citation="Lin (2004), ROUGE; tk", inputs_description=_INPUTS,
            features=[
                datasets.Features({"predictions": datasets.Value("string"),
                                   "references": datasets.Sequence(datasets.Value("string"))}),
                datasets.Features({"predictions": datasets.Value("string"),
                                   "references": datasets.Value("string")}),
            ],
        )

    def _compute(self, predictions, references, lang="en", use_stemmer=False):
        refs = [[r] if isinstance(r, str) else list(r) for r in references]
        config = RougeConfig.for_language(lang, stem=use_stemmer)
        scores = rouge_scores(list(predictions), refs, config)
        out: dict[str, float | str] = {t: float(scores.values[t][:, 2].mean())
                                       for t in ROUGE_TYPES}
        out["signature"] = config.signature(max(len(r) for r in refs) if refs else 0)
        return out
