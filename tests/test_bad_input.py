"""Hostile and broken input, across every command: nothing written outside the output folder,
no hang, no traceback, nothing half-written; one line on stderr and a non-zero exit.

Each class of case is one parametrized test; the subprocess tests cover what CliRunner cannot
(signals, pipes, a full stdout)."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.cli import main
from toolkit.errors import GlossaryError, InputError, OutputError
from toolkit.outputs import file_stems

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "glossaries" / "ai-finance.tsv"
REFS = ROOT / "eval" / "refs"


def run(*args: str, input: str | bytes | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), input=input, env=env)


def one_line_error(result, *needles: str) -> None:
    """Exit non-zero, exactly one line of output, no traceback, naming what is wrong."""
    assert result.exit_code != 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    for needle in needles:
        assert needle.lower() in lines[0].lower(), lines[0]


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


# --- 1. ids never decide where a file goes ----------------------------------------------------

HOSTILE_IDS = ["../escaped", "/tmp/tk-absolute-id", "a/b/c", "..", ".hidden", "nul\x00byte",
               "x" * 300, "CON", "Ünïcödé Titel", "A", "a", "ok-id_1.2", "back\\slash",
               "tail-0123456789"]


def test_hostile_ids_write_inside_the_output_folder_only(tiny_marian: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    docs = work / "docs.jsonl"
    docs.write_text("".join(json.dumps({"id": i, "text": f"Hallo {n}."}) + "\n"
                            for n, i in enumerate(HOSTILE_IDS)), encoding="utf-8")
    before = files_under(tmp_path) | files_under(Path("/tmp/tk-absolute-id").parent)
    out = work / "out"
    result = run("translate", "--to", "en", str(docs), "--model", str(tiny_marian),
                 "--no-glossary", "--no-checks", "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    written = files_under(tmp_path) - before
    assert all(out in p.parents for p in written), sorted(map(str, written))
    texts = [p for p in written if p.name.endswith(".en.txt")]
    assert len(texts) == len(HOSTILE_IDS)  # distinct ids -> distinct files, "A" and "a" too
    assert len({p.name.lower() for p in texts}) == len(texts)
    assert all(len(p.name.encode()) < 120 for p in texts)
    assert not Path("/tmp/tk-absolute-id.en.txt").exists()
    records = [json.loads(x) for x in (out / "translations.jsonl").read_text().splitlines()]
    assert [r["doc"] for r in records] == HOSTILE_IDS  # the ids themselves are kept intact


def test_file_stems_are_stable_plain_where_possible_and_hashed_otherwise() -> None:
    stems = file_stems(HOSTILE_IDS)
    assert stems["ok-id_1.2"] == "ok-id_1.2" and stems["Ünïcödé Titel"] != "Ünïcödé Titel"
    assert stems["../escaped"].startswith("escaped-") and "/" not in stems["a/b/c"]
    assert stems["tail-0123456789"] != "tail-0123456789"  # could collide with a hashed name
    assert stems == file_stems(list(reversed(HOSTILE_IDS)))  # stable, order-free
    assert len(set(stems.values())) == len(HOSTILE_IDS)


def test_corpus_clean_refuses_ids_that_cannot_be_file_names(tmp_path: Path) -> None:
    docs = tmp_path / "d.jsonl"
    docs.write_text(json.dumps({"id": "../x", "text": "Ein Satz über KI."}) + "\n")
    result = run("corpus", "clean", str(docs), "-o", str(tmp_path / "clean"))
    one_line_error(result, "cannot be a file name")
    assert not (tmp_path / "clean").exists() and not (tmp_path / "x.txt").exists()


# --- 2. a very long line is segmented in bounded pieces ---------------------------------------


def test_a_very_long_line_reaches_the_sentence_splitter_in_bounded_windows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pysbd's time grows with the square of its input: it never sees more than a window."""
    from toolkit import segments

    seen: list[int] = []
    real = segments._segmenter("de")
    monkeypatch.setattr(real, "segment", lambda text, _f=real.segment: seen.append(len(text)) or _f(text))
    line = "Die Aktie stieg um fünf Prozent, sagte der Analyst. " * 20_000  # ~1 MB, one line
    sentences = segments.split_sentences(line)
    assert max(seen) <= segments.WINDOW and sum(seen) == len(line)
    assert " ".join(sentences) == line.strip()  # nothing lost, nothing doubled


