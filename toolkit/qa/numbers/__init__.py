"""Numbers in translations: parsing quantities in German, English and Chinese (``parse``),
writing them as a target language does (``render``, with Babel where CLDR agrees), and
checking that a translation keeps its source's (``check``); per-language tables in ``tables``.

    from toolkit.qa.numbers import check_numbers
    check_numbers("397 Milliarden Parameter", "397 billion parameters").ok   # True
"""

from toolkit.qa.numbers.check import NumberCheck, NumberIssue, NumberStatus, check_numbers
from toolkit.qa.numbers.parse import LANGUAGES, Quantity, QuantityKind, extract_numbers
from toolkit.qa.numbers.render import number_hints, render_quantity

__all__ = ["LANGUAGES", "NumberCheck", "NumberIssue", "NumberStatus", "Quantity", "QuantityKind",
           "check_numbers", "extract_numbers", "number_hints", "render_quantity"]
