"""Checks that see what a reader sees (issue 11): a term appended after the sentence or left
untranslated is not placed; an output that repeats itself or drops content is never accepted
as a fix; numbers whose figure is right and rendering wrong are repaired from the source and
recorded; retries write the required forms into the source, where models copy them into place.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from toolkit.backends.base import Progress
from toolkit.glossary import check_terms, load_glossary
from toolkit.glossary.checking import appended_at
from toolkit.qa.checks import CheckSummary, check_segment
from toolkit.qa.numbers import check_numbers
from toolkit.qa.numbers.repair import repair_numbers
from toolkit.tasks import RetryPolicy, Translation, TranslationRequest
from toolkit.tasks.inline import inline_targets

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = load_glossary(ROOT / "glossaries" / "ai-finance.tsv")


# --- where a term stands -------------------------------------------------------------------

@pytest.mark.parametrize("translation, source, lang, tail", [
    # the cases seen on the starter: a term dumped after the sentence has ended
    ("the most popular AI app in the country. AI", "Die beliebteste KI-App im Land.", "en", " AI"),
    ("It is made in Hangzhou. AI e-commerce", "In Hangzhou entwickelt.", "en", " AI e-commerce"),
    ("It works. AI.", "Es funktioniert.", "en", " AI."),
    ("模型存在的偏见。 人工智能", "Das Modell hat Vorurteile.", "zh", " 人工智能"),
    ("模型存在的偏见。人工智能", "Das Modell hat Vorurteile.", "zh", "人工智能"),
    # a translation of two sentences, a heading, an abbreviation: nothing appended
    ("It works. AI is here.", "Es funktioniert. KI ist da.", "en", ""),
    ("Alibaba unveils Qwen. The new model", "Alibaba stellt Qwen vor: das neue Modell", "en", ""),
    ("The stake rose 6.22 percent.", "Der Anteil stieg um 6,22 Prozent.", "en", ""),
    ("It works, he said. The AI model is new and it is cheap", "Es geht, sagte er. Das KI-Modell ist neu und billig.", "en", ""),
])
def test_a_fragment_after_the_last_sentence_is_appended(translation, source, lang, tail) -> None:
    assert translation[appended_at(translation, source, lang):] == tail


def _state(source: str, translation: str, lang: str = "en") -> dict[str, str]:
    return {r.source: r.state for r in check_terms(source, translation, GLOSSARY, lang).found}


def test_an_appended_term_is_not_placed_and_says_so() -> None:
    source = "Doubao ist die beliebteste KI-App des Landes."
    check = check_terms(source, "Doubao is the most popular app in the country. AI", GLOSSARY, "en")
    assert {r.source: r.state for r in check.found} == {"Doubao": "placed", "KI": "appended"}
    assert check.status == "violated"
    assert check.to_dict()["violated"] == [{"source": "KI", "target": "AI", "problem": "appended"}]
    assert _state(source, "Doubao is the most popular AI app in the country.") == {
        "Doubao": "placed", "KI": "placed"}
    assert _state("Die KI-Modelle sind billig.", "KI模型很便宜。 人工智能", "zh") == {"KI": "untranslated"}
    assert _state("Die KI-Modelle sind billig.", "这些模型很便宜。 人工智能", "zh") == {"KI": "appended"}


def test_a_source_term_left_untranslated_is_a_violation_even_beside_the_target() -> None:
    source = "Amerikanische und chinesische Firmen kämpfen um den KI-Markt."
    assert _state(source, "American and Chinese firms fight for the KI-Markt.") == {"KI": "untranslated"}
    # the target elsewhere does not make up for the copy a reader stumbles on
    assert _state(source, "American and Chinese AI firms fight for the KI-Markt.") == {"KI": "untranslated"}
    assert _state(source, "American and Chinese firms fight for the AI market.") == {"KI": "placed"}
    # names the glossary keeps, and forms the target shares, are never "untranslated"
    assert _state("Qwen3.5 ist ein Open Source Modell.", "Qwen3.5 is an open source model.") == {
        "Qwen3.5": "placed", "Open Source": "placed"}
    assert _state("Alibaba stellt Qwen vor.", "Alibaba 发布了 Qwen。", "zh") == {
        "Alibaba": "untranslated", "Qwen": "placed"}


def test_the_summary_counts_as_a_reader_would() -> None:
    source = "Die KI-Modelle von Alibaba haben 397 Milliarden Parameter und kosten 380 Milliarden Yuan."
    outputs = [
        "Alibaba's AI models have 397 billion parameters and cost 380 billion yuan.",  # all right
        "Alibaba's models have 397 billion parameters and cost 380 million yuan. AI",  # appended, wrong
        "The KI models have parameters and cost 380 billion yuan.",  # untranslated, Alibaba missing
    ]
    checks = [check_segment(source, t, terms=check_terms(source, t, GLOSSARY, "en"), segment_id=f"s{i}")
              for i, t in enumerate(outputs)]
    loop = "The model is cheap and it is fast. " * 4
    checks.append(check_segment("Das Modell ist billig und schnell.", loop, segment_id="loop"))
    summary = CheckSummary.from_checks(checks)
    assert (summary.terms_found, summary.terms_placed, summary.terms_appended,
            summary.terms_untranslated, summary.terms_missing) == (6, 3, 1, 1, 1)
    assert summary.term_accuracy == 3 / 6
    assert (summary.numbers_checked, summary.numbers_matched, summary.numbers_wrong,
            summary.numbers_missing) == (6, 4, 1, 1)  # 380 million is wrong, the third's 397 missing
    assert summary.repeating == 1 and checks[-1].repeats and not checks[-1].ok
    text = summary.render()
    assert "1 appended after the sentence, 1 left untranslated, 1 missing" in text
    assert "1 wrong, 1 missing" in text and "1 outputs repeat themselves" in text
    d = summary.to_dict()
    assert d["terms"]["placed"] == 3 and d["terms"]["appended"] == 1 and d["repeating"] == 1


# --- number repair ---------------------------------------------------------------------------

@pytest.mark.parametrize("source, translation, lang, repaired", [
    ("Der Umsatz lag bei 380 Milliarden Yuan.", "Revenue was 380 million Yuan.", "en",
     "Revenue was 380 billion Yuan."),
    ("Der Umsatz lag bei 380 Milliarden Yuan.", "收入为380亿元。", "zh", "收入为3800亿元。"),
    ("Das sind 1,5 Billionen Dollar.", "That is 1.5 billion dollars.", "en", "That is 1.5 trillion dollars."),
    ("Das sind 1,5 Billionen Dollar.", "这是1.5亿美元。", "zh", "这是1.5万亿美元。"),
    ("Die Aktie stieg um 6,22 Prozent auf 135,80 Euro.",
     "The stock rose 6,22 percent to 135,80 euros.", "en",
     "The stock rose 6.22 percent to 135.80 euros."),
    # a scale word glued to the next word is rewritten with the figure, not left beside it
    ("Der 3-Milliarden-Plan gegen den Absturz", "The 3 Million-Plan against the crash", "en",
     "The 3 billion-Plan against the crash"),
    # the figure right, its currency left in German spelling after it
    ("Das Programm von 53 Milliarden US-Dollar.", "The program of 53 billion US-Dollar.", "en",
     "The program of $53 billion."),
    ("380 Milliarden Yuan (53 Milliarden US-Dollar)", "3800亿 Yuan (530亿 US-Dollar)", "zh",
     "3800亿元 (530亿美元)"),
    # a German decimal comma with a scale word and the German currency: all of it rewritten
    ("Er investierte 16,3 Millionen US-Dollar.", "He invested 16,3 million US-Dollar.", "en",
     "He invested $16.3 million."),
    # in Chinese, a right figure (a range too) with the currency as a code or in English
    ("Kursziel 140–180 USD.", "目标价140-180 USD。", "zh", "目标价140–180美元。"),
    ("Der 3-Milliarden-Yuan-Plan", "我们就会看到30亿 yuan的计划", "zh", "我们就会看到30亿元的计划"),
    # a numbered list item's marker the model dropped
    ("1. Infrastrukturaufbau", "Infrastructure building", "en", "1. Infrastructure building"),
    ("3. Marktbereinigung", "市场整合", "zh", "3. 市场整合"),
])
def test_a_right_figure_in_the_wrong_rendering_is_repaired_from_the_source(
        source, translation, lang, repaired) -> None:
    check = check_numbers(source, translation, "de", lang)
    assert check.mismatched
    text, after, done = repair_numbers(source, translation, check)
    assert text == repaired and not after.mismatched and done


def test_a_wrong_figure_is_never_repaired() -> None:
    source = "Der Umsatz lag bei 380 Milliarden Yuan."
    for wrong in ("Revenue was 390 billion Yuan.", "Revenue was 38 dollars.", "Revenue grew."):
        check = check_numbers(source, wrong, "de", "en")
        assert repair_numbers(source, wrong, check)[0] == wrong


class Scripted:
    """A translator that answers each attempt from a script: ``answers[attempt]`` (the last
    answer repeats), the same for every segment; records what it was asked."""

    supports_constraints = False
    engine = "scripted"

    def __init__(self, *answers: str) -> None:
        self.answers = answers
        self.calls: list[list[TranslationRequest]] = []

    def translate(self, requests: Sequence[TranslationRequest],
                  progress: Progress | None = None) -> list[Translation]:
        self.calls.append(list(requests))
        return [Translation(self.answers[min(r.attempt, len(self.answers) - 1)]) for r in requests]


def test_repairs_are_recorded_per_segment_and_can_be_turned_off() -> None:
    request = TranslationRequest("Der Umsatz lag bei 380 Milliarden Yuan.", "de", "en")
    engine = Scripted("Revenue was 380 million Yuan.")
    policy = RetryPolicy(engine, GLOSSARY)
    [out] = policy.run([request])
    assert out.text == "Revenue was 380 billion Yuan." and len(engine.calls) == 1  # no retry needed
    assert out.checks.ok and out.checks.to_dict()["repaired"] == [{"was": "380 million", "now": "380 billion"}]
    assert policy.stats.repaired == 1
    [kept] = RetryPolicy(Scripted("Revenue was 380 million Yuan."), GLOSSARY, repair=False,
                         rounds=0).run([request])
    assert kept.text == "Revenue was 380 million Yuan." and not kept.checks.repaired
    [plain] = RetryPolicy(Scripted("Revenue was 380 million Yuan."), GLOSSARY,
                          enforce=False).run([request])
    assert plain.text == "Revenue was 380 million Yuan."  # --no-enforce: the baseline, untouched


# --- what a retry may not do -----------------------------------------------------------------

def test_a_retry_that_repeats_itself_is_never_accepted() -> None:
    request = TranslationRequest("Die KI-Modelle wurden im Februar 2023 genehmigt.", "de", "en")
    loop = "The AI models were approved in February 2023. " * 4
    engine = Scripted("The models were approved in February 2023.", loop)
    policy = RetryPolicy(engine, GLOSSARY)
    [out] = policy.run([request])
    assert out.text == "The models were approved in February 2023."  # the term missing, honestly
    assert out.terms.status == "violated" and out.attempts == 3
    # even where the loop would otherwise win (the first output misses two terms and a date)
    request = TranslationRequest("Alibabas KI-Modelle wurden im Februar 2023 genehmigt.", "de", "en")
    loop = "Alibaba's AI models were approved in February 2023. " * 3
    policy = RetryPolicy(Scripted("The models were approved.", loop), GLOSSARY)
    [out] = policy.run([request])
    assert out.text == "The models were approved." and policy.stats.repeating == 2


def test_a_retry_that_drops_content_is_not_accepted() -> None:
    request = TranslationRequest("Die KI-Kosten von Alibaba sollen um 60 Prozent sinken.", "de", "en")
    first = "The costs of the company are to fall by 60 percent."  # two terms missing
    engine = Scripted(first, "The AI costs of Alibaba are to fall sharply.")  # the number gone
    policy = RetryPolicy(engine, GLOSSARY)
    [out] = policy.run([request])
    assert out.text == first and policy.stats.dropped == 2
    request = TranslationRequest(
        "Die KI-Kosten sollen um 60 Prozent sinken, sagte Alibaba am Montag in Hangzhou.", "de", "en")
    first = "The costs are to fall by 60 percent, Alibaba said on Monday in Hangzhou."
    shorter = Scripted(first, "AI costs fall 60 percent: Alibaba, Hangzhou.")  # a clause gone
    policy = RetryPolicy(shorter, GLOSSARY)
    assert policy.run([request])[0].text == first and policy.stats.dropped == 2


# --- terms in place: the targets written into the source -----------------------------------

def test_inline_retries_write_the_required_forms_where_the_terms_stand() -> None:
    request = TranslationRequest("Alibabas KI-Modelle kosten 380 Milliarden Yuan.", "de", "en")
    assert inline_targets(request, GLOSSARY) == "Alibaba AI-Modelle kosten 380 Milliarden Yuan."
    assert inline_targets(request, GLOSSARY, numbers=True) == "Alibaba AI-Modelle kosten 380 billion Yuan."
    zh = TranslationRequest(request.text, "de", "zh")
    assert inline_targets(zh, GLOSSARY, numbers=True) == "阿里巴巴 人工智能-Modelle kosten 3800亿 Yuan."


class Copying(Scripted):
    """A model that copies what it reads where it cannot translate (as small models copy a
    German compound): its output is the request's text with "Modelle" -> "models"."""

    def translate(self, requests: Sequence[TranslationRequest],
                  progress: Progress | None = None) -> list[Translation]:
        self.calls.append(list(requests))
        return [Translation("The " + r.text.replace("Die ", "").replace("Modelle sind", "models are")
                            .replace("günstig", "cheap")) for r in requests]


