"""Glossary enforcement around any engine: hints, verification, forced retries, honest reports."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.engines.base import Progress, TermHint, TranslationEngine, TranslationRequest
from toolkit.glossary import GlossaryEnforcer, load_glossary

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = load_glossary(ROOT / "glossaries" / "ai-finance.tsv")


class TermDroppingEngine(TranslationEngine):
    """Deterministic stand-in for a bad model: lowercased, reversed source words (garbage that
    never contains a glossary target), plus the hint targets only when forced to, if it can."""

    kind = "test"

    def __init__(self, *, constraints: bool = True, obeys: bool = True, reads_hints_on_retry: bool = False) -> None:
        self.supports_constraints = constraints  # type: ignore[misc]
        self.obeys = obeys  # False: claims constraints but still drops terms
        self.reads_hints_on_retry = reads_hints_on_retry  # like an LLM prompted again
        self.calls: list[list[TranslationRequest]] = []

    @property
    def model_id(self) -> str:
        return "test/term-dropping"

    def target_languages(self) -> frozenset[str] | None:
        return frozenset({"en", "zh"})

    def translate(self, requests: Sequence[TranslationRequest], progress: Progress | None = None) -> list[str]:
        self.calls.append(list(requests))
        out = []
        for r in requests:
            text = " ".join(w.lower()[::-1] for w in r.text.split())
            if (r.force_terms and self.obeys) or (self.reads_hints_on_retry and r.attempt > 0):
                text += " " + " ".join(h.target for h in r.terms)
            elif r.attempt > 0:
                text += f" (try {r.attempt})"
            out.append(text)
        if progress:
            progress(len(requests))
        return out


def requests(*texts: str, lang: str = "en") -> list[TranslationRequest]:
    return [TranslationRequest(t, "de", lang) for t in texts]


SOURCES = ["Alibabas KI-Modelle sind günstig.", "Das Wetter ist schön.", "Nvidia und Tencent kooperieren."]


def test_first_pass_hints_only_the_terms_that_occur() -> None:
    engine = TermDroppingEngine()
    GlossaryEnforcer(engine, GLOSSARY).translate_checked(requests(*SOURCES, lang="zh"))
    first = engine.calls[0]
    assert first[0].terms == (TermHint("Alibabas", "阿里巴巴"), TermHint("KI", "人工智能"))
    assert first[1].terms == ()
    assert first[2].terms == (TermHint("Nvidia", "英伟达"), TermHint("Tencent", "腾讯"))
    assert not any(r.force_terms for r in first)


def test_forced_retry_enforces_missing_terms() -> None:
    engine = TermDroppingEngine()
    enforcer = GlossaryEnforcer(engine, GLOSSARY)
    results = enforcer.translate_checked(requests(*SOURCES, lang="zh"))
    assert [r.terms.status for r in results] == ["enforced", "none", "enforced"]
    assert "阿里巴巴" in results[0].text and "人工智能" in results[0].text
    assert results[0].terms.to_dict()["enforced"] == [{"source": "Alibabas", "target": "阿里巴巴"},
                                                     {"source": "KI", "target": "人工智能"}]
    assert [r.attempts for r in results] == [2, 1, 2]
    retry = engine.calls[1]  # only the segments that missed a term, forced, as a new attempt
    assert [r.text for r in retry] == [SOURCES[0], SOURCES[2]]
    assert all(r.force_terms and r.attempt == 1 for r in retry)
    stats = enforcer.stats
    assert (stats.segments, stats.with_terms, stats.terms, stats.retried, stats.fixed, stats.violated) == (3, 2, 4, 2, 2, 0)


def test_segments_already_right_are_not_retried() -> None:
    class Echo(TermDroppingEngine):
        def translate(self, requests, progress=None):  # type: ignore[no-untyped-def]
            self.calls.append(list(requests))
            return ["Nvidia and Tencent cooperate." for _ in requests]

    engine = Echo()
    results = GlossaryEnforcer(engine, GLOSSARY).translate_checked(requests(SOURCES[2]))
    assert results[0].terms.status == "ok" and len(engine.calls) == 1


def test_without_constraints_violations_are_reported_never_hidden() -> None:
    engine = TermDroppingEngine(constraints=False)
    enforcer = GlossaryEnforcer(engine, GLOSSARY)
    results = enforcer.translate_checked(requests(SOURCES[0]))
    assert len(engine.calls) == 2 and not engine.calls[1][0].force_terms  # retried, not forced
    check = results[0].terms
    assert check.status == "violated"
    assert check.to_dict()["violated"] == [{"source": "Alibabas", "target": "Alibaba"}, {"source": "KI", "target": "AI"}]
    assert enforcer.stats.violated == 1 and enforcer.stats.fixed == 0


def test_an_engine_that_reads_hints_on_retry_is_fixed_without_constraints() -> None:
    engine = TermDroppingEngine(constraints=False, reads_hints_on_retry=True)
    results = GlossaryEnforcer(engine, GLOSSARY).translate_checked(requests(SOURCES[0]))
    assert results[0].terms.status == "enforced"
    assert engine.calls[1][0].attempt == 1


def test_a_retry_that_does_not_help_keeps_the_first_output() -> None:
    engine = TermDroppingEngine(obeys=False)
    results = GlossaryEnforcer(engine, GLOSSARY, retries=2).translate_checked(requests(SOURCES[0]))
    assert len(engine.calls) == 3 and results[0].attempts == 3
    assert results[0].text == "sababila elledom-ik dnis .gitsnüg"  # not "(try 1)" or "(try 2)"
    assert results[0].terms.status == "violated"


def test_a_glued_term_beats_no_term_but_is_still_reported() -> None:
    class Gluing(TermDroppingEngine):
        def translate(self, requests, progress=None):  # type: ignore[no-untyped-def]
            self.calls.append(list(requests))
            return ["xAI models" if r.force_terms else "" for r in requests]

    results = GlossaryEnforcer(Gluing(), GLOSSARY).translate_checked(requests("KI-Modelle"))
    assert results[0].text == "xAI models"  # nearer: the term is at least written
    assert results[0].terms.status == "violated"  # but not as a word of its own


def test_a_retry_that_rambles_until_the_term_fits_is_refused() -> None:
    class Rambling(TermDroppingEngine):
        def translate(self, requests, progress=None):  # type: ignore[no-untyped-def]
            self.calls.append(list(requests))
            return ["This translation keeps the meaning. " * 20 + "AI" if r.force_terms else "The KI models."
                    for r in requests]

    enforcer = GlossaryEnforcer(Rambling(), GLOSSARY)
    results = enforcer.translate_checked(requests("Die KI-Modelle."))
    assert results[0].text == "The KI models." and results[0].terms.status == "violated"
    assert enforcer.stats.runaway == 1


def test_retries_zero_only_checks() -> None:
    engine = TermDroppingEngine()
    results = GlossaryEnforcer(engine, GLOSSARY, retries=0).translate_checked(requests(SOURCES[0]))
    assert len(engine.calls) == 1 and results[0].terms.status == "violated"


def test_missing_terms_come_first_among_retry_hints_and_caller_hints_stay() -> None:
    engine = TermDroppingEngine()
    number = TermHint("397 Milliarden", "397 billion")
    request = TranslationRequest("Alibabas KI: 397 Milliarden", "de", "en", terms=(number,))
    GlossaryEnforcer(engine, GLOSSARY).translate_checked([request])
    assert engine.calls[0][0].terms == (number, TermHint("Alibabas", "Alibaba"), TermHint("KI", "AI"))
    # the number is "present" (the engine echoes nothing useful, but it is not a glossary term)
    assert engine.calls[1][0].terms[:2] == (TermHint("Alibabas", "Alibaba"), TermHint("KI", "AI"))


def test_the_enforcer_is_an_engine() -> None:
    engine = TermDroppingEngine()
    enforcer = GlossaryEnforcer(engine, GLOSSARY)
    done: list[int] = []
    texts = enforcer.translate(requests(*SOURCES), progress=done.append)
    assert len(texts) == 3 and "Alibaba" in texts[0]
    assert sum(done) == 3  # progress counts segments once, retries are not double-counted
    assert (enforcer.model_id, enforcer.target_languages(), enforcer.kind) == ("test/term-dropping",
                                                                              frozenset({"en", "zh"}), "test")
    assert enforcer.supports_constraints
    with pytest.raises(ValueError):
        GlossaryEnforcer(engine, GLOSSARY, retries=-1)


# --- property: real tiny models with random weights, enforcement on ------------------------


FILLER = ["Der", "Konzern", "meldet", "heute", "neue", "Zahlen", "und", "die", "Analysten", "sind", "skeptisch"]
# (how a term is written in German text, given its glossary form): inflected, compounded, as is
SHAPES = [lambda f: f, lambda f: f + "-Modelle", lambda f: f + "s" if f[-1].isalpha() else f]
ENTRIES = [e for e in GLOSSARY if e.variants("de") and e.kind != "acronym" or e.term("de") in ("KI", "ADR", "MoE")]


@st.composite
def german_sentences(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(FILLER), min_size=2, max_size=6))
    for _ in range(draw(st.integers(1, 3))):
        entry = draw(st.sampled_from(ENTRIES))
        form = draw(st.sampled_from(entry.variants("de")))
        shape = draw(st.sampled_from(SHAPES))
        words.insert(draw(st.integers(0, len(words))), shape(form))
    return " ".join(words) + "."


MODELS = {"seq2seq-en": "tiny_marian", "seq2seq-zh": "tiny_marian_multi", "llm-en": "tiny_chat", "llm-zh": "tiny_chat"}


def tiny_engine(name: str, request: pytest.FixtureRequest) -> TranslationEngine:
    """The tiny random model for ``name``, loaded through the path users take (a folder)."""
    from toolkit.engines import load_engine

    return load_engine(str(request.getfixturevalue(MODELS[name])), max_new_tokens=24)


def _run_property(engine: TranslationEngine, lang: str, *, whole_words: bool) -> GlossaryEnforcer:
    enforcer = GlossaryEnforcer(engine, GLOSSARY)

    @settings(max_examples=5, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.lists(german_sentences(), min_size=1, max_size=2))
    def check(sentences: list[str]) -> None:
        results = enforcer.translate_checked([TranslationRequest(s, "de", lang) for s in sentences])
        for sentence, result in zip(sentences, results):
            assert result.terms.found, sentence  # the generator always puts a term in
            for term in result.terms.found:
                assert term.target in result.text, (sentence, result.text, term)
            if whole_words:
                assert result.terms.status in ("ok", "enforced"), (sentence, result.text, result.terms.to_dict())

    check()
    return enforcer


ENGINE_NAMES = ["seq2seq-en", "seq2seq-zh", "llm-en", "llm-zh"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_every_source_term_reaches_the_output_even_from_a_garbage_model(
    name: str, request: pytest.FixtureRequest
) -> None:
    enforcer = _run_property(tiny_engine(name, request), name[-2:], whole_words=False)
    assert enforcer.stats.retried > 0  # the random model missed terms; enforcement put them in


@pytest.mark.slow
def test_enforced_terms_are_whole_words_even_from_a_garbage_model(request: pytest.FixtureRequest) -> None:
    for name in ENGINE_NAMES:
        _run_property(tiny_engine(name, request), name[-2:], whole_words=True)
