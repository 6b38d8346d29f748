"""The command shell: help is instant (no torch/transformers), errors are one line."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from toolkit.cli import COMMANDS, main

HEAVY = ("torch", "transformers", "datasets", "sacrebleu")


@pytest.mark.parametrize("argv", [["--help"], *[[name, "--help"] for name in COMMANDS]])
def test_help_does_not_import_heavy_libraries(argv):
    code = (
        "import sys\n"
        "from toolkit.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Usage:" in done.stdout


def test_top_level_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(main, ["transalte"])
    assert result.exit_code == 2
    assert "No such command" in result.output
