"""The retries that fix what the untranslated-word, number and term checks find: the German
words translated alone and written into the source, a number still dropped tried in two
halves, into Chinese the route through English, and last a glossary term left in German
written in place."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from toolkit.backends.base import Progress
from toolkit.glossary import load_glossary
from toolkit.qa.checks import CheckSummary
from toolkit.tasks import RetryPolicy, Translation, TranslationRequest
from toolkit.tasks.retry import word_form

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = load_glossary(ROOT / "glossaries" / "ai-finance.tsv")


class Scripted:
    """A stand-in translator answering from a table (source text, target language) -> output,
    so that the policy's own decisions can be followed request by request."""

    supports_constraints = False
    engine = "scripted"

    def __init__(self, table: dict[tuple[str, str], str], targets: frozenset[str] | None = None) -> None:
        self.table = table
        self.targets = targets
        self.calls: list[list[TranslationRequest]] = []

    def target_languages(self) -> frozenset[str] | None:
        return self.targets

    def translate(self, requests: Sequence[TranslationRequest],
                  progress: Progress | None = None) -> list[Translation]:
        self.calls.append(list(requests))
        if progress:
            progress(len(requests))
        return [Translation(self.table.get((r.text, r.target_lang), r.text)) for r in requests]


def test_a_german_word_left_is_translated_alone_and_written_into_the_retry() -> None:
    source = "Der Umsatz wächst."
    engine = Scripted({(source, "en"): "The Umsatz grows.",
                       ("Umsatz", "en"): "Revenue",
                       ("Der revenue wächst.", "en"): "The revenue grows."})
    [outcome] = RetryPolicy(engine, None).run([TranslationRequest(source, "de", "en")])
    assert outcome.text == "The revenue grows." and outcome.checks is not None and outcome.checks.ok
    assert [r.text for r in engine.calls[1]] == ["Umsatz"]  # the word, alone
    assert engine.calls[2][0].text == "Der revenue wächst."  # written where it stands
    assert outcome.route == "direct"


@pytest.mark.parametrize(("word", "answer", "lang", "expected"), [
    ("Umsatz", "Revenue.", "en", "revenue"),
    ("Umsatz", '"Sales"', "en", "sales"),
    ("Umsatz", "营业额。", "zh", "营业额"),
    ("Umsatz", "Umsatz", "en", None),  # the word again
    ("Umsatz", "revenue", "zh", None),  # no Chinese in a Chinese answer
    ("Umsatz", "The revenue of a company over a year, in general", "en", None),  # a sentence
    ("Wettlauf", "Wettlaufs", "en", None),  # still German
    ("Umsatz", "", "en", None),
])
def test_what_counts_as_a_translation_of_one_word(word: str, answer: str, lang: str,
                                                   expected: str | None) -> None:
    assert word_form(word, answer, "de", lang) == expected


SOURCE = "CEO Eddie Wu kündigte an, das Investitionsprogramm deutlich auszuweiten."
ENGLISH = "CEO Eddie Wu announced a significant expansion of the investment program."
CHINESE = "首席执行官吴泳铭宣布大幅扩大投资计划。"


def test_into_chinese_a_failing_segment_goes_through_english() -> None:
    # Into Chinese the model copies the source; into English it translates, and from that
    # English (the glossary's Chinese forms written in, as an inline retry does) into Chinese.
    asked = ENGLISH.replace("Eddie Wu", "吴泳铭")
    engine = Scripted({(SOURCE, "en"): ENGLISH, (asked, "zh"): CHINESE})
    [outcome] = RetryPolicy(engine, GLOSSARY).run([TranslationRequest(SOURCE, "de", "zh")])
    assert outcome.route == "pivot-en" and outcome.pivot == ENGLISH
    assert outcome.text == CHINESE and outcome.checks is not None and outcome.checks.language.ok


def test_a_source_copy_is_never_the_silent_final_output() -> None:
    # Nothing helps: the best candidate is kept and its checks say what is wrong.
    engine = Scripted({})
    policy = RetryPolicy(engine, GLOSSARY)
    [outcome] = policy.run([TranslationRequest(SOURCE, "de", "zh")])
    assert outcome.route == "direct" and outcome.checks is not None
    assert not outcome.checks.language.ok and outcome.checks.untranslated
    summary = CheckSummary.from_checks([outcome.checks])
    assert summary.language_failures == 1 and summary.segments_with_problems == 1
    assert policy.stats.pivoted == 1 and policy.stats.pivot_kept == 0


def test_no_pivot_where_the_model_cannot_write_chinese_or_english_is_the_target() -> None:
    engine = Scripted({}, targets=frozenset({"zh"}))
    RetryPolicy(engine, GLOSSARY).run([TranslationRequest(SOURCE, "de", "zh")])
    assert not any(r.target_lang == "en" for call in engine.calls for r in call)
    engine = Scripted({})
    RetryPolicy(engine, GLOSSARY).run([TranslationRequest(SOURCE, "de", "en")])
    assert not any(r.target_lang == "zh" for call in engine.calls for r in call)
    engine = Scripted({})
    RetryPolicy(engine, GLOSSARY, pivot=False).run([TranslationRequest(SOURCE, "de", "zh")])
    assert not any(r.target_lang == "en" for call in engine.calls for r in call)


