"""--engine auto, the default: CTranslate2 where it is installed and runs the model, else
transformers, and every run says which engine ran and why."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.load import ModelOptions, load_auto, load_backend

pytest.importorskip("ctranslate2")


def test_auto_takes_ctranslate2_where_it_runs_the_model(tiny_marian: Path) -> None:
    backend = load_auto(str(tiny_marian), device="cpu", batching="auto")
    assert backend.name == "ctranslate2"
    assert backend.engine_reason == "--engine auto: CTranslate2 is installed and runs this model"


def test_auto_takes_transformers_where_ctranslate2_cannot_serve_what_is_asked(
        tiny_marian: Path) -> None:
    backend = load_auto(str(tiny_marian), device="cpu", dtype="bfloat16")
    assert backend.name == "transformers"
    assert "CTranslate2 cannot run this model" in backend.engine_reason
    assert "bfloat16" in backend.engine_reason


def test_auto_takes_transformers_without_the_package(tiny_marian: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # import fails as if not installed
    backend = load_auto(str(tiny_marian), device="cpu")
    assert backend.name == "transformers"
    assert "not installed" in backend.engine_reason and "[ctranslate2]" in backend.engine_reason


def test_auto_is_the_default_and_a_pinned_job_keeps_the_engine_it_chose(
        tiny_marian: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TK_ENGINE")
    options = ModelOptions.resolve(model=str(tiny_marian))
    assert options.engine == "auto"
    backend = load_backend(options, "en", "translate")
    assert backend.name == "ctranslate2" and backend.engine_reason.startswith("--engine auto")
    assert options.pinned(backend).engine == "ctranslate2"  # a Ray worker loads the same
    asked = load_backend(ModelOptions.resolve(model=str(tiny_marian), engine="transformers"),
                         "en", "translate")
    assert asked.engine_reason.startswith("asked for: --engine transformers")


def test_a_job_says_which_engine_ran_and_why(tiny_marian: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TK_ENGINE")
    doc = tmp_path / "a.txt"
    doc.write_text("Alibaba stellt ein neues Modell vor.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["translate", "--to", "en", str(doc), "-m",
                                       str(tiny_marian), "--no-glossary", "-o", str(out)])
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text())
    assert run["engine"] == "ctranslate2"
    assert run["engine_reason"] == "--engine auto: CTranslate2 is installed and runs this model"
    record = json.loads((out / "translations.jsonl").read_text().splitlines()[0])
    assert record["engine"] == "ctranslate2"
    assert "engine: ctranslate2 (--engine auto: CTranslate2 is installed" in result.stderr
