"""Loading documents: .txt, folders, JSONL, stdin; every bad input is one clear line."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.documents import Document, documents_to_dataset, load_documents
from toolkit.errors import InputError

ROOT = Path(__file__).resolve().parent.parent


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_txt_file_is_one_document_named_by_its_stem(tmp_path: Path) -> None:
    path = write(tmp_path / "a1.txt", "\ufeffTitel\r\nEin Satz.\r\n")
    [doc] = load_documents([path])
    assert doc == Document(id="a1", text="Titel\nEin Satz.\n", lang="de", source=str(path))


def test_folder_gives_its_documents_sorted(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "B.")
    write(tmp_path / "a.txt", "A.")
    write(tmp_path / "c.md", "# Markdown is a document\n\nEin Satz.")
    write(tmp_path / "d.html", "<p>HTML auch.</p>")
    write(tmp_path / "README.md", "a folder's README is not")
    write(tmp_path / "notes.rst", "not a document")
    write(tmp_path / "sub" / "e.txt", "sub-folders are not read")
    docs = load_documents([tmp_path])
    assert [(d.id, d.format) for d in docs] == [
        ("a", "text"), ("b", "text"), ("c", "markdown"), ("d", "html")]
    assert docs[2].text == "Markdown is a document\n\nEin Satz."


def test_the_corpus_folder_means_its_cleaned_articles_whatever_else_it_holds(tmp_path: Path) -> None:
    write(tmp_path / "README.md", "# About this corpus")
    write(tmp_path / "clean" / "a.txt", "A.")
    write(tmp_path / "raw" / "a.txt", "A, raw.")
    assert [d.id for d in load_documents([tmp_path])] == ["a"]


def test_jsonl_fields_and_extra_metadata(tmp_path: Path) -> None:
    lines = [
        {"id": "x", "text": "Erster.", "title": "T", "date": "2026-02-21", "lang": "de", "url": "https://e.org"},
        {"id": 7, "text": "Zweiter.", "lang": "en"},
    ]
    path = write(tmp_path / "docs.jsonl", "\n".join(json.dumps(r) for r in lines) + "\n\n")
    first, second = load_documents([path], lang="de")
    assert (first.id, first.title, first.date, first.lang, first.meta) == ("x", "T", "2026-02-21", "de",
                                                                          {"url": "https://e.org"})
    assert (second.id, second.lang, second.title) == ("7", "en", None)
    assert first.source == f"{path}:1"


def test_inputs_mix_in_the_order_given(tmp_path: Path) -> None:
    txt = write(tmp_path / "z.txt", "Z.")
    jsonl = write(tmp_path / "d.jsonl", '{"id": "a", "text": "A."}\n')
    assert [d.id for d in load_documents([txt, jsonl])] == ["z", "a"]


def test_stdin_plain_text_is_one_document() -> None:
    [doc] = load_documents(["-"], stdin=io.BytesIO(b"Ein Text.\nZweite Zeile."))
    assert (doc.id, doc.text, doc.source) == ("stdin", "Ein Text.\nZweite Zeile.", "-")


def test_stdin_jsonl_is_detected_by_its_first_brace() -> None:
    data = '\n  {"id": "s1", "text": "Eins."}\n{"id": "s2", "text": "Zwei."}\n'
    assert [d.id for d in load_documents(["-"], stdin=io.BytesIO(data.encode()))] == ["s1", "s2"]


def test_cleaned_corpus_loads_back_with_its_metadata() -> None:
    docs = load_documents([ROOT / "corpus" / "clean"])
    assert len(docs) == 5
    by_id = {d.id: d for d in docs}
    assert by_id["001_47567c14e37cb6e9"].date == "2026-02-21"
    assert by_id["002_efe5a641e6ba587c"].title == "Alibaba Aktie: Zwischenfälle? Fehlanzeige"
    # corpus/ itself (raw/ + clean/) means the cleaned corpus.
    assert load_documents([ROOT / "corpus"]) == docs


def test_documents_to_dataset() -> None:
    ds = documents_to_dataset([Document(id="a", text="A.", title="T"), Document(id="b", text="B.", date="2026-01-02")])
    assert ds.column_names == ["id", "title", "date", "lang", "text", "source"]
    assert ds["id"] == ["a", "b"] and ds["title"] == ["T", None] and ds["date"] == [None, "2026-01-02"]


# --- bad inputs: (make the input under tmp_path -> argument, words the one-line error must hold)

BadInput = Callable[[Path], str]


def _missing(tmp: Path) -> str:
    return str(tmp / "nope.txt")


def _empty(tmp: Path) -> str:
    return str(write(tmp / "empty.txt", ""))


def _blank(tmp: Path) -> str:
    return str(write(tmp / "blank.txt", " \n\n\t\n"))


def _latin1(tmp: Path) -> str:
    return str(write(tmp / "latin1.txt", "Gr\xfc\xdfe aus K\xf6ln".encode("latin-1")))


def _binary(tmp: Path) -> str:
    return str(write(tmp / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))


def _bad_json(tmp: Path) -> str:
    return str(write(tmp / "docs.jsonl", '{"id": "a", "text": "A."}\n{"id": "b", "text": \n'))


def _no_text(tmp: Path) -> str:
    return str(write(tmp / "docs.jsonl", '{"id": "a", "text": "A."}\n{"id": "b", "body": "B."}\n'))


def _no_id(tmp: Path) -> str:
    return str(write(tmp / "docs.jsonl", '{"text": "A."}\n'))


def _empty_text_field(tmp: Path) -> str:
    return str(write(tmp / "docs.jsonl", '{"id": "a", "text": "  "}\n'))


def _not_object(tmp: Path) -> str:
    return str(write(tmp / "docs.jsonl", '["a", "A."]\n'))


def _duplicate_jsonl(tmp: Path) -> str:
    return str(write(tmp / "docs.jsonl", '{"id": "a", "text": "A."}\n{"id": "a", "text": "B."}\n'))


def _unsupported(tmp: Path) -> str:
    return str(write(tmp / "article.pdf", "%PDF-1.7"))


def _empty_folder(tmp: Path) -> str:
    (tmp / "folder").mkdir()
    return str(tmp / "folder")


BAD_INPUTS: list[tuple[BadInput, list[str]]] = [
    (_missing, ["nope.txt", "no such file or folder"]),
    (_empty, ["empty.txt", "file is empty"]),
    (_blank, ["blank.txt", "file is empty"]),
    (_latin1, ["latin1.txt", "not UTF-8", "line 1", "re-save it as UTF-8"]),
    (_binary, ["image.txt", "binary file", "NUL"]),
    (_bad_json, ["docs.jsonl:2", "not valid JSON", '"id" and "text"']),
    (_no_text, ["docs.jsonl:2", 'no "text" field']),
    (_no_id, ["docs.jsonl:1", 'no "id" field']),
    (_empty_text_field, ["docs.jsonl:1", '"text" is empty']),
    (_not_object, ["docs.jsonl:1", "not an object"]),
    (_duplicate_jsonl, ["duplicate document id 'a'", "docs.jsonl:1", "docs.jsonl:2", "must be unique"]),
    (_unsupported, ["article.pdf", "unsupported file type '.pdf'", ".jsonl"]),
    (_empty_folder, ["folder", "no documents in this folder"]),
]


@pytest.mark.parametrize(("make", "words"), BAD_INPUTS, ids=[m.__name__.strip("_") for m, _ in BAD_INPUTS])
def test_bad_input_raises_one_clear_line(tmp_path: Path, make: BadInput, words: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        load_documents([make(tmp_path)])
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(("make", "words"), BAD_INPUTS, ids=[m.__name__.strip("_") for m, _ in BAD_INPUTS])
def test_bad_input_on_the_command_line_is_one_error_line(tmp_path: Path, make: BadInput, words: list[str]) -> None:
    result = CliRunner().invoke(main, ["corpus", "stats", make(tmp_path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    for word in words:
        assert word in lines[0]
    assert result.stdout == ""  # no partial figures


def test_duplicate_ids_across_files_name_both_files(tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "doc.txt", "Eins.")
    second = write(tmp_path / "b" / "doc.txt", "Zwei.")
    with pytest.raises(InputError, match="duplicate document id 'doc'") as caught:
        load_documents([first, second])
    assert str(first) in str(caught.value) and str(second) in str(caught.value)


def test_stdin_bad_inputs() -> None:
    with pytest.raises(InputError, match="stdin is empty"):
        load_documents(["-"], stdin=io.BytesIO(b"  \n"))
    with pytest.raises(InputError, match="stdin: not UTF-8"):
        load_documents(["-"], stdin=io.BytesIO("K\xf6ln".encode("latin-1")))
    with pytest.raises(InputError, match="stdin:1: not valid JSON"):
        load_documents(["-"], stdin=io.BytesIO(b"{not json}\n"))


def test_stdin_through_the_command_line() -> None:
    result = CliRunner().invoke(main, ["corpus", "segments", "-"], input="Dr. Müller kam am 21. Februar. Er blieb.\n")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["text"]) for r in records] == [
        ("stdin:p01:s01", "Dr. Müller kam am 21. Februar."), ("stdin:p01:s02", "Er blieb.")]
    empty = CliRunner().invoke(main, ["corpus", "stats", "-"], input="")
    assert empty.exit_code == 1 and empty.stderr.strip() == (
        "Error: stdin is empty; pipe a document in, e.g. cat article.txt | tk ... -")
