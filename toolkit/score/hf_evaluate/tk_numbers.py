"""tk's number faithfulness as a Hugging Face ``evaluate`` module: the share of the source's
quantities (397 Milliarden = 397 billion = 3970亿, 6,22% = 6.22%) each output keeps.

    numbers = evaluate.load(evaluate_module("tk_numbers"))
    numbers.compute(predictions=["Qwen has 397 billion parameters."],
                    sources=["Qwen hat 397 Milliarden Parameter."], lang="en")
"""

import datasets
import evaluate

from toolkit.qa.numbers import check_numbers

_INPUTS = """
predictions: translations or summaries. sources: the texts they came from.
lang: the predictions' language ("en", "zh", "de"); source_lang: the sources' (default "de").
Returns number_accuracy (0-100, verified quantities kept, over all checked), checked,
mismatched and unverified counts.
"""


class TkNumbers(evaluate.Metric):
    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description="Numbers kept from the source, by kind and exact value (tk's checker).",
            citation="tk", inputs_description=_INPUTS,
            features=datasets.Features({"predictions": datasets.Value("string"),
                                        "sources": datasets.Value("string")}),
        )

    def _compute(self, predictions, sources, lang="en", source_lang="de"):
        checks = [check_numbers(s, p, source_lang, lang) for p, s in zip(predictions, sources)]
        mismatched = sum(len(c.mismatched) for c in checks)
        unverified = sum(len(c.unverified) for c in checks)
        checked = sum(c.checked for c in checks)
        verified = checked - unverified
        accuracy = 100.0 * (verified - mismatched) / verified if verified else None
        return {"number_accuracy": accuracy, "checked": checked, "mismatched": mismatched,
                "unverified": unverified}