def test_an_inline_retry_gets_the_term_into_place_on_an_engine_that_cannot_force() -> None:
    engine = Copying()
    policy = RetryPolicy(engine, GLOSSARY, checks=False)
    [out] = policy.run([TranslationRequest("Die KI-Modelle sind günstig.", "de", "en")])
    assert engine.calls[0][0].text == "Die KI-Modelle sind günstig."
    assert engine.calls[1][0].text == "Die AI-Modelle sind günstig."  # the retry's source
    assert not engine.calls[1][0].force_terms
    assert out.text == "The AI-models are cheap." and out.terms.status == "enforced"
    # the checks still judge against the real source
    assert out.terms.found[0].source == "KI"


def test_the_force_method_keeps_forcing_where_the_backend_can() -> None:
    engine = Scripted("The models are cheap.")
    engine.supports_constraints = True
    RetryPolicy(engine, GLOSSARY, checks=False, method="force").run(
        [TranslationRequest("Die KI-Modelle sind günstig.", "de", "en")])
    assert engine.calls[1][0].force_terms and engine.calls[1][0].text == "Die KI-Modelle sind günstig."
    engine = Scripted("The models are cheap.")
    engine.supports_constraints = True
    RetryPolicy(engine, GLOSSARY, checks=False, method="inline+force").run(
        [TranslationRequest("Die KI-Modelle sind günstig.", "de", "en")])
    assert [c[0].force_terms for c in engine.calls] == [False, False, True]
    assert engine.calls[2][0].text == "Die AI-Modelle sind günstig."
    with pytest.raises(ValueError, match="unknown retry method"):
        RetryPolicy(engine, GLOSSARY, method="magic")


