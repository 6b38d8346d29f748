"""The job engine's guarantees, for every task: a reused shard is verified, a changed input is
redone or refused, one writer per folder, stdin read once, the manifest's status always true,
any Unicode round-trips, and every bad job option is one line. Real tiny models throughout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main

ROOT = Path(__file__).resolve().parent.parent


def write_jsonl(path: Path, docs: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs),
                    encoding="utf-8")
    return path


DOCS = [{"id": f"d{i}", "text": f"Die Aktie stieg um {i + 2} Prozent. Alibaba stellt Qwen vor."}
        for i in range(5)]


def translate(model: Path, inputs: str, out: Path, *extra: str, stdin: str | None = None):
    args = ["translate", "--to", "en", inputs, "-m", str(model), "-o", str(out),
            "--shard-size", "2", "--max-new-tokens", "8", "--no-glossary", "-q", *extra]
    return CliRunner().invoke(main, args, input=stdin)


def records(out: Path, name: str = "translations.jsonl") -> list[dict]:
    return [json.loads(line) for line in
            (out / name).read_text(encoding="utf-8").split("\n") if line]


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def one_line_error(result) -> str:
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    lines = [ln for ln in result.output.strip().splitlines() if ln.startswith("Error")]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("damage", ["empty", "cut", "removed", "edited"])
def test_a_shard_that_does_not_verify_is_redone_and_said_so(
    tiny_marian: Path, tmp_path: Path, damage: str
) -> None:
    inputs = write_jsonl(tmp_path / "in.jsonl", DOCS)
    out = tmp_path / "out"
    assert translate(tiny_marian, str(inputs), out).exit_code == 0
    expected = (out / "translations.jsonl").read_bytes()
    shard = out / "shards" / "part-00001.jsonl"
    text = shard.read_text(encoding="utf-8")
    assert json.loads(CliRunner().invoke(main, ["jobs", "status", str(out), "--json"]).output
                      )["damaged_shards"] == []
    if damage == "empty":
        shard.write_text("", encoding="utf-8")
    elif damage == "cut":
        shard.write_text(text[: len(text) // 2], encoding="utf-8")
    elif damage == "removed":
        shard.unlink()
    else:
        shard.write_text(text.replace('"translation": "', '"translation": "X', 1),
                         encoding="utf-8")
    shown = json.loads(CliRunner().invoke(main, ["jobs", "status", str(out), "--json"]).output)
    assert shown["status"] == "incomplete" and shown["damaged_shards"] == [1]  # not "complete"
    again = CliRunner().invoke(main, ["translate", "--to", "en", str(inputs), "-m",
                                      str(tiny_marian), "-o", str(out), "--shard-size", "2",
                                      "--max-new-tokens", "8", "--no-glossary"])
    assert again.exit_code == 0, again.output
    assert "redone: shard 1" in again.output  # said, not silently trusted
    assert (out / "translations.jsonl").read_bytes() == expected
    assert manifest(out)["status"] == "complete"


def test_an_edited_document_is_redone_and_another_input_is_refused_or_replaced(
    tiny_marian: Path, tmp_path: Path
) -> None:
    inputs = write_jsonl(tmp_path / "in.jsonl", DOCS)
    out = tmp_path / "out"
    assert translate(tiny_marian, str(inputs), out).exit_code == 0
    before = {r["id"]: r for r in records(out)}
    edited = [dict(d) for d in DOCS]
    edited[2]["text"] = "Der Umsatz fiel um 9 Prozent."
    write_jsonl(inputs, edited)
    result = translate(tiny_marian, str(inputs), out)
    assert result.exit_code == 0, result.output
    after = {r["id"]: r for r in records(out)}
    assert after["d2:p01:s01"]["source"] == "Der Umsatz fiel um 9 Prozent."  # not the old one
    assert after["d0:p01:s01"] == before["d0:p01:s01"]
    other = write_jsonl(tmp_path / "other.jsonl", [{"id": "x1", "text": "Ein Satz."}])
    refused = translate(tiny_marian, str(other), out)
    assert "another input" in one_line_error(refused) and "--replace" in refused.output
    assert (out / "d0.en.txt").is_file()  # nothing removed by a refused run
    replaced = translate(tiny_marian, str(other), out, "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "manifest.json", "run.json", "shards", "translations.jsonl", "x1.en.txt"]
    assert [r["doc"] for r in records(out)] == ["x1"]


@pytest.mark.parametrize("command", ["translate", "summarize"])
def test_stdin_with_an_output_folder_is_read_once(
    command: str, tiny_marian: Path, tiny_chat: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    stdin = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in DOCS[:3])
    if command == "translate":
        result = translate(tiny_marian, "-", out, stdin=stdin)
        name = "translations.jsonl"
    else:
        result = CliRunner().invoke(main, ["summarize", "--to", "en", "-", "-m", str(tiny_chat),
                                           "-o", str(out), "--max-words", "12", "-q",
                                           "--no-glossary"], input=stdin)
        name = "summaries.jsonl"
    assert result.exit_code == 0, result.output
    assert [r["doc"] for r in records(out, name)][-1] == "d2"
    assert manifest(out)["input"]["documents"] == 3


def test_a_second_run_into_the_same_folder_is_refused_naming_the_first(
    tiny_marian: Path, tmp_path: Path
) -> None:
    from filelock import FileLock

    inputs = write_jsonl(tmp_path / "in.jsonl", DOCS)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".lock.owner").write_text(json.dumps({"pid": 4242, "host": "h", "since": "t"}))
    with FileLock(str(out / ".lock"), timeout=0):
        result = translate(tiny_marian, str(inputs), out)
    line = one_line_error(result)
    assert "another tk run" in line and "process 4242" in line
    assert not (out / "manifest.json").exists()
    assert translate(tiny_marian, str(inputs), out).exit_code == 0  # released: it runs


def test_the_status_of_a_killed_run_says_stopped_not_running(
    tiny_marian: Path, tmp_path: Path
) -> None:
    inputs = write_jsonl(tmp_path / "in.jsonl", DOCS)
    out = tmp_path / "out"
    assert translate(tiny_marian, str(inputs), out).exit_code == 0
    data = manifest(out)
    data["status"] = "running"  # what a kill -9 leaves: no process holds the folder
    (out / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    shown = CliRunner().invoke(main, ["jobs", "status", str(out), "--json"])
    assert json.loads(shown.output)["status"] == "stopped"


@pytest.mark.parametrize("text", [
    "Die Aktie stieg\u2028um 5 Prozent.", "Umsatz\u2029stieg\x85stark.",
    "Ein Teil \ud800 kaputt.", "Die Ube\u0308rnahme (NFD) kam.",
])
def test_any_unicode_round_trips_through_every_file_tk_writes(
    tiny_marian: Path, tmp_path: Path, text: str
) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text(json.dumps({"id": "u", "text": text}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = translate(tiny_marian, str(inputs), out)
    assert result.exit_code == 0, result.output
    got = records(out)
    assert got and all(r["source"] in text for r in got)  # the source as it was, character for character
    for line in (out / "translations.jsonl").read_text(encoding="utf-8").split("\n")[:-1]:
        assert json.loads(line)  # one record a line, for any JSON reader
    scored = CliRunner().invoke(main, ["score", "translations", str(out / "translations.jsonl"),
                                       "--refs", str(out / "translations.jsonl"), "--lang", "en",
                                       "--metrics", "chrf"])
    assert "Traceback" not in scored.output


@pytest.mark.parametrize(("args", "needle"), [
    (["--ray-gpus-per-actor", "nan", "--runner", "ray"], "--ray-gpus-per-actor"),
    (["--ray-actors", "2"], "only apply with --runner ray"),
    (["--format", "text"], "--format text is for stdout"),
    (["--shard", "3/2"], "K must be between 1 and N"),
])
def test_bad_job_options_are_one_line_before_any_work(
    tiny_marian: Path, tmp_path: Path, args: list[str], needle: str
) -> None:
    inputs = write_jsonl(tmp_path / "in.jsonl", DOCS)
    out = tmp_path / "out"
    assert needle in one_line_error(translate(tiny_marian, str(inputs), out, *args))
    assert not out.exists()


def test_a_manifest_of_the_wrong_shape_is_one_line(tiny_marian: Path, tmp_path: Path) -> None:
    inputs = write_jsonl(tmp_path / "in.jsonl", DOCS)
    out = tmp_path / "out"
    assert translate(tiny_marian, str(inputs), out).exit_code == 0
    good = manifest(out)
    for broken in ({**good, "settings": []}, {k: v for k, v in good.items() if k != "shards"}
                   | {"shards": "x"}, {**good, "shards": [{"index": 0, "name": "a"}]}):
        (out / "manifest.json").write_text(json.dumps(broken), encoding="utf-8")
        assert "not a tk job manifest" in one_line_error(translate(tiny_marian, str(inputs), out))
        status = CliRunner().invoke(main, ["jobs", "status", str(out)])
        assert "not a tk job manifest" in one_line_error(status)


def test_a_program_is_called_binary_not_utf16(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["corpus", "stats", str(_copy(Path("/bin/ls"), tmp_path))])
    line = one_line_error(result)
    assert "binary" in line and "UTF-16" not in line


def _copy(path: Path, folder: Path) -> Path:
    if not path.is_file():
        pytest.skip("no /bin/ls here")
    target = folder / "ls.txt"
    target.write_bytes(path.read_bytes()[:4096])
    return target


def test_a_closed_stdin_is_one_line() -> None:
    done = subprocess.run([sys.executable, "-m", "toolkit", "corpus", "stats", "-"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    closed = subprocess.run(f"{sys.executable} -m toolkit corpus stats - <&-", shell=True,
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert closed.returncode == 1 and "Traceback" not in closed.stderr, closed.stderr
    assert "stdin" in closed.stderr


def test_a_damaged_cache_is_named_and_cleared_by_the_command_it_names(
    tiny_marian: Path, tmp_path: Path, tk_home: Path
) -> None:
    inputs = write_jsonl(tmp_path / "in.jsonl", DOCS[:1])
    assert translate(tiny_marian, str(inputs), tmp_path / "a").exit_code == 0
    db = tk_home / "cache" / "generations.sqlite"
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    import os  # a new process: nothing of the first run's open cache is left

    broken = subprocess.run([sys.executable, "-m", "toolkit", "translate", "--to", "en",
                             str(inputs), "-m", str(tiny_marian), "-o", str(tmp_path / "b"),
                             "--no-glossary", "-q"], capture_output=True, text=True,
                            env={**os.environ, "TK_HOME": str(tk_home)}, timeout=300)
    assert broken.returncode == 1 and "Traceback" not in broken.stderr, broken.stderr
    assert "damaged" in broken.stderr and "tk cache clear --generations" in broken.stderr
    cleared = CliRunner().invoke(main, ["cache", "clear", "--generations"])
    assert cleared.exit_code == 0, cleared.output
    assert translate(tiny_marian, str(inputs), tmp_path / "b").exit_code == 0


def test_no_cache_runs_with_a_read_only_tk_home(tiny_marian: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    if os.geteuid() == 0:
        home = tmp_path / "home-file"
        home.write_text("a file where TK_HOME's folder would be")  # unwritable even for root
    else:
        home = tmp_path / "ro"
        home.mkdir()
        home.chmod(0o500)
    monkeypatch.setenv("TK_HOME", str(home))
    inputs = write_jsonl(tmp_path / "in.jsonl", DOCS[:1])
    result = translate(tiny_marian, str(inputs), tmp_path / "out", "--no-cache")
    assert result.exit_code == 0, result.output
    with_cache = translate(tiny_marian, str(inputs), tmp_path / "out2")
    assert "--no-cache" in one_line_error(with_cache) or "TK_HOME" in with_cache.output


def test_clear_takes_several_kinds_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import toolkit.cache

    asked: list[str] = []
    monkeypatch.setattr(toolkit.cache, "clear_cache", lambda what: asked.append(what) or {})
    result = CliRunner().invoke(main, ["cache", "clear", "--gguf", "--ctranslate2"])
    assert result.exit_code == 0 and asked == ["gguf", "ctranslate2"]


@pytest.mark.parametrize(("value", "shown"), [("123", "123"), ("null", "null"),
                                              ("NaN", "NaN"), ("[1]", "[1]")])
def test_a_translation_that_is_not_text_is_named_as_such(tmp_path: Path, value: str,
                                                         shown: str) -> None:
    hyp = tmp_path / "h.jsonl"
    hyp.write_text('{"doc": "a", "id": "a:p01:s01", "translation": ' + value + "}\n",
                   encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "translations", str(hyp), "--refs",
                                       str(ROOT / "eval" / "refs"), "--lang", "en"])
    line = one_line_error(result)
    assert f"'translation' is {shown}, not text" in line and "missing" not in line


def test_a_file_named_gguf_that_is_not_gguf_is_one_line(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"not a gguf file at all" * 10)
    article = tmp_path / "a.txt"
    article.write_text("Die KI wächst.", encoding="utf-8")
    result = CliRunner().invoke(main, ["translate", "--to", "en", str(article), "-m", str(fake)])
    assert "not a readable GGUF file" in one_line_error(result)


def test_a_glossary_term_with_an_invisible_character_is_refused(tmp_path: Path) -> None:
    glossary = tmp_path / "g.tsv"
    glossary.write_text("de\ten\nK\u200bI\tAI\n\u2060\tX\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["glossary", "check", str(glossary)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "U+200B" in result.output and "U+2060" in result.output


def test_new_weights_with_the_old_size_and_mtime_get_a_new_digest(tmp_path: Path) -> None:
    import os

    from toolkit.backends.identity import file_sha256

    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"A" * 4096)
    first = file_sha256(weights)
    stat = weights.stat()
    weights.write_bytes(b"B" * 4096)  # same size
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the old mtime put back
    assert weights.stat().st_mtime_ns == stat.st_mtime_ns and weights.stat().st_size == 4096
    assert file_sha256(weights) != first


def test_an_error_a_rerun_cannot_fix_does_not_say_rerun(tiny_marian: Path, tmp_path: Path) -> None:
    inputs = write_jsonl(tmp_path / "in.jsonl", DOCS[:2])
    out = tmp_path / "out"
    assert translate(tiny_marian, str(inputs), out).exit_code == 0
    refused = translate(tiny_marian, str(inputs), out, "--beams", "2")
    assert "other settings" in one_line_error(refused)
    assert "again to continue" not in refused.output and "Stopped" not in refused.output


@pytest.mark.parametrize("command", [["corpus", "segments", "IN"],
                                     ["translate", "--to", "en", "IN", "-o", "-"]])
def test_a_lone_surrogate_in_jsonl_is_read_and_written_back(
    tiny_marian: Path, tmp_path: Path, command: list[str]
) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"id": "s", "text": "Ein Teil \\ud800 kaputt."}\n', encoding="utf-8")
    args = [str(inputs) if a == "IN" else a for a in command]
    if command[0] == "translate":
        args += ["-m", str(tiny_marian), "--no-glossary", "--max-new-tokens", "6", "-q"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.splitlines()[0])
    assert ("\ud800" in record.get("source", record.get("text", "")))
