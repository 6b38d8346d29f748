"""report.html as a person sees it: rendered by headless Chromium (Debian's `chromium`; the
test skips where no browser is installed), offline, from a tiny-model run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.report import problems

ROOT = Path(__file__).resolve().parent.parent
BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(b)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium installed "
                                "(apt-get install chromium)")


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import build_causal_lm

    work = tmp_path_factory.mktemp("report")
    model = build_causal_lm(work / "chat-4k", size={"max_position_embeddings": 4096})
    out = work / "run"
    result = CliRunner().invoke(main, ["run", str(ROOT / "corpus"), "--to", "en", "-m",
                                       str(model), "--refs", str(ROOT / "eval" / "refs"),
                                       "--max-words", "40", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def browse(url: str, *flags: str) -> str:
    """What Chromium makes of the page: the DOM after its scripts ran (no network at all)."""
    done = subprocess.run([str(BROWSER), "--headless", "--no-sandbox", "--disable-gpu",
                           "--proxy-server=127.0.0.1:9", *flags, url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def visible(dom: str) -> str:
    dom = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", dom, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", dom).split())


@pytest.mark.slow
def test_chromium_shows_the_scores_the_flagged_segments_and_a_marked_problem(
        run_folder: Path, tmp_path: Path) -> None:
    page = run_folder / "report.html"
    dom = browse(page.as_uri(), "--dump-dom")
    text = visible(dom)
    scores = json.loads((run_folder / "scores-en.json").read_text(encoding="utf-8"))
    system = scores["translations"]["systems"][0]["scores"]
    for metric, label in (("bleu", "BLEU"), ("chrf", "chrF")):
        assert f"{label} {system[metric]['score']:.2f} [{system[metric]['low']:.2f}," in text
    records = [json.loads(line) for line in
               (run_folder / "translate-en" / "translations.jsonl").read_text().splitlines()]
    flagged = sum(1 for r in records if problems(r))
    wrong = sum(1 for r in records if r["checks"]["language"].get("ok") is False)
    assert f"en 5 248 {flagged} {wrong} 5" in text
    assert dom.count('class="seg bad"') == flagged
    first = next(r for r in records if r["checks"].get("untranslated_words"))
    word = first["checks"]["untranslated_words"][0]
    assert f'<mark class="german">{word}</mark>' in dom  # marked in place, in the translation

    # The filter: a link to #only-problems opens the page with only the flagged segments.
    filtered = browse(page.as_uri() + "#only-problems", "--dump-dom")
    assert re.search(r'<body class="only-problems">', filtered)

    shot = tmp_path / "report.png"
    browse(page.as_uri(), f"--screenshot={shot}", "--window-size=1280,1600",
           "--hide-scrollbars")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
