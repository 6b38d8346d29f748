"""The summarization task over any generation backend: the prompt for instruction-tuned chat
LLMs (cross-lingual: a German article summarized straight into English or Chinese), the
input conventions of seq2seq summarizers (BART, PEGASUS, mT5; they write in their input's
language), length budgets in words or characters, and output cleaning.

    from toolkit.backends import load_backend
    from toolkit.tasks import Summarizer, SummaryRequest

    summarizer = Summarizer(load_backend("starter"))
    summarizer.summarize([SummaryRequest(article, "de", "en", max_words=100)])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from toolkit.backends.base import Backend, GenerationRequest, Progress
from toolkit.errors import ModelError
from toolkit.glossary.model import TermHint
from toolkit.languages import SUMMARY_LANGUAGES, language_name
from toolkit.tasks.base import Task
from toolkit.tasks.translator import clean_output

# Bump when the prompts, conventions or budgets change what is generated (keys the cache).
PROMPT_VERSION = "summarize-2"
STYLES = ("paragraph", "bullets")
DEFAULT_WINDOW = 4096  # tokens a chat model reads at once unless --window says otherwise

SYSTEM_PROMPT = (
    "You are a news editor who writes faithful summaries. Summarize the user's {source} news "
    "article in {target}. Use only facts, names and numbers the article states, written "
    "exactly as it states them; add nothing. {length}{form} Reply with the summary only."
)
COMBINE_PROMPT = (
    "You are a news editor who writes faithful summaries. The user gives summaries of "
    "consecutive parts of one {source} news article. Combine them into one summary of the "
    "whole article in {target}, keeping the most important facts, names and numbers exactly "
    "as given; add nothing. {length}{form} Reply with the summary only."
)
FORMS = {"paragraph": "Write one paragraph of plain prose.",
         "bullets": 'Write 3 to 5 bullet points, each on its own line starting with "- ".'}
TERMS_PROMPT = "\nUse exactly these renderings:\n{lines}"
NUMBERS_PROMPT = "\nThe article's numbers, written as they must appear: {numbers}."
STRICT_PROMPT = " Your last summary was too long: stay well under the limit."
EXPAND_PROMPT = (" Your last summary was too short or only restated the headline: write about "
                 "{n} {unit} on the article's main facts, not its title.")
AVOID_PROMPT = " Write every word in {target}; translate German words such as {words}."


@dataclass(frozen=True)
class SummaryRequest:
    """One summary to write. ``partial``: ``text`` holds summaries of consecutive parts of one
    document, to be combined. ``strict``: a retry after an output over the length limit;
    ``expand``: after one too short or only restating the title; ``avoid``: German words the
    last output left in. ``terms`` and ``numbers`` are renderings the summary must use if it mentions them."""

    text: str
    source_lang: str
    target_lang: str
    max_words: int | None = None
    max_chars: int | None = None
    style: str = "paragraph"
    terms: tuple[TermHint, ...] = ()
    numbers: tuple[TermHint, ...] = ()
    partial: bool = False
    part: bool = False  # one part's summary, to be combined later: kept short
    strict: bool = False
    expand: bool = False  # a retry after a summary too short, or only its headline
    avoid: tuple[str, ...] = ()  # German words a retry must write in the target language
    attempt: int = 0


@dataclass(frozen=True)
class Summary:
    text: str
    new_tokens: int = 0


class Summarizer(Task):
    """Summarizes with any backend whose model can: a chat LLM (any of de/en/zh from any of
    them) or a seq2seq summarizer (in its input's language). Refuses, before any work, a
    model made for something else and a language it cannot write.

    ``window``: the most input tokens one call may take (default: the model's own limit, for
    chat models at most :data:`DEFAULT_WINDOW`); longer documents are summarized in parts.
    """

    task = "summarize"

    def __init__(self, backend: Backend, *, beams: int | None = None,
                 max_new_tokens: int | None = None, window: int | None = None) -> None:
        self.backend = backend
        self.beams = beams
        self.max_new_tokens = max_new_tokens
        self.style = summarizer_kind(backend)
        caps = backend.capabilities
        limit = caps.max_input_tokens
        if self.style == "chat":
            limit = min(limit or DEFAULT_WINDOW, DEFAULT_WINDOW)
        if window is not None:  # checked where it enters (SummarizeOptions)
            limit = min(window, limit) if limit else window
        self.window = limit or DEFAULT_WINDOW

    @property
    def prompt_version(self) -> str:
        return PROMPT_VERSION

    def settings(self) -> dict[str, Any]:
        return {"beams": self.beams, "max_new_tokens": self.max_new_tokens, "window": self.window}

    def languages(self) -> frozenset[str] | None:
        """Languages a seq2seq summarizer writes (= reads); None for a chat model (any)."""
        if self.style == "chat":
            return None
        ref = self.backend.ref
        return frozenset(ref.summary_langs) if ref is not None and ref.summary_langs else None

    def check(self, source_lang: str, target_lang: str) -> None:
        """Raise ModelError before any work for a pair this model cannot summarize."""
        for lang in (source_lang, target_lang):
            if lang not in SUMMARY_LANGUAGES:
                raise ModelError(f"tk summarizes de, en and zh, not {lang!r}")
        if self.style == "chat":
            return
        if source_lang != target_lang:
            raise ModelError(
                f"{self.model_label} is a seq2seq summarizer: it writes in the language it reads "
                f"({source_lang}), not {target_lang}; summarize tk's {target_lang} translation "
                "(--route via-translation, or --from-translation) or use a chat model "
                "(--model starter)")
        langs = self.languages()
        if langs is not None and target_lang not in langs:
            raise ModelError(f"{self.model_label} summarizes {', '.join(sorted(langs))}, not "
                             f"{target_lang}; pick another model (see `tk models list`)")

    # --- requests ---------------------------------------------------------------------------

    def requests(self, requests: Sequence[SummaryRequest]) -> list[GenerationRequest]:
        """The generic requests behind these summaries (public, to inspect prompts)."""
        out = []
        for r in requests:
            if self.style == "chat":
                beams = self.beams or 1
            else:  # a seq2seq retry cannot be asked differently: it searches wider
                base = self.beams or self.backend.capabilities.default_beams
                beams = min(base + 2 * r.attempt, 8)
            budget = self.budget(r)
            if self.style == "chat":
                out.append(GenerationRequest(messages=self.messages(r), max_new_tokens=budget,
                                             beams=beams))
            else:
                prefix = dict(self.backend.capabilities.prefixes).get("summarization", "")
                out.append(GenerationRequest(text=prefix + r.text, max_new_tokens=budget,
                                             beams=beams))
        return out

    def budget(self, r: SummaryRequest) -> int:
        """New tokens for one summary: room for the length limit (about 2 tokens a word, 1.5 a
        Chinese character) plus a margin, 256 without a limit, at most a third of the window;
        a part's summary a sixth of the window."""
        if r.part:  # a sixth of the window: several part summaries must fit in one again
            budget = max(48, self.window // 6)
        elif r.max_words:
            budget = 2 * r.max_words + 24
        elif r.max_chars:
            budget = int(1.5 * r.max_chars) + 24
        else:
            budget = 256
        budget = min(budget, max(48, self.window // 3))
        return min(budget, self.max_new_tokens) if self.max_new_tokens else budget

    def messages(self, r: SummaryRequest) -> tuple[tuple[str, str], ...]:
        target = language_name(r.target_lang)
        if r.max_words:
            length = f"Write at most {r.max_words} words. "
        elif r.max_chars:
            length = f"Write at most {r.max_chars} characters. "
        else:
            length = ""
        template = COMBINE_PROMPT if r.partial else SYSTEM_PROMPT
        system = template.format(source=language_name(r.source_lang), target=target,
                                 length=length, form=FORMS[r.style])
        if r.strict:
            system += STRICT_PROMPT
        if r.expand and (r.max_words or r.max_chars):
            n, unit = (int(0.8 * r.max_words), "words") if r.max_words else (
                int(0.8 * (r.max_chars or 0)), "characters")
            system += EXPAND_PROMPT.format(n=n, unit=unit)
        if r.avoid:
            system += AVOID_PROMPT.format(target=target, words=", ".join(r.avoid))
        if r.terms:
            system += TERMS_PROMPT.format(lines="\n".join(f"{t.source} -> {t.target}" for t in r.terms))
        if r.numbers:
            system += NUMBERS_PROMPT.format(numbers="; ".join(t.target for t in r.numbers))
        return (("system", system), ("user", r.text))

    def count(self, texts: Sequence[str]) -> list[int]:
        """Tokens of plain texts (for packing parts into the window)."""
        return self.backend.count_tokens([GenerationRequest(text=t) for t in texts])

    def overhead(self, r: SummaryRequest) -> int:
        """Tokens a request takes beyond its text (prompt, chat template, special tokens) plus,
        for a causal model, the answer it must leave room for."""
        empty = self.requests([replace(r, text="")])[0]
        n = self.backend.count_tokens([empty])[0]
        return n + (empty.max_new_tokens if self.style == "chat" else 0)

    def summarize(self, requests: Sequence[SummaryRequest],
                  progress: Progress | None = None) -> list[Summary]:
        for pair in {(r.source_lang, r.target_lang) for r in requests}:
            self.check(*pair)
        outputs = self.backend.generate(self.requests(requests), progress)
        return [Summary(clean_summary(o.text, r.style), o.new_tokens)
                for o, r in zip(outputs, requests, strict=True)]


def summarizer_kind(backend: Backend) -> str:
    """"chat" or "seq2seq"; refuses (ModelError) a model that is no summarizer: a causal LM
    without a chat template, a translation model, a catalog model for another task."""
    from toolkit.tasks.base import is_chat_model

    if is_chat_model(backend, "summarize", "a summarizer"):
        return "chat"
    caps = backend.capabilities
    label = backend.model_label
    translation = (caps.model_type == "marian" or bool(caps.language_tokens)
                   or ("translation" in caps.tasks and "summarization" not in caps.tasks))
    if translation:
        raise ModelError(f"{label} is a translation model, not a summarizer; pick a "
                         "summarizer with --model (see `tk models list`)")
    return "seq2seq"


_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")


def clean_summary(text: str, style: str) -> str:
    """The summary without chat chatter; bullets as "- " lines, or one paragraph."""
    text = clean_output(text)
    text = re.sub(r"^\s*(?:summary|zusammenfassung|摘要|总结)\s*[:：]\s*", "", text, flags=re.I)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if style == "bullets":
        if len(lines) > 1 or (lines and _BULLET.match(lines[0])):
            return "\n".join("- " + _BULLET.sub("", line) for line in lines)
        return "\n".join("- " + s for s in sentences(text))
    return " ".join(_BULLET.sub("", line) for line in lines)


# A sentence ends at Latin punctuation followed by space, or at CJK full-width punctuation.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")


def sentences(text: str) -> list[str]:
    """The sentences of a summary (a light splitter: summaries are short and well-formed)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
