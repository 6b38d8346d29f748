"""What a summary must cover: sentences ranked (LexRank, position, numbers), the model given
the best of them, coverage and the title check measured as a reader would, and a retry kept
only if it is better on both counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.documents import load_documents
from toolkit.qa.coverage import coverage, kept_units, restates_title, units
from toolkit.segments import segment_document
from toolkit.summarize import SummarizeOptions as Options
from toolkit.summarize import SummaryInput, _Candidate, _Plan, _selection_budget
from toolkit.tasks.extract import candidate, rank, select, top_sentences

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = load_documents([ROOT / "corpus" / "clean" / "002_efe5a641e6ba587c.txt"])[0]


def test_units_drop_function_words_and_keep_numbers_and_names() -> None:
    assert units("The company and its Qwen3.5 model raised 3.5 billion", "en") == [
        "company", "qwen3.5", "model", "raised", "3.5", "billion"]
    assert "der" not in units("Der Umsatz der Cloud-Sparte stieg", "de")
    # Chinese: character bigrams, the most frequent words left out
    assert "模型" in units("阿里巴巴的模型", "zh") and "的" not in units("阿里巴巴的模型", "zh")
    assert kept_units("Alibaba stellte Qwen3.5 und GPT-5.2 vor, 397 Milliarden") == [
        "qwen3.5", "gpt-5.2", "397"]


def test_rank_prefers_central_sentences_and_skips_headings_and_bylines() -> None:
    sentences = [
        "Überblick",
        "Von Anna Muster",
        "Alibaba investiert 380 Milliarden Yuan in Rechenzentren und KI-Modelle.",
        "Das Wetter in Hangzhou war am Wochenende sonnig und warm für die Jahreszeit.",
        "Die Investitionen in Rechenzentren sollen die KI-Modelle von Alibaba stärken.",
        "Analysten sehen die KI-Modelle und Rechenzentren als Kern der Strategie von Alibaba.",
    ]
    scores = rank(sentences, "de", ["heading", "text", "text", "text", "text", "text"])
    assert scores[0] == scores[1] == 0.0  # a heading and a byline are no candidates
    assert not candidate("Von Anna Muster", "de")
    weather = scores[3]
    assert all(scores[i] > weather for i in (2, 4, 5))  # off-topic ranks below the core
    chosen = select(sentences, scores, budget=25, lang="de")
    assert chosen == sorted(chosen) and 3 not in chosen  # document order, the core first
    assert sum(len(sentences[i].split()) for i in chosen) <= 25
    assert top_sentences(sentences, scores, k=2) == sorted(top_sentences(sentences, scores, k=2))


def test_rank_is_deterministic_on_a_real_article() -> None:
    texts = [s.text for s in segment_document(ARTICLE)]
    first = rank(texts, "de")
    assert first == rank(texts, "de") and len(first) == len(texts)
    assert max(first) > 0


def test_the_selection_budget_follows_the_limit_and_the_language() -> None:
    assert _selection_budget(100, "words", "en") == 150
    assert _selection_budget(220, "chars", "zh") == 330  # 165 words' worth of characters
    assert _selection_budget(None, "words", "de") == 400


def test_coverage_counts_the_top_sentences_units_a_summary_carries() -> None:
    top = ["Alibaba invests 380 billion yuan in data centers.",
           "Analysts see the cloud business as the core of the strategy."]
    full = coverage("Alibaba invests 380 billion yuan in data centers; analysts see cloud "
                    "business as the core of its strategy.", top, "en")
    headline = coverage("Alibaba bets on AI.", top, "en")
    assert full.share > 0.9 and headline.share < 0.2 and full.basis == "words"
    across = coverage("Alibaba invests 380 billion yuan in Qwen3.5.",
                      ["Alibaba investiert 380 Milliarden Yuan in Qwen3.5."], "en", top_lang="de")
    assert across.basis == "names and numbers" and across.share == 1.0


def test_a_headline_said_again_is_not_a_summary() -> None:
    title = "Alibaba's AI gamble: the 3 billion plan against the looming crash"
    assert restates_title("Alibaba's AI gamble: a 3 billion plan against a crash", title, "en")
    assert not restates_title("Alibaba spends 3 billion yuan on coupons to win users for its "
                              "Qwen app, while cloud revenue grows and investors worry about "
                              "costs of data centers and chips.", title, "en")


def test_a_retry_is_kept_only_with_fewer_problems_and_no_lower_coverage() -> None:
    from dataclasses import dataclass

    @dataclass
    class Check:
        problems: int
        share: float

    def cand(problems: int, share: float) -> _Candidate:
        return _Candidate("x", Check(problems, share), "retry")  # type: ignore[arg-type]

    draft = cand(2, 0.6)
    assert cand(1, 0.6).better_than(draft)
    assert not cand(1, 0.5).better_than(draft)  # fewer problems, but covers less
    assert not cand(2, 0.9).better_than(draft)  # covers more, as many problems
    assert min([draft, cand(1, 0.4), cand(1, 0.7)], key=_Candidate.key).check.share == 0.7


def test_a_plan_reads_the_top_sentences_in_document_order(tiny_chat: Path) -> None:
    from toolkit.backends import load_backend
    from toolkit.summarize import inputs_from_documents
    from toolkit.tasks import Summarizer

    s = Summarizer(load_backend(str(tiny_chat)))
    (item,) = inputs_from_documents([ARTICLE])
    plan = _Plan.of(item, s, Options("en", max_words=40), None, ("cross-lingual", "asked"))
    assert plan.selected < len(item.segments) and len(plan.text.split()) <= 60
    positions = [item.text.find(x) for x in plan.text.split(". ")[:3]]
    assert positions == sorted(positions)
    whole = _Plan.of(item, s, Options("en", max_words=40, select=False), None, ("x", "y"))
    assert whole.text == item.text and whole.selected == len(item.segments)
    assert plan.title == item.segments[0] and len(plan.top) == 5


@pytest.mark.parametrize("route", ["sideways", ""])
def test_an_unknown_route_is_a_config_error(route: str) -> None:
    from toolkit.errors import ConfigError

    with pytest.raises(ConfigError, match="--route"):
        Options("en", route=route)


def test_summary_input_kinds_come_from_the_segments() -> None:
    from toolkit.summarize import inputs_from_documents

    (item,) = inputs_from_documents([ARTICLE])
    assert isinstance(item, SummaryInput) and len(item.kinds) == len(item.segments)
    assert set(item.kinds) <= {"text", "heading", "item"}


def test_coverage_leaves_out_the_german_a_translation_left_in_the_top_sentences() -> None:
    top = ["Alibaba joins the Wettlauf for AI supremacy with Qwen3.5."]
    kept = coverage("Alibaba joins the Wettlauf for AI supremacy.", top, "en")
    fixed = coverage("Alibaba joins the race for AI supremacy.", top, "en", exclude=("Wettlauf",))
    assert fixed.of == kept.of - 1  # the German word is nothing a summary should carry
    assert fixed.share >= coverage("Alibaba joins the race for AI supremacy.", top, "en").share


@pytest.mark.parametrize("word,answer,lang,expected", [
    ("kündigte", '翻译后的中文是：\n\n"宣布"', "zh", "宣布"),  # a preamble, then the answer
    ("deut", "简化的中文是：你好。", "zh", None),  # a sentence about the answer, no answer
    ("Umsatz", "Translation:\nrevenue", "en", "revenue"),
    ("Gigant", "Gigant", "en", None),  # the word again
])
def test_a_word_translation_skips_a_preamble_and_refuses_a_colon(word: str, answer: str,
                                                                 lang: str,
                                                                 expected: str | None) -> None:
    from toolkit.tasks.retry import word_form

    assert word_form(word, answer, "de", lang) == expected


def test_a_document_within_the_budget_is_read_whole(tiny_chat: Path) -> None:
    """Nothing to choose: a short note's short sentences (not candidates on their own) all
    reach the model."""
    from toolkit.backends import load_backend
    from toolkit.documents import Document
    from toolkit.summarize import inputs_from_documents
    from toolkit.tasks import Summarizer

    s = Summarizer(load_backend(str(tiny_chat)))
    (item,) = inputs_from_documents([Document("d", "Alibaba hat Qwen3.5 vorgestellt. "
                                                   "Die Aktie stieg um 5 Prozent.")])
    plan = _Plan.of(item, s, Options("en", max_words=30), None, ("cross-lingual", "asked"))
    assert plan.text == item.text and plan.selected == len(item.segments) == 2
