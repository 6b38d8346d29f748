"""The translation task over any generation backend: each model family's language
conventions (Marian ``>>cmn_Hans<<``, NLLB/M2M source setting and forced target code, T5/MADLAD
``<2xx>``), the chat prompt for instruction-tuned LLMs, length budgets, and output cleaning.

    from toolkit.backends import load_backend
    from toolkit.tasks import Translator, TranslationRequest

    translator = Translator(load_backend("opus-mt-de-en"))
    translator.translate([TranslationRequest("Hallo Welt.", "de", "en")])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from toolkit.backends.base import Backend, GenerationRequest, Progress
from toolkit.errors import ModelError
from toolkit.formats.tags import has_tags
from toolkit.glossary.model import TermHint
from toolkit.languages import LANGUAGES, language_name, to_iso1
from toolkit.tasks.base import Task
from toolkit.tasks.splitting import chunk_text, split_text

# Bump when the prompt, the conventions or the budgets change what is generated: it keys
# the cache and goes into every record's fingerprint.
# 4: retries into Chinese asked in Chinese; 3: the plain user-turn prompt; 2: no spaces
# between Chinese characters
PROMPT_VERSION = "translate-4"

# The ask is the plain chat call users write: one user turn, no system prompt. Measured on the
# starter over the corpus (eval/refs, 248 segments, CTranslate2 int8): tk's former system
# prompt ("You are a professional translator of news articles ...") scored BLEU -0.95
# (p = 0.04) below this plain call into English (+0.5, n.s., into Chinese); with glossary
# hints, the hints as the system turn and this user turn scored BLEU +0.6 / chrF +0.8 above
# the former prompt into English, +0.2 / +0.5 into Chinese; hints after the text in the user
# turn lost 5.6 BLEU (the small model answered with the hint list).
USER_PROMPT = ("Translate the following {source} text into {target}. Reply with the "
               "translation only.\n\n{text}")
TERMS_PROMPT = "Use exactly these renderings:\n{lines}"
# Said only where the text holds inline markup as placeholders (toolkit.formats.tags), so
# plain text is asked exactly as before. On the starter, 5 tagged sentences: 1 of 5 kept
# their tags asked with USER_PROMPT alone, 3 of 5 with this sentence added.
TAGS_PROMPT = ("Keep every tag (such as <g1>, </g1>, <x2/>) exactly once, around the same "
               "words. ")
TAGGED_USER_PROMPT = USER_PROMPT.replace("Reply with", TAGS_PROMPT + "Reply with", 1)
RETRY_PREFIX = "Answer in {target} only. "
# A request marked ``in_target`` (a retry of an answer in the wrong language) is asked in the
# target language: on the starter, of 25 segments the first pass left in English or with
# German words, 24 came back in Chinese asked this way from the German, against 16 asked in
# English from tk's English translation. Asked so for every retry, it copied more German words
# and glossary terms into its Chinese: so only where the language was wrong.
RETRY_PROMPTS = {"zh": "把下面的{source}翻译成中文，只回复译文。\n\n{text}"}
SOURCE_NAMES = {"zh": {"de": "德文", "en": "英文"}}


@dataclass(frozen=True)
class TranslationRequest:
    """One segment to translate.

    ``terms`` are hints every model may use its own way (an LLM gets them in its prompt).
    With ``force_terms`` each ``target`` must appear, forced while decoding where the
    backend supports constraints. ``attempt`` counts retries of the same segment (0 = first
    try): a retry is asked differently (an LLM is told the target language again, a seq2seq
    model gets a wider beam) instead of repeating itself.
    """

    text: str
    source_lang: str
    target_lang: str
    terms: tuple[TermHint, ...] = ()
    force_terms: bool = False
    attempt: int = 0
    in_target: bool = False  # ask a chat model in the target language (a retry of an answer in the wrong one)
    # (source, translation) pairs a chat model is shown first: a translation memory's fuzzy match
    examples: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Translation:
    """One translated segment and what it cost. ``pieces`` > 1: the segment was longer than
    the model's input window and was translated in that many pieces, cut between sentences,
    clauses or words, then joined (nothing of it is dropped)."""

    text: str
    new_tokens: int = 0
    forced_tokens: int = 0
    pieces: int = 1


class Translator(Task):
    """Translates with any backend whose model can translate; says before any work what it
    cannot do (a language the model does not produce, a model made for something else).

    ``beams``: beam width (default: the model's own; retries of seq2seq models widen it);
    ``max_new_tokens``: a cap on every segment's output length.
    """

    task = "translate"

    def __init__(self, backend: Backend, *, beams: int | None = None,
                 max_new_tokens: int | None = None) -> None:
        # beams and max_new_tokens are checked where they enter (toolkit.load.ModelOptions)
        self.backend = backend
        self.beams = beams
        self.max_new_tokens = max_new_tokens
        self.style = convention(backend)
        self._constrained: Translator | None = None
        self.constrained_factory: Callable[[], Translator] | None = None

    def constrained(self) -> Translator | None:
        """A translator over the same model that can force strings while decoding: this one
        where the backend can, else the one ``constrained_factory`` builds (loaded on first
        use, e.g. the transformers backend behind CTranslate2), else None."""
        if self.supports_constraints:
            return self
        if self._constrained is None and self.constrained_factory is not None:
            self._constrained = self.constrained_factory()
        return self._constrained

    @property
    def constrained_loaded(self) -> Translator | None:
        """The fallback translator if one was loaded (for usage counts), else None."""
        return self._constrained

    # --- what it can do ----------------------------------------------------------------------------

    @property
    def supports_constraints(self) -> bool:
        return self.backend.capabilities.constraints

    @property
    def prompt_version(self) -> str:
        return PROMPT_VERSION

    def settings(self) -> dict[str, Any]:
        return {"beams": self.beams, "max_new_tokens": self.max_new_tokens}

    def target_languages(self) -> frozenset[str] | None:
        """ISO 639-1 codes the model can produce, or None when it can produce any language."""
        caps = self.backend.capabilities
        tokens = caps.language_tokens
        if self.style == "nllb":
            return frozenset(c for c, (_, nllb, _) in LANGUAGES.items() if nllb in tokens)
        if self.style == "m2m":
            return frozenset(c for c in LANGUAGES if f"__{c}__" in tokens)
        if self.style == "t5":
            return frozenset(c for c in LANGUAGES if f"<2{c}>" in tokens)
        if self.style == "marian":
            marian = {t for t in tokens if t.startswith(">>")}
            if marian:
                return frozenset(c for c, (_, _, codes) in LANGUAGES.items()
                                 if any(m in marian for m in codes))
            if target := to_iso1(caps.declared_target):
                return frozenset({target})
        if self.style == "chat":
            return None
        ref = self.backend.ref
        if ref is not None and ref.languages:
            return frozenset(ref.languages)
        # An OPUS-MT style name, e.g. opus-mt-de-en, says the pair.
        match = re.search(r"opus-mt-[a-z]{2,3}-([a-z]{2,3})\b", self.model_label.lower())
        if match and (target := to_iso1(match.group(1))):
            return frozenset({target})
        return None  # nothing tells: trust the user

    def check(self, source_lang: str, target_lang: str) -> None:
        """Raise ModelError before any work for a pair this model cannot translate."""
        targets = self.target_languages()
        if targets is not None and target_lang not in targets:
            can = ", ".join(sorted(targets)) or "none tk recognizes"
            raise ModelError(
                f"{self.model_label} cannot translate into {target_lang!r} (it produces: "
                f"{can}); pick another model with --model (see `tk models list`)")
        if self.style in ("nllb", "m2m"):
            code = _source_code(self.style, source_lang)
            if code is None or code not in self.backend.capabilities.language_tokens:
                raise ModelError(f"{self.model_label} does not know source language "
                                 f"{source_lang!r}")

    # --- translating -------------------------------------------------------------------------------

    def translate(self, requests: Sequence[TranslationRequest],
                  progress: Progress | None = None) -> list[Translation]:
        """Translations in the order of ``requests``. A segment longer than the model's input
        window is translated in pieces and joined, never cut short."""
        for pair in {(r.source_lang, r.target_lang) for r in requests}:
            self.check(*pair)
        fits = self._fit(list(requests))
        split = [[r] if ok else self._pieces(r) for r, ok in zip(requests, fits, strict=True)]
        flat = [p for pieces in split for p in pieces]
        whole = len(flat) == len(requests)
        outputs = iter(self.backend.generate(self.requests(flat), progress if whole else None))
        results = []
        for r, pieces in zip(requests, split, strict=True):
            parts = [next(outputs) for _ in pieces]
            joiner = "" if r.target_lang in ("zh", "ja") else " "
            results.append(Translation(joiner.join(self.clean(o.text, r.target_lang) for o in parts),
                                       sum(o.new_tokens for o in parts),
                                       sum(o.forced_tokens for o in parts), len(parts)))
        if progress and not whole:
            progress(len(requests))
        return results

    def requests(self, requests: Sequence[TranslationRequest]) -> list[GenerationRequest]:
        """The generic requests that ask the backend for these translations (public, so users
        can inspect prompts and budgets)."""
        drafts = [self._draft(r) for r in requests]
        if self.style == "chat":
            # A chat model's budget follows the source text alone, not the prompt around it.
            counted = self.backend.count_tokens([GenerationRequest(text=r.text) for r in requests])
            budgets = [(3 if r.target_lang in ("zh", "ja", "ko") else 2) * n + 32
                       for r, n in zip(requests, counted, strict=True)]
        else:
            counted = self.backend.count_tokens(drafts)
            budgets = [2 * n + 16 for n in counted]
        if self.max_new_tokens:
            budgets = [min(b, self.max_new_tokens) for b in budgets]
        return [_with(d, max_new_tokens=b) for d, b in zip(drafts, budgets, strict=True)]

    def _fit(self, requests: list[TranslationRequest]) -> list[bool]:
        """Whether each request fits the model's input window."""
        limit = self.backend.capabilities.max_input_tokens
        if limit is None or not requests:
            return [True] * len(requests)
        drafts = self.requests(requests)
        counts = self.backend.count_tokens(drafts)
        # A causal model's window holds the prompt and the answer.
        return [n + (d.max_new_tokens if self.style == "chat" else 0) <= limit
                for d, n in zip(drafts, counts, strict=True)]

    def _pieces(self, request: TranslationRequest) -> list[TranslationRequest]:
        """``request`` itself when it fits the model's window, else its text cut in two at the
        boundary nearest the middle (sentence end, clause, word, character), recursively.
        Hints travel with the piece whose source holds them."""
        if len(request.text) < 2 or self._fit([request])[0]:
            return [request]
        limit = self.backend.capabilities.max_input_tokens or 0
        if limit and len(request.text) > 16 * limit:
            # Far past the window: first cut into runs of about half a window each, in one
            # pass, so that the halving below only ever tokenizes bounded pieces (linear in
            # the text, not n log n: a 2 MB sentence is cut in seconds).
            return [p for chunk in chunk_text(request.text, self._chunk_chars(request, limit))
                    for p in self._pieces(replace(request, text=chunk, terms=tuple(
                        t for t in request.terms if t.source in chunk)))]
        head, tail = split_text(request.text)
        return [p for text in (head, tail) for p in self._pieces(
            replace(request, text=text, terms=tuple(t for t in request.terms if t.source in text)))]

    def _chunk_chars(self, request: TranslationRequest, limit: int) -> int:
        """Characters that make about half a window of tokens (a fifth for a chat model,
        whose window also holds its answer), from the text's own ratio on a sample."""
        sample = request.text[: 8 * limit]
        tokens = self.backend.count_tokens([GenerationRequest(text=sample)])[0] or 1
        share = 5 if self.style == "chat" else 2
        return max(16, int(limit * len(sample) / tokens / share))

    def messages(self, request: TranslationRequest) -> tuple[tuple[str, str], ...]:
        """The conversation that asks a chat model for one translation: the plain user turn
        (on a retry: "Answer in <target> only." first; a retry of an answer in the wrong
        language into Chinese is asked in Chinese), and the glossary hints, where the segment
        has any, as the system turn."""
        target = language_name(request.target_lang)
        prompt = TAGGED_USER_PROMPT if has_tags(request.text) else USER_PROMPT
        user = prompt.format(source=language_name(request.source_lang), target=target,
                             text=request.text)
        names = SOURCE_NAMES.get(request.target_lang, {})
        if request.in_target and request.source_lang in names:
            user = RETRY_PROMPTS[request.target_lang].format(source=names[request.source_lang],
                                                            text=request.text)
        elif request.attempt:
            user = RETRY_PREFIX.format(target=target) + user
        shown: tuple[tuple[str, str], ...] = ()
        for source, translation in request.examples:  # earlier turns, as the chat had them
            shown += (("user", USER_PROMPT.format(source=language_name(request.source_lang),
                                                  target=target, text=source)),
                      ("assistant", translation))
        if not request.terms:
            return (*shown, ("user", user))
        lines = "\n".join(f"{t.source} -> {t.target}" for t in request.terms)
        return (("system", TERMS_PROMPT.format(lines=lines)), *shown, ("user", user))

    def clean(self, text: str, target_lang: str = "") -> str:
        """The model's output as a translation: a chat model's chatter removed; in Chinese and
        Japanese no space between two characters (tokenizers and forced terms leave them) and
        full-width punctuation after a character (",", "?" -> "，", "？")."""
        text = clean_output(text) if self.style == "chat" else text.strip()
        if target_lang not in ("zh", "ja"):
            return text
        text = _CJK_PUNCT.sub(lambda m: _FULL_WIDTH[m.group(1)], text)
        return _CJK_SPACE.sub("", text)

    def _beams(self, request: TranslationRequest) -> int:
        if self.style == "chat":
            return self.beams or 1  # greedy unless asked: a chat model's own config may sample
        base = self.beams or self.backend.capabilities.default_beams
        return min(base + 2 * request.attempt, 8) if request.attempt else base

    def _draft(self, r: TranslationRequest) -> GenerationRequest:
        must = tuple(t.target for t in r.terms) if r.force_terms and self.supports_constraints else ()
        common: dict[str, Any] = {"beams": self._beams(r), "must_include": must}
        if self.style == "chat":
            return GenerationRequest(messages=self.messages(r), **common)
        if self.style in ("nllb", "m2m"):
            target = LANGUAGES[r.target_lang][1] if self.style == "nllb" else f"__{r.target_lang}__"
            return GenerationRequest(text=r.text, source_token=_source_code(self.style, r.source_lang),
                                     decoder_prefix=(target,), **common)
        if self.style == "t5":
            return GenerationRequest(text=f"<2{r.target_lang}> {r.text}", **common)
        if self.style == "marian":
            tokens = self.backend.capabilities.language_tokens
            code = next((m for m in LANGUAGES.get(r.target_lang, ("", "", ()))[2] if m in tokens),
                        None)
            if code:
                return GenerationRequest(text=f"{code} {r.text}", **common)
        return GenerationRequest(text=r.text, **common)


def convention(backend: Backend) -> str:
    """Which language convention a model follows: nllb, m2m, marian, t5, plain (seq2seq) or
    chat. Refuses (ModelError) a model that is no translator: a causal LM without a chat
    template, a seq2seq model made for another task (a summarizer)."""
    from toolkit.tasks.base import is_chat_model

    if is_chat_model(backend, "translate", "a translation model"):
        return "chat"
    caps = backend.capabilities
    label = backend.model_label
    tokens = caps.language_tokens
    if "eng_Latn" in tokens or "deu_Latn" in tokens:
        return "nllb"
    if "__en__" in tokens or "__de__" in tokens:
        return "m2m"
    if caps.model_type == "marian":
        return "marian"
    if any(f"<2{c}>" in tokens for c in ("en", "de", "zh", "fr")):
        return "t5"
    if caps.tasks and "translation" not in caps.tasks:
        made_for = ", ".join(sorted(caps.tasks))
        raise ModelError(
            f"{label} is a {caps.model_type or 'seq2seq'} model made for {made_for}, not "
            "translation; pick a translation model with --model (see `tk models list`)")
    return "plain"


def _source_code(style: str, source_lang: str) -> str | None:
    if style == "nllb":
        return LANGUAGES[source_lang][1] if source_lang in LANGUAGES else None
    if style == "m2m":
        return f"__{source_lang}__"
    return None


def _with(request: GenerationRequest, **changes: Any) -> GenerationRequest:
    return replace(request, **changes)


# A chat model's chatter around the translation: "Here is the translation:", "Translation:",
# "以下是翻译：" and similar lead-ins, and trailing notes.
_LEAD_IN = re.compile(
    r"^\s*(?:(?:sure|certainly|of course)[!,.]?\s*)?"
    r"(?:(?:here(?:'s| is)|below is)\s+(?:the|my|your)?\s*(?:\w+\s+){0,3}translation[^:\n]*:"
    r"|(?:english|chinese|simplified chinese|german)?\s*translation\s*:"
    r"|(?:english|chinese|simplified chinese)\s*:"
    r"|(?:以下是|这是)[^：:\n]{0,20}(?:翻译|译文)[^：:\n]{0,10}[：:]"
    r"|(?:中文|英文|德文|德语|英语|汉语|简体中文)?(?:翻译|译文)\s*[：:])\s*",
    re.IGNORECASE,
)
_TRAILING_NOTE = re.compile(r"\n\s*(?:\(?note:|\(?notes:|注[:：]|备注[:：]|说明[:：]).*\Z",
                            re.IGNORECASE | re.DOTALL)
_CJK = r"\u3000-\u303f\u3040-\u30ff\u4e00-\u9fff\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
# An ASCII mark right after a Chinese character, before another, a space or the end (never
# inside a number: "3.5", "1,000" have digits on the left).
_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", ".": "。"}
_CJK_PUNCT = re.compile(rf"(?<=[\u4e00-\u9fff])([,;:!?.])(?=[{_CJK}]|\s|$)")
_FENCE = re.compile(r"^```[\w-]*\n(.*?)\n?```$", re.DOTALL)
_QUOTES = [('"', '"'), ("“", "”"), ("'", "'"), ("„", "“"), ("«", "»"), ("「", "」"), ("『", "』")]


def clean_output(text: str) -> str:
    """The translation without a chat model's lead-in, code fence, wrapping quotes or notes."""
    text = text.strip()
    if fence := _FENCE.match(text):
        text = fence.group(1).strip()
    text = _LEAD_IN.sub("", text, count=1).strip()
    text = _TRAILING_NOTE.sub("", text).strip()
    for left, right in _QUOTES:
        inner = text[len(left):-len(right)]
        if (len(text) >= 2 and text.startswith(left) and text.endswith(right)
                and left not in inner and right not in inner):
            text = inner.strip()
            break
    return text