def test_a_number_still_dropped_is_tried_in_two_halves() -> None:
    source = "Der Konzern investierte 3 Milliarden Yuan, und die Aktie stieg um 9,2 Prozent."
    head, tail = "Der Konzern investierte 3 Milliarden Yuan,", "und die Aktie stieg um 9,2 Prozent."
    engine = Scripted({(source, "en"): "The group invested, and the stock rose.",
                       (head, "en"): "The group invested 3 billion yuan,",
                       (tail, "en"): "and the stock rose 9.2 percent."})
    policy = RetryPolicy(engine, None)
    [outcome] = policy.run([TranslationRequest(source, "de", "en")])
    assert outcome.route == "split" and outcome.checks is not None and outcome.checks.ok
    assert outcome.text == "The group invested 3 billion yuan, and the stock rose 9.2 percent."
    assert (policy.stats.split, policy.stats.split_kept) == (1, 1)
    # halves that lose more than the whole are not kept
    engine = Scripted({(source, "en"): "The group invested 3 billion yuan, and the stock rose.",
                       (head, "en"): "The group invested,", (tail, "en"): "and it rose."})
    [outcome] = RetryPolicy(engine, None).run([TranslationRequest(source, "de", "en")])
    assert outcome.route == "direct" and outcome.text.startswith("The group invested 3 billion")


def test_a_glossary_term_left_in_german_is_written_as_the_glossary_says_where_it_stands() -> None:
    source = "Alibaba nutzt das neueste Sprachmodell Qwen3.5."
    engine = Scripted({(source, "zh"): "阿里巴巴使用最新 Sprachmodell Qwen3.5。"})
    policy = RetryPolicy(engine, GLOSSARY)
    [outcome] = policy.run([TranslationRequest(source, "de", "zh")])
    # the retries (German in, German out here) fix nothing; then the term is written in place
    assert outcome.text == "阿里巴巴使用最新语言模型 Qwen3.5。" and policy.stats.terms_placed == 1
    assert outcome.checks is not None and outcome.checks.ok
    assert outcome.checks.to_dict()["repaired"] == [{"was": "Sprachmodell", "now": "语言模型"}]
    [kept] = RetryPolicy(Scripted({(source, "zh"): "阿里巴巴使用最新 Sprachmodell Qwen3.5。"}),
                         GLOSSARY, repair=False, rounds=0).run([TranslationRequest(source, "de", "zh")])
    assert "Sprachmodell" in kept.text  # --no-repair leaves it


def test_into_chinese_a_term_left_in_its_english_form_is_written_as_the_glossary_says() -> None:
    # what an answer through English leaves: "AI" where the glossary wants 人工智能
    source = "Die KI von Alibaba wächst."
    engine = Scripted({(source, "zh"): "阿里巴巴的 AI 在增长。"})
    [outcome] = RetryPolicy(engine, GLOSSARY, rounds=0).run([TranslationRequest(source, "de", "zh")])
    assert outcome.text == "阿里巴巴的人工智能在增长。"
    assert outcome.checks is not None and outcome.checks.to_dict()["repaired"] == [
        {"was": "AI", "now": "人工智能"}]
    # into English nothing of the kind: the English form is the target
    engine = Scripted({(source, "en"): "Alibaba's AI grows."})
    [outcome] = RetryPolicy(engine, GLOSSARY, rounds=0).run([TranslationRequest(source, "de", "en")])
    assert outcome.text == "Alibaba's AI grows."



def test_into_chinese_a_word_the_model_has_no_chinese_for_is_written_in_english() -> None:
    source = "Der Umsatz wächst."
    engine = Scripted({(source, "zh"): "Umsatz 在增长。",
                       ("Umsatz", "zh"): "Umsatz",  # echoed: no Chinese for it
                       ("Umsatz", "en"): "Revenue",
                       ("Der revenue wächst.", "zh"): "收入在增长。"})
    [outcome] = RetryPolicy(engine, None).run([TranslationRequest(source, "de", "zh")])
    assert outcome.text == "收入在增长。" and outcome.checks is not None and outcome.checks.ok
    asked = {(r.text, r.target_lang) for call in engine.calls for r in call}
    assert ("Umsatz", "zh") in asked and ("Umsatz", "en") in asked


def test_a_record_says_its_route_and_holds_the_english_of_a_pivot() -> None:
    from toolkit.translate import TranslationRecord

    common = {"doc": "d", "id": "d:p01:s01", "source": SOURCE, "model": "m", "engine": "e",
              "lang": "zh"}
    direct = TranslationRecord(translation=CHINESE, **common).to_dict()
    assert direct["route"] == "direct" and "pivot" not in direct
    pivot = TranslationRecord(translation=CHINESE, route="pivot-en", pivot=ENGLISH, **common).to_dict()
    assert pivot["route"] == "pivot-en" and pivot["pivot"] == ENGLISH
    assert TranslationRecord(**pivot).to_dict() == pivot  # a job reads its shards back
