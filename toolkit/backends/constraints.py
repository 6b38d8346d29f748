"""Decoding-time lexical constraints: every required term appears in the output.

transformers v5 dropped constrained beam search, so tk brings its own. This module is the core,
free of torch so any backend can drive it: :class:`ConstraintTracker` decides, step by step,
which token a hypothesis must take; ``toolkit.backends.logits`` adapts it to a transformers
LogitsProcessor (greedy and beam search, encoder-decoder and decoder-only models, batches
where each row has its own terms or none). The state of every hypothesis is recomputed from
its tokens at each step, so beam reordering needs no bookkeeping. Per hypothesis:

- a term is met once its text occurs in the decoded output;
- a term the output has started (its output ends with a prefix of one of the term's token
  sequences) is continued by forcing the next token;
- a term is started where the model itself finds its first token plausible (within
  ``margin`` nats of its best token), so terms land where the translation needs them;
- when the model wants to end with terms unmet, the most likely of them is started instead
  (only blocking the end would make a chat model ramble on until it mentions the term);
- when the tokens left only just fit the unmet terms, the shortest one is started.

Each term is tried in several tokenizations (sentencepiece's word-initial "▁" piece or not,
a leading space or not) because the same string tokenizes differently at a word start; the
model may start whichever it likes. Terms the tokenizer cannot spell (unknown pieces) are
left out and reported by ``unenforceable`` - the glossary check then flags them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Variant = tuple[int, ...]
_CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True)
class Constraint:
    """One required term: its text, the token sequences that spell it, and the one to start
    when decoding must force it (word-initial for Latin script, glued for Chinese).

    ``glued`` are the spellings without a word-initial space; for a term that starts or ends
    with a letter or digit (``word_start``/``word_end``) they may only begin at a word
    boundary, so "AI" never comes out as "QAI" (Chinese has no word boundaries to keep).
    """

    text: str
    variants: tuple[Variant, ...]
    start: Variant
    glued: frozenset[Variant] = frozenset()
    word_start: bool = False
    word_end: bool = False

    @property
    def longest(self) -> int:
        return max(len(v) for v in self.variants)


def build_constraints(
    targets: Sequence[str],
    encode: Callable[[str], list[int]],
    decode: Callable[[list[int]], str],
    tokenizer: Any,
) -> list[Constraint]:
    """Token-sequence variants of each target term; terms with no valid spelling are dropped."""
    constraints = []
    for target in dict.fromkeys(t.strip() for t in targets if t.strip()):
        variants = term_variants(target, encode, decode, tokenizer)
        if variants:
            cjk = bool(_CJK.match(target))
            start = next((v for v in variants if _word_initial(tokenizer, v) != cjk), variants[0])
            glued = frozenset(v for v in variants if not _word_initial(tokenizer, v))
            constraints.append(Constraint(
                target, tuple(variants), start, glued,
                word_start=not cjk and target[0].isalnum(),
                word_end=not _CJK.match(target[-1]) and target[-1].isalnum(),
            ))
    return constraints


def _word_initial(tokenizer: Any, variant: Variant) -> bool:
    piece = tokenizer.convert_ids_to_tokens(variant[0])
    return isinstance(piece, str) and piece[:1] in ("▁", "Ġ", " ")


def unenforceable(targets: Sequence[str], encode: Callable[[str], list[int]],
                  decode: Callable[[list[int]], str], tokenizer: Any) -> list[str]:
    """The targets this tokenizer cannot spell (so no decoding constraint can force them)."""
    return [t for t in targets if t.strip() and not term_variants(t.strip(), encode, decode,
                                                                  tokenizer)]


def term_variants(target: str, encode: Callable[[str], list[int]],
                  decode: Callable[[list[int]], str], tokenizer: Any) -> list[Variant]:
    """Tokenizations of ``target`` that decode back to text containing it."""
    candidates: list[list[int]] = [encode(target), encode(" " + target)]
    first = encode(target)
    if first:
        # sentencepiece puts "▁" on the first piece; mid-word (Chinese, after a hyphen) the
        # model would generate the piece without it.
        piece = tokenizer.convert_ids_to_tokens(first[0])
        if isinstance(piece, str) and piece.startswith("▁"):
            if piece == "▁":
                candidates.append(first[1:])
            else:
                bare = tokenizer.convert_tokens_to_ids(piece[1:])
                if bare is not None and bare != tokenizer.unk_token_id:
                    candidates.append([bare, *first[1:]])
    unk = tokenizer.unk_token_id
    special = set(getattr(tokenizer, "all_special_ids", []) or [])
    if len(first) > 1 and tokenizer.convert_ids_to_tokens(first[0]) == "▁" and _CJK.match(target):
        # Chinese has no spaces: a term started with a lone "▁" would put one in the text.
        candidates = [c for c in candidates if c != first] or candidates
    variants: list[Variant] = []
    for ids in candidates:
        ids = [int(i) for i in ids]
        if not ids or (unk is not None and unk in ids) or special.intersection(ids):
            continue
        if target not in decode(ids):
            continue
        if tuple(ids) not in variants:
            variants.append(tuple(ids))
    return variants


def _contains(seq: list[int], part: Variant) -> bool:
    n = len(part)
    return any(tuple(seq[i:i + n]) == part for i in range(len(seq) - n + 1))


def _progress(seq: list[int], variant: Variant, spaces: frozenset[int]) -> int:
    """Longest k (0 < k < len(variant)) with seq ending in variant[:k]; 0 if none. A lone
    space token alone is no start: the model writes those before many words."""
    for k in range(min(len(variant) - 1, len(seq)), 0, -1):
        if tuple(seq[-k:]) == variant[:k]:
            return 0 if k == 1 and variant[0] in spaces else k
    return 0


def token_classes(tokenizer: Any) -> tuple[frozenset[int], tuple[int, ...]]:
    """Ids of lone space tokens ("▁", "Ġ") and the sorted ids of tokens that continue a word
    (a piece starting with a letter or digit and no space marker); cached on the tokenizer."""
    cached = getattr(tokenizer, "_tk_token_classes", None)
    if cached is not None:
        return cached
    special = set(getattr(tokenizer, "all_special_ids", []) or [])
    spaces, glue = set(), []
    for piece, i in tokenizer.get_vocab().items():
        if i in special or not piece:
            continue
        if piece in ("▁", "Ġ", " "):
            spaces.add(i)
        elif piece[0].isalnum():
            glue.append(i)
    classes = (frozenset(spaces), tuple(sorted(glue)))
    try:
        tokenizer._tk_token_classes = classes
    except AttributeError:
        pass  # a tokenizer that takes no attributes is scanned again next time
    return classes


class RowScores(Protocol):
    """One hypothesis' next-token scores, as a backend holds them."""

    def best(self) -> int:
        """The token the model likes best."""

    def logprob(self, token: int) -> float:
        """Log-probability of ``token``."""

    def ban_glue(self) -> None:
        """Forbid every word-continuing token (unless nothing else would be left)."""

    def force(self, token: int) -> None:
        """Allow only ``token``."""


