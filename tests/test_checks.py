"""The per-segment check record and the run summary."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.qa.checks import CheckSummary, SegmentChecks, check_segment

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Terms:
    """A term check as the glossary makes one: lists of found/enforced/violated terms."""

    found: list[dict[str, str]] = field(default_factory=list)
    enforced: list[dict[str, str]] = field(default_factory=list)
    violated: list[dict[str, str]] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.found:
            return "none"
        return "violated" if self.violated else "enforced" if self.enforced else "ok"

    def to_dict(self) -> dict[str, Any]:
        return {"found": self.found, "enforced": self.enforced, "violated": self.violated,
                "status": self.status}


KI = {"source": "KI", "target": "AI"}
QWEN = {"source": "Qwen3.5", "target": "Qwen3.5"}
SOURCE = "Das KI-Modell Qwen3.5 hat 397 Milliarden Parameter."


def test_record_shape_is_json_ready() -> None:
    checks = check_segment(SOURCE, "The AI model Qwen3.5 has 397 billion parameters.",
                           terms=Terms(found=[KI, QWEN]), segment_id="d:p01:s01")
    record = json.loads(json.dumps(checks.to_dict()))
    assert set(record) == {"terms", "numbers", "language", "repeats", "repaired",
                           "untranslated_words"}
    assert record["repeats"] is None and record["repaired"] == []
    assert record["untranslated_words"] == []
    assert record["terms"]["status"] == "ok"
    assert record["numbers"]["checked"] == 1 and record["numbers"]["status"] == "ok"
    assert record["language"] == {"ok": True, "detected": "en"}
    assert checks.ok


def test_without_glossary_terms_are_null() -> None:
    checks = check_segment(SOURCE, "Qwen3.5模型有3970亿个参数。", target_lang="zh")
    assert checks.to_dict()["terms"] is None
    assert checks.ok


def test_problems_name_what_is_wrong() -> None:
    checks = check_segment(SOURCE, "Das KI-Modell Qwen3.5 hat 397 Millionen Parameter.",
                           terms=Terms(found=[KI], violated=[KI]), segment_id="x")
    assert not checks.ok
    problems = checks.problems()
    assert problems[0].startswith("language:")
    assert any("397 Milliarden" in p and "397 billion" in p for p in problems)
    assert any(p.startswith("term KI") for p in problems)


def _run() -> list[SegmentChecks]:
    return [
        check_segment(SOURCE, "The AI model Qwen3.5 has 397 billion parameters.",
                      terms=Terms(found=[KI, QWEN]), segment_id="a:p01:s01"),
        check_segment(SOURCE, "The AI model Qwen3.5 has 397 million parameters.",
                      terms=Terms(found=[KI, QWEN], enforced=[KI]), segment_id="a:p01:s02"),
        check_segment("Die Aktie fiel am 6. Februar um 6,22% auf 135,80 €.",
                      "Die Aktie fiel am 6. Februar um 6,22% auf 135,80 €.",
                      terms=Terms(found=[{"source": "Aktie", "target": "stock"}],
                                  violated=[{"source": "Aktie", "target": "stock"}]),
                      segment_id="a:p02:s01"),
        check_segment("Überblick", "Overview", terms=Terms(), segment_id="a:p03:s01"),
    ]


def test_summary_counts() -> None:
    summary = CheckSummary.from_checks(_run())
    assert (summary.segments, summary.segments_with_problems) == (4, 2)
    assert (summary.terms_found, summary.terms_enforced, summary.terms_violated) == (5, 1, 1)
    assert summary.term_accuracy == 4 / 5
    # 1 + 1 + (date, percent, money); the German echo's "6,22%" and "135,80 €" are no English
    # numbers, and "6. Februar" no English date
    assert (summary.numbers_checked, summary.numbers_mismatched) == (5, 4)
    assert summary.number_accuracy == 1 / 5
    assert summary.language_failures == 1
    # the echo (language failure and a violated term) ranks above the single wrong number
    assert [w.id for w in summary.worst] == ["a:p02:s01", "a:p01:s02"]
    d = json.loads(json.dumps(summary.to_dict()))
    assert d["terms"]["accuracy"] == 0.8 and d["numbers"]["mismatched"] == 4


def test_summary_renders_on_one_screen() -> None:
    text = CheckSummary.from_checks(_run()).render()
    lines = text.splitlines()
    assert len(lines) <= 24 and all(len(line) <= 100 for line in lines)
    assert "term accuracy 80.0%" in text
    assert "number accuracy 20.0%" in text
    assert "1 of 4 segments not in the target language" in text
    assert "a:p01:s02  number 397 Milliarden -> 397 million (want 397 billion)" in text


def test_summary_without_glossary_or_numbers() -> None:
    checks = [check_segment("Überblick", "Overview", segment_id="s")]
    summary = CheckSummary.from_checks(checks)
    assert summary.to_dict()["terms"] is None
    assert summary.number_accuracy is None
    assert "no glossary" in summary.render() and "number accuracy n/a" in summary.render()


def test_real_glossary_term_check_fits_the_record() -> None:
    from toolkit.glossary import check_terms, load_glossary

    glossary = load_glossary(ROOT / "glossaries" / "ai-finance.tsv")
    terms = check_terms("Das KI-Modell", "The AI model", glossary, "en")
    checks = check_segment("Das KI-Modell", "The AI model", terms=terms)
    assert checks.to_dict()["terms"]["status"] == "ok"
    summary = CheckSummary.from_checks([checks])
    assert summary.terms_found >= 1 and summary.term_accuracy == 1.0


def test_ids_can_come_with_the_summary() -> None:
    checks = [check_segment(SOURCE, "The AI model has 397 million parameters.")]
    summary = CheckSummary.from_checks(checks, ids=["doc:p01:s01"])
    assert [w.id for w in summary.worst] == ["doc:p01:s01"]
