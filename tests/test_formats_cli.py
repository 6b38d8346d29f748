"""`tk translate` over HTML, Markdown and XLIFF, `tk tm export` and `--tm`, end to end on tiny
random-weight models (whose output drops most placeholders: what tk does then is the test)
and on a translation memory (exact matches reuse known translations without the model, so the
markup must come back exactly)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_formats import MARKDOWN, PAGE, XLIFF2, _codes, _shape, _tree
from toolkit.cli import main
from toolkit.documents import load_documents
from toolkit.formats.tags import writable
from toolkit.formats.tmx import Unit, write_tmx
from toolkit.segments import segment_documents

pytest.importorskip("translate.storage.xliff2")


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _memory(tmp_path: Path, *inputs: Path, lang: str = "en") -> Path:
    """A TMX whose target for each segment is the German with 'Alibaba' marked, placeholders
    kept: what a translator's memory holds for these documents."""
    segments = segment_documents(load_documents([str(p) for p in inputs]))
    units = [Unit(s.id, {"de": s.text, lang: s.text.replace("Alibaba", "ALIBABA")}) for s in segments]
    path = tmp_path / "memory.tmx"
    path.write_bytes(write_tmx(units, "de"))
    return path


def test_html_through_a_tiny_model_parses_keeps_every_kept_element_and_says_what_was_lost(
        tiny_marian, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    before = _files(tmp_path)
    out = tmp_path / "out"
    result = _run("translate", "--to", "en", str(page), "--model", str(tiny_marian), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert _files(tmp_path) - before <= {"out", *(f"out/{f}" for f in _files(out))}
    html = (out / "page.en.html").read_bytes()
    source_tags = [tag for tag, _ in _tree(PAGE.encode())]
    output_tags = [tag for tag, _ in _tree(html)]  # parses without errors
    kept = [t for t in source_tags if t not in ("a", "em", "strong")]
    assert [t for t in output_tags if t not in ("a", "em", "strong")] == kept
    text = html.decode()
    for unchanged in ("<code>pip install qwen</code>", "<pre>Code hier</pre>", 'src="logo.png"',
                      '<p translate="no">Nicht übersetzen</p>', "https://qwen.ai/research",
                      'var t = "nicht übersetzen";'):
        assert unchanged in text
    records = _records(out / "translations.jsonl")
    tagged = [r for r in records if "<g" in r["source"] or "<x" in r["source"]]
    assert tagged and all("markup" in r["checks"] for r in tagged)
    for r in tagged:  # what the output lacks is a problem in the record, never silent
        lost = r["checks"]["markup"]["problems"]
        for tag in ("<g1>", "<g2>"):
            if tag in r["source"] and tag not in r["translation"]:
                assert any(p.startswith(tag) for p in lost), r


def test_html_from_a_translation_memory_keeps_the_tag_tree_and_the_model_is_not_asked(
        tiny_marian, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    memory = _memory(tmp_path, page)
    out = tmp_path / "out"
    result = _run("translate", "--to", "en", str(page), "--model", str(tiny_marian), "--tm",
                  str(memory), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    html = (out / "page.en.html").read_bytes()
    assert _tree(html) == _tree(PAGE.encode())
    assert 'ALIBABA hat am Montag sein <a href="https://qwen.ai/blog"' in html.decode()
    records = _records(out / "translations.jsonl")
    assert {r["tm"] for r in records} == {"exact"}
    assert all(r["checks"]["language"] for r in records)  # still checked
    assert json.loads((out / "run.json").read_text())["new_tokens"] == 0


def test_markdown_from_a_translation_memory_keeps_its_structure(tiny_marian, tmp_path):
    doc = tmp_path / "a.md"
    doc.write_text(MARKDOWN, encoding="utf-8")
    memory = _memory(tmp_path, doc)
    result = _run("translate", "--to", "en", str(doc), "--model", str(tiny_marian), "--tm",
                  str(memory), "-q")  # no -o: the document on stdout, in its format
    assert result.exit_code == 0, result.output
    assert _shape(result.stdout) == _shape(MARKDOWN)


def test_markdown_through_a_tiny_model_keeps_code_and_structure_around_the_words(tiny_marian, tmp_path):
    doc = tmp_path / "a.md"
    doc.write_text(MARKDOWN, encoding="utf-8")
    out = tmp_path / "out"
    result = _run("translate", "--to", "en", str(doc), "--model", str(tiny_marian), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    text = (out / "a.en.md").read_text(encoding="utf-8")
    assert '```python\nprint("nicht übersetzen")\n```' in text
    emphasis = {"em_open:*", "em_close:*", "strong_open:**", "strong_close:**", "link_open:", "link_close:"}
    assert [t for t in _shape(text) if t not in emphasis] == [t for t in _shape(MARKDOWN) if t not in emphasis]


def test_xliff_round_trip_keeps_every_unit_id_code_and_note(tiny_marian, tmp_path):
    from lxml import etree
    from translate.storage.xliff2 import Xliff2File

    source = tmp_path / "strings.xlf"
    source.write_bytes(XLIFF2)
    out = tmp_path / "out"
    result = _run("translate", "--to", "en", str(source), "--model", str(tiny_marian), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    written = (out / "strings.en.xlf").read_bytes()
    before, after = Xliff2File.parsestring(XLIFF2), Xliff2File.parsestring(written)
    assert [u.getid() for u in after.units] == [u.getid() for u in before.units]
    assert [bool(u.target) for u in after.units] == [True, True, True, False]
    assert after.units[2].target == "Already translated."  # a final target is not touched
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    root = etree.fromstring(written)
    assert [n.get("category") for n in root.iterfind(".//x:unit[@id='u2']/x:notes/x:note", ns)
            ][0] == "context"  # the file's own note kept, first
    notes = root.findall(".//x:note", ns)
    records = _records(out / "translations.jsonl")
    with_problems = [r for r in records if r["checks"]["markup"]["problems"] or not r["checks"]["language"]["ok"]]
    assert len([n for n in notes if n.get("category") == "tk"]) >= len(with_problems)
    # from a translation memory every inline code comes back, with its id
    memory = _memory(tmp_path, source)
    result = _run("translate", "--to", "en", str(source), "--model", str(tiny_marian), "--tm",
                  str(memory), "-o", str(tmp_path / "tm"), "-q")
    assert result.exit_code == 0, result.output
    filled = Xliff2File.parsestring((tmp_path / "tm" / "strings.en.xlf").read_bytes())
    for u_before, u_after in zip(before.units[:2], filled.units[:2], strict=True):
        assert _codes(u_after.rich_target) == _codes(u_before.rich_source) != []


def test_any_input_as_xliff_and_a_run_as_a_memory_that_the_next_run_reuses(tiny_marian, tmp_path):
    from translate.storage.xliff2 import Xliff2File

    article = tmp_path / "a1.txt"
    article.write_text("Titel\n\nDer Kurs fiel. Alibaba stieg.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _run("translate", "--to", "en", str(article), "--model", str(tiny_marian), "-o",
                  str(out), "--format", "xliff", "-q")
    assert result.exit_code == 0, result.output
    units = Xliff2File.parsestring((out / "a1.en.xlf").read_bytes()).units
    records = _records(out / "translations.jsonl")
    # (less what no XML file can hold: a random model writes control characters)
    assert [(u.source, u.target) for u in units] == [(r["source"], writable(r["translation"]))
                                                     for r in records]
    tmx = tmp_path / "tm.tmx"
    result = _run("tm", "export", str(out), "-o", str(tmx))
    assert result.exit_code == 0, result.output
    again = tmp_path / "again"
    result = _run("translate", "--to", "en", str(article), "--model", str(tiny_marian), "--tm",
                  str(tmx), "-o", str(again), "-q")
    assert result.exit_code == 0, result.output
    reused = _records(again / "translations.jsonl")
    assert [(r["translation"], r["tm"]) for r in reused] == [
        (" ".join(writable(r["translation"]).split()), "exact") for r in records]


def test_fuzzy_matches_go_to_a_chat_model_as_an_example(tiny_chat, tmp_path):
    article = tmp_path / "a1.txt"
    article.write_text("Der Kurs fiel um 5,10 Prozent.\n", encoding="utf-8")
    memory = tmp_path / "tm.tmx"
    memory.write_bytes(write_tmx([Unit("1", {"de": "Der Kurs fiel um 6,22 Prozent.",
                                             "en": "The price fell by 6.22 percent."})], "de"))
    result = _run("translate", "--to", "en", str(article), "--model", str(tiny_chat), "--tm",
                  str(memory), "--tm-fuzzy", "0.75", "-o", "-", "-q", "--no-glossary")
    assert result.exit_code == 0, result.output
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["tm"].startswith("fuzzy 0.")


@pytest.mark.parametrize(("name", "data", "words"), [
    ("bad.xlf", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xliff>&e;</xliff>',
     ["bad.xlf:1:", "refused"]),
    ("bad.html", b"<p>Ein Satz.</div>", ["bad.html:1:", "malformed HTML"]),
    ("old.xlf", b'<xliff version="1.0" xmlns="urn:oasis:names:tc:xliff:document:1.0"/>',
     ["unknown XLIFF version '1.0'"]),
])
def test_a_hostile_or_broken_file_is_one_line_and_nothing_is_written(tiny_marian, tmp_path, name, data, words):
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "out"
    result = _run("translate", "--to", "en", str(path), "--model", str(tiny_marian), "-o", str(out))
    assert result.exit_code == 1
    line = result.output.strip().splitlines()[-1]
    assert "Traceback" not in result.output
    for word in words:
        assert word in line
    assert not (out / "translations.jsonl").exists()


def test_tm_options_are_checked_where_they_enter(tmp_path):
    result = _run("translate", "--to", "en", "x.txt", "--tm-fuzzy", "0.8")
    assert result.exit_code != 0 and "--tm-fuzzy needs --tm" in result.output
    result = _run("tm", "export", str(tmp_path), "-o", str(tmp_path / "tm.tmx"))
    assert result.exit_code == 1 and "no translations.jsonl" in result.output


def test_a_chat_model_is_asked_to_keep_tags_and_shown_the_memory_match_as_an_earlier_turn(tiny_chat):
    from toolkit.tasks.translator import USER_PROMPT, TranslationRequest
    from toolkit.translate import load_translator

    translator = load_translator(str(tiny_chat), "en")
    plain = translator.messages(TranslationRequest("Der Kurs fiel.", "de", "en"))
    assert plain == (("user", USER_PROMPT.format(source="German", target="English",
                                                 text="Der Kurs fiel.")),)  # asked as before
    tagged = translator.messages(TranslationRequest(
        "Der <g1>Kurs</g1> fiel.", "de", "en", examples=(("Der Preis fiel.", "The price fell."),)))
    assert [role for role, _ in tagged] == ["user", "assistant", "user"]
    assert "Der Preis fiel." in tagged[0][1] and tagged[1][1] == "The price fell."
    assert "Keep every tag" in tagged[2][1] and "Der <g1>Kurs</g1> fiel." in tagged[2][1]
