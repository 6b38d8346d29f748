"""``tk score`` through click's CliRunner: tables, files, and one-line errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main

WMT = Path(__file__).parent / "data" / "score" / "wmt23"
KLEX = Path(__file__).parent / "data" / "score" / "klexikon"


@pytest.fixture
def wmt_small(tmp_path: Path) -> dict[str, Path]:
    """The first 60 WMT23 segments of two systems and the reference, as plain files."""
    out = {}
    for name, src in [("ref", "generaltest2023.de-en.ref.refA.en"),
                      ("ONLINE-W", "generaltest2023.de-en.hyp.ONLINE-W.en"),
                      ("AIRC", "generaltest2023.de-en.hyp.AIRC.en")]:
        lines = (WMT / src).read_text(encoding="utf-8").splitlines()[:60]
        out[name] = tmp_path / (f"{name}.en" if name == "ref" else f"{name}.txt")
        out[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def run(*args: str):
    return CliRunner().invoke(main, ["score", *args])


def test_translations_table_side_by_side_with_compare(wmt_small):
    r = run("translations", str(wmt_small["ONLINE-W"]), str(wmt_small["AIRC"]), "--refs", str(wmt_small["ref"]),
            "--metric", "bleu,chrf", "--compare", "--bootstrap", "100")
    assert r.exit_code == 0, r.output
    header = r.output.splitlines()[0].split()
    assert header == ["metric", "ONLINE-W", "AIRC"]
    assert "Paired bootstrap vs ONLINE-W (100 resamples, seed 12345" in r.output
    assert "BLEU: BLEU|nrefs:1|case:mixed|eff:no|tok:13a" in r.output


def test_translations_json_and_csv(wmt_small, tmp_path):
    out = tmp_path / "res" / "results.json"
    r = run("translations", str(wmt_small["AIRC"]), "--refs", str(wmt_small["ref"]), "-m", "bleu", "-o", str(out))
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["systems"][0]["name"] == "AIRC" and data["lang"] == "en"
    assert len([s for s in data["segments"] if s["metric"] == "bleu"]) == 60
    csv_out = tmp_path / "seg.csv"
    r = run("translations", str(wmt_small["AIRC"]), "--refs", str(wmt_small["ref"]), "-m", "chrf",
            "--level", "segment", "-o", str(csv_out))
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(csv_out.open(encoding="utf-8")))
    assert [r["level"] for r in rows].count("segment") == 60 and rows[0]["level"] == "corpus"
    assert rows[0]["signature"].startswith("chrF2|nrefs:1")


@pytest.mark.parametrize(("setup", "message"), [
    ("short", "has 59 lines but the references"),
    ("german", "look like German, not English"),
    ("empty", "every translation is empty"),
])
def test_errors_are_one_line(wmt_small, tmp_path, setup, message):
    hyp = tmp_path / "bad.txt"
    if setup == "short":
        hyp.write_text("\n".join(wmt_small["AIRC"].read_text(encoding="utf-8").splitlines()[:59]) + "\n")
    elif setup == "german":
        german = ["Die Aare ist der längste Fluss innerhalb der Schweiz und fließt in den Rhein."] * 60
        hyp.write_text("\n".join(german) + "\n", encoding="utf-8")
    else:
        hyp.write_text("\n" * 60, encoding="utf-8")
    r = run("translations", str(hyp), "--refs", str(wmt_small["ref"]))
    assert r.exit_code == 1
    assert r.output.startswith("Error: ") and message in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_missing_segments_flagged_with_allow_missing(tmp_path):
    refs = tmp_path / "refs" / "translations"
    refs.mkdir(parents=True)
    recs = [{"doc": "d1", "id": f"d1:p01:s0{i}", "source": "x", "reference": f"The council met on day {i} again."}
            for i in range(1, 5)]
    (refs / "en.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    hyp = tmp_path / "translations.jsonl"
    hyp.write_text("".join(json.dumps({"doc": r["doc"], "id": r["id"], "translation": r["reference"], "lang": "en",
                                       "model": "m"}) + "\n" for r in recs[:3]), encoding="utf-8")
    r = run("translations", str(hyp), "--refs", str(tmp_path / "refs"))
    assert r.exit_code == 1 and "--allow-missing" in r.output
    r = run("translations", str(hyp), "--refs", str(tmp_path / "refs"), "--allow-missing", "-m", "bleu")
    assert r.exit_code == 0, r.output
    assert "! m: 1 of 4 segments missing, scored as empty" in r.output


def test_comet_absent_is_a_clear_error(wmt_small, tmp_path):
    r = run("translations", str(wmt_small["AIRC"]), "--refs", str(wmt_small["ref"]), "-m", "comet",
            "--comet-python", str(tmp_path / "nope" / "python"))
    assert r.exit_code == 1 and r.output.startswith("Error: COMET is not installed: ")


def test_summaries_and_agreement(tmp_path):
    refs = tmp_path / "en.jsonl"
    refs.write_text("".join(json.dumps(r) + "\n" for r in [
        {"doc": "a", "ref": "A", "summary": "The central bank raised rates.", "style": "short"},
        {"doc": "a", "ref": "B", "summary": "Rates were raised by the central bank to curb inflation.", "style": "long"},
        {"doc": "b", "ref": "A", "summary": "The board met on Monday.", "style": "short"},
        {"doc": "b", "ref": "B", "summary": "On Monday, the board met to decide the budget.", "style": "long"},
    ]), encoding="utf-8")
    folder = tmp_path / "lead"
    folder.mkdir()
    (folder / "a.txt").write_text("The central bank raised its rates.", encoding="utf-8")
    (folder / "b.txt").write_text("The board met.", encoding="utf-8")
    r = run("summaries", str(folder), "--refs", str(refs), "--stem", "--level", "doc")
    assert r.exit_code == 0, r.output
    assert "ROUGE-1 by doc:" in r.output and "stem:porter" in r.output
    r = run("summaries", "--agreement", "--refs", str(refs))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0].split() == ["metric", "ref", "A", "ref", "B"]
    r = run("summaries", "--refs", str(refs))
    assert r.exit_code == 2 and "--agreement" in r.output


def test_klexikon_german_summaries_through_the_cli(tmp_path):
    out = tmp_path / "k.json"
    r = run("summaries", str(KLEX / "lead_3.de.jsonl.gz"), "--refs", str(KLEX / "references.de.jsonl.gz"),
            "--tokenizer", "ascii", "--stem", "-m", "rouge1", "--bootstrap", "100", "-o", str(out))
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["lang"] == "de" and "tok:ascii|stem:cistem" in data["signatures"]["rouge1"]
    assert 16.5 < data["systems"][0]["scores"]["rouge1"]["score"] < 17.9


def test_score_help_is_instant_and_lists_examples():
    r = run("translations", "--help")
    assert r.exit_code == 0 and "tk score translations out/en/translations.jsonl" in r.output
    import subprocess
    import sys
    code = ("import sys, toolkit.cli.score; "
            "print(any(m in sys.modules for m in ('torch', 'transformers', 'sacrebleu', 'datasets', 'pandas')))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