class ConstraintTracker:
    """Makes every row's constraints appear before the output ends.

    ``row_constraints[i]`` holds the constraints of request i (rows of a beam search are
    ``num_beams`` consecutive copies). ``max_new_tokens`` must be what the decoder is given;
    ``offset`` counts forced non-text tokens at the start (NLLB's language code);
    ``margin`` (nats) is how much less likely than the model's best token a term's first token
    may be and still be started on the spot. The state of every hypothesis is recomputed from
    its tokens, so beam reordering needs no bookkeeping.
    """

    def __init__(
        self,
        row_constraints: Sequence[Sequence[Constraint]],
        *,
        num_beams: int,
        max_new_tokens: int,
        eos_token_ids: set[int],
        decode: Callable[[list[int]], str],
        offset: int = 0,
        margin: float = 2.0,
        tokenizer: Any = None,
    ) -> None:
        self.rows = [list(c) for c in row_constraints]
        self.margin = margin
        if tokenizer is not None:
            self.spaces, self.glue = token_classes(tokenizer)
        else:
            self.spaces, self.glue = frozenset(), ()
        self.num_beams = num_beams
        self.max_new_tokens = max_new_tokens
        self.eos = sorted(eos_token_ids)
        self.decode = decode
        self.offset = offset
        self._start: int | None = None
        # Met terms per (request, output so far), from the previous step: met is monotonic,
        # so each step only checks the tail of the output (decoding everything every step
        # would cost O(length^2) per hypothesis).
        self._met_before: dict[tuple[int, tuple[int, ...]], frozenset[int]] = {}
        self.interventions = 0  # steps where a token was forced (for reports)
        self.forced = [0] * len(self.rows)  # the same, per request

    def step(self, sequences: Sequence[Sequence[int]], scores: Callable[[int], RowScores]) -> None:
        """One decoding step: ``sequences`` are the hypotheses so far (prompt included, all of
        one length); ``scores(row)`` gives the scores of row ``row`` to act on."""
        cur_len = len(sequences[0]) if sequences else 0
        if self._start is None:
            self._start = cur_len  # first call: the prompt / decoder start ends here
        if cur_len < self._start + self.offset:
            return
        remaining = self._start + self.max_new_tokens - cur_len  # tokens left, this one included
        met_now: dict[tuple[int, tuple[int, ...]], frozenset[int]] = {}
        for row, full in enumerate(sequences):
            seq = list(full[self._start + self.offset:])
            request = row // self.num_beams
            constraints = self.rows[request]
            if not constraints or any(t in self.eos for t in seq):
                continue  # nothing to enforce, or this hypothesis has finished
            key = (request, tuple(seq))
            if key not in met_now:
                met_now[key] = self._met(request, seq, constraints)
            met = met_now[key]
            row_scores = scores(row)
            if self.glue and any(
                c.word_end and any(tuple(seq[-len(v):]) == v for v in c.variants)
                for i, c in enumerate(constraints) if i in met
            ):
                row_scores.ban_glue()  # a term just ended: the next word starts apart
            unmet = [c for i, c in enumerate(constraints) if i not in met]
            if not unmet:
                continue
            forced, needed = self._choose(seq, unmet)
            boundary = None
            if forced is None:
                boundary = self._at_boundary(seq)
            if forced is None and remaining <= needed:
                # Out of room: continue a term begun with a lone space, else start one.
                forced = next((v[1] for c in unmet for v in c.variants
                               if len(v) > 1 and v[0] in self.spaces and seq and seq[-1] == v[0]),
                              None)
                if forced is None:
                    shortest = min(unmet, key=lambda c: len(c.start))
                    forced = self._starts(shortest, boundary)[0]
            if forced is None:
                forced = self._opportunity(row_scores, unmet, boundary)
            if forced is not None:
                row_scores.force(forced)
                self.interventions += 1
                self.forced[request] += 1
        self._met_before = met_now

    def _met(self, request: int, seq: list[int], constraints: list[Constraint]) -> frozenset[int]:
        """Indices of the constraints whose text the output ``seq`` already contains."""
        before = self._met_before.get((request, tuple(seq[:-1]))) if seq else frozenset()
        met = set(before or ())
        for i, c in enumerate(constraints):
            if i in met:
                continue
            # Known state one token ago: only the tail can hold a newly completed term (a
            # character may take up to 4 byte tokens; a few more for neighbours' merges).
            window = seq if before is None else seq[-(4 * len(c.text) + 8):]
            if any(_contains(window, v) for v in c.variants) or c.text in self.decode(window):
                met.add(i)
        return frozenset(met)

    def _at_boundary(self, seq: list[int]) -> bool:
        """Whether the output so far ends between words (empty, space or punctuation)."""
        if not seq or seq[-1] in self.spaces:
            return True
        text = self.decode(seq[-8:])
        return not text or not text[-1].isalnum()

    def _starts(self, c: Constraint, boundary: bool | None) -> list[int]:
        """First tokens that may start ``c`` here, preferred first: a glued spelling of a
        word-like term only at a word boundary (and then preferred: no double space)."""
        if not c.word_start:
            return [c.start[0], *(v[0] for v in c.variants if v != c.start)]
        spaced = [v[0] for v in c.variants if v not in c.glued]
        glued = [v[0] for v in c.variants if v in c.glued]
        return (glued + spaced) if boundary and glued else (spaced or glued)

    def _opportunity(self, row_scores: RowScores, unmet: list[Constraint],
                     boundary: bool | None) -> int | None:
        """The first token of an unmet term if the model finds it plausible here, or if the
        model wants to end; None to let the model choose freely."""
        best = row_scores.best()
        starts = {t for c in unmet for t in self._starts(c, boundary)}
        start = max(starts, key=row_scores.logprob)
        if best in self.eos or row_scores.logprob(start) >= row_scores.logprob(best) - self.margin:
            return start
        return None

    def _choose(self, seq: list[int], unmet: list[Constraint]) -> tuple[int | None, int]:
        """The token continuing the furthest-advanced started term (or None), and a safe
        upper bound of the tokens the unmet terms need (each at its longest spelling)."""
        forced, best = None, 0
        for c in unmet:
            for v in c.variants:
                k = _progress(seq, v, self.spaces)
                if k > best and not (c.word_start and v in c.glued
                                     and not self._at_boundary(seq[:-k])):
                    forced, best = v[k], k  # (a glued start inside a word is no start)
        return forced, sum(c.longest for c in unmet)
