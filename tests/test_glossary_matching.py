"""Term matching in German sources and presence checks in English and Chinese outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.glossary import (
    Glossary,
    GlossaryEntry,
    check_terms,
    contains_term,
    find_terms,
    load_glossary,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    """The domain glossary plus a common noun it leaves out on purpose (Aktie: share or stock)."""
    domain = load_glossary(ROOT / "glossaries" / "ai-finance.tsv")
    aktie = GlossaryEntry({"de": ("Aktie",), "en": ("share",), "zh": ("股票",)})
    return Glossary(domain.entries + (aktie,))


# (German text, [(as written, required English form)]) in order of occurrence
POSITIVE = [
    # inflection: genitive -s on names, plural on acronyms, noun endings
    ("Alibabas neues Modell", [("Alibabas", "Alibaba")]),
    ("ByteDances Modell und Nvidias H20", [("ByteDances", "ByteDance"), ("Nvidias", "Nvidia"), ("H20", "H20")]),
    ("OpenAIs GPT-5.2 und Googles Gemini 3 Pro",
     [("OpenAIs", "OpenAI"), ("GPT-5.2", "GPT-5.2"), ("Googles", "Google"), ("Gemini 3 Pro", "Gemini 3 Pro")]),
    ("Meta’s Llama", [("Meta’s", "Meta"), ("Llama", "Llama")]),
    ("Kursziel 200 USD je ADR", [("Kursziel", "price target"), ("ADR", "ADR")]),
    ("die ADRs in New York", [("ADRs", "ADR")]),
    ("Die Aktie fiel, die Aktien fielen", [("Aktie", "share"), ("Aktien", "share")]),
    ("neue Kursziele und den Kurszielen", [("Kursziele", "price target"), ("Kurszielen", "price target")]),
    ("auf den freien Cashflow", [("freien Cashflow", "free cash flow")]),
    ("des Börsenwerts", [("Börsenwerts", "market value")]),
    ("von US-Hyperscalern wie Microsoft", [("Hyperscalern", "hyperscaler"), ("Microsoft", "Microsoft")]),
    # hyphenated compounds: the hyphen joins, the term is found on either side
    ("sein neuestes KI-Flaggschiff", [("KI", "AI")]),
    ("KI-Modelle, KI-App, KI-getriebenen", [("KI", "AI"), ("KI", "AI"), ("KI", "AI")]),
    ("US-Aktien und die Alibaba-Aktie", [("Aktien", "share"), ("Alibaba", "Alibaba"), ("Aktie", "share")]),
    ("Qwen-App, Qwen-Chatbot", [("Qwen", "Qwen"), ("Qwen", "Qwen"), ("Chatbot", "chatbot")]),
    ("die Qwen-Modelle der Qwen-Modellfamilie", [("Qwen", "Qwen"), ("Qwen", "Qwen")]),
    ("eine Mixture-of-Experts-Struktur", [("Mixture-of-Experts", "Mixture-of-Experts")]),
    ("Qwens Mixture-of-Experts-Ansatz", [("Qwens", "Qwen"), ("Mixture-of-Experts", "Mixture-of-Experts")]),
    ("MoE-Modelle", [("MoE", "MoE")]),
    ("die Apsara-Konferenz in Hangzhou", [("Apsara-Konferenz", "Apsara Conference"), ("Hangzhou", "Hangzhou")]),
    ("auf dem AI Impact Summit in Neu-Delhi", [("AI Impact Summit", "AI Impact Summit"), ("Neu-Delhi", "New Delhi")]),
    # versions: the longest listed form wins and the target keeps the version
    ("Qwen3.5 ist da", [("Qwen3.5", "Qwen3.5")]),
    ("mit Qwen 3.5 und Qwen3-Max", [("Qwen 3.5", "Qwen3.5"), ("Qwen3-Max", "Qwen3-Max")]),
    ("Das neue Qwen3.5-Modell", [("Qwen3.5", "Qwen3.5")]),
    ("Mit Qwen3 positioniert", [("Qwen3", "Qwen3")]),
    ("nach Qwen2.5 kam", [("Qwen2.5", "Qwen2.5")]),  # an unlisted version of a keep-as-is name
    ("Kimi K2 und MiniMax M2.5", [("Kimi K2", "Kimi K2"), ("MiniMax M2.5", "MiniMax M2.5")]),
    # longest match among overlapping names
    ("Alibaba Cloud und die Alibaba Group Holding",
     [("Alibaba Cloud", "Alibaba Cloud"), ("Alibaba Group Holding", "Alibaba Group Holding")]),
    ("im chinesischen Apple App Store", [("Apple App Store", "Apple App Store")]),
    # acronyms and their expansions: a spelled-out source needs the spelled-out target
    ("das bereinigte Ergebnis pro Aktie (EPS)", [("Ergebnis pro Aktie", "earnings per share"), ("EPS", "EPS")]),
    ("setzt auf Künstliche Intelligenz", [("Künstliche Intelligenz", "artificial intelligence")]),
    ("über künstliche Intelligenz", [("künstliche Intelligenz", "artificial intelligence")]),
    ("Margendruck durch CapEx", [("CapEx", "capex")]),
    # case: names ignore it, typography varies
    ("ALIBABA UND TENCENT", [("ALIBABA", "Alibaba"), ("TENCENT", "Tencent")]),
    ("Qwen\u00a03.5 mit Mixture\u2011of\u2011Experts", [("Qwen\u00a03.5", "Qwen3.5"),
                                                     ("Mixture\u2011of\u2011Experts", "Mixture-of-Experts")]),
    ("Arm & Nvidia NVLink Fusion", [("Arm", "Arm"), ("Nvidia", "Nvidia"), ("NVLink Fusion", "NVLink Fusion")]),
    ("CEO Eddie Wu Yongming kündigte an. Wu betonte", [("Eddie Wu Yongming", "Eddie Wu"), ("Wu", "Eddie Wu")]),
    ("Die Kinder in Kiel mögen KI.", [("KI", "AI")]),
    ("Alibaba Clud Expansion", [("Alibaba Clud", "Alibaba Cloud")]),  # a typo the glossary lists
    ("蚂蚁集团", []),  # Chinese is not the source language
]

NEGATIVE = [
    "Die Adresse steht im Impressum",  # ADR
    "ADRESSE",
    "Kinder, Kiel, Kiosk, Kiwi",  # KI
    "ki und Ki",  # KI is case-sensitive
    "Moe und moe",  # MoE
    "EPSILON",
    "arm und reich; die Armen",  # Arm: case-sensitive, and names take no noun endings
    "Pekingente",  # Peking inside a closed compound
    "Der Amazonas",  # Amazon + an ending names do not take
    "Metall und Metaverse",
    "Wunder",
    "h20 und H2000",
    "Kurszielrechner",  # closed compounds are not split (a known limit)
    "Qwenn",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE, ids=[t for t, _ in POSITIVE])
def test_terms_found_in_german(glossary: Glossary, text: str, expected: list[tuple[str, str]]) -> None:
    matches = find_terms(text, glossary)
    assert [(m.text, m.target("en")) for m in matches] == expected
    for m in matches:
        assert text[m.start : m.end] == m.text


@pytest.mark.parametrize("text", NEGATIVE)
def test_no_false_hits_inside_other_words(glossary: Glossary, text: str) -> None:
    assert find_terms(text, glossary) == []


def test_chinese_targets_keep_versions(glossary: Glossary) -> None:
    assert [m.target("zh") for m in find_terms("Qwen 3.5, Qwen2.5, Alibabas Doubao", glossary)] == [
        "Qwen3.5", "Qwen2.5", "阿里巴巴", "豆包"]


def test_matching_from_chinese(glossary: Glossary) -> None:
    matches = find_terms("阿里巴巴的Qwen3.5模型和阿里云", glossary, source_lang="zh", target_lang="en")
    assert [(m.text, m.target("en")) for m in matches] == [
        ("阿里巴巴", "Alibaba"), ("Qwen3.5", "Qwen3.5"), ("阿里云", "Alibaba Cloud")]


# (form, language, output, present?)
PRESENCE = [
    ("AI", "en", "The AI model", True),
    ("AI", "en", "AI-Modelle", True),  # the term is there; German leftovers are the language check's job
    ("AI", "en", "said Kai", False),
    ("AI", "en", "the ai model", False),  # names and acronyms keep their case
    ("Alibaba", "en", "Alibaba's chatbot", True),
    ("Alibaba", "en", "alibaba's chatbot", False),
    ("ADR", "en", "per ADRs", True),
    ("price target", "en", "Price target raised", True),  # common nouns ignore case
    ("price target", "en", "new price targets", True),
    ("price target", "en", "the target price", False),
    ("free cash flow", "en", "Free cash flow fell", True),
    ("Qwen3.5", "en", "Qwen3.5-based", True),
    ("Qwen3", "en", "Qwen3.5", False),
    ("Qwen", "en", "Qwen app", True),
    ("阿里巴巴", "zh", "阿里巴巴的模型", True),
    ("阿里巴巴", "zh", "Alibaba的模型", False),
    ("Qwen3.5", "zh", "阿里的Qwen3.5模型", True),
    ("Qwen3.5", "zh", "阿里的Ｑｗｅｎ３.５模型", True),  # full-width forms count (NFKC)
    ("Qwen3", "zh", "Qwen3.5模型", False),
    ("人工智能", "zh", "人工 智能", False),
]


@pytest.mark.parametrize(("form", "lang", "output", "present"), PRESENCE)
def test_target_presence(form: str, lang: str, output: str, present: bool) -> None:
    name = form[0].isupper() or not form.isascii()
    assert contains_term(output, form, lang, name=name) is present


@pytest.mark.parametrize(
    ("source", "translation", "lang", "status", "violated"),
    [
        ("Alibabas KI-Modelle", "Alibaba's AI models", "en", "ok", []),
        ("Alibabas KI-Modelle", "Alibaba's KI models", "en", "violated", ["AI"]),
        ("Alibabas KI-Modelle", "阿里巴巴的人工智能模型", "zh", "ok", []),
        ("Alibabas KI-Modelle", "阿里巴巴的AI模型", "zh", "violated", ["人工智能"]),
        ("Das Kursziel", "The price target", "en", "ok", []),
        ("Ergebnis pro Aktie (EPS)", "earnings per share (EPS)", "en", "ok", []),
        ("Je ADR", "Per American Depositary Receipt", "en", "ok", []),  # the expansion counts
        ("Die Kinder in Kiel", "The children in Kiel", "en", "none", []),
        ("Qwen3.5 und Qwen 3.5", "Qwen3.5 and Qwen 3.5", "en", "ok", []),  # one term, counted once
        ("Qwen 3.5", "Qwen 3.5", "zh", "ok", []),  # a listed variant is accepted
        ("DeepSeek und Kimi", "DeepSeek和月之暗面", "zh", "violated", ["Kimi"]),
    ],
)
def test_check_terms(glossary: Glossary, source: str, translation: str, lang: str, status: str,
                     violated: list[str]) -> None:
    check = check_terms(source, translation, glossary, lang)
    assert check.status == status
    assert [r.target for r in check.violated] == violated
    record = check.to_dict()
    assert record["status"] == status and record["enforced"] == []
    assert [v["target"] for v in record["violated"]] == violated


def test_check_record_shape(glossary: Glossary) -> None:
    record = check_terms("Alibabas KI", "Alibaba's KI", glossary, "en").to_dict()
    assert record == {
        "found": [{"source": "Alibabas", "target": "Alibaba"},
                  {"source": "KI", "target": "AI", "problem": "untranslated"}],
        "enforced": [],
        "violated": [{"source": "KI", "target": "AI", "problem": "untranslated"}],
        "status": "violated",
    }


@pytest.mark.parametrize(("glossary_form", "text_form"), [("NFC", "NFD"), ("NFD", "NFC")])
def test_matching_ignores_unicode_normalization(tmp_path, glossary_form: str,
                                                text_form: str) -> None:
    import unicodedata

    from toolkit.glossary import find_terms, load_glossaries

    path = tmp_path / "g.tsv"
    path.write_text(unicodedata.normalize(glossary_form, "de\ten\nÜbernahme\ttakeover\n"
                                          "Börsengang\tIPO\n"), encoding="utf-8")
    glossary = load_glossaries([str(path)])
    text = unicodedata.normalize(text_form, "Nach der Übernahme kam der Börsengang.")
    found = find_terms(text, glossary, "de", "en")
    assert [m.target("en") for m in found] == ["takeover", "IPO"]
    assert [text[m.start:m.end] for m in found] == [m.text for m in found]  # the text's own
    assert unicodedata.normalize("NFC", found[0].text) == "Übernahme"


def test_the_automaton_finds_what_one_alternation_of_every_form_finds() -> None:
    """The matcher (an Aho-Corasick pass, then each candidate form's own regex) against the
    plain definition - one regex alternation of every form, longest first - on the corpus
    with the project's glossary: the same matches, at the same places."""
    import re

    from toolkit.documents import load_documents
    from toolkit.glossary import load_glossaries
    from toolkit.glossary.matching import TermMatcher, form_pattern

    glossary = load_glossaries([str(ROOT / "glossaries" / "ai-finance.tsv")])
    entries = glossary.entries_for("de", "en")
    matcher = TermMatcher(entries, "de")
    forms = sorted([(f, e, False) for e in entries for f in e.variants("de")]
                   + [(f, e, True) for e in entries for f in e.expansions.get("de", ())],
                   key=lambda a: len(a[0]), reverse=True)
    alternation = re.compile("|".join(
        f"(?P<t{i}>" + form_pattern(f, "de", ignore_case=x or not e.case_sensitive,
                                    name=e.is_name(),
                                    version_group=f"v{i}" if e.kind == "keep" and not x else None)
        + ")" for i, (f, e, x) in enumerate(forms)))
    texts = [d.text for d in load_documents([ROOT / "corpus" / "clean"])]
    found = 0
    for text in texts:
        expected = [(m.start(), m.end(), forms[int(m.lastgroup[1:])][0])  # type: ignore[index]
                    for m in alternation.finditer(text)]
        got = [(m.start, m.end, m.form) for m in matcher.find(text)]
        assert got == expected
        found += len(got)
    assert found > 100  # the corpus is full of glossary terms: the comparison means something