def test_chinese_output_has_no_space_between_characters(tiny_chat) -> None:
    from toolkit.backends import load_backend
    from toolkit.tasks import Translator

    translator = Translator(load_backend(str(tiny_chat)))
    assert translator.clean("阿里巴巴 在 春节前 发布了 Qwen3.5 模型。 人工智能", "zh") == \
        "阿里巴巴在春节前发布了 Qwen3.5 模型。人工智能"
    assert translator.clean("Alibaba  unveils Qwen3.5", "en") == "Alibaba  unveils Qwen3.5"
    # full-width marks after a character; numbers and Latin text keep theirs
    assert translator.clean("阿里巴巴发布了Qwen3.5,价格为3.5元.你好?", "zh") == "阿里巴巴发布了Qwen3.5,价格为3.5元。你好？"
    assert translator.clean("模型很便宜, 而且很快", "zh") == "模型很便宜，而且很快"


def test_an_inline_retry_reaches_a_real_chat_prompt(tiny_chat) -> None:
    from toolkit.backends import load_backend
    from toolkit.tasks import Translator

    translator = Translator(load_backend(str(tiny_chat)), max_new_tokens=8)
    policy = RetryPolicy(translator, GLOSSARY, checks=False)
    request = TranslationRequest("Die KI-Modelle sind günstig.", "de", "en")
    state_request = policy._retry_request(  # what the retry asks, as the backend gets it
        type("S", (), {"request": request, "terms": check_terms(request.text, "The models.", GLOSSARY, "en"),
                       "checks": None})(), 1)
    [generation] = translator.requests([state_request])
    assert "Die AI-Modelle sind günstig." in generation.messages[-1][1]
    assert generation.must_include == ()


