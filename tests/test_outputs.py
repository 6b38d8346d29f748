import json
import os

import pytest

from toolkit.outputs import atomic_write, jsonl_text, tsv_text


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "sub" / "out.jsonl"
    atomic_write(target, "first\n")
    atomic_write(target, "second\n")
    assert target.read_text() == "second\n"
    assert os.listdir(target.parent) == ["out.jsonl"]  # no temporary files left


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write(target, "complete\n")

    with pytest.raises(TypeError):
        atomic_write(target, 12345)  # type: ignore[arg-type]  (neither str nor bytes)
    assert target.read_text() == "complete\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_jsonl_keeps_chinese_readable():
    text = jsonl_text([{"id": "a", "translation": "阿里巴巴发布了Qwen3.5"}])
    assert "阿里巴巴" in text
    assert json.loads(text)["translation"] == "阿里巴巴发布了Qwen3.5"


def test_tsv_escapes_tabs_and_newlines():
    text = tsv_text([{"id": "x", "translation": "a\tb\nc"}], ["id", "translation"])
    header, row = text.splitlines()
    assert header == "id\ttranslation"
    assert row.split("\t") == ["x", "a\\tb\\nc"]


def test_outputs_get_ordinary_permissions_not_private_temp_ones(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "out.jsonl", "{}\n")
    finally:
        os.umask(old)
    assert (tmp_path / "out.jsonl").stat().st_mode & 0o777 == 0o644
