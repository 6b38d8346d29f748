"""Cleaning: each kind of web boilerplate goes, with its reason; the article body stays.

The committed corpus/clean is re-made from corpus/raw here, so it cannot drift from the code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit import corpus as c
from toolkit.cli import main
from toolkit.corpus import (
    clean_corpus,
    clean_document,
    corpus_stats,
    parse_date,
    write_clean_corpus,
)
from toolkit.documents import Document, load_documents
from toolkit.errors import InputError
from toolkit.segments import segment_documents, segment_record

ROOT = Path(__file__).resolve().parent.parent
RAW, CLEAN = ROOT / "corpus" / "raw", ROOT / "corpus" / "clean"

BODY = ("Alibaba hat am Montag sein neues Modell vorgestellt. Die Aktie stieg um 6,22% auf 135,80 €.\n"
        "Analysten sind skeptisch.\n")


def removed(text: str) -> dict[str, str]:
    """Removed line text -> reason."""
    return {r.text: r.reason for r in clean_document(Document(id="d", text=text)).removed}


def kept(text: str) -> list[str]:
    return clean_document(Document(id="d", text=text)).document.text.split("\n\n")


# (boilerplate lines, rule that must remove them, layout: "lines" or "blank" (blank lines between))
BOILERPLATE = [
    (["Prysmian Update: Ohne Kabel keine Energiewende… | AlleAktien",
      "➤ Prysmian Update: Aktie im Test ✓ Fundamentalanalyse ✓ Kaufen oder nicht? Unsere Analyse 02/2026"],
     [c.SITE_TEASER, c.SITE_TEASER_TEXT], "lines"),
    (["Michael C. Jakob – Der rationale Investor - Die größte… | AlleAktien",
      "In dieser Kolumne schreibt Michael C. Jakob über die Prinzipien des Vermögensaufbaus, sondern…"],
     [c.SITE_TEASER, c.AUTHOR_BLURB], "blank"),
    (["- OpenAI in der Zwickmühle: Reichen die Milliarden? - 18. November 2025",
      "- Bitcoin fällt unter 90.000 Dollar - 17.11.2025"],
     [c.HEADLINE_LIST, c.HEADLINE_LIST], "lines"),
    (["Alibaba-Aktie: Kaufen oder verkaufen?! Neue Analyse vom 07. Februar liefert die Antwort:",
      "In der aktuellen Gratis-Analyse erfahren Sie, was jetzt zu tun ist.",
      "Alibaba: Hier weiterlesen..."],
     [c.PROMOTION, c.PROMOTION, c.PROMOTION], "lines"),
    (["Über den Autor: Max Muster schreibt seit 20 Jahren über Aktien."], [c.AUTHOR_BLURB], "lines"),
    (["·"], [c.STRAY_BULLET], "blank"),
    (["Microsofts 50-Milliarden-Plan",
      "Der Tech-Gigant kündigt in Neu-Delhi eine historische Investitionsoffensive an."],
     [c.TEASER_CARD, c.TEASER_CARD], "blank"),
    (["Alibaba Clud Expansion | Dr. Wrede & Partner"], [c.SITE_TEASER], "blank"),
]


@pytest.mark.parametrize(("lines", "reasons", "layout"), BOILERPLATE, ids=[b[1][0][:22] for b in BOILERPLATE])
def test_each_kind_of_boilerplate_is_removed_with_its_reason(lines: list[str], reasons: list[str], layout: str) -> None:
    head = "Alibaba setzt auf KI\nDas Unternehmen investiert Milliarden in Rechenzentren.\n"
    if layout == "blank":
        text = "\n\n".join([head.replace("\n", "\n\n").strip(), "Zwischentitel", *BODY.strip().split("\n"),
                            "\n".join(lines), "Noch ein Absatz mit Inhalt."])
    else:
        text = head + BODY + "\n".join(lines) + "\nNoch ein Absatz mit Inhalt.\n"
    got = removed(text)
    assert got == dict(zip(lines, reasons, strict=True))
    body = kept(text)
    for line in [*BODY.strip().split("\n"), "Noch ein Absatz mit Inhalt.", "Alibaba setzt auf KI"]:
        assert line in body


def test_repeated_title_and_its_teaser_go_the_first_title_stays() -> None:
    text = ("21. Februar, 2026\n\nKI\n\nAlibabas riskantes KI-Glücksspiel\n\nMit einem Programm bläst Alibaba "
            "zur Attacke. Die Zahlen entscheiden.\n\nAlibabas riskantes KI-Glücksspiel\nCloud-Wachstum vs. "
            "Gewinn-Einbruch: Alibaba kämpft. Erfahren Sie alles über die Prognosen.\n\n" + BODY.replace("\n", "\n\n"))
    result = clean_document(Document(id="d", text=text))
    assert [(r.line, r.reason) for r in result.removed] == [
        (1, c.DATE_LINE), (3, c.SECTION_LABEL), (9, c.REPEATED_TITLE), (10, c.REPEATED_TEASER)]
    doc = result.document
    assert (doc.title, doc.date) == ("Alibabas riskantes KI-Glücksspiel", "2026-02-21")
    assert doc.text.startswith("Alibabas riskantes KI-Glücksspiel\n\nMit einem Programm")


def test_headings_lists_and_chart_legends_are_kept() -> None:
    text = ("Überblick\n- Qwen3.5 ist ein Chatbot\n- Das Modell ist günstig\nWichtige Punkte:\n"
            "Legende:\xa0\n  • Optimistisch: Kursziel 200–240 USD je ADR.\n1. Infrastrukturaufbau\n"
            "    → Fundament der KI-Strategie.\n" + BODY)
    assert removed(text) == {}
    assert kept(text)[:8] == ["Überblick", "- Qwen3.5 ist ein Chatbot", "- Das Modell ist günstig",
                              "Wichtige Punkte:", "Legende:", "• Optimistisch: Kursziel 200–240 USD je ADR.",
                              "1. Infrastrukturaufbau", "→ Fundament der KI-Strategie."]


def test_a_heading_with_its_paragraph_on_a_line_separated_page_is_no_teaser() -> None:
    # Without blank lines between paragraphs a heading sits right above its text.
    text = "Titel des Artikels\n" + BODY + "Microsofts Plan\nDer Konzern kündigt eine Offensive an.\n"
    assert removed(text) == {}


@pytest.mark.parametrize(("line", "iso"), [
    ("21. Februar, 2026", "2026-02-21"), ("3. März 2025", "2025-03-03"), ("Freitag, 7. Nov. 2025", "2025-11-07"),
    ("07.02.2026", "2026-02-07"), ("2026-02-21", "2026-02-21"),
    ("am 21. Februar 2026 kam es", None), ("21. Februar", None), ("32.13.2026", None),
])
def test_parse_date(line: str, iso: str | None) -> None:
    assert parse_date(line) == iso


def test_dates_in_the_text_are_not_taken_for_the_article_date() -> None:
    doc = clean_document(Document(id="d", text="Die Konferenz\nSie fand vom 24. bis 26. September 2025 statt.\n"
                                  "18. November 2025\n")).document
    assert doc.date is None  # only a date line above the running text is the article's date


def test_title_falls_back_to_standfirst_and_metadata_given_wins() -> None:
    standfirst = "Chinas Tech-Gigant setzt US-Aktien unter Druck.\nAlibaba hat am Montag ein Modell vorgestellt. Es ist gut.\n"
    assert clean_document(Document(id="d", text=standfirst)).document.title == "Chinas Tech-Gigant setzt US-Aktien unter Druck"
    given = clean_document(Document(id="d", text=standfirst, title="Eigener Titel", date="2020-01-01")).document
    assert (given.title, given.date) == ("Eigener Titel", "2020-01-01")


def test_a_document_of_nothing_but_boilerplate_is_an_error() -> None:
    with pytest.raises(InputError, match="nothing left after cleaning"):
        clean_document(Document(id="d", text="·\nAlibaba: Kaufen oder verkaufen? Hier weiterlesen...\n"))


def test_raw_corpus_is_the_seed_articles_byte_for_byte(shared_dir: Path) -> None:
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    assert [p.name for p in seeds] == sorted(p.name for p in RAW.glob("*.txt"))
    for seed in seeds:
        assert (RAW / seed.name).read_bytes() == seed.read_bytes()


def test_committed_clean_corpus_is_what_the_code_makes(tmp_path: Path) -> None:
    results = clean_corpus(load_documents([RAW]))
    write_clean_corpus(results, tmp_path)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in CLEAN.iterdir() if p.name != "segments.jsonl")
    for name in made:
        assert (tmp_path / name).read_text(encoding="utf-8") == (CLEAN / name).read_text(encoding="utf-8"), name
    segments = segment_documents(load_documents([CLEAN]))
    committed = [json.loads(line) for line in (CLEAN / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [segment_record(s) for s in segments] == committed


def test_seed_cleaning_removes_the_known_boilerplate_and_keeps_the_body() -> None:
    results = {r.document.id[:3]: r for r in clean_corpus(load_documents([RAW]))}
    texts = {k: r.document.text for k, r in results.items()}
    for gone in ("AlleAktien", "Prysmian", "Kaufen oder verkaufen", "Microsofts 50-Milliarden-Plan",
                 "In dieser Kolumne", "18. November 2025", "Dr. Wrede & Partner"):
        assert not any(gone in t for t in texts.values()), gone
    assert texts["001"].count("Alibabas riskantes KI-Glücksspiel") == 1
    assert not texts["004"].startswith("·")
    for body in ("Wer braucht schon Stabilität", "Kursziel 200–240 USD je ADR", "um 6,22% auf 135,80 €",
                 "Legende:", "vom 24. bis 26. September 2025", "Llama hält nur noch 15%."):
        assert any(body in t for t in texts.values()), body
    assert results["000"].removed == []  # nothing to remove there
    assert results["001"].document.date == "2026-02-21"
    assert all(r.document.date is None for k, r in results.items() if k != "001")


def test_cli_clean_writes_the_corpus_and_reports_on_stderr(tmp_path: Path) -> None:
    src = tmp_path / "raw" / "a.txt"
    src.parent.mkdir()
    src.write_text("Titel\n" + BODY + "Alibaba: Kaufen oder verkaufen? Hier weiterlesen...\n", encoding="utf-8")
    out = tmp_path / "clean"
    result = CliRunner().invoke(main, ["corpus", "clean", str(src.parent), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "a: removed 1 line, " in result.stderr and "line 4: promotion" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "cleaning-report.json", "documents.jsonl"]
    assert "Kaufen" not in (out / "a.txt").read_text(encoding="utf-8")
    report = json.loads((out / "cleaning-report.json").read_text(encoding="utf-8"))
    assert report["documents"][0]["removed"] == [
        {"line": 4, "reason": c.PROMOTION, "text": "Alibaba: Kaufen oder verkaufen? Hier weiterlesen..."}]
    [record] = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (record["id"], record["title"], record["lang"]) == ("a", "Titel", "de")


def test_cli_stats_and_segments_agree_with_the_library(tmp_path: Path) -> None:
    runner = CliRunner()
    stats = runner.invoke(main, ["corpus", "stats", str(CLEAN), "--json"])
    assert stats.exit_code == 0, stats.output
    figures = json.loads(stats.stdout)
    expected = corpus_stats(load_documents([CLEAN]))
    assert figures == expected.as_dict()
    assert (figures["documents"], figures["paragraphs"], figures["segments"]) == (5, 140, 248)
    out = tmp_path / "segs" / "segments.jsonl"
    done = runner.invoke(main, ["corpus", "segments", str(CLEAN), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_text(encoding="utf-8") == (CLEAN / "segments.jsonl").read_text(encoding="utf-8")
    assert [p.name for p in out.parent.iterdir()] == ["segments.jsonl"]  # no temporary file left


def test_corpus_help_shows_examples() -> None:
    for command in ("clean", "stats", "segments"):
        result = CliRunner().invoke(main, ["corpus", command, "--help"])
        assert result.exit_code == 0
        assert f"tk corpus {command} corpus/" in result.output


def test_no_teaser_cards_where_headings_are_glued_to_their_paragraphs() -> None:
    # Blank lines between blocks, but every heading sits on the line above its paragraph:
    # a heading with a one-sentence paragraph is article structure here, not a card.
    text = ("Erster Teil\nAlibaba investiert Milliarden in Rechenzentren.\n\n"
            "Zweiter Teil\nDie Aktie stieg. Analysten sind skeptisch.\n\n"
            "Fazit\nAlibaba bleibt eine riskante Wette.\n")
    assert removed(text) == {}


def test_a_repeated_paragraph_is_removed_once() -> None:
    para = "Alibaba investiert Milliarden in neue Rechenzentren in Europa und Asien."
    result = clean_document(Document(id="d", text=f"Titel\n{para}\nAnderes.\n{para}\n"))
    assert [(r.line, r.reason) for r in result.removed] == [(4, c.REPEATED_PARAGRAPH)]
    assert result.document.text.count(para) == 1


def test_bad_input_to_clean_writes_nothing(tmp_path: Path) -> None:
    good = tmp_path / "in" / "a.txt"
    good.parent.mkdir()
    good.write_text("Titel\nText.\n", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_bytes(b"\x00\x01")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["corpus", "clean", str(tmp_path / "in"), "-o", str(out)])
    assert result.exit_code == 1 and "b.txt: binary file" in result.stderr
    assert not out.exists()


def test_ids_that_are_no_file_names_are_refused_before_writing(tmp_path: Path) -> None:
    results = clean_corpus([Document(id="ok", text="Text."), Document(id="../evil", text="Text.")])
    with pytest.raises(InputError, match="cannot be a file name"):
        write_clean_corpus(results, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_stats_per_document_adds_up_to_the_total() -> None:
    result = CliRunner().invoke(main, ["corpus", "stats", str(RAW), "--per-document", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [*(p.stem for p in sorted(RAW.glob("*.txt"))), "total"]
    for key in ("documents", "paragraphs", "segments", "characters"):
        assert sum(r[key] for r in rows[:-1]) == rows[-1][key]
    table = CliRunner().invoke(main, ["corpus", "stats", str(RAW), "--per-document"]).stdout.splitlines()
    assert table[0].split() == ["documents", "paragraphs", "segments", "heading", "item", "text", "characters"]
    assert len(table) == 1 + 5 + 1 and table[-1].split()[0] == "total"
