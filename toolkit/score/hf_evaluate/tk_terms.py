"""tk's glossary term accuracy as a Hugging Face ``evaluate`` module: of the glossary terms
found in each source, the share whose required rendering the output contains (German-aware
matching: KI-Modelle holds KI; Alibabas holds Alibaba).

    terms = evaluate.load(evaluate_module("tk_terms"))
    terms.compute(predictions=["The AI models of Alibaba."], sources=["Die KI-Modelle von Alibaba."],
                  glossary="glossaries/ai-finance.tsv", lang="en")
"""

import datasets
import evaluate

from toolkit.glossary import check_terms, load_glossaries

_INPUTS = """
predictions: translations or summaries. sources: the texts they came from.
glossary: a glossary file (TSV, CSV, TBX) or a list of them. lang: the predictions' language;
source_lang: the sources' (default "de").
Returns term_accuracy (0-100, None without terms), found and violated counts.
"""


class TkTerms(evaluate.Metric):
    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description="Glossary terms of the source rendered as the glossary requires (tk).",
            citation="tk", inputs_description=_INPUTS,
            features=datasets.Features({"predictions": datasets.Value("string"),
                                        "sources": datasets.Value("string")}),
        )

    def _compute(self, predictions, sources, glossary, lang="en", source_lang="de"):
        g = load_glossaries([glossary] if isinstance(glossary, str) else list(glossary))
        checks = [check_terms(s, p, g, lang, source_lang) for p, s in zip(predictions, sources)]
        found = sum(len(c.found) for c in checks)
        violated = sum(len(c.violated) for c in checks)
        accuracy = 100.0 * (found - violated) / found if found else None
        return {"term_accuracy": accuracy, "found": found, "violated": violated}