def test_a_retry_into_the_right_language_is_not_dropped_content_for_being_shorter() -> None:
    request = TranslationRequest("Trotz der technischen Erfolge bleiben kritische Fragen offen.", "de", "zh")
    engine = Scripted("Despite the technical successes, critical questions remain open.", "尽管技术上取得了成功，关键问题仍未解决。")
    policy = RetryPolicy(engine, GLOSSARY)
    [out] = policy.run([request])
    assert out.text == "尽管技术上取得了成功，关键问题仍未解决。" and out.checks.language.ok
    assert policy.stats.dropped == 0


def test_score_with_a_glossary_checks_any_text_as_a_reader_would(tmp_path: Path) -> None:
    """tk score -g: plain-text outputs get term accuracy, and a term moved after the sentence
    counts as a miss, whatever the records said."""
    import json

    from click.testing import CliRunner

    from toolkit.cli import main

    refs = [json.loads(x) for x in (ROOT / "eval/refs/translations/en.jsonl").read_text(encoding="utf-8").splitlines()]
    plain = tmp_path / "refs.txt"
    plain.write_text("\n".join(r["reference"] for r in refs) + "\n", encoding="utf-8")
    # the same text with every "AI " taken out of the sentence and put after its end
    moved = [r["reference"].replace("AI ", "") + " AI" if "AI " in r["reference"] else r["reference"]
             for r in refs]
    appended = tmp_path / "appended.txt"
    appended.write_text("\n".join(moved) + "\n", encoding="utf-8")
    out = tmp_path / "scores.json"
    result = CliRunner().invoke(main, ["score", "translations", str(plain), str(appended),
                                       "--refs", "eval/refs", "--lang", "en", "-m", "terms,numbers",
                                       "-g", str(ROOT / "glossaries/ai-finance.tsv"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    first, second = (s["scores"]["terms"]["score"] for s in data["systems"])
    assert first == 100.0
    n_moved = sum(m != r["reference"] for m, r in zip(moved, refs))
    assert n_moved > 20 and second < 100.0 - n_moved * 100 / 302 * 0.5
    assert "source:recheck|glossary:" in data["signatures"]["terms"]
