"""tk's metrics as local Hugging Face ``evaluate`` modules, loadable by path and offline, so a
notebook already built on ``evaluate`` gets Chinese-aware ROUGE, glossary term accuracy and
number faithfulness:

    import evaluate
    from toolkit.score import evaluate_module
    rouge = evaluate.load(evaluate_module("tk_rouge"))
"""

from __future__ import annotations

from pathlib import Path

from toolkit.errors import ScoreError

MODULES = ("tk_rouge", "tk_numbers", "tk_terms")


def evaluate_module(name: str) -> str:
    """The path of tk's ``evaluate`` module ``name`` (for ``evaluate.load``)."""
    if name not in MODULES:
        raise ScoreError(f"no evaluate module {name!r}; tk has: {', '.join(MODULES)}")
    return str(Path(__file__).with_name(f"{name}.py"))
