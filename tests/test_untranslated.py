"""German words left in a translation: the check and its place in the records and summaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.glossary import load_glossary
from toolkit.qa.checks import CheckSummary, check_segment
from toolkit.qa.untranslated import is_german, untranslated_pairs, untranslated_words

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = load_glossary(ROOT / "glossaries" / "ai-finance.tsv")


def words(source: str, output: str, lang: str = "en", **kw: object) -> tuple[str, ...]:
    return untranslated_words(source, output, target_lang=lang, **kw)  # type: ignore[arg-type]


# --- the check ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "output", "expected"), [
    # copied whole (the issue's own examples)
    ("Experten waren zudem enttäuscht.", "Experts were also enttäuscht.", ("enttäuscht",)),
    ("Der Umsatz im Cloud-Markt wächst.", "The Umsatz in the cloud market grows.", ("Umsatz",)),
    ("Eine neue Runde im Wettlauf um die KI-Vorherrschaft.",
     "A new round in the Wettlauf for AI-Vorherrschaft.", ("Wettlauf", "AI-Vorherrschaft")),
    ("rund 420 Millionen Dollar", "(rund 420 million dollars)", ("rund",)),
    # a rare compound neither English nor common German text uses
    ("Internationaler Ausbau als Schlüsselfaktor.", "Expansion as Schlüsselfaktor.",
     ("Schlüsselfaktor",)),
    # pieces of a source word and a source word with another ending
    ("ein neues KI-Flaggschiff", "a new AI flag gschiff", ("gschiff",)),
    ("sie sehen mit Argusaugen auf den Cashflow", "they see Argusaugs on the cash flow",
     ("Argusaugs",)),
    # inflected forms are judged as they stand
    ("Die geopolitischen Spannungen wachsen.", "The geopolitischen Spannungen grow.",
     ("geopolitischen", "Spannungen")),
])
def test_german_words_copied_into_english_are_flagged(source: str, output: str,
                                                       expected: tuple[str, ...]) -> None:
    assert words(source, output) == expected


@pytest.mark.parametrize(("source", "output"), [
    # names, brands, products, places: as common in English as in German, or in neither
    ("Alibaba, Tencent und Doubao in Berlin.", "Alibaba, Tencent and Doubao in Berlin."),
    ("Wu Yongming führt Alibaba in Hangzhou.", "Wu Yongming leads Alibaba in Hangzhou."),
    # anything with a digit, acronyms in capitals
    ("Qwen3.5 läuft auf H100 und an der NYSE als ADR.", "Qwen3.5 runs on H100 and on the NYSE as ADR."),
    # English words that a German source shares
    ("Das Modell ist ein Chatbot für Cloud und Chips.", "The model is a chatbot for cloud and chips."),
    # an English word that only looks like a piece of the source ("program" in "Programm")
    ("Das Investitionsprogramm wächst.", "The investment program grows."),
    # a word the output has that the source has not is never "copied"
    ("Der Markt wächst.", "The market grows, Zeitgeist aside."),
])
def test_names_products_and_english_are_not_flagged(source: str, output: str) -> None:
    assert words(source, output) == ()


def test_the_glossary_entries_of_the_segment_are_left_to_the_term_check() -> None:
    source, output = "Die KI-Modelle von Qwen wachsen.", "The KI models of Qwen grow."
    assert words(source, output) == ()  # KI: two capitals, an acronym
    assert words("Das Sprachmodell wächst.", "The Sprachmodell grows.") == ("Sprachmodell",)
    assert words("Das Sprachmodell wächst.", "The Sprachmodell grows.",
                 keep=["Sprachmodell", "language model"]) == ()
    from toolkit.glossary import check_terms

    terms = check_terms("Das Sprachmodell wächst.", "The Sprachmodell grows.", GLOSSARY, "en")
    checks = check_segment("Das Sprachmodell wächst.", "The Sprachmodell grows.", terms=terms)
    assert checks.untranslated == ()  # counted once, as a term left untranslated
    assert [t["problem"] for t in checks.to_dict()["terms"]["violated"]] == ["untranslated"]


def test_latin_words_in_a_chinese_output() -> None:
    source = "Alibaba kauft Lebensmittel über den Qwen-Chatbot im Wettlauf um Kunden."
    output = "阿里巴巴通过Qwen聊天机器人购买 Lebensmittel，在Wettlauf中争夺客户。"
    assert words(source, output, "zh") == ("Lebensmittel", "Wettlauf")
    # English in a Chinese output is the language check's business, not this one's
    assert words("Der Markt wächst.", "market 增长。", "zh") == ()
    # a German piece glued to Chinese characters
    assert words("ein neues KI-Flaggschiff", "一个新的人工智能标志gschiff", "zh") == ("gschiff",)


def test_only_german_sources_are_judged() -> None:
    assert words("The market grows.", "市场 Umsatz", "zh", source_lang="en") == ()
    assert is_german("umsatz") and not is_german("alibaba") and not is_german("berlin")


def test_pairs_name_the_source_word_as_the_source_writes_it() -> None:
    pairs = untranslated_pairs("Der KI-Zyklus und das Flaggschiff.", "The AI-Zyklus and the flaggschiff.")
    assert pairs == [("AI-Zyklus", "Zyklus", "Zyklus"), ("flaggschiff", "flaggschiff", "Flaggschiff")]


def test_checks_records_and_the_summary_count_the_words() -> None:
    a = check_segment("Der Umsatz wächst rund 5%.", "The Umsatz grows rund 5%.", segment_id="a")
    b = check_segment("Der Umsatz wächst.", "Revenue grows.", segment_id="b")
    assert a.to_dict()["untranslated_words"] == ["Umsatz", "rund"]
    assert not a.ok and b.ok
    assert "German left: Umsatz, rund" in a.problems()
    summary = CheckSummary.from_checks([a, b])
    assert (summary.untranslated_words, summary.segments_untranslated) == (2, 1)
    assert summary.to_dict()["untranslated"] == {"words": 2, "segments": 1}
    assert "2 words left untranslated in 1 segments" in summary.render()
    merged = summary.merge(summary)
    assert (merged.untranslated_words, merged.segments_untranslated) == (4, 2)


def test_a_long_segment_is_checked_in_one_pass_and_the_first_source_word_wins() -> None:
    # Where an output word could come from several source words, the first in the source is
    # its origin, in every process (a set's order changes from run to run); and a segment of
    # tens of thousands of words is checked without comparing every word with every other.
    assert untranslated_pairs("Die Marktanteile und Marktanteilen.", "The marktanteil.")[0].source == "Marktanteile"
    source = " ".join(f"Quellwort{chr(97 + i % 26)}{chr(97 + i // 26 % 26)} Umsatz" for i in range(5000))
    output = " ".join(f"Namexq{chr(97 + i % 26)}{chr(97 + i // 26 % 26)} revenue" for i in range(5000))
    assert words(source, output + " Umsatz") == ("Umsatz",)


def test_a_summary_reports_the_german_words_left_in_it() -> None:
    from toolkit.qa.summary import check_summary

    source = "Der Umsatz von Alibaba wächst im Wettlauf um die Kunden."
    flawed = check_summary("Alibaba's Umsatz grows in the race for customers.", source=source,
                           source_lang="de", summarized=source, target="en", glossary=None)
    clean = check_summary("Alibaba's revenue grows in the race for customers.", source=source,
                          source_lang="de", summarized=source, target="en", glossary=None)
    assert flawed.to_dict()["untranslated_words"] == ["Umsatz"]
    assert clean.to_dict()["untranslated_words"] == []
    # each German word left is a problem: a reason to retry
    assert flawed.problems == clean.problems + 1
