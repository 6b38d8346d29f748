"""What a hint is: a source form and the exact form the output must contain (a glossary
term, a number as the target writes it). Tasks put hints into prompts and retries; checks and
the number renderer make them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TermHint:
    """A term found in a source segment and the exact form the output must contain."""

    source: str
    target: str
