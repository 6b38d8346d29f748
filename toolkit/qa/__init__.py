"""Translation QA: are the numbers kept, is the output in the target language, and the record of
both (with the glossary's term check) that every translated segment carries."""

from toolkit.qa.checks import CheckSummary, SegmentChecks, check_segment
from toolkit.qa.language import LanguageCheck, check_language, detect_language
from toolkit.qa.numbers import (
    NumberCheck,
    NumberIssue,
    Quantity,
    check_numbers,
    extract_numbers,
    number_hints,
    render_quantity,
)

__all__ = [
    "CheckSummary", "SegmentChecks", "check_segment",
    "LanguageCheck", "check_language", "detect_language",
    "NumberCheck", "NumberIssue", "Quantity", "check_numbers", "extract_numbers", "number_hints",
    "render_quantity",
]
