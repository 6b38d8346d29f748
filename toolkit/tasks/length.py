"""A summary's length as a reader counts it - words, or characters in Chinese - and the
ways to bring one within a limit without cutting a sentence: keep whole sentences, drop the
copies of a loop."""

from __future__ import annotations

import re

from toolkit.qa.coverage import measure
from toolkit.tasks.summarizer import sentences

__all__ = ["cut_to_length", "drop_repeats", "measure"]

_MARK = re.compile(r"^\s*-\s+", re.M)


def cut_to_length(text: str, limit: int, unit: str, style: str) -> tuple[str, str]:
    """The longest run of whole sentences from the start within ``limit``; if not even the
    first sentence fits, its first words (marked with …) and action "cut-in-sentence"."""
    bullets = style == "bullets"
    items = [_MARK.sub("", line) for line in text.splitlines() if line.strip()] if bullets \
        else sentences(text)
    kept: list[str] = []
    for sentence in (s for item in items for s in sentences(item)) if bullets else items:
        trial = [*kept, sentence]
        if measure(_join(trial, bullets, unit), unit) > limit:
            break
        kept = trial
    if kept:
        return _join(kept, bullets, unit), "cut"
    first = items[0] if items else text
    if unit == "words":
        words = first.split()[: max(1, limit - 1)]
        return " ".join(words) + " …", "cut-in-sentence"
    return first[: max(1, limit - 1)] + "…", "cut-in-sentence"


def drop_repeats(text: str, stretch: str, style: str) -> tuple[str, int]:
    """``text`` without the sentences (bullets) after the first that contain ``stretch``."""
    bullets = style == "bullets"
    items = [_MARK.sub("", line) for line in text.splitlines() if line.strip()] if bullets \
        else sentences(text)
    unspaced = " " not in stretch
    key = (lambda t: re.sub(r"\s", "", t)) if unspaced else (lambda t: " ".join(t.lower().split()))
    kept, seen, dropped = [], False, 0
    for item in items:
        if key(stretch) in key(item):
            if seen:
                dropped += 1
                continue
            seen = True
        kept.append(item)
    if not dropped:
        return text, 0
    return _join(kept, bullets, "chars" if unspaced else "words"), dropped


def _join(parts: list[str], bullets: bool, unit: str) -> str:
    if bullets:
        return "\n".join("- " + p for p in parts)
    return ("" if unit == "chars" else " ").join(parts)
