"""Every setting --help names goes through one order (flag > TK_* > tk.toml > default) with the
flag's own validation; the fallback to the starter happens only when the Hub is unreachable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.config import setting
from toolkit.errors import ConfigError, ModelError


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text("Alibaba stellt Qwen3.5 vor.", encoding="utf-8")
    return path


def one_line_error(result, *needles: str) -> None:
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error"), result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize("env,value,needle", [
    ("TK_BEAMS", "0", "TK_BEAMS=0"),
    ("TK_BEAMS", "many", "TK_BEAMS=many"),
    ("TK_DEVICE", "cuda", "no CUDA GPU"),  # this machine has none
    ("TK_DEVICE", "tpu", "TK_DEVICE=tpu"),
    ("TK_DTYPE", "float64", "TK_DTYPE=float64"),
    ("TK_MAX_BATCH_TOKENS", "5", "TK_MAX_BATCH_TOKENS=5"),
    ("TK_MAX_NEW_TOKENS", "0", "TK_MAX_NEW_TOKENS=0"),
    ("TK_THREADS", "-1", "TK_THREADS=-1"),
    ("TK_ENGINE", "vllm", "TK_ENGINE=vllm"),
])
def test_a_bad_environment_setting_is_one_line_and_nothing_is_written(
    tiny_marian: Path, article: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    env: str, value: str, needle: str,
) -> None:
    monkeypatch.setenv(env, value)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["translate", "--to", "en", str(article), "--model",
                                       str(tiny_marian), "-o", str(out)])
    one_line_error(result, needle)
    assert not out.exists()


def test_a_bad_tk_toml_value_names_the_file(tiny_marian: Path, article: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tk.toml").write_text("beams = 0\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["translate", "--to", "en", str(article), "--model",
                                       str(tiny_marian)])
    one_line_error(result, "tk.toml: beams = 0")


def test_flags_offer_fixed_choices(tiny_marian: Path, article: Path) -> None:
    result = CliRunner().invoke(main, ["translate", "--to", "en", str(article), "--model",
                                       str(tiny_marian), "--dtype", "float64"])
    assert result.exit_code == 2 and "float64" in result.output
    help_text = CliRunner().invoke(main, ["translate", "--help"]).output
    assert "[auto|float32|bfloat16|float16|int8]" in help_text and "cuda:N" in help_text


def test_environment_settings_reach_the_model(tiny_marian: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.translate import load_translator

    monkeypatch.setenv("TK_MAX_BATCH_TOKENS", "64")
    monkeypatch.setenv("TK_BEAMS", "3")
    monkeypatch.setenv("TK_DTYPE", "bfloat16")
    monkeypatch.setenv("TK_MAX_NEW_TOKENS", "7")
    t = load_translator(str(tiny_marian), "en", cache=False)
    assert t.backend.max_batch_tokens == 64 and t.beams == 3 and t.max_new_tokens == 7
    assert str(t.backend.model.dtype) == "torch.bfloat16"
    # the flag wins over the environment
    assert load_translator(str(tiny_marian), "en", cache=False, beams=2).beams == 2


def test_order_is_flag_then_environment_then_tk_toml_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert setting("beams") is None and setting("bootstrap") == 1000
    (tmp_path / "tk.toml").write_text("bootstrap = 50\n", encoding="utf-8")
    assert setting("bootstrap") == 50
    monkeypatch.setenv("TK_BOOTSTRAP", "60")
    assert setting("bootstrap") == 60
    assert setting("bootstrap", 70) == 70
    monkeypatch.setenv("TK_BOOTSTRAP", "0")
    with pytest.raises(ConfigError, match="TK_BOOTSTRAP=0"):
        setting("bootstrap")


@pytest.mark.parametrize("value,shown", [("0", False), ("false", False), ("1", True)])
def test_tk_debug_zero_means_off(tiny_marian: Path, monkeypatch: pytest.MonkeyPatch,
                                 value: str, shown: bool) -> None:
    monkeypatch.setenv("TK_DEBUG", value)
    result = CliRunner().invoke(main, ["models", "info", "no-such-model"])
    assert (result.exception is not None and not isinstance(result.exception, SystemExit)) == shown


# --- the fallback to the offline starter ------------------------------------------------------


@pytest.fixture
def fake_starter(tiny_gguf: Path) -> Path:
    """The tiny GGUF installed where the starter goes (the fallback loads whatever is there)."""
    from toolkit.models import starter_path

    path = starter_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(tiny_gguf, path)
    return path


def test_offline_without_a_model_falls_back_and_says_so_even_quietly(fake_starter: Path,
                                                                     article: Path) -> None:
    result = CliRunner().invoke(main, ["translate", "--to", "en", str(article), "-o", "-", "-q",
                                       "--no-glossary"])
    assert result.exit_code == 0, result.output
    assert "unreachable" in result.stderr and "falling back to the offline starter" in result.stderr
    assert '"model": "starter"' in result.stdout


@pytest.mark.parametrize("how", ["flag", "env", "toml"])
def test_no_fallback_makes_a_missing_production_model_an_error(
    fake_starter: Path, article: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    args = ["translate", "--to", "en", str(article), "-o", "-", "-q"]
    if how == "flag":
        args.append("--no-fallback")
    elif how == "env":
        monkeypatch.setenv("TK_FALLBACK", "0")
    else:
        (tmp_path / "tk.toml").write_text("fallback = false\n", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    one_line_error(result, "unreachable")


def test_other_failures_never_fall_back(fake_starter: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk or a corrupt download is not "offline": the user must see it."""
    import toolkit.backends
    from toolkit.translate import load_translator

    def broken(spec, engine="transformers", **options):
        if spec != "starter":
            raise ModelError("cannot load opus-mt-de-en: [Errno 28] No space left on device")
        raise AssertionError("fell back to the starter")

    monkeypatch.setattr(toolkit.backends, "load_backend", broken)
    with pytest.raises(ModelError, match="No space left"):
        load_translator(None, "en")
