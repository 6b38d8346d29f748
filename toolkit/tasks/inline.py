"""The inline retry's request: the required forms written into the source where the terms
and figures stand, for the model to copy into place (``--retry inline``, the default)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.glossary import Glossary
    from toolkit.tasks.translator import TranslationRequest


def inline_targets(request: TranslationRequest, glossary: Glossary | None, *,
                   numbers: bool = False, words: Mapping[str, str] | None = None) -> str:
    """The request's source with each glossary term's required target form written where the
    term stands ("KI-Markt" -> "AI-Markt", "KI-Modelle" -> "人工智能-Modelle"); with
    ``numbers``, each figure the target writes differently as the target writes it
    ("380 Milliarden Yuan" -> "380 billion Yuan"); and each source word of ``words`` as its
    translation (a word the output before left in German, "Umsatz" -> "revenue"): forms a
    model copies into place."""
    text, sl, tl = request.text, request.source_lang, request.target_lang
    edits: list[tuple[int, int, str]] = []
    if glossary is not None:
        from toolkit.glossary import find_terms

        for m in find_terms(text, glossary, sl, tl):
            target = m.target(tl)
            if target is not None and target != m.text:
                edits.append((m.start, m.end, target))
    if numbers:
        from toolkit.qa.numbers import extract_numbers
        from toolkit.qa.numbers.render import render_amount

        for q in extract_numbers(text, sl):
            if q.kind not in ("number", "currency", "percent") or q.is_range or not q.amount:
                continue
            offset = text[q.span[0]:q.span[1]].find(q.amount)
            new = render_amount(q, tl)
            if offset >= 0 and new != q.amount:
                start = q.span[0] + offset
                edits.append((start, start + len(q.amount), new))
    for word, target in (words or {}).items():
        for w in re.finditer(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", text):
            edits.append((w.start(), w.end(), target))
    kept: list[tuple[int, int, str]] = []
    for edit in sorted(edits):
        if not kept or edit[0] >= kept[-1][1]:  # overlapping edits: the first one wins
            kept.append(edit)
    for start, end, new in reversed(kept):
        text = text[:start] + new + text[end:]
    return text
