"""tk's metrics load through Hugging Face ``evaluate`` by path, offline, and give tk's numbers."""

from __future__ import annotations

import evaluate
import pytest

from toolkit.errors import ScoreError
from toolkit.score import RougeConfig, evaluate_module, rouge_scores


def test_tk_rouge_scores_chinese_by_characters_as_tk_does() -> None:
    rouge = evaluate.load(evaluate_module("tk_rouge"))
    predictions = ["阿里巴巴发布了新模型。", "Alibaba stellt Qwen vor."]
    references = [["阿里巴巴发布新模型。", "阿里发布了模型。"], ["Alibaba präsentiert Qwen."]]
    zh = rouge.compute(predictions=predictions[:1], references=references[:1], lang="zh")
    own = rouge_scores(predictions[:1], references[:1], RougeConfig.for_language("zh"))
    assert zh["rouge1"] == pytest.approx(float(own.values["rouge1"][0, 2]))
    assert zh["rouge1"] > 0 and "tok:zh-char" in zh["signature"]
    same = rouge.compute(predictions=["相同的句子。"], references=["相同的句子。"], lang="zh")
    assert same["rouge1"] == pytest.approx(100.0)  # rouge_score's own tokenizer gives 0 here


def test_tk_numbers_counts_what_the_checker_counts() -> None:
    numbers = evaluate.load(evaluate_module("tk_numbers"))
    result = numbers.compute(
        predictions=["Qwen has 397 billion parameters.", "Qwen hat 397 million parameters."],
        sources=["Qwen hat 397 Milliarden Parameter.", "Qwen hat 397 Milliarden Parameter."],
        lang="en")
    assert (result["checked"], result["mismatched"]) == (2, 1)
    assert result["number_accuracy"] == pytest.approx(50.0)


def test_tk_terms_counts_what_the_glossary_check_counts() -> None:
    from pathlib import Path

    glossary = str(Path(__file__).resolve().parent.parent / "glossaries" / "ai-finance.tsv")
    terms = evaluate.load(evaluate_module("tk_terms"))
    result = terms.compute(predictions=["The AI models of Alibaba.", "The KI models."],
                           sources=["Die KI-Modelle von Alibaba.", "Die KI-Modelle."],
                           glossary=glossary, lang="en")
    assert (result["found"], result["violated"]) == (3, 1)
    assert result["term_accuracy"] == pytest.approx(200 / 3)


def test_an_unknown_module_names_the_ones_there_are() -> None:
    with pytest.raises(ScoreError, match="tk_rouge, tk_numbers, tk_terms"):
        evaluate_module("bleu")
