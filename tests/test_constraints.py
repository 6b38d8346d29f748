"""Decoding-time term constraints: with force_terms, every term's target form is in the output,
even from a random model whose output is otherwise garbage - for seq2seq and chat models,
greedy and beam search, in batches that mix rows with different terms and rows with none."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.backends import load_backend
from toolkit.backends.constraints import (
    ConstraintTracker,
    build_constraints,
    term_variants,
    unenforceable,
)
from toolkit.tasks import TermHint, TranslationRequest, Translator

TranslationEngine = Translator


def load_engine(path: str, max_new_tokens: int | None = None) -> Translator:
    return Translator(load_backend(path), max_new_tokens=max_new_tokens)

SOURCES = [
    "Alibaba hat am Dienstag sein neues KI-Modell Qwen3.5 vorgestellt.",
    "Hallo.",
    "Die Mixture-of-Experts-Struktur aktiviert nur einen Teil der Parameter.",
]
# Target forms from the domain glossary (English and Chinese), spelled by every tiny tokenizer.
TERMS = ["AI", "Alibaba", "Mixture-of-Experts", "American Depositary Receipt", "Qwen3.5",
         "人工智能", "阿里巴巴", "美国存托凭证", "字节跳动", "EPS"]
term_sets = st.lists(st.sampled_from(TERMS), min_size=1, max_size=3, unique=True)
# Arbitrary strings too, for tokenizers that can spell anything (byte fallback / byte-level).
free_terms = st.lists(st.text(alphabet="abcXYZ-.3阿里巴人工", min_size=1, max_size=6)
                      .filter(lambda s: s.strip() == s and s), min_size=1, max_size=2, unique=True)
SETTINGS = settings(max_examples=4, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def marian(tiny_marian: Path) -> TranslationEngine:
    return load_engine(str(tiny_marian))


@pytest.fixture(scope="module")
def nllb(tiny_nllb: Path) -> TranslationEngine:
    return load_engine(str(tiny_nllb))


@pytest.fixture(scope="module")
def chat(tiny_chat: Path) -> TranslationEngine:
    return load_engine(str(tiny_chat))


def forced(text: str, target: str, terms: list[str]) -> TranslationRequest:
    hints = tuple(TermHint(f"src{i}", t) for i, t in enumerate(terms))
    return TranslationRequest(text, "de", target, terms=hints, force_terms=True)


def check_mixed_batch(engine: TranslationEngine, target: str, terms: list[str],
                      beams: int) -> None:
    engine.beams = beams  # type: ignore[attr-defined]
    plain = TranslationRequest(SOURCES[1], "de", target)
    batch = [forced(SOURCES[0], target, terms), plain, forced(SOURCES[2], target, terms[:1])]
    out = [t.text for t in engine.translate(batch)]
    for term in terms:
        assert term in out[0], (term, out[0])
    assert terms[0] in out[2], (terms[0], out[2])
    # A row without terms is translated exactly as it would be on its own.
    assert out[1] == engine.translate([plain])[0].text


@pytest.mark.parametrize("beams", [1, 2])
@given(terms=term_sets)
@SETTINGS
def test_marian_outputs_contain_every_forced_term(marian: TranslationEngine, beams: int,
                                                  terms: list[str]) -> None:
    check_mixed_batch(marian, "en", terms, beams)


@pytest.mark.parametrize("beams", [1, 2])
@given(terms=term_sets)
@SETTINGS
def test_nllb_outputs_contain_every_forced_term(nllb: TranslationEngine, beams: int,
                                                terms: list[str]) -> None:
    check_mixed_batch(nllb, "zh", terms, beams)


@pytest.mark.parametrize("beams", [1, 2])
@given(terms=term_sets)
@SETTINGS
def test_chat_outputs_contain_every_forced_term(chat: TranslationEngine, beams: int,
                                                terms: list[str]) -> None:
    check_mixed_batch(chat, "zh", terms, beams)


@pytest.mark.parametrize("beams", [1, 2])
def test_t5_outputs_contain_every_forced_term(tiny_t5: Path, beams: int) -> None:
    engine = load_engine(str(tiny_t5))
    check_mixed_batch(engine, "zh", ["阿里巴巴", "American Depositary Receipt"], beams)


@given(terms=free_terms)
@SETTINGS
def test_any_spellable_string_is_forced(marian: TranslationEngine, chat: TranslationEngine,
                                        terms: list[str]) -> None:
    for engine in (marian, chat):
        engine.beams = 1  # type: ignore[attr-defined]
        out = engine.translate([forced(SOURCES[0], "en", terms)])[0].text
        assert all(t in out for t in terms), (terms, out)


def test_terms_fit_even_under_a_tight_length_cap(tiny_marian: Path) -> None:
    engine = load_engine(str(tiny_marian), max_new_tokens=2)
    terms = ["American Depositary Receipt", "Mixture-of-Experts", "Alibaba"]
    out = engine.translate([forced("Hallo.", "en", terms)])[0].text
    assert all(t in out for t in terms)


def test_forced_nllb_output_still_starts_with_the_language_token(
    nllb: TranslationEngine,
) -> None:
    nllb.beams = 1  # type: ignore[attr-defined]
    seen = []
    model = nllb.backend.model
    original = model.generate

    def spy(*args, **kwargs):
        out = original(*args, **kwargs)
        seen.append(out[:, 1].tolist())
        return out

    model.generate = spy  # type: ignore[method-assign]
    try:
        out = nllb.translate([forced(SOURCES[0], "zh", ["人工智能"])])[0].text
    finally:
        del model.generate
    assert "人工智能" in out
    assert seen == [[nllb.backend.vocab["zho_Hans"]]]


def test_word_initial_and_glued_spellings_are_both_accepted(marian: TranslationEngine) -> None:
    backend = marian.backend
    tok = backend.tokenizer  # type: ignore[attr-defined]
    args = (backend.encode_target, backend.decode_target, tok)  # type: ignore[attr-defined]
    pieces = [tok.convert_ids_to_tokens(list(v)) for v in term_variants("Qwen3.5", *args)]
    assert any(p[0] == "▁Qwen" for p in pieces)  # at a word start
    assert any(p[0] == "Qwen" for p in pieces)  # glued, e.g. after a hyphen
    # A lone "▁" would start the term at every word boundary: only the glued spelling stays.
    for term in ("阿里巴巴", "人工智能"):
        variants = term_variants(term, *args)
        assert variants and all(tok.convert_ids_to_tokens(v[0]) != "▁" for v in variants)
        assert all(term in backend.decode_target(list(v)) for v in variants)  # type: ignore[attr-defined]


def test_terms_a_tokenizer_cannot_spell_are_reported(nllb: TranslationEngine) -> None:
    # The tiny NLLB tokenizer has no byte fallback and never saw these characters.
    b = nllb.backend
    args = (b.encode_target, b.decode_target, b.tokenizer)  # type: ignore[attr-defined]
    assert unenforceable(["☃Ω", "AI"], *args) == ["☃Ω"]
    assert [c.text for c in build_constraints(["☃Ω", "AI"], *args)] == ["AI"]


class _Tokenizer:
    """A toy tokenizer: one token per character of "abcXY $" ("$" ends), id = position."""

    alphabet = "abcXY $"
    unk_token_id = None
    all_special_ids: list[int] = []

    def convert_ids_to_tokens(self, i: int) -> str:
        return self.alphabet[i]

    def convert_tokens_to_ids(self, piece: str) -> int | None:
        return self.alphabet.index(piece) if piece in self.alphabet else None

    def get_vocab(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.alphabet)}


class _Row:
    """Plain-Python scores for one hypothesis: the model always prefers "a"."""

    def __init__(self) -> None:
        self.forced: int | None = None

    def best(self) -> int:
        return 0

    def logprob(self, token: int) -> float:
        return 0.0 if token == 0 else -10.0

    def ban_glue(self) -> None:
        pass

    def force(self, token: int) -> None:
        self.forced = token


def test_the_constraint_core_needs_no_torch() -> None:
    """The decision logic runs on plain lists and any scores object, so a backend other than
    transformers (CTranslate2, llama.cpp) can drive it."""
    tok = _Tokenizer()
    encode = lambda text: [tok.alphabet.index(c) for c in text]  # noqa: E731
    decode = lambda ids: "".join(tok.alphabet[i] for i in ids)  # noqa: E731
    constraints = build_constraints(["XY"], encode, decode, tok)
    tracker = ConstraintTracker([constraints], num_beams=1, max_new_tokens=4, eos_token_ids={6},
                                decode=decode, tokenizer=tok)
    seq = [2]  # the prompt: "c"
    for _ in range(4):  # free choice would be "aaaa"; the term must fit before the end
        row = _Row()
        tracker.step([seq], lambda r, row=row: row)
        seq = seq + [row.forced if row.forced is not None else row.best()]
    # The model had its way while there was room; then " XY" was forced, token by token.
    assert decode(seq[1:]) == "a XY" and tracker.interventions == 3 and tracker.forced == [3]
