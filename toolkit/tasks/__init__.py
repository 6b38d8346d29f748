"""Tasks over the generation backends: what each kind of work asks of a model.

:class:`Translator` holds translation's conventions (language codes, the chat prompt, length
budgets, output cleaning); :class:`RetryPolicy` is the one policy that checks glossary
terms, numbers and language and retries what fails; :class:`Summarizer` holds
summarization's (prompts, seq2seq summarizers' input, budgets in words or characters).
"""

from toolkit.tasks.retry import Outcome, RetryPolicy, RetryStats
from toolkit.tasks.summarizer import Summarizer, SummaryRequest
from toolkit.tasks.translator import (
    PROMPT_VERSION,
    TermHint,
    Translation,
    TranslationRequest,
    Translator,
    clean_output,
)

__all__ = ["PROMPT_VERSION", "Outcome", "RetryPolicy", "RetryStats", "Summarizer",
           "SummaryRequest", "TermHint", "Translation", "TranslationRequest", "Translator",
           "clean_output"]
