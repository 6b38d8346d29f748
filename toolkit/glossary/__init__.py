"""Glossaries: entries and files (TSV, CSV, TBX) and German-proof term matching; enforcement is
the task level's retry policy (:mod:`toolkit.tasks.retry`).

    from toolkit.glossary import load_glossary, find_terms, check_terms

    g = load_glossary("glossaries/ai-finance.tsv")
    find_terms("Alibabas KI-Modelle", g)            # Alibaba, KI
    check_terms("Das KI-Modell", "The AI model", g, "en").status   # "ok"
"""

from __future__ import annotations

from toolkit.glossary.checking import TermCheck, TermResult, check_terms, contains_term
from toolkit.glossary.formats import (
    check_glossary,
    load_glossaries,
    load_glossary,
    save_glossary,
    write_table,
    write_tbx,
)
from toolkit.glossary.matching import TermMatch, find_terms
from toolkit.glossary.model import KINDS, LANGUAGE_CODES, Glossary, GlossaryEntry

__all__ = [
    "KINDS",
    "LANGUAGE_CODES",
    "Glossary",
    "GlossaryEntry",
    "TermCheck",
    "TermMatch",
    "TermResult",
    "check_glossary",
    "check_terms",
    "contains_term",
    "find_terms",
    "load_glossaries",
    "load_glossary",
    "save_glossary",
    "write_table",
    "write_tbx",
]
