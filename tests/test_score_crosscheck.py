"""tk's scores against numbers nobody here wrote: the official WMT23 sacreBLEU scores,
ROUGE-1.5.5's own output, the Klexikon authors' published ROUGE, and sacreBLEU's paired
bootstrap. Data and attribution: tests/data/score/ATTRIBUTION.md."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from toolkit.score import (
    RougeConfig,
    paired_bootstrap,
    rouge_scores,
    score_summaries,
    score_translations,
)
from toolkit.score.metrics import corpus_metric, sacrebleu_metric

DATA = Path(__file__).parent / "data" / "score"
WMT = DATA / "wmt23"
SYSTEMS = ["ONLINE-W", "GPT4-5shot", "AIRC"]


def official_wmt23_scores() -> dict[tuple[str, str], float]:
    with (WMT / "automatic-scores.de-en.tsv").open(encoding="utf-8") as f:
        return {(r["system"], r["metric"]): float(r["score"]) for r in csv.DictReader(f, delimiter="\t")}


@pytest.fixture(scope="module")
def wmt_report():
    hyps = [WMT / f"generaltest2023.de-en.hyp.{s}.en" for s in SYSTEMS]
    return score_translations(hyps, WMT / "generaltest2023.de-en.ref.refA.en", lang="en",
                              metrics="bleu,chrf", compare=True, n_samples=200)


@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.parametrize("metric", ["bleu", "chrf"])
def test_wmt23_scores_equal_the_official_ones(wmt_report, system, metric):
    official = official_wmt23_scores()[(system, f"{metric}-refA")]
    assert wmt_report.score(system, metric) == pytest.approx(official, abs=5e-4)  # the TSV's 3 decimals, and more
    assert round(wmt_report.score(system, metric), 3) == round(official, 3)


def test_wmt23_published_values_as_quoted():
    # The numbers as the issue quotes them, so a changed fixture cannot pass silently.
    official = official_wmt23_scores()
    quoted = {"ONLINE-W": (51.765, 72.068), "GPT4-5shot": (47.873, 69.845), "AIRC": (32.351, 57.213)}
    for system, (bleu, chrf) in quoted.items():
        assert round(official[(system, "bleu-refA")], 3) == bleu
        assert round(official[(system, "chrf-refA")], 3) == chrf


def test_wmt23_signatures_are_sacrebleus(wmt_report):
    assert wmt_report.signatures["bleu"] == "BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:" + \
        __import__("sacrebleu").__version__
    assert wmt_report.signatures["chrf"].startswith("chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|")


def test_wmt23_ranking_and_significance(wmt_report):
    by_bleu = sorted(SYSTEMS, key=lambda s: -wmt_report.score(s, "bleu"))
    assert by_bleu == ["ONLINE-W", "GPT4-5shot", "AIRC"]
    for c in wmt_report.comparisons:
        assert c.baseline == "ONLINE-W" and c.delta < 0 and c.significant
        assert c.delta_low <= c.delta <= c.delta_high


def test_paired_bootstrap_p_values_equal_sacrebleus():
    from sacrebleu.significance import PairedTest

    ref = (WMT / "generaltest2023.de-en.ref.refA.en").read_text(encoding="utf-8").splitlines()[:120]
    a = (WMT / "generaltest2023.de-en.hyp.GPT4-5shot.en").read_text(encoding="utf-8").splitlines()[:120]
    b = (WMT / "generaltest2023.de-en.hyp.ONLINE-W.en").read_text(encoding="utf-8").splitlines()[:120]
    test = PairedTest([("a", a), ("b", b)], {"BLEU": sacrebleu_metric("bleu", "en")}, [ref],
                      test_type="bs", n_samples=300)
    _, results = test()
    expected = results["BLEU"][1]
    ca, cb = (corpus_metric("bleu", x, [ref], "en") for x in (a, b))
    ours = paired_bootstrap(ca.stats, cb.stats, ca.score_from_stats, n_samples=300, seed=12345)
    assert ours.system_score == pytest.approx(expected.score)
    assert ours.p_value == pytest.approx(expected.p_value)


# --- ROUGE-1.5.5 -----------------------------------------------------------------------

ROUGE155 = json.loads((DATA / "rouge155" / "expected_rouge155.json").read_text(encoding="utf-8"))
TARGETS = (DATA / "rouge155" / "target.txt").read_text(encoding="utf-8").splitlines()
PREDICTIONS = (DATA / "rouge155" / "prediction.txt").read_text(encoding="utf-8").splitlines()
CASES = [(section, line, rtype) for section in ("no_stemming", "porter_stemming")
         for line in ROUGE155[section] for rtype in ROUGE155[section][line]]


@pytest.mark.parametrize(("section", "line", "rouge_type"), CASES)
def test_rouge_equals_rouge155(section, line, rouge_type):
    i = int(line.removeprefix("line"))
    config = RougeConfig(tokenizer="ascii", stemmer="porter" if section == "porter_stemming" else "none",
                         rouge_types=(rouge_type,))
    p, r, f = rouge_scores([PREDICTIONS[i]], [[TARGETS[i]]], config).values[rouge_type][0] / 100
    expected = ROUGE155[section][line][rouge_type]
    assert (round(p, 5), round(r, 5), round(f, 5)) == (expected["P"], expected["R"], expected["F"])


# --- Klexikon (German) -----------------------------------------------------------------

def published_klexikon(baseline: str = "lead_3") -> dict[str, tuple[float, float, float]]:
    text = (DATA / "klexikon" / "validation_rouge_scores.txt").read_text(encoding="utf-8")
    block = text.split(f"baselines_validation/{baseline}:")[1].split("Results for")[0]
    out = {}
    for rtype, body in re.findall(r"-+(rouge\w+) -+\n(.*?)(?=-{5,}rouge|\Z)", block, flags=re.S):
        low, mid, high = map(float, re.search(r"F1\s*\|\s*low:\s*([\d.]+), mid:\s*([\d.]+), high:\s*([\d.]+)",
                                               body).groups())
        out[rtype] = (low, mid, high)
    return out


def test_klexikon_lead3_reproduces_published_rouge():
    """The authors scored with rouge_score, Cistem swapped in for Porter, bootstrap mid."""
    published = published_klexikon()
    assert {k: v[1] for k, v in published.items()} == {"rouge1": 17.15, "rouge2": 3.80, "rougeL": 9.91}
    report = score_summaries([DATA / "klexikon" / "lead_3.de.jsonl.gz"], DATA / "klexikon" / "references.de.jsonl.gz",
                             lang="de", metrics="rouge1,rouge2,rougeL", tokenizer="ascii", stemmer="cistem")
    assert report.systems[0].items == 274
    for rtype, (low, mid, high) in published.items():
        ours = report.system("lead-3").scores[rtype]
        assert low <= ours.detail["mid"] <= high
        assert ours.detail["mid"] == pytest.approx(mid, abs=0.15), rtype  # bootstrap noise: CI half-width ~0.3-0.7
    assert "tok:ascii|stem:cistem" in report.signatures["rouge1"]


# --- Chinese ---------------------------------------------------------------------------

ZH = "欧洲央行宣布将利率上调0.25个百分点，以应对持续的通货膨胀。"


@pytest.mark.parametrize("tokenizer", ["zh-char", "jieba"])
def test_identical_chinese_scores_rouge_100(tokenizer):
    config = RougeConfig(tokenizer=tokenizer)
    values = rouge_scores([ZH], [[ZH]], config).values
    for rtype, v in values.items():
        assert v[0].tolist() == pytest.approx([100.0, 100.0, 100.0]), rtype


def test_rouge_score_default_tokenizer_gives_chinese_zero():
    # Why tk brings its own tokenizers: rouge_score keeps only [a-z0-9].
    from rouge_score import rouge_scorer

    plain = rouge_scorer.RougeScorer(["rouge1", "rougeL"]).score("北京是中国的首都。", "北京是中国的首都。")
    assert plain["rouge1"].fmeasure == 0.0 and plain["rougeL"].fmeasure == 0.0
    ours = rouge_scores(["北京是中国的首都。"], [["北京是中国的首都。"]], RougeConfig.for_language("zh"))
    assert ours.f("rouge1")[0] == pytest.approx(100.0)
