"""Tasks over the generation backends: what each kind of work asks of a model.

:class:`Translator` holds translation's conventions (language codes, the chat prompt, length
budgets, output cleaning); :class:`RetryPolicy` is the one policy that checks glossary
terms, numbers and language and retries what fails.
"""

from toolkit.tasks.retry import Outcome, RetryPolicy, RetryStats
from toolkit.tasks.translator import (
    PROMPT_VERSION,
    TermHint,
    Translation,
    TranslationRequest,
    Translator,
    clean_output,
)

__all__ = ["PROMPT_VERSION", "Outcome", "RetryPolicy", "RetryStats", "TermHint", "Translation",
           "TranslationRequest", "Translator", "clean_output"]
