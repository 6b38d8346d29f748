"""HTML, Markdown, XLIFF and TMX: placeholders for inline markup, blocks read and written back,
checked by readers tk did not write (html5lib's and markdown-it's trees, translate-toolkit's
XLIFF and TMX stores: GPL, a test-only dependency), and hostile files refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.errors import InputError
from toolkit.formats import BlockResult, read_markup, render_markup
from toolkit.formats.tags import place_tags, strip_tags, tag_problems
from toolkit.formats.tmx import Unit, read_tmx, write_tmx
from toolkit.formats.xliff import write_xliff
from toolkit.segments import tagged_sentences
from toolkit.tm import TranslationMemory

translate_toolkit = pytest.importorskip("translate.storage.xliff2")

# --- placeholders -----------------------------------------------------------------------------

SOURCE = "Alibaba hat <g1>sein Modell <g2>Qwen3.5</g2></g1> vorgestellt.<x3/>"


@pytest.mark.parametrize(("output", "problems"), [
    ("Alibaba presented <g1>its model <g2>Qwen3.5</g2></g1>.<x3/>", []),
    ("<x3/><g1><g2>Qwen3.5</g2>, its model,</g1> was presented by Alibaba.", []),  # order may change
    ("Alibaba presented its model <g2>Qwen3.5</g2>.<x3/>", ["<g1> dropped (sein Modell Qwen3.5)"]),
    ("Alibaba presented <g1>its model <g2>Qwen3.5</g2></g1>.<x3/><x3/>", ["<x3/> twice"]),
    ("Alibaba <g4>presented</g4> <g1>its model <g2>Qwen3.5</g2></g1>.<x3/>", ["<g4> invented"]),
    ("Alibaba <g1>presented <g2>its</g1> model</g2>.<x3/>", ["</g1> closes across <g2>"]),
    ("Alibaba presented <g1>its model Qwen3.5.<x3/>",
     ["<g1> not closed", "<g2> dropped (Qwen3.5)", "<x3/> moved out of its pair"]),
])
def test_tag_problems_name_what_a_reader_would_see_broken(output, problems):
    assert tag_problems(SOURCE, output) == problems


def test_placement_puts_a_dropped_pair_around_its_words_and_a_kept_element_by_position():
    placed = place_tags(SOURCE, "Alibaba presented its model Qwen3.5.",
                        lambda words: ["its model Qwen3.5"] if words == "sein Modell Qwen3.5" else [])
    assert placed.text == "Alibaba presented <g1>its model <g2>Qwen3.5</g2></g1>.<x3/>"
    assert not tag_problems(SOURCE, placed.text)
    assert "<x3/> by position" in placed.placed and not placed.lost


def test_placement_never_guesses_words_it_cannot_find_and_says_so():
    placed = place_tags("Der <g1>Kurs</g1> fiel.", "The price fell.", lambda words: ["rate"])
    assert placed.text == "The price fell."
    assert placed.lost == ("<g1> 'Kurs'",)
    assert tag_problems("Der <g1>Kurs</g1> fiel.", placed.text) == ["<g1> dropped (Kurs)"]


def test_placement_removes_duplicated_and_invented_tags_keeping_their_words():
    placed = place_tags("Der <g1>Kurs</g1> fiel.", "The <g1>price</g1> <g1>fell</g1> <x9/>today.")
    assert placed.text == "The <g1>price</g1> fell today."


def test_sentences_are_never_cut_inside_a_pair_and_a_lone_code_stays_with_its_sentence():
    text = "Alibaba hat am <g1>Montag. Und dann</g1> sein Modell vorgestellt. Mehr unter <x2/> dazu. <x3/>"
    assert tagged_sentences(text) == [
        "Alibaba hat am <g1>Montag. Und dann</g1> sein Modell vorgestellt.",
        "Mehr unter <x2/> dazu. <x3/>"]


# --- HTML -------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>Alibaba stellt Qwen3.5 vor</title>
<script>var t = "nicht übersetzen";</script></head>
<body>
  <h1>Chinas Tech-Gigant präsentiert <em>Qwen3.5</em></h1>
  <p>Alibaba hat am Montag sein <a href="https://qwen.ai/blog" title="Blog von Qwen">KI-Modell</a> vorgestellt. Mehr unter https://qwen.ai/research dazu.</p>
  <ul>
    <li>Qwen3.5 ist ein <strong>Chatbot</strong> von Alibaba</li>
    <li>Start mit <code>pip install qwen</code><br>und fertig</li>
  </ul>
  <p translate="no">Nicht übersetzen</p>
  <img src="logo.png" alt="Das Logo von Alibaba">
  <pre>Code hier</pre>
</body>
</html>
"""


