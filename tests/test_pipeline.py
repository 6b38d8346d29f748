"""tk run: translate -> summarize -> score -> report as one resumable run (tiny chat model,
the corpus and eval/refs), and tk report over run and job folders."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.report import text_of

ROOT = Path(__file__).resolve().parent.parent
CORPUS = str(ROOT / "corpus")
REFS = str(ROOT / "eval" / "refs")


@pytest.fixture(scope="session")
def tiny_chat_4k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny chat model with a 4,096-token window (a summary prompt fits)."""
    from tiny_models import build_causal_lm

    return build_causal_lm(tmp_path_factory.mktemp("tiny") / "chat-4k",
                           size={"max_position_embeddings": 4096})


def tk(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def outputs(folder: Path) -> dict[str, str]:
    """Every record file of a run, by its path under the run folder."""
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8")
            for name in ("translations.jsonl", "summaries.jsonl")
            for p in sorted(folder.glob(f"*/{name}"))}


@pytest.mark.slow
def test_a_run_translates_summarizes_scores_and_reports_and_a_rerun_redoes_nothing(
        tiny_chat_4k: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["run", CORPUS, "--to", "en", "-m", str(tiny_chat_4k), "--refs", REFS,
            "-o", str(out), "--max-words", "40"]
    first = tk(*args)
    assert first.exit_code == 0, first.output
    data = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert [(s["name"], s["status"]) for s in data["stages"]] == [
        ("translate-en", "complete"), ("summarize-en", "complete"),
        ("scores-en", "complete"), ("report", "complete")]
    scores = json.loads((out / "scores-en.json").read_text(encoding="utf-8"))
    assert {s["items"] for s in scores["translations"]["systems"]} == {248}
    assert scores["summaries"]["systems"][0]["items"] == 5
    records = [json.loads(line) for line in
               (out / "translate-en" / "translations.jsonl").read_text().splitlines()]
    assert len(records) == 248

    page = (out / "report.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page  # opens offline: nothing fetched
    visible = " ".join(text_of(page).split())
    bleu = scores["translations"]["systems"][0]["scores"]["bleu"]["score"]
    assert f"BLEU {bleu:.2f}" in visible  # the score table a person reads
    flagged = sum(1 for r in records if r["checks"].get("untranslated_words")
                  or r["checks"]["terms"]["violated"] or r["checks"]["numbers"]["mismatched"]
                  or r["checks"]["language"].get("ok") is False or r["checks"].get("repeats"))
    wrong = sum(1 for r in records if r["checks"]["language"].get("ok") is False)
    assert f"en 5 248 {flagged} {wrong} 5" in visible  # documents, segments, flagged, summaries
    assert page.count('class="seg bad"') == flagged
    assert '<mark class="german">' in page  # a German word left, marked where it stands
    assert "references" in visible  # the summaries beside the reference summaries

    before = outputs(out)
    again = tk(*args)
    assert again.exit_code == 0, again.output
    assert "translate-en   complete" in again.stderr and "(5 documents reused, " in again.stderr
    assert outputs(out) == before

    changed = tk(*args[:-2], "--max-words", "60")
    assert changed.exit_code != 0
    assert "max_words: 40 -> 60" in changed.output and "Traceback" not in changed.output


@pytest.mark.slow
def test_a_killed_run_finishes_with_the_outputs_of_an_uninterrupted_one(
        tiny_chat_4k: Path, tmp_path: Path) -> None:
    def command(out: Path) -> list[str]:
        return [sys.executable, "-m", "toolkit", "run", CORPUS, "--to", "en", "-m",
                str(tiny_chat_4k), "--refs", REFS, "--shard-size", "1", "-q", "-o", str(out)]

    env = {**os.environ, "TK_HOME": str(tmp_path / "home-whole")}
    whole = subprocess.run(command(tmp_path / "whole"), env=env, capture_output=True, text=True)
    assert whole.returncode == 0, whole.stderr

    env = {**os.environ, "TK_HOME": str(tmp_path / "home-killed")}  # nothing cached: real work
    out = tmp_path / "killed"
    proc = subprocess.Popen(command(out), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    shards = out / "summarize-en" / "shards"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if shards.is_dir() and any(shards.iterdir()):  # translations done, summaries under way
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stages = json.loads((out / "run.json").read_text(encoding="utf-8"))["stages"]
    assert stages[0]["status"] == "complete" and stages[1]["status"] == "running"

    resumed = subprocess.run(command(out), env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert outputs(out) == outputs(tmp_path / "whole")
    def scores(folder: Path) -> list[object]:
        data = json.loads((folder / "scores-en.json").read_text(encoding="utf-8"))
        return [s["scores"] for part in data.values() for s in part["systems"]]

    assert scores(out) == scores(tmp_path / "whole")


@pytest.mark.parametrize("args,message", [
    (["--to", "fr"], "--to fr: tk translates into en and zh"),
    (["--to", "en", "--refs", "/nonexistent/refs"], "--refs /nonexistent/refs"),
    (["--to", "en", "--baseline", "/nonexistent/base"], "--baseline /nonexistent/base"),
    (["--to", "en,en"], "each language once"),
])
def test_bad_options_are_one_line_and_write_nothing(args: list[str], message: str,
                                                    tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = tk("run", CORPUS, *args, "-o", str(out))
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_an_unknown_key_in_the_run_table_is_named(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tk.toml").write_text('[run]\nto = ["en"]\nmax_word = 50\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = tk("run", CORPUS, "-o", str(tmp_path / "run"))
    assert result.exit_code != 0
    assert "[run] has unknown key(s) max_word" in result.output
    assert not (tmp_path / "run").exists()


def test_the_run_table_gives_what_flags_do_not(tiny_chat_4k: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "doc.txt").write_text("Alibaba stellt das Modell Qwen vor. Es ist schnell.\n",
                                      encoding="utf-8")
    (tmp_path / "tk.toml").write_text(
        '[run]\ninputs = ["doc.txt"]\nto = ["en"]\noutput = "out"\nsummaries = false\n',
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = tk("run", "-m", str(tiny_chat_4k))
    assert result.exit_code == 0, result.output
    stages = json.loads((tmp_path / "out" / "run.json").read_text())["stages"]
    assert [s["name"] for s in stages] == ["translate-en", "report"]


def test_a_report_over_a_folder_that_is_no_run_says_so(tmp_path: Path) -> None:
    result = tk("report", str(tmp_path))
    assert result.exit_code != 0
    assert "not a tk output folder" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "report.html").exists()


def test_a_report_of_a_translation_job_folder(tiny_marian: Path, tmp_path: Path) -> None:
    out = tmp_path / "en"
    done = tk("translate", "--to", "en", CORPUS, "-m", str(tiny_marian), "--max-new-tokens",
              "8", "-q", "-o", str(out))
    assert done.exit_code == 0, done.output
    result = tk("report", str(out))
    assert result.exit_code == 0, result.output
    visible = " ".join(text_of((out / "report.html").read_text(encoding="utf-8")).split())
    assert "000_1c8879e5566d8450" in visible and "No scores" in visible


def test_a_notebook_gets_the_run_as_objects_in_one_call(tiny_chat_4k: Path,
                                                        tmp_path: Path) -> None:
    from toolkit.pipeline import run

    (tmp_path / "doc.txt").write_text("Alibaba stellt das Modell Qwen vor. Es ist schnell.\n",
                                      encoding="utf-8")
    result = run(str(tmp_path / "doc.txt"), to="en", model=str(tiny_chat_4k),
                         summaries=False, output=str(tmp_path / "run"))
    assert [s.status for s in result.stages] == ["complete", "complete"]
    assert [r["id"] for r in result.translations["en"]] == ["doc:p01:s01", "doc:p01:s02"]
    assert result.report.is_file() and result.scores == {}


@pytest.mark.slow
def test_a_baseline_run_is_scored_beside_with_the_paired_difference(tiny_chat_4k: Path,
                                                                     tmp_path: Path) -> None:
    common = ["run", CORPUS, "--to", "en", "-m", str(tiny_chat_4k), "--refs", REFS,
              "--no-summaries"]
    base = tk(*common, "--no-glossary", "-o", str(tmp_path / "base"))
    assert base.exit_code == 0, base.output
    result = tk(*common, "--baseline", str(tmp_path / "base"), "-o", str(tmp_path / "run"))
    assert result.exit_code == 0, result.output
    scores = json.loads((tmp_path / "run" / "scores-en.json").read_text(encoding="utf-8"))
    systems = [s["path"] for s in scores["translations"]["systems"]]
    assert systems == [str(tmp_path / "base" / "translate-en" / "translations.jsonl"),
                       str(tmp_path / "run" / "translate-en" / "translations.jsonl")]
    compared = {c["metric"]: c for c in scores["translations"]["comparisons"]}
    assert set(compared) >= {"bleu", "chrf", "terms"}
    page = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    delta = compared["chrf"]["delta"]
    assert "difference (95% CI), p" in page and f"{delta:+.2f} [" in page


def test_no_refs_overrides_the_project_table_and_conflicts_with_refs(tmp_path):
    from toolkit.cli import main

    result = CliRunner().invoke(main, ["run", "corpus/", "--refs", "eval/refs", "--no-refs",
                                       "-o", str(tmp_path / "run")])
    assert result.exit_code == 1 and "--refs and --no-refs: give one" in result.output
