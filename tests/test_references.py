"""The reference sets in eval/refs line up with the corpus and keep terms and numbers right."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEGMENTS = [json.loads(line) for line in (ROOT / "corpus/clean/segments.jsonl").open(encoding="utf-8")]
DOCS = sorted({s["doc"] for s in SEGMENTS})


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_segment_has_one_reference_in_order(lang):
    refs = _records(ROOT / f"eval/refs/translations/{lang}.jsonl")
    assert [r["id"] for r in refs] == [s["id"] for s in SEGMENTS]
    for ref, seg in zip(refs, SEGMENTS):
        assert ref["source"] == seg["text"]
        assert ref["doc"] == seg["doc"]
        assert ref["reference"].strip(), f"empty reference for {ref['id']}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_at_least_two_independent_summaries_per_document(lang):
    summaries = _records(ROOT / f"eval/refs/summaries/{lang}.jsonl")
    for doc in DOCS:
        mine = [s for s in summaries if s["doc"] == doc]
        assert len({s["ref"] for s in mine}) >= 2, doc
        texts = [s["summary"].strip() for s in mine]
        assert all(texts) and len(set(texts)) == len(texts), doc


def test_chinese_references_are_chinese():
    from toolkit.qa.language import check_language

    refs = _records(ROOT / "eval/refs/translations/zh.jsonl")
    wrong = [r["id"] for r in refs if not check_language(r["reference"], "zh", source=r["source"]).ok]
    assert not wrong


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_references_keep_the_numbers_of_the_source(lang):
    from toolkit.qa.numbers import check_numbers

    refs = _records(ROOT / f"eval/refs/translations/{lang}.jsonl")
    bad = {}
    for r in refs:
        result = check_numbers(r["source"], r["reference"], source_lang="de", target_lang=lang)
        if result.mismatched:
            bad[r["id"]] = [str(m) for m in result.mismatched]
    assert not bad
