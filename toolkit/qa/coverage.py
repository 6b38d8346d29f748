"""How much of what matters a summary carries, as a reader would judge it: the content
units of a text (words less the language's most frequent, numbers, Chinese character
bigrams), the share of the top sentences' units a summary has (its coverage), and whether a
summary only restates the title.

Content units are the words of a text, lowercased, less the 200 most frequent of its
language (wordfreq's lists) and words of one or two letters; its numbers as written; and in
Chinese the character bigrams (Chinese has no spaces to split words at). Across languages (a
German article, an English summary) only what a translation keeps is compared: numbers and
product-like names (Qwen3.5, DeepSeek, GPT-5.2, ADR).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_][\w'’.-]*[^\W_]|\d+(?:[.,]\d+)*|[^\W\d_]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")
# A name a translation keeps as it is: letters with digits (Qwen3.5, H100), inner capitals
# (DeepSeek, MiniMax), or capitals only (ADR, GPU).
NAME = re.compile(r"^(?:[^\W\d_][\w.-]*\d[\w.-]*|[A-Z][a-z]+[A-Z]\w*|[A-Z]{2,}[\w-]*)$")


@lru_cache(maxsize=4)
def _stopwords(lang: str) -> frozenset[str]:
    from wordfreq import top_n_list

    return frozenset(top_n_list(lang, 200))


def units(text: str, lang: str) -> list[str]:
    """The content units of ``text`` in ``lang``, in order (see the module docstring)."""
    stop = _stopwords(lang)
    out = []
    for m in _WORD.finditer(_HAN.sub(" ", text)):
        word = m.group().lower().strip(".-")
        if NUMBER.match(word) or (len(word) > 2 and word not in stop):
            out.append(word)
    for run in _HAN.findall(text):
        if len(run) == 1:
            if run not in stop:
                out.append(run)
            continue
        out.extend(run[i:i + 2] for i in range(len(run) - 1) if run[i:i + 2] not in stop)
    return out


def kept_units(text: str) -> list[str]:
    """The units a translation keeps as written: numbers and product-like names."""
    return [m.group().lower().strip(".-") for m in _WORD.finditer(_HAN.sub(" ", text))
            if NUMBER.match(m.group()) or NAME.match(m.group())]


_MARK = re.compile(r"^\s*-\s+", re.M)


def measure(text: str, unit: str) -> int:
    """Words (whitespace-separated, bullet marks not counted) or characters (spaces and
    bullet marks not counted), as a reader would count them."""
    body = _MARK.sub("", text)
    if unit == "words":
        return len(body.split())
    return len(re.sub(r"\s", "", body))


@dataclass(frozen=True)
class Coverage:
    """The share of the top-ranked sentences' content units a summary carries. ``basis``:
    "words" (same language) or "names and numbers" (across languages)."""

    share: float
    carried: int
    of: int
    basis: str = "words"
    top: int = 0

    def to_dict(self) -> dict[str, object]:
        return {"share": round(self.share, 3), "carried": self.carried, "of": self.of,
                "basis": self.basis, "top": self.top}


def coverage(summary: str, top: list[str], lang: str, *, top_lang: str | None = None,
             exclude: tuple[str, ...] = ()) -> Coverage:
    """The distinct content units of the ``top`` sentences (in ``top_lang``, default the
    summary's ``lang``) that ``summary`` has; 1.0 where they have none. ``exclude``: words of
    the top sentences a summary should not carry (German a translation left in them)."""
    across = top_lang is not None and top_lang != lang
    joined = " ".join(top)
    wanted = set(kept_units(joined) if across else units(joined, lang))
    wanted -= set(units(" ".join(exclude), lang))
    if not wanted:
        return Coverage(1.0, 0, 0, "names and numbers" if across else "words", len(top))
    have = set(units(summary, lang)) | set(kept_units(summary))
    carried = len(wanted & have)
    return Coverage(carried / len(wanted), carried, len(wanted),
                    "names and numbers" if across else "words", len(top))


def restates_title(summary: str, title: str, lang: str, *, share: float = 0.5) -> bool:
    """The summary says little beyond the title: at least ``share`` of its distinct content
    units are the title's (a headline rewritten, not a summary)."""
    said = set(units(summary, lang))
    heading = set(units(title, lang))
    if not said or not heading:
        return False
    return len(said & heading) / len(said) >= share