def _page(tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_html_blocks_hold_inline_markup_as_placeholders_and_skip_what_is_not_translated():
    markup = read_markup(PAGE.encode(), "html", "page.html")
    assert [(b.kind, b.text) for b in markup.blocks] == [
        ("heading", "Alibaba stellt Qwen3.5 vor"),
        ("heading", "Chinas Tech-Gigant präsentiert <g1>Qwen3.5</g1>"),
        ("text", "Alibaba hat am Montag sein <g1>KI-Modell</g1> vorgestellt. Mehr unter <x2/> dazu."),
        ("item", "Qwen3.5 ist ein <g1>Chatbot</g1> von Alibaba"),
        ("item", "Start mit <x1/><x2/>und fertig"),
        ("text", "Blog von Qwen"),  # title attribute
        ("text", "Das Logo von Alibaba"),  # alt attribute
    ]


def _tree(data: bytes) -> list[tuple[str, dict[str, str]]]:
    """Every element of a page as html5lib parses it: tag and attributes (translated ones and
    lang aside), in document order."""
    import html5lib

    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    root = parser.parse(data)
    assert not [e for e in parser.errors if e[1] != "expected-doctype-but-got-start-tag"], parser.errors
    return [(el.tag, {k: v for k, v in el.attrib.items() if k not in ("alt", "title", "lang")})
            for el in root.iter() if isinstance(el.tag, str)]


ENGLISH = {
    "Alibaba stellt Qwen3.5 vor": "Alibaba presents Qwen3.5",
    "Chinas Tech-Gigant präsentiert <g1>Qwen3.5</g1>": "China's tech giant presents <g1>Qwen3.5</g1>",
    "Alibaba hat am Montag sein <g1>KI-Modell</g1> vorgestellt. Mehr unter <x2/> dazu.":
        "More at <x2/>: on Monday Alibaba presented its <g1>AI model</g1>.",
    "Qwen3.5 ist ein <g1>Chatbot</g1> von Alibaba": "Qwen3.5 is a <g1>chatbot</g1> by Alibaba",
    "Start mit <x1/><x2/>und fertig": "Start with <x1/><x2/>and done",
    "Blog von Qwen": "Qwen's blog",
    "Das Logo von Alibaba": "Alibaba's logo",
}


def test_html_comes_back_with_the_same_tag_tree_and_the_translation_in_place():
    markup = read_markup(PAGE.encode(), "html", "page.html")
    out = render_markup(markup, [BlockResult(ENGLISH[b.text]) for b in markup.blocks], "en")
    assert _tree(out) == _tree(PAGE.encode())
    text = out.decode()
    assert '<a href="https://qwen.ai/blog" title="Qwen&#x27;s blog">AI model</a>' in text or \
        '<a href="https://qwen.ai/blog" title="Qwen\'s blog">AI model</a>' in text
    assert "More at https://qwen.ai/research: on Monday" in text  # the URL kept as written
    assert "<code>pip install qwen</code><br>and done" in text
    assert '<p translate="no">Nicht übersetzen</p>' in text and "<pre>Code hier</pre>" in text
    assert 'var t = "nicht übersetzen";' in text and 'alt="Alibaba\'s logo"' in text
    assert '<html lang="en">' in text


def test_html_fragment_stays_a_fragment():
    markup = read_markup(b"<p>Ein <b>kurzer</b> Satz.</p>", "html", "f.html")
    out = render_markup(markup, [BlockResult("A <g1>short</g1> sentence.")], "en")
    assert out == b"<p>A <b>short</b> sentence.</p>"


@pytest.mark.parametrize(("page", "words"), [
    (b"<p>Ein Satz.</div></p>", ["f.html:1:", "malformed HTML", "End tag (div)"]),
    (b'<!DOCTYPE html [<!ENTITY a "b">]><p>&a;</p>', ["f.html:1:", "malformed HTML"]),
    (b"<p>\xff</p>", ["f.html:1", "not UTF-8"]),
])
def test_malformed_or_hostile_html_is_one_line_with_its_position(page, words):
    with pytest.raises(InputError) as caught:
        read_markup(page, "html", "f.html")
    assert "\n" not in str(caught.value)
    for word in words:
        assert word in str(caught.value)


# --- Markdown ---------------------------------------------------------------------------------

MARKDOWN = """# Alibaba stellt *Qwen3.5* vor

Alibaba hat [sein Modell](https://qwen.ai/blog "Blog") am `Montag`
vorgestellt.\\
Mehr unter https://qwen.ai/research dazu.

- Punkt **eins**
- Punkt zwei

> Ein Zitat
> über zwei Zeilen

```python
print("nicht übersetzen")
```

| Kopf | Wert |
|---|---|
| Kurs *heute* | 6,22% |
"""


def _shape(text: str) -> list[str]:
    from markdown_it import MarkdownIt

    return [f"{t.type}:{t.markup}" for t in MarkdownIt("commonmark").enable("table").parse(text)
            if t.type != "inline"]


def test_markdown_is_written_back_over_its_own_lines_with_the_same_structure():
    markup = read_markup(MARKDOWN.encode(), "markdown", "a.md")
    texts = [b.text for b in markup.blocks]
    assert texts[0] == "Alibaba stellt <g1>Qwen3.5</g1> vor"
    assert texts[1] == "Alibaba hat <g1>sein Modell</g1> am <x2/> vorgestellt.<x3/>Mehr unter <x4/> dazu."
    assert "Kurs <g1>heute</g1>" in texts
    english = {
        texts[0]: "Alibaba presents <g1>Qwen3.5</g1>",
        texts[1]: "On <x2/> Alibaba presented <g1>its model</g1>.<x3/>More at <x4/>.",
        "Punkt <g1>eins</g1>": "Point <g1>one</g1>", "Punkt zwei": "Point two",
        "Ein Zitat über zwei Zeilen": "A quote on two lines", "Kopf": "Head", "Wert": "Value",
        "Kurs <g1>heute</g1>": "Price <g1>today</g1>",
    }
    out = render_markup(markup, [BlockResult(english[t]) for t in texts], "en").decode()
    assert _shape(out) == _shape(MARKDOWN)
    assert "# Alibaba presents *Qwen3.5*" in out
    assert 'On `Montag` Alibaba presented [its model](https://qwen.ai/blog "Blog").\\\nMore at https://qwen.ai/research.' in out
    assert '```python\nprint("nicht übersetzen")\n```' in out
    assert "> A quote on two lines\n" in out and "| Price *today* | 6,22% |" in out


def test_markdown_text_that_would_become_markup_is_escaped():
    markup = read_markup(b"Ein Satz.\n", "markdown", "a.md")
    out = render_markup(markup, [BlockResult("- 3 * 4 = [twelve]")], "en").decode()
    assert _shape(out) == _shape("Ein Satz.\n")  # still one paragraph, no list, no emphasis


# --- XLIFF ------------------------------------------------------------------------------------

XLIFF2 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="de-DE" trgLang="en">
  <file id="f1" original="article.html">
    <unit id="title">
      <segment id="s1"><source>Alibaba stellt <pc id="1" dataRefStart="d1">Qwen3.5</pc> vor</source></segment>
    </unit>
    <unit id="u2">
      <notes><note category="context">Lead of the article</note></notes>
      <segment id="s1"><source>Der Kurs fiel um 6,22%.<ph id="2"/></source></segment>
      <segment id="s2" state="final"><source>Schon übersetzt.</source><target>Already translated.</target></segment>
    </unit>
    <unit id="u3" translate="no"><segment><source>Qwen3.5-397B-A17B</source></segment></unit>
  </file>
</xliff>
""".encode()


def _codes(rich) -> list[tuple[str, str]]:
    """(element, id) of each inline code translate-toolkit finds in a rich string."""
    out: list[tuple[str, str]] = []

    def walk(node) -> None:
        xml = getattr(node, "xml_node", None)
        if xml is not None:
            out.append((xml.tag.rpartition("}")[2], xml.get("id")))
        for sub in getattr(node, "sub", []):
            if not isinstance(sub, str):
                walk(sub)

    for part in rich:
        walk(part)
    return out


def test_xliff2_targets_filled_and_read_back_by_translate_toolkit():
    from lxml import etree
    from translate.storage.xliff2 import Xliff2File

    markup = read_markup(XLIFF2, "xliff", "a.xlf")
    assert [b.text for b in markup.blocks] == ["Alibaba stellt <g1>Qwen3.5</g1> vor",
                                               "Der Kurs fiel um 6,22%.<x1/>"]
    assert (markup.source_lang, markup.target_lang) == ("de", "en")
    out = render_markup(markup, [BlockResult("Alibaba presents <g1>Qwen3.5</g1>"),
                                 BlockResult("The price fell by 6.22%.<x1/>",
                                             ("term missing: Kurs → share price",))], "en")
    before, after = Xliff2File.parsestring(XLIFF2), Xliff2File.parsestring(out)
    assert [u.getid() for u in after.units] == [u.getid() for u in before.units]
    targets = {u.getid(): u.target for u in after.units}
    assert targets == {"title::s1": "Alibaba presents Qwen3.5", "u2::s1": "The price fell by 6.22%.",
                       "u2::s2": "Already translated.", "u3": None}
    for u_before, u_after in zip(before.units, after.units, strict=True):
        if u_after.target and u_after.getid() != "u2::s2":
            assert _codes(u_after.rich_target) == _codes(u_before.rich_source)
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    root = etree.fromstring(out)
    assert [s.get("state") for s in root.iterfind(".//x:segment", ns)] == [
        "translated", "translated", "final", None]
    assert root.find(".//x:pc", ns).get("dataRefStart") == "d1"  # attributes of codes kept
    notes = [(n.get("category"), n.text) for n in root.iterfind(".//x:unit[@id='u2']//x:note", ns)]
    assert notes == [("context", "Lead of the article"),
                     ("tk", "segment s1: term missing: Kurs → share price")]
    assert root.find(".//x:segment[@subState]", ns).get("subState") == "tk:check"


def test_xliff_1_x_as_translate_toolkit_writes_it_is_read_and_filled_in_its_own_version():
    from translate.storage import xliff

    store = xliff.xlifffile(sourcelanguage="de", targetlanguage="en")
    store.addsourceunit("Hallo Welt").setid("greeting")
    store.addsourceunit("Zweiter Satz.").setid("second")
    markup = read_markup(bytes(store), "xliff", "old.xlf")
    assert [b.text for b in markup.blocks] == ["Hallo Welt", "Zweiter Satz."]
    out = render_markup(markup, [BlockResult("Hello world"), BlockResult("Second sentence.", ("x: y",))], "en")
    back = xliff.xlifffile.parsestring(out)
    assert [(u.getid().rpartition("\x04")[2], u.source, u.target) for u in back.units] == [
        ("greeting", "Hallo Welt", "Hello world"), ("second", "Zweiter Satz.", "Second sentence.")]
    assert back.units[1].getnotes() == "x: y"


def test_any_document_as_xliff2_read_by_translate_toolkit():
    from translate.storage.xliff2 import Xliff2File

    data = write_xliff("a1", "a1.txt", "de", "en", [
        [("s1", "Alibaba stellt <g1>Qwen3.5</g1> vor.", "Alibaba presents <g1>Qwen3.5</g1>.", ())],
        [("s1", "Der Kurs fiel.", "The price fell.", ("term missing: Kurs",)),
         ("s2", "Mehr unter <x1/>.", "More at <x1/>.", ())]])
    units = Xliff2File.parsestring(data).units
    assert [(u.getid(), u.source, u.target) for u in units] == [
        ("u1::s1", "Alibaba stellt Qwen3.5 vor.", "Alibaba presents Qwen3.5."),
        ("u2::s1", "Der Kurs fiel.", "The price fell."), ("u2::s2", "Mehr unter .", "More at .")]
    assert _codes(units[0].rich_target) == [("pc", "1")] and _codes(units[2].rich_target) == [("ph", "1")]
    assert b'<note category="tk" appliesTo="target">segment s1: term missing: Kurs</note>' in data


HOSTILE = {
    "external entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                       b'<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0">&e;</xliff>',
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                      b'<xliff>&b;</xliff>',
    "internal subset": b'<?xml version="1.0"?><!DOCTYPE xliff [<!ELEMENT xliff ANY>]><xliff/>',
    "undeclared entity": b'<?xml version="1.0"?><!DOCTYPE xliff SYSTEM "http://evil/x.dtd"><xliff>&e;</xliff>',
}


@pytest.mark.parametrize("kind", ["xliff", "tmx"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_xml_is_refused_with_its_position(tmp_path, kind, name):
    data = HOSTILE[name] if kind == "xliff" else HOSTILE[name].replace(b"xliff", b"tmx")
    with pytest.raises(InputError) as caught:
        read_markup(data, "xliff", "a.xlf") if kind == "xliff" else read_tmx(data, "a.tmx")
    message = str(caught.value)
    assert re.match(r"a\.(xlf|tmx):1:\d+: ", message) and "\n" not in message
    assert any(w in message for w in ("entity", "DOCTYPE")), message


@pytest.mark.parametrize(("data", "words"), [
    (b'<xliff version="3.0" xmlns="urn:oasis:names:tc:xliff:document:2.0"/>',
     ["unknown XLIFF version '3.0'", "1.2 and 2.0-2.2"]),
    (b'<xliff version="2.0"/>', ["unknown XLIFF version '2.0'"]),
    (b'<tmx version="1.4"/>', ["root element <tmx> is not <xliff>"]),
    (b'<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0">\n  <file>\n</xliff>',
     ["a.xlf:3:", "not well-formed XLIFF", "mismatched tag"]),
])
def test_malformed_or_unknown_xliff_is_named(data, words):
    with pytest.raises(InputError) as caught:
        read_markup(data, "xliff", "a.xlf")
    for word in words:
        assert word in str(caught.value)


# --- TMX and the translation memory ---------------------------------------------------------------


def test_tmx_written_by_tk_is_read_by_translate_toolkit_and_back_by_tk():
    from translate.storage import tmx

    units = [Unit("d:p01:s01", {"de": "Der Kurs fiel.", "en": "The price fell.", "zh": "价格下跌。"}, "d"),
             Unit("d:p02:s01", {"de": "Mehr <g1>hier</g1>.<x2/>", "en": "More <g1>here</g1>.<x2/>"}, "d")]
    data = write_tmx(units, "de", tool_version="test")
    store = tmx.tmxfile.parsestring(data)
    assert [(u.source, u.target) for u in store.units] == [
        ("Der Kurs fiel.", "The price fell."), ("Mehr hier.", "More here.")]
    assert read_tmx(data, "tm.tmx") == units


def test_tmx_written_by_translate_toolkit_with_its_doctype_is_read():
    from translate.storage import tmx

    store = tmx.tmxfile(sourcelanguage="de", targetlanguage="en-US")
    store.addtranslation("Der Kurs fiel.", "de", "The price fell.", "en-US")
    assert b"<!DOCTYPE tmx" in bytes(store)
    [unit] = read_tmx(bytes(store), "tm.tmx")
    assert unit.variants == {"de": "Der Kurs fiel.", "en": "The price fell."}


def test_memory_finds_exact_and_fuzzy_matches():
    memory = TranslationMemory([Unit("1", {"de": "Der Kurs  fiel um 6,22%.", "en": "The price fell by 6.22%."}),
                                Unit("2", {"de": "Alibaba stellt Qwen3.5 vor.", "zh": "阿里巴巴发布Qwen3.5。"})],
                               "de", "en")
    assert len(memory) == 1
    assert memory.exact("Der Kurs fiel um 6,22%.") == "The price fell by 6.22%."
    match = memory.fuzzy("Der Kurs fiel um 5,10%.", 0.75)
    assert match is not None and match.target == "The price fell by 6.22%." and 0.75 <= match.score < 1
    assert memory.fuzzy("Ganz etwas anderes hier.", 0.75) is None
    assert memory.fuzzy("Der Kurs fiel um 6,22%.", 0.75) is None  # exact is not fuzzy


def test_placeholders_never_hide_words_from_the_checks():
    assert strip_tags("Der <g1>Kurs</g1> fiel.<x2/>") == "Der Kurs fiel."


def test_a_marked_up_segment_is_scored_on_its_words(tmp_path):
    import json

    from toolkit.score import read_translations

    path = tmp_path / "translations.jsonl"
    records = [{"doc": "d", "id": "d:p01:s01", "source": "Der <g1>Kurs</g1> fiel.<x2/>",
                "translation": "The <g1>price</g1> fell.<x2/>", "lang": "en"},
               {"doc": "d", "id": "d:p02:s01", "source": "Ein Satz.", "translation": "A <b> tag.", "lang": "en"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert read_translations(path).texts == ["The price fell.", "A <b> tag."]


def test_text_that_reads_like_a_placeholder_is_text_in_every_format():
    page = read_markup(b"<p>Der Tag &lt;g1&gt; und <b>fett</b>.</p>", "html", "t.html")
    [block] = page.blocks
    assert strip_tags(block.text) == "Der Tag \u2039g1> und fett." and "<g1>fett</g1>" in block.text
    out = render_markup(page, [BlockResult(block.text.replace("Der", "The"))], "en")
    assert out == b"<p>The Tag &lt;g1&gt; und <b>fett</b>.</p>"
    md = read_markup(b"Schreibe `<x1/>` oder <x2/> nie.\n", "markdown", "t.md")
    assert md.blocks[0].text == "Schreibe <x1/> oder <x2/> nie."  # a code span, inline HTML
    doc = read_markup(b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="de">'
                      b'<file id="f"><unit id="u"><segment><source>a &lt;g1&gt; b</source></segment>'
                      b'</unit></file></xliff>', "xliff", "t.xlf")
    assert render_markup(doc, [BlockResult(doc.blocks[0].text)], "en").count(b"<target>a &lt;g1&gt; b</target>") == 1


# Whatever a model writes, what tk keeps is sound: every placeholder once, pairs nested as in
# the source; only dropped ones may be missing; and the page it renders parses.
_WORDS = ["Alibaba", "stellt", "Qwen3.5", "vor", "der", "Kurs", "fiel", "um", "6,22%", "heute"]


def _hypothesis():
    return pytest.importorskip("hypothesis")


def test_placement_always_leaves_sound_markup():
    hypothesis = _hypothesis()
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(st.data())
    def check(data):
        n_pairs = data.draw(st.integers(1, 3))
        words = data.draw(st.lists(st.sampled_from(_WORDS), min_size=4, max_size=10))
        # a source: words with pairs around runs of them, nested or side by side, and codes
        parts = list(words)
        for g in range(1, n_pairs + 1):
            a = data.draw(st.integers(0, len(parts) - 1))
            b = data.draw(st.integers(a, len(parts) - 1))
            parts[a] = f"<g{g}>{parts[a]}"
            parts[b] = f"{parts[b]}</g{g}>"
        if tag_problems(" ".join(parts), " ".join(parts)):  # crossing pairs: no parser makes them
            return
        at = data.draw(st.integers(0, len(parts)))
        source = " ".join([*parts[:at], "<x9/>", *parts[at:]])
        if tag_problems(source, source):  # the code landed between a pair's tags and a word
            return
        # an output: the source's tokens shuffled, some dropped, some doubled, some invented
        tokens = re.findall(r"</?g\d+>|<x\d+/>|[^\s<]+", source)
        tokens = data.draw(st.permutations(tokens))
        keep = data.draw(st.lists(st.booleans(), min_size=len(tokens), max_size=len(tokens)))
        output = " ".join(t for t, k in zip(tokens, keep) if k)
        output += data.draw(st.sampled_from(["", " <g1>", " </g2>", " <x9/>", " <g7>neu</g7>"]))
        placed = place_tags(source, output, lambda w: [w.upper()])
        assert all(p.split(" ", 2)[1] == "dropped" for p in tag_problems(source, placed.text)), (
            source, output, placed.text)
        page = read_markup(f"<p>{_html_of(source)}</p>".encode(), "html", "p.html")
        if page.blocks:  # (figures alone are no words to translate)
            _tree(render_markup(page, [BlockResult(_renumbered(source, placed.text))], "en"))

    check()


def _html_of(source: str) -> str:
    tags = {"1": ('<a href="#1">', "</a>"), "2": ("<em>", "</em>"), "3": ('<span class="c">', "</span>")}
    html = re.sub(r"<g(\d)>", lambda m: tags[m.group(1)][0], source)
    html = re.sub(r"</g(\d)>", lambda m: tags[m.group(1)][1], html)
    return html.replace("<x9/>", "<br>")


def _renumbered(source: str, text: str) -> str:
    """The placed text in the numbering tk's HTML reader gives the source's elements."""
    order = [int(m) for m in re.findall(r"<(?:g|x)(\d+)", source)]
    mapping = {old: new for new, old in enumerate(order, start=1)}

    def swap(m: re.Match) -> str:
        slash, kind, number, end = m.groups()
        return f"<{slash}{kind}{mapping.get(int(number), int(number))}{end}>"

    return re.sub(r"<(/?)([gx])(\d+)(/?)>", swap, text)
