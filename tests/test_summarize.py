"""tk summarize on tiny random models built offline (a BART summarizer, the chat LM): input
handling at, under and far past the window, length control measured on the output, the
number and glossary checks, refusals before any work, and the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.backends import load_backend
from toolkit.cli import main
from toolkit.documents import Document, load_documents
from toolkit.errors import InputError, ModelError
from toolkit.glossary import load_glossary
from toolkit.summarize import (
    SummaryInput,
    check_summary,
    cut_to_length,
    inputs_from_documents,
    measure,
    summarize_documents,
)
from toolkit.tasks import Summarizer, SummaryRequest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = load_glossary(ROOT / "glossaries" / "ai-finance.tsv")
ARTICLE = load_documents([ROOT / "corpus" / "clean" / "002_efe5a641e6ba587c.txt"])


def summarizer(path: Path, **options: object) -> Summarizer:
    return Summarizer(load_backend(str(path)), **options)  # type: ignore[arg-type]


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


# --- input handling ---------------------------------------------------------------------------


def test_a_short_input_is_one_call(tiny_chat: Path) -> None:
    doc = [Document("short", "Alibaba hat Qwen3.5 vorgestellt. Die Aktie stieg um 5 Prozent.")]
    (record,) = summarize_documents(doc, summarizer(tiny_chat), "en", max_words=30,
                                    route="cross-lingual").records
    assert record.input["chunks"] == 1 and record.input["levels"] == 1
    assert record.summary and record.route == "cross-lingual"
    assert record.route_reason == "asked for (--route)"


def test_input_exactly_at_the_window_is_still_one_call(tiny_chat: Path) -> None:
    """The window holds prompt, text and answer: a text of exactly the room left is one call,
    one token more is split."""
    from dataclasses import replace

    from toolkit.tasks.chunking import room_for

    s = summarizer(tiny_chat, window=600)
    request = SummaryRequest("", "de", "en", max_words=20)
    room = room_for(s, request)
    words = ARTICLE[0].text.split()
    text = ""
    for i in range(1, len(words)):  # the longest prefix of the article that fits the room
        trial = " ".join(words[:i])
        if s.count([trial])[0] > room:
            break
        text = trial
    assert s.count([text])[0] <= room
    whole = {"route": "cross-lingual", "select": False}
    at = summarize_documents([Document("at", text)], s, "en", max_words=20, **whole).records[0]
    assert at.input["chunks"] == 1 and at.input["tokens"] <= room
    longer = " ".join(words[: len(text.split()) + 3])
    past = summarize_documents([Document("past", longer)], s, "en", max_words=20,
                               **whole).records[0]
    assert past.input["chunks"] >= 2
    del replace


def test_far_past_the_window_collapses_in_two_levels_and_every_call_fits(
    tiny_chat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = summarizer(tiny_chat, window=700)
    calls: list[tuple[int, int]] = []
    backend = s.backend
    real = backend.generate

    def spy(requests, progress=None):
        lengths = backend.count_tokens(requests)
        calls.extend((n, r.max_new_tokens) for n, r in zip(lengths, requests))
        return real(requests, progress)

    monkeypatch.setattr(backend, "generate", spy)
    (record,) = summarize_documents(ARTICLE, s, "en", max_words=40, route="cross-lingual",
                                    select=False).records
    assert record.input["chunks"] >= 3 and record.input["levels"] >= 3  # map, collapse, combine
    assert record.input["tokens"] > 700
    assert all(n + new <= 700 for n, new in calls), calls  # no input was ever cut to fit


def test_a_window_too_small_for_the_prompt_is_one_line(tiny_chat: Path) -> None:
    with pytest.raises(InputError, match=r"give --window \d+ or more") as caught:
        summarize_documents(ARTICLE, summarizer(tiny_chat, window=64), "en", max_words=20)
    # and what it names leaves room for text (random weights may still fail to shrink)
    enough = int(re.search(r"--window (\d+)", str(caught.value)).group(1))
    try:
        summarize_documents(ARTICLE[:1], summarizer(tiny_chat, window=enough), "en",
                            max_words=20)
    except InputError as e:
        assert "leaves no room" not in str(e) and re.search(r"give --window \d+", str(e))


def test_seq2seq_summarizer_reads_what_fits(tiny_bart_summarizer: Path) -> None:
    s = summarizer(tiny_bart_summarizer)
    assert s.style == "seq2seq" and s.window == 256
    doc = [Document("d", "The company presented a new model. " * 60, lang="en")]
    (record,) = summarize_documents(doc, s, "en", max_words=30, select=False).records
    assert record.input["chunks"] > 1 and record.summary and record.route == "direct"


# --- length, measured on the output ------------------------------------------------------------


@pytest.mark.parametrize("limit", [5, 12, 30])
def test_max_words_holds_on_the_output(tiny_chat: Path, limit: int) -> None:
    (record,) = summarize_documents(ARTICLE, summarizer(tiny_chat), "en", max_words=limit).records
    assert measure(record.summary, "words") <= limit
    assert record.length["measured"] == measure(record.summary, "words")
    assert record.length["limit"] == limit


def test_max_chars_holds_on_the_output_in_chinese(tiny_chat: Path) -> None:
    (record,) = summarize_documents(ARTICLE, summarizer(tiny_chat), "zh", max_chars=40).records
    assert measure(record.summary, "chars") <= 40 and record.length["unit"] == "chars"


@pytest.mark.parametrize("text,limit,unit,expected,action", [
    ("One two three. Four five six. Seven eight.", 6, "words", "One two three. Four five six.", "cut"),
    ("One two three. Four five six.", 4, "words", "One two three.", "cut"),
    ("One two three four five six seven.", 3, "words", "One two …", "cut-in-sentence"),
    ("阿里巴巴发布了模型。股价上涨了。", 10, "chars", "阿里巴巴发布了模型。", "cut"),
])
def test_cutting_keeps_whole_sentences(text: str, limit: int, unit: str, expected: str,
                                       action: str) -> None:
    cut, how = cut_to_length(text, limit, unit, "paragraph")
    assert (cut, how) == (expected, action)
    assert measure(cut, unit) <= limit


def test_bullets_are_bullets_and_not_counted() -> None:
    from toolkit.tasks.summarizer import clean_summary

    assert clean_summary("Eins. Zwei.", "bullets") == "- Eins.\n- Zwei."
    assert clean_summary("* a\n2) b", "bullets") == "- a\n- b"
    assert measure("- a b\n- c", "words") == 3


# --- faithfulness -------------------------------------------------------------------------------

SHORT = [Document("short", "Alibaba investiert 380 Milliarden Yuan in KI. Die Aktie stieg um "
                          "6,22 Prozent, nachdem Nvidia neue Chips angekündigt hatte.")]
SOURCE = SummaryInput("d", "", "de", "Alibaba investiert 380 Milliarden Yuan in KI. Die Aktie "
                      "stieg um 6,22 Prozent.", "de")


@pytest.mark.parametrize("summary,unsupported", [
    ("Alibaba invests 380 billion yuan in AI; the shares rose 6.22%.", 0),
    ("Alibaba invests 380 million yuan in AI.", 1),  # rescaled
    ("Alibaba invests 380 billion yuan in AI and hires 5,000 people.", 1),  # invented
])
def test_every_number_a_summary_states_must_be_in_the_source(summary: str, unsupported: int) -> None:
    check = check_summary(summary, SOURCE, "en", GLOSSARY)
    assert len(check.to_dict()["numbers"]["unsupported"]) == unsupported


def test_chinese_scale_words_are_checked_against_the_source() -> None:
    assert not check_summary("阿里巴巴向人工智能投资3800亿元。", SOURCE, "zh", GLOSSARY).numbers.mismatched
    assert check_summary("阿里巴巴向人工智能投资380亿元。", SOURCE, "zh", GLOSSARY).numbers.mismatched


def test_glossary_renderings_used_and_untranslated_terms() -> None:
    good = check_summary("Alibaba invests heavily in AI.", SOURCE, "en", GLOSSARY).to_dict()
    assert {"source": "KI", "target": "AI"} in good["terms"]["used"]
    assert good["terms"]["untranslated"] == []
    bad = check_summary("Alibaba invests heavily in KI.", SOURCE, "en", GLOSSARY)
    assert bad.to_dict()["terms"]["untranslated"] == [{"source": "KI", "target": "AI"}]
    assert bad.problems >= 1


def test_a_failing_summary_is_retried_with_the_numbers_and_kept_only_if_better(
    tiny_chat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = summarizer(tiny_chat)
    asked: list[SummaryRequest] = []
    real = s.summarize

    def spy(requests, progress=None):
        asked.extend(requests)
        return real(requests, progress)

    monkeypatch.setattr(s, "summarize", spy)
    (record,) = summarize_documents(SHORT, s, "en", max_words=40, glossary=GLOSSARY).records
    assert record.checks is not None and record.checks["retried"]  # garbage fails the checks
    retry = next(r for r in asked if r.attempt == 1)
    assert retry.numbers and "380 billion" in " ".join(h.target for h in retry.numbers)
    assert retry.terms and any(h.target == "AI" for h in retry.terms)


def test_no_checks_is_one_prompt(tiny_chat: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = summarizer(tiny_chat)
    asked: list[SummaryRequest] = []
    real = s.summarize
    monkeypatch.setattr(s, "summarize", lambda rs, progress=None: asked.extend(rs) or real(rs, progress))
    (record,) = summarize_documents(SHORT, s, "en", max_words=40, checks=False,
                                    route="cross-lingual").records
    assert len(asked) == 1 and record.checks is None


# --- refusals before any work ---------------------------------------------------------------------


def test_a_translation_model_is_not_a_summarizer(tiny_marian: Path, tiny_nllb: Path) -> None:
    for path in (tiny_marian, tiny_nllb):
        with pytest.raises(ModelError, match="translation model, not a summarizer"):
            summarizer(path)


def test_a_seq2seq_summarizer_writes_in_its_input_language(tiny_bart_summarizer: Path) -> None:
    with pytest.raises(ModelError, match="--route via-translation"):
        summarize_documents(ARTICLE, summarizer(tiny_bart_summarizer), "en",
                            route="cross-lingual")


def test_auto_takes_a_seq2seq_summarizer_via_translation(tiny_bart_summarizer: Path,
                                                         tiny_marian: Path) -> None:
    """German into English with an English summarizer: tk translates first (the Marian
    model), summarizes the translation, and still checks numbers against the German."""
    from toolkit.tasks import Translator

    translator = Translator(load_backend(str(tiny_marian)))
    run = summarize_documents(ARTICLE, summarizer(tiny_bart_summarizer), "en", max_words=30,
                              translator=translator, glossary=GLOSSARY)
    (record,) = run.records
    assert record.route == "via-translation" and "seq2seq summarizer" in record.route_reason
    assert record.checks is not None and "coverage" in record.checks
    assert isinstance(record.checks["words_translated"], list)
    assert run.fingerprint is not None and "translation" in run.fingerprint


def test_a_catalog_summarizer_cannot_translate() -> None:
    from toolkit.models import resolve_model

    assert resolve_model("bart-large-cnn").tasks == ("summarize",)
    assert resolve_model("opus-mt-de-en").tasks == ("translate",)


# --- the CLI --------------------------------------------------------------------------------------


def test_cli_writes_summaries_and_records(tiny_chat: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("summarize", "--lang", "en", str(ROOT / "corpus" / "clean"), "--model",
                 str(tiny_chat), "--max-words", "30", "-o", str(out), "--window", "900")
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in (out / "summaries.jsonl").read_text().splitlines()]
    assert len(records) == 5 and {"doc", "lang", "model", "engine", "summary", "checks", "input",
                                  "length", "fingerprint"} <= set(records[0])
    assert all(r["length"]["measured"] <= 30 for r in records)
    assert len(list(out.glob("*.en.summary.txt"))) == 5
    assert "summaries: 5 document(s)" in result.stderr and "numbers:" in result.stderr
    # auto: a chat model not in the catalog goes via tk's translation, with its reason
    assert {r["route"] for r in records} == {"via-translation"}
    assert all("not measured" in r["route_reason"] for r in records)
    assert all(r["input"]["selected"] <= r["input"]["segments"] for r in records)
    assert all(0 <= r["checks"]["coverage"]["share"] <= 1 for r in records)
    run_json = json.loads((out / "run.json").read_text())
    assert run_json["route"] == "via-translation"
    assert run_json["translation"]["task"]["name"] == "translate"  # its fingerprint travels


def test_cli_cross_lingual_route_and_whole_documents(tiny_chat: Path) -> None:
    article = str(ROOT / "corpus" / "clean" / "002_efe5a641e6ba587c.txt")
    result = run("summarize", "--to", "en", article, "--model", str(tiny_chat), "--max-words",
                 "30", "--route", "cross-lingual", "--no-select", "-o", "-", "-q")
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert record["route"] == "cross-lingual" and record["route_reason"] == "asked for (--route)"
    assert record["input"]["selected"] == record["input"]["segments"]
    assert record["checks"]["coverage"]["basis"] == "names and numbers"
    bad = run("summarize", "--to", "en", article, "--route", "sideways")
    assert bad.exit_code == 2 and "sideways" in bad.output


def test_cli_streams_jsonl_and_reads_stdin(tiny_chat: Path) -> None:
    result = run("summarize", "--lang", "zh", "-", "--model", str(tiny_chat), "--max-chars", "50",
                 "-o", "-", "-q", input="Alibaba hat Qwen3.5 vorgestellt. Die Aktie stieg.")
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert record["doc"] == "stdin" and record["length"]["measured"] <= 50


def test_cli_summarizes_tks_own_translations(tiny_chat: Path, tiny_marian: Path,
                                              tmp_path: Path) -> None:
    translated = tmp_path / "en"
    assert run("translate", "--to", "en", str(ROOT / "corpus" / "clean" / "002_efe5a641e6ba587c.txt"),
               "--model", str(tiny_marian), "-o", str(translated), "-q").exit_code == 0
    result = run("summarize", "--lang", "en", "--from-translation", str(translated), "--model",
                 str(tiny_chat), "--max-words", "30", "-o", "-", "-q")
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert record["route"] == "via-translation"


@pytest.mark.parametrize("args,needle", [
    (["--lang", "zh", "--max-words", "50"], "--max-chars"),
    (["--lang", "en", "--max-chars", "50"], "--max-words"),
    (["--lang", "en", "--max-words", "10", "--max-chars", "20"], "not both"),
    (["--lang", "en", "--from-translation", "/no/such"], "no translations.jsonl"),
])
def test_cli_bad_options_are_one_line(args: list[str], needle: str, tiny_chat: Path) -> None:
    paths = [] if "--from-translation" in args else [str(ROOT / "corpus" / "clean")]
    result = run("summarize", *paths, *args, "--model", str(tiny_chat))
    assert result.exit_code == 1 and needle in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_refuses_empty_input_and_wrong_models(tiny_marian: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run("summarize", "--lang", "en", str(empty), "--model", str(tiny_marian))
    assert result.exit_code == 1 and "empty" in result.output
    article = str(ROOT / "corpus" / "clean" / "002_efe5a641e6ba587c.txt")
    result = run("summarize", "--lang", "en", article, "--model", str(tiny_marian), "-o",
                 str(tmp_path / "o"))
    assert result.exit_code == 1 and "not a summarizer" in result.output
    assert not (tmp_path / "o").exists()
    assert run("summarize", "--lang", "fr", article).exit_code == 2


def test_score_summaries_reads_tks_summaries(tiny_chat: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("summarize", "--lang", "en", str(ROOT / "corpus" / "clean"), "--model", str(tiny_chat),
               "--max-words", "30", "-o", str(out), "-q", "--window", "900").exit_code == 0
    result = run("score", "summaries", str(out / "summaries.jsonl"), "--refs",
                 str(ROOT / "eval" / "refs"), "--lang", "en", "--bootstrap", "20",
                 "--no-language-check")
    assert result.exit_code == 0, result.output
    assert "rouge1" in result.output.lower()


def test_inputs_from_documents_keeps_segments() -> None:
    (item,) = inputs_from_documents(ARTICLE)
    assert item.segments and item.source == ARTICLE[0].text and item.lang == "de"


@pytest.mark.parametrize("command,model,needle", [
    (["translate", "--to", "en"], "facebook/bart-large-cnn", "summarize model, not for tk translate"),
    (["translate", "--to", "en"], "mt5-xlsum", "summarize model, not for tk translate"),
    (["summarize", "--lang", "en"], "opus-mt-de-en", "translate model, not for tk summarize"),
])
def test_a_catalog_model_for_another_task_is_refused_before_loading(command: list[str], model: str,
                                                                    needle: str) -> None:
    """Refused from the catalog alone: offline, loading would fail on the Hub first."""
    result = run(*command, str(ROOT / "corpus" / "clean"), "--model", model)
    assert result.exit_code == 1 and needle in result.output
    assert "unreachable" not in result.output


def test_a_summary_that_repeats_itself_is_a_problem() -> None:
    from toolkit.summarize import repeated_stretch

    loop = ("The company will invest in a second phase of growth. " * 3).strip()
    assert repeated_stretch(loop) == "the company will invest in a"
    assert repeated_stretch("2023年2月，该计划已被批准。" * 4)
    assert repeated_stretch("Die Aktie stieg. Die Aktie stieg.") is None  # twice is not a loop
    assert repeated_stretch(loop, source=loop) is None  # the source says it three times too
    check = check_summary(loop, SOURCE, "en", GLOSSARY)
    assert check.to_dict()["repeated"] and check.problems >= 2


def test_a_loops_copies_are_dropped_and_counted() -> None:
    from toolkit.summarize import drop_repeats

    text = ("Alibaba grows. The company will invest in a second phase of growth. It said it "
            "will invest in a second phase of growth again. Then it will invest in a second "
            "phase of growth.")
    kept, dropped = drop_repeats(text, "will invest in a second phase", "paragraph")
    assert dropped == 2
    assert kept == "Alibaba grows. The company will invest in a second phase of growth."
    assert drop_repeats("- a b c\n- a b c", "a b c", "bullets") == ("- a b c", 1)


def test_an_empty_summary_never_wins_a_retry() -> None:
    flawed = check_summary("Alibaba invests 380 million yuan in KI.", SOURCE, "en", GLOSSARY)
    empty = check_summary("", SOURCE, "en", GLOSSARY)
    assert flawed.problems >= 2 and empty.problems > flawed.problems


def test_a_summary_that_copies_the_renderings_list_is_a_failure() -> None:
    echo = check_summary("KI: 人工智能 Alibaba: 阿里巴巴 Nvidia: 英伟达 Yuan: 元", SOURCE_WITH_NVIDIA, "zh",
                         GLOSSARY)
    assert echo.echoed and echo.problems >= 100
    fine = check_summary("阿里巴巴向人工智能投资3800亿元。", SOURCE_WITH_NVIDIA, "zh", GLOSSARY)
    assert not fine.echoed


SOURCE_WITH_NVIDIA = SummaryInput("d", "", "de", "Alibaba investiert 380 Milliarden Yuan in KI; "
                                  "Nvidia liefert Chips.", "de")
