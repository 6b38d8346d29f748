"""tk serve: a live server on 127.0.0.1 with a tiny model, driven by a client tk did not write
(libretranslatepy) and by plain HTTP for the errors, keys, limits, concurrency and SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
libretranslatepy = pytest.importorskip("libretranslatepy")

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, proc: subprocess.Popen[str], port: int, log: Path) -> None:
        self.proc, self.port, self.log = proc, port, log
        self.url = f"http://127.0.0.1:{port}/"

    def post(self, path: str, body: bytes, content_type: str = "application/json"
             ) -> tuple[int, dict | list]:
        request = urllib.request.Request(self.url + path, data=body,
                                         headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def translate(self, **params: object) -> tuple[int, dict | list]:
        return self.post("translate", json.dumps(params).encode())


def start(model: Path, tmp_path: Path, *extra: str) -> Server:
    port = free_port()
    glossary = tmp_path / "g.tsv"
    glossary.write_text("de\ten\nKI\tAI\nAlibaba\tAlibaba\n", encoding="utf-8")
    log = tmp_path / "server.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "serve", "--model", str(model), "--port", str(port),
         "-g", str(glossary), "--max-new-tokens", "8", "--threads", "1", *extra],
        stdout=subprocess.DEVNULL, stderr=log.open("w"), text=True,
        env={**os.environ, "TK_HOME": str(tmp_path / "home")})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return Server(proc, port, log)
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise AssertionError(f"the server did not start: {log.read_text()}")


@pytest.fixture
def server(tiny_marian: Path, tmp_path: Path) -> Iterator[Server]:
    s = start(tiny_marian, tmp_path)
    yield s
    s.proc.terminate()
    s.proc.wait(timeout=60)


@pytest.mark.slow
def test_libretranslatepy_works_unchanged(server: Server) -> None:
    client = libretranslatepy.LibreTranslateAPI(server.url)
    text = client.translate("Die KI von Alibaba wächst.", "de", "en")
    assert isinstance(text, str) and text
    assert [lang["code"] for lang in client.languages()] == ["de", "en"]
    assert client.languages()[0]["targets"] == ["en"]
    detected = client.detect("Die Aktie von Alibaba stieg am Montag um fünf Prozent.")
    assert detected and detected[0]["language"] == "de"


@pytest.mark.slow
def test_lists_checks_and_bad_requests(server: Server) -> None:
    status, body = server.translate(q=["Die KI wächst.", "Alibaba stellt Qwen vor."],
                                    source="de", target="en")
    assert status == 200 and isinstance(body["translatedText"], list)
    assert len(body["translatedText"]) == 2
    tk = body["tk"]  # tk's own field: per segment checks, the model and its fingerprint
    assert tk["fingerprint"] and tk["model"] and tk["segments"][0][0]["checks"]["terms"]
    status, body = server.translate(q="Die KI wächst.", source="auto", target="en")
    assert status == 200 and body["detectedLanguage"]["language"] == "de"
    # format=html, as LibreTranslate clients send it: HTML back, kept elements in place
    status, body = server.translate(q='<p>Die <b>KI</b> wächst: <code>x = 1</code></p>',
                                    source="de", target="en", format="html")
    assert status == 200, body
    html = body["translatedText"]
    assert html.startswith("<p>") and html.endswith("</p>") and "<code>x = 1</code>" in html
    assert "markup" in body["tk"]["segments"][0][0]["checks"]
    cases = [
        (b"{not json", 400, "malformed JSON"),
        (json.dumps({"source": "de", "target": "en"}).encode(), 400, "missing q"),
        (json.dumps({"q": "Hallo.", "source": "de", "target": "fr"}).encode(), 400,
         "fr is not supported"),
        (json.dumps({"q": "Hallo.", "source": "fr", "target": "en"}).encode(), 400,
         "not supported as a source"),
        (json.dumps({"q": 5, "source": "de", "target": "en"}).encode(), 400, "a string or a list"),
        (json.dumps({"q": "x" * 5001, "source": "de", "target": "en"}).encode(), 413,
         "exceeds text limit (5000)"),
        (json.dumps({"q": ["a"] * 101, "source": "de", "target": "en"}).encode(), 400,
         "at most 100"),
        (json.dumps({"q": "<p>Satz.</div>", "source": "de", "target": "en", "format": "html"}
                    ).encode(), 400, "q:1:"),
        (json.dumps({"q": "Satz.", "source": "de", "target": "en", "format": "docx"}).encode(),
         400, "use text or html"),
    ]
    for body_bytes, code, needle in cases:
        status, body = server.post("translate", body_bytes)
        assert status == code and needle in body["error"], (body_bytes[:40], status, body)
    assert "Traceback" not in server.log.read_text()
    assert "POST /translate 413" in server.log.read_text()  # one log line a request, no text
    assert "Die KI wächst" not in server.log.read_text()


@pytest.mark.slow
def test_api_keys(tiny_marian: Path, tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("# the team's keys\nsecret-1\n", encoding="utf-8")
    s = start(tiny_marian, tmp_path, "--api-keys", str(keys))
    try:
        status, body = s.translate(q="Hallo.", source="de", target="en")
        assert status == 403 and "API key" in body["error"]
        status, body = s.translate(q="Hallo.", source="de", target="en", api_key="wrong")
        assert status == 403 and body["error"] == "Invalid API key"
        assert s.translate(q="Hallo.", source="de", target="en", api_key="secret-1")[0] == 200
        client = libretranslatepy.LibreTranslateAPI(s.url, api_key="secret-1")
        assert client.translate("Die KI wächst.", "de", "en")
    finally:
        s.proc.terminate()
        s.proc.wait(timeout=60)


@pytest.mark.slow
def test_concurrent_requests_share_batches_and_get_their_own_answers(server: Server) -> None:
    texts = [f"Der Umsatz stieg um {i} Prozent." for i in range(16)]
    alone = {t: server.translate(q=t, source="de", target="en")[1]["translatedText"]
             for t in texts[:4]}
    answers: dict[str, str] = {}

    def ask(text: str) -> None:
        answers[text] = server.translate(q=text, source="de", target="en")[1]["translatedText"]

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert sorted(answers) == sorted(texts)
    assert all(answers[t] == alone[t] for t in alone)  # each caller gets its own answer
    with urllib.request.urlopen(server.url + "health", timeout=10) as response:
        batches = json.loads(response.read())["batches"]
    assert batches < 4 + 16  # requests that arrived together went as shared batches


@pytest.mark.slow
def test_sigterm_finishes_requests_under_way(server: Server) -> None:
    result: dict[str, object] = {}

    def ask() -> None:
        result["answer"] = server.translate(
            q=["Die Aktie stieg um drei Prozent."] * 20, source="de", target="en")

    thread = threading.Thread(target=ask)
    thread.start()
    time.sleep(0.3)
    server.proc.send_signal(signal.SIGTERM)
    thread.join(timeout=120)
    # uvicorn finishes what is under way, then ends as the signal asked (status -SIGTERM)
    assert server.proc.wait(timeout=120) in (0, -signal.SIGTERM)
    status, body = result["answer"]  # type: ignore[misc]
    assert status == 200 and len(body["translatedText"]) == 20


def test_a_request_the_model_fails_on_costs_only_that_request() -> None:
    """Fault injection (no input makes a real model fail on demand): in one shared batch, the
    request whose text fails gets the error, the others their translations."""
    import asyncio

    from toolkit.serve import Batcher, ServeOptions

    class Failing:
        def translate(self, texts: list[str], target: str,
                      formats: list[str] | None = None) -> list[dict[str, object]]:
            if "BAD" in texts:
                raise RuntimeError("the model failed on this input")
            return [{"text": t.upper(), "records": []} for t in texts]

    async def scenario() -> list[object]:
        batcher = Batcher(Failing(), ServeOptions(wait_ms=50))  # type: ignore[arg-type]
        worker = asyncio.create_task(batcher.run())
        results = await asyncio.gather(batcher.translate(["gut"], "en"),
                                       batcher.translate(["BAD"], "en"),
                                       batcher.translate(["auch gut"], "en"),
                                       return_exceptions=True)
        worker.cancel()
        return list(results)

    good, bad, other = asyncio.run(scenario())
    assert good == [{"text": "GUT", "records": []}]
    assert other == [{"text": "AUCH GUT", "records": []}]
    assert isinstance(bad, RuntimeError)
