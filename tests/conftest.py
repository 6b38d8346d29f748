"""Shared fixtures. Every test runs with TK_HOME (cache, config) in a fresh temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def tk_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("tk_home")
    monkeypatch.setenv("TK_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("TK_DEBUG", raising=False)
    return home


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the checkout; tests that need it skip in users' clones."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (it exists only in the development workplace)")
    return SHARED
