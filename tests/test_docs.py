"""The README and docs/ stay true where a test can tell: every relative link resolves, every
`tk` command they show parses (its options exist), and the README stays short."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page: Path) -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
        assert (page.parent / target).exists(), f"{page.name}: {target}"


def _commands(page: Path) -> list[list[str]]:
    out = []
    for block in re.findall(r"```sh\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            for part in line.split("&&"):
                part = part.split("#")[0].split("|")[-1].strip()
                if part.startswith("tk ") and "<" not in part:
                    out.append(shlex.split(part)[1:])
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_command_shown_has_the_options_it_uses(page: Path) -> None:
    """Each shown command, with --help added, parses: no option or subcommand that tk lacks
    (--help stops before any work)."""
    for args in _commands(page):
        words = [a for a in args if a.startswith("-") and a not in ("-", "-o", "-q", "-m", "-g")]
        group = [a for a in args if not a.startswith("-")][:2]
        result = CliRunner().invoke(main, [*group, "--help"])
        assert result.exit_code == 0, (page.name, args, result.output)
        for word in words:
            name = word.split("=")[0]
            assert name in result.output, f"{page.name}: `tk {' '.join(args)}`: {name} unknown"


def test_the_readme_is_short() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8")) < 10_000
