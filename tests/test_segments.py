"""Segmentation: paragraphs, then sentences; headings and list items alone; stable ids."""

from __future__ import annotations

import pytest

from toolkit.documents import Document
from toolkit.errors import InputError
from toolkit.segments import (
    line_kind,
    segment_document,
    segment_documents,
    segment_id,
    segments_to_dataset,
    split_sentences,
)

# (paragraph, phrase that must stay inside one segment, expected number of sentences)
KEEP_TOGETHER = [
    ("Alibaba stellte das Modell am 21. Februar vor. Die Aktie stieg.", "am 21. Februar vor.", 2),
    ("Die Konferenz fand vom 24. bis 26. September 2025 in Hangzhou statt. Sie war groß.",
     "vom 24. bis 26. September 2025 in Hangzhou", 2),
    ("In sieben Tagen ging es um 6,22% auf 135,80 € nach unten. Danach erholte sich der Kurs.",
     "um 6,22% auf 135,80 € nach unten", 2),
    ("Viele Firmen nutzen offene Modelle, z. B. Qwen oder Kimi. Das spart Kosten.",
     "z. B. Qwen oder Kimi", 2),
    ("Laut Dr. Wrede ist das ein Wendepunkt. Andere sehen das anders.", "Laut Dr. Wrede ist", 2),
    ("Qwen3.5 ist das neue Flaggschiff. Es kam vor dem Neujahrsfest.", "Qwen3.5 ist das neue Flaggschiff.", 2),
    ("Das Kursziel liegt bei 200–240 USD je ADR. Das ist ambitioniert.", "200–240 USD je ADR.", 2),
    ("Mit Qwen 3.5 bläst Alibaba zur Attacke. Doch die Kosten steigen.", "Mit Qwen 3.5 bläst", 2),
    ("Qwen verzeichnet 385,3 Millionen Downloads, Llama 346,2 Millionen. Das ist viel.",
     "385,3 Millionen Downloads, Llama 346,2 Millionen.", 2),
    # A stray period before a lowercase word does not end the sentence.
    ("Die Kurse von Nvidia und weiteren KI-Aktien. stiegen weiter an. Danach kam die Wende.",
     "KI-Aktien. stiegen weiter an.", 2),
]


@pytest.mark.parametrize(("paragraph", "phrase", "count"), KEEP_TOGETHER,
                         ids=[case[1][:24] for case in KEEP_TOGETHER])
def test_sentences_do_not_break_inside(paragraph: str, phrase: str, count: int) -> None:
    sentences = split_sentences(paragraph)
    assert len(sentences) == count, sentences
    assert any(phrase in s for s in sentences), sentences
    assert " ".join(sentences) == paragraph  # nothing lost or rewritten


def test_headings_and_list_items_are_segments_of_their_own() -> None:
    text = (
        "Überblick\n"
        "- Qwen3.5 ist ein Chatbot\n"
        "• Zweiter Punkt\n"
        "  • Eingerückter Punkt\n"
        "1. Infrastrukturaufbau\n"
        "    → Fundament der KI-Strategie. Der Ausbau geht weiter.\n"
        "Das neue Modell ist schnell. Es ist auch billig.\n"
        "US-Aktien weiter unter Druck?\n"
    )
    segs = segment_document(Document(id="d", text=text))
    got = [(s.kind, s.text) for s in segs]
    assert got == [
        ("heading", "Überblick"),
        ("item", "Qwen3.5 ist ein Chatbot"),
        ("item", "Zweiter Punkt"),
        ("item", "Eingerückter Punkt"),
        ("item", "1. Infrastrukturaufbau"),  # the number is content and stays
        ("item", "Fundament der KI-Strategie."),
        ("item", "Der Ausbau geht weiter."),
        ("text", "Das neue Modell ist schnell."),
        ("text", "Es ist auch billig."),
        ("text", "US-Aktien weiter unter Druck?"),  # a question reads as a sentence
    ]
    assert [s.paragraph for s in segs] == [1, 2, 3, 4, 5, 6, 6, 7, 7, 8]


@pytest.mark.parametrize(("line", "kind"), [
    ("Das Qwen3.5-Modell", "heading"),
    ("Alibaba Aktie: Zwischenfälle? Fehlanzeige", "heading"),
    ("Wichtige Punkte zur Kampagne:", "text"),
    ("- kurzfristige Ausfälle durch hohen Andrang", "item"),
    ("→ Reifer Markt.", "item"),
    ("2) Modelle & Plattformen", "item"),
    ("6. Februar war der Start der Aktion.", "text"),  # a date, not a numbered item
    ("Der Konzern investiert weiter.", "text"),
])
def test_line_kind(line: str, kind: str) -> None:
    assert line_kind(line) == kind


def test_blank_line_and_single_line_paragraphs_segment_alike() -> None:
    single = Document(id="a", text="Titel\nErster Absatz. Zwei Sätze.\nZweiter Absatz.")
    blank = Document(id="a", text="Titel\n\n\nErster Absatz. Zwei Sätze.\n\nZweiter Absatz.\n")
    assert segment_document(single) == segment_document(blank)


def test_ids_are_stable_and_follow_paragraph_and_sentence() -> None:
    doc = Document(id="004_x", text="Fazit\n\nEins ist klar. Zwei auch.\n\nDrei.")
    segs = segment_document(doc)
    assert [s.id for s in segs] == ["004_x:p01:s01", "004_x:p02:s01", "004_x:p02:s02", "004_x:p03:s01"]
    assert segs[1].id == segment_id("004_x", 2, 1)
    assert segment_document(doc) == segs  # same text, same ids
    # Editing a later paragraph leaves the ids and texts before it alone.
    edited = Document(id="004_x", text=doc.text.replace("Drei.", "Drei. Vier."))
    assert segment_document(edited)[:3] == segs[:3]


def test_segments_strip_whitespace_and_no_break_spaces() -> None:
    segs = segment_document(Document(id="d", text="  Erster Satz.\xa0Zweiter Satz.  \n\n4. Reifephase\xa0"))
    assert [s.text for s in segs] == ["Erster Satz.", "Zweiter Satz.", "4. Reifephase"]


def test_segment_documents_keeps_document_order_and_dataset_columns() -> None:
    docs = [Document(id="b", text="Zwei. Sätze."), Document(id="a", text="Einer.")]
    segs = segment_documents(docs)
    assert [s.doc for s in segs] == ["b", "b", "a"]
    ds = segments_to_dataset(segs)
    assert ds.column_names == ["doc", "id", "text", "paragraph", "sentence", "kind"]
    assert ds[2] == {"doc": "a", "id": "a:p01:s01", "text": "Einer.", "paragraph": 1, "sentence": 1, "kind": "text"}


def test_unknown_language_names_the_choices() -> None:
    with pytest.raises(InputError, match="no sentence splitter for language 'xx'"):
        segment_document(Document(id="d", text="Ein Satz.", lang="xx"))