def test_a_line_without_any_space_is_still_split_in_windows() -> None:
    from toolkit.segments import WINDOW, _windows

    line = "x" * (3 * WINDOW + 5)
    pieces = [piece for piece, _ in _windows(line)]
    assert "".join(pieces) == line and max(map(len, pieces)) <= WINDOW


# --- 3. segments longer than the model's window -----------------------------------------------


def test_a_20kb_sentence_is_translated_in_pieces_and_says_so(tiny_marian: Path, tmp_path: Path) -> None:
    article = tmp_path / "long.txt"
    article.write_text(" ".join(["Der Umsatz stieg, und die Aktie legte zu"] * 500) + ".",
                       encoding="utf-8")
    result = run("translate", "--to", "en", str(article), "--model", str(tiny_marian),
                 "--no-glossary", "--no-checks", "-o", "-", "-q")
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert record["pieces"] > 1 and record["translation"]


def test_the_backend_never_cuts_an_input_silently(tiny_marian: Path) -> None:
    from toolkit.backends import GenerationRequest, load_backend
    from toolkit.errors import ModelError

    backend = load_backend(str(tiny_marian))
    with pytest.raises(ModelError, match="does not fit the model's 256-token window"):
        backend.generate([GenerationRequest(text="Hallo " * 400, max_new_tokens=4)])


# --- 4. write failures: one line, found before the work ---------------------------------------


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text("Alibaba stellt Qwen3.5 vor.", encoding="utf-8")
    return path


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "plain-file"
    path.write_text("x")
    return path


@pytest.mark.parametrize("args_for", [
    lambda a, f: ["translate", "--to", "en", str(a), "-o", str(f / "out")],
    lambda a, f: ["translate", "--to", "en", str(a), "-o", str(f)],
    lambda a, f: ["translate", "--to", "en", str(a), "-o", str(a.parent / ("n" * 300))],
    lambda a, f: ["corpus", "segments", str(a), "-o", str(f / "s.jsonl")],
    lambda a, f: ["corpus", "clean", str(a), "-o", str(f / "clean")],
    lambda a, f: ["glossary", "convert", str(GLOSSARY), str(f / "g.tbx")],
    lambda a, f: ["glossary", "convert", str(GLOSSARY), "/proc/tk-glossary.tbx"],
    lambda a, f: ["score", "translations", str(a), "--refs", str(REFS / "translations" / "en.jsonl"),
                  "-o", str(f / "r.json")],
    lambda a, f: ["score", "translations", str(a), "--refs", str(REFS / "translations" / "en.jsonl"),
                  "-o", str(a.parent / "r.xlsx")],
])
def test_an_unwritable_output_is_one_line_before_any_work(
    args_for, article: Path, a_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import toolkit.translate

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded before the output was checked")

    monkeypatch.setattr(toolkit.translate, "load_translator", no_model)
    before = files_under(article.parent)
    result = run(*args_for(article, a_file))
    one_line_error(result)
    assert files_under(article.parent) == before


def test_a_full_disk_while_writing_leaves_nothing_behind(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.outputs import atomic_write

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match="No space left on device"):
        atomic_write(tmp_path / "out" / "x.jsonl", "data")
    assert files_under(tmp_path) == set()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["corpus", "segments", "{article}"], ["models", "list"],
                                  ["glossary", "find", "{article}", "-g", str(GLOSSARY)]])
def test_stdout_to_a_full_device_is_one_line(args: list[str], article: Path) -> None:
    cmd = [sys.executable, "-m", "toolkit", *(a.format(article=article) for a in args)]
    with open("/dev/full", "w") as full:
        done = subprocess.run(cmd, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0], done.stderr


def test_a_closed_pipe_ends_quietly() -> None:
    cmd = f"{sys.executable} -m toolkit corpus segments {ROOT / 'corpus'} | head -c 10"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True,
                          timeout=120)
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr
    listed = subprocess.run(["bash", "-o", "pipefail", "-c",
                             f"{sys.executable} -m toolkit models list | head -1"],
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and listed.stdout.startswith("NAME"), listed.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_says_truthfully_what_was_kept(tiny_marian: Path, tmp_path: Path,
                                             stop: signal.Signals) -> None:
    article = tmp_path / "many.txt"
    article.write_text("\n\n".join(f"Der Umsatz stieg im Jahr {2000 + i} deutlich." for i in range(1500)),
                       encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "translate", "--to", "en",
                             str(article), "--model", str(tiny_marian), "--no-glossary",
                             "-o", str(out), "-q", "--threads", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TK_HOME": str(tmp_path / "home")},
                            # A shell's background job inherits SIGINT ignored, and Python
                            # keeps it so: give the child the terminal's default, as Ctrl-C has.
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not (out / "manifest.json").exists():  # the job has begun translating
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    proc.send_signal(stop)
    _, err = proc.communicate(timeout=600)  # a liveness guard: a loaded CI machine is slow
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Run the same command again to continue" in err
    # It says how many documents are kept, and that is what the manifest holds.
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    done = manifest["counts"]["documents_done"]
    assert f"{done} of 1 documents are finished and kept" in err
    assert manifest["status"] == "stopped" and len(manifest["shards"]) == done


# --- 5. settings from the environment get the flags' checks -----------------------------------


@pytest.mark.parametrize("value", ["0", "-5", "3", "many"])
def test_bootstrap_from_the_environment_is_checked(value: str) -> None:
    refs = str(REFS / "summaries" / "en.jsonl")
    result = run("score", "summaries", "--agreement", "--refs", refs, env={"TK_BOOTSTRAP": value})
    one_line_error(result, f"TK_BOOTSTRAP={value}")


# --- 6. no silent wrong answers ----------------------------------------------------------------


def test_glossary_find_refuses_non_utf8_stdin() -> None:
    result = run("glossary", "find", "-", "-g", str(GLOSSARY),
                 input="Die KI von M\xfcnchen".encode("latin-1"))
    one_line_error(result, "not UTF-8")


@pytest.mark.parametrize("command", [
    lambda p: ["translate", "--to", "en", str(p)],
    lambda p: ["corpus", "segments", str(p)],
    lambda p: ["glossary", "find", str(p), "-g", str(GLOSSARY)],
])
def test_utf16_is_named_with_the_fix(command, tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Die KI von Alibaba stellt Qwen vor.".encode("utf-16"))
    one_line_error(run(*command(path)), "UTF-16", "re-save it as UTF-8")


def test_all_empty_references_are_refused(tmp_path: Path) -> None:
    refs = tmp_path / "refs.en"
    refs.write_text("\n\n\n")
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("a\nb\nc\n")
    one_line_error(run("score", "translations", str(hyp), "--refs", str(refs),
                       "--no-language-check"), "every reference is empty")


def test_an_undeclared_tbx_entity_is_an_error(tmp_path: Path) -> None:
    tbx = tmp_path / "g.tbx"
    tbx.write_text('<?xml version="1.0"?>\n<!DOCTYPE tbx SYSTEM "tbx.dtd">\n'
                   '<tbx xml:lang="de"><text><body><conceptEntry id="c1">'
                   '<langSec xml:lang="de"><termSec><term>KI&nbsp;</term></termSec></langSec>'
                   '<langSec xml:lang="en"><termSec><term>AI</term></termSec></langSec>'
                   '</conceptEntry></body></text></tbx>\n', encoding="utf-8")
    from toolkit.glossary import load_glossary

    with pytest.raises(GlossaryError, match="undeclared entity &nbsp"):
        load_glossary(tbx)


def test_an_unsupported_source_language_fails_before_any_work(article: Path) -> None:
    result = run("translate", "--to", "en", "--from", "fr", str(article))
    assert result.exit_code == 2 and "'fr' is not one of" in result.output


def test_a_source_that_is_not_german_is_warned_about(tiny_marian: Path, tmp_path: Path) -> None:
    english = tmp_path / "english.txt"
    english.write_text("The company presented its new model on Tuesday, and the shares rose "
                       "sharply after the announcement was made.", encoding="utf-8")
    result = run("translate", "--to", "en", str(english), "--model", str(tiny_marian),
                 "--no-glossary", "--no-checks", "-o", "-", "-q")
    assert result.exit_code == 0
    assert "looks like English, not German" in result.stderr


def test_plain_text_summaries_are_scored_aligned_by_line(tmp_path: Path) -> None:
    refs = REFS / "summaries" / "en.jsonl"
    docs = list(dict.fromkeys(json.loads(x)["doc"] for x in refs.read_text().splitlines()))
    summaries = [json.loads(x)["summary"].replace("\n", " ")
                 for x in refs.read_text().splitlines()]
    first = {}
    for line in refs.read_text().splitlines():
        r = json.loads(line)
        first.setdefault(r["doc"], r["summary"].replace("\n", " "))
    plain = tmp_path / "mine.txt"
    plain.write_text("\n".join(first[d] for d in docs) + "\n", encoding="utf-8")
    result = run("score", "summaries", str(plain), "--refs", str(refs), "--bootstrap", "20")
    assert result.exit_code == 0, result.output
    assert "rouge1" in result.output.lower()
    short = tmp_path / "short.txt"
    short.write_text(summaries[0] + "\n")
    one_line_error(run("score", "summaries", str(short), "--refs", str(refs)),
                   "1 lines, but the references", f"{len(docs)} documents")


# --- beyond the issue: every command, every input kind -----------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_INPUTS = {
    "missing file": lambda d: d / "missing.txt",
    "empty file": lambda d: _write(d / "empty.txt", b""),
    "whitespace only": lambda d: _write(d / "blank.txt", b"  \n\n \t\n"),
    "latin-1": lambda d: _write(d / "latin1.txt", "Grüße aus Köln".encode("latin-1")),
    "binary": lambda d: _write(d / "blob.txt", b"\x00\x01\x02binary\x00"),
    "utf-16": lambda d: _write(d / "u16.txt", "Hallo Welt, wie geht es?".encode("utf-16")),
    "jsonl without id": lambda d: _write(d / "docs.jsonl", b'{"text": "Hallo"}\n'),
    "jsonl not json": lambda d: _write(d / "docs.jsonl", b"{not json\n"),
    "jsonl empty text": lambda d: _write(d / "docs.jsonl", b'{"id": "a", "text": "  "}\n'),
    "jsonl duplicate ids": lambda d: _write(d / "docs.jsonl", b'{"id": "a", "text": "Eins."}\n'
                                                              b'{"id": "a", "text": "Zwei."}\n'),
    "jsonl array": lambda d: _write(d / "docs.jsonl", b'[1, 2]\n'),
    "unknown extension": lambda d: _write(d / "doc.pdf", b"%PDF-1.4"),
    "empty folder": lambda d: (d / "empty-folder").mkdir() or d / "empty-folder",
}
COMMANDS = {
    "translate": lambda p, m: ["translate", "--to", "en", str(p), "--model", str(m), "-o", "{out}"],
    "corpus clean": lambda p, m: ["corpus", "clean", str(p), "-o", "{out}"],
    "corpus segments": lambda p, m: ["corpus", "segments", str(p), "-o", "{out}/s.jsonl"],
    "corpus stats": lambda p, m: ["corpus", "stats", str(p)],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("bad", list(BAD_INPUTS))
def test_every_bad_input_to_every_command(command: str, bad: str, tiny_marian: Path,
                                          tmp_path: Path) -> None:
    path = BAD_INPUTS[bad](tmp_path)
    out = tmp_path / "out"
    args = [a.replace("{out}", str(out)) for a in COMMANDS[command](path, tiny_marian)]
    one_line_error(run(*args))
    assert not out.exists()


@pytest.mark.parametrize("stdin", [b"", b"   \n", "Gr\xfc\xdfe".encode("latin-1"),
                                   b'{"id": 1}\n', b"\x00\x00"])
@pytest.mark.parametrize("command", [["translate", "--to", "en", "-", "--model", "{m}"],
                                     ["corpus", "segments", "-"], ["glossary", "find", "-", "-g", str(GLOSSARY)]])
def test_bad_stdin(command: list[str], stdin: bytes, tiny_marian: Path) -> None:
    result = run(*(a.replace("{m}", str(tiny_marian)) for a in command), input=stdin)
    if command[0] == "glossary" and stdin.strip() in (b"", b'{"id": 1}'):
        assert result.exit_code == 0  # text without terms is a fine answer: 0 terms found
        return
    one_line_error(result)


BAD_GLOSSARIES = {
    "no header": "KI\tAI\n",
    "unknown language column": "de\txx\nKI\tAI\n",
    "empty source cell": "de\ten\n\tAI\n",
    "conflicting entries": "de\ten\nKI\tAI\nKI\tKünstliche\n",
    "not a tbx": None,
}


@pytest.mark.parametrize("name", list(BAD_GLOSSARIES))
@pytest.mark.parametrize("command", ["check", "translate", "find", "convert"])
def test_bad_glossaries(name: str, command: str, article: Path, tiny_marian: Path,
                        tmp_path: Path) -> None:
    text = BAD_GLOSSARIES[name]
    path = tmp_path / ("g.tbx" if text is None else "g.tsv")
    path.write_text(text if text is not None else "<html><body>not tbx</body></html>", encoding="utf-8")
    out = tmp_path / "out"
    args = {"check": ["glossary", "check", str(path)],
            "translate": ["translate", "--to", "en", str(article), "--model", str(tiny_marian),
                          "-g", str(path), "-o", str(out)],
            "find": ["glossary", "find", str(article), "-g", str(path)],
            "convert": ["glossary", "convert", str(path), str(tmp_path / "out.tbx")]}[command]
    result = run(*args)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: ")
    if command != "check":  # `check` lists every problem, then says how many
        one_line_error(result)
    assert not out.exists() and not (tmp_path / "out.tbx").exists()


@pytest.mark.parametrize("refs_text,needle", [
    ("", "no reference"), ("{bad json\n", "json"), ('{"id": "x"}\n', "reference"),
])
def test_bad_references(refs_text: str, needle: str, tmp_path: Path) -> None:
    refs = tmp_path / "refs.jsonl"
    refs.write_text(refs_text, encoding="utf-8")
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("The shares rose.\n")
    one_line_error(run("score", "translations", str(hyp), "--refs", str(refs)), needle)


# --- fuzz: parsers answer any bytes with a value or a one-line tk error --------------------------

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=8)
jsonl_lines = st.lists(
    st.one_of(st.dictionaries(st.sampled_from(["id", "text", "title", "date", "lang", "x"]),
                              json_values, max_size=5).map(json.dumps),
              st.text(max_size=30)), min_size=0, max_size=5)


@given(lines=jsonl_lines)
@FUZZ
def test_fuzz_jsonl_documents(lines: list[str], tmp_path: Path) -> None:
    from toolkit.documents import load_documents

    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        docs = load_documents([path])
    except InputError as e:
        assert "\n" not in str(e) and str(path) in str(e)
    else:
        assert docs and all(d.id and d.text.strip() for d in docs)


@given(data=st.binary(max_size=200))
@FUZZ
def test_fuzz_document_bytes(data: bytes, tmp_path: Path) -> None:
    from toolkit.documents import load_documents

    for name in ("fuzz.txt", "fuzz.jsonl"):
        path = tmp_path / name
        path.write_bytes(data)
        try:
            load_documents([path])
        except InputError as e:
            assert "\n" not in str(e)


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
rows = st.lists(st.lists(cells, min_size=1, max_size=6).map("\t".join), max_size=5)


@given(header=st.sampled_from(["de\ten\tzh", "de\ten\tkind", "de\ten\tzh\tde_expansion\ten_expansion\tkind\tcase\tnote", "xx\tyy"]),
       body=rows)
@FUZZ
def test_fuzz_tsv_glossaries(header: str, body: list[str], tmp_path: Path) -> None:
    from toolkit.glossary import check_glossary

    path = tmp_path / "fuzz.tsv"
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    try:
        glossary, problems = check_glossary(path)
    except GlossaryError as e:
        assert "\n" not in str(e)
    else:
        assert glossary is not None or problems
        assert all("\n" not in p for p in problems)


@given(data=st.binary(max_size=300) | st.text(max_size=200).map(
    lambda t: f'<?xml version="1.0"?><tbx xml:lang="de"><text><body>{t}</body></text></tbx>'.encode()))
@FUZZ
def test_fuzz_tbx_glossaries(data: bytes, tmp_path: Path) -> None:
    from toolkit.glossary import check_glossary

    path = tmp_path / "fuzz.tbx"
    path.write_bytes(data)
    try:
        check_glossary(path)
    except GlossaryError as e:
        assert "\n" not in str(e)


def test_a_text_far_past_the_window_is_cut_in_one_pass_into_bounded_runs() -> None:
    from toolkit.tasks.splitting import chunk_text

    text = " ".join(f"Satz {i} geht weiter, und weiter." for i in range(3000))
    runs = chunk_text(text, 200)
    assert max(len(r) for r in runs) <= 200
    assert " ".join(runs).split() == text.split()  # nothing lost, nothing doubled
    assert all(r.endswith(".") for r in runs[:-1])  # cut at sentence ends where there are some
    glued = "x" * 1000  # no boundary at all: cut at the size
    assert chunk_text(glued, 300) == ["x" * 300] * 3 + ["x" * 100]


def test_a_long_copy_of_the_source_is_an_echo_and_a_long_translation_is_not() -> None:
    from toolkit.qa.language import _is_echo

    source = " ".join(["Die Aktie stieg am Montag um fünf Prozent, sagte ein Analyst."] * 200)
    copy = source.replace("Montag", "Dienstag", 50)
    english = " ".join(["The share rose five percent on Monday, an analyst said."] * 200)
    assert _is_echo(copy, source) and not _is_echo(english, source)
