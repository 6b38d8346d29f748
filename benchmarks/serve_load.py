"""Load on `tk serve` from loopback: requests/s and p50/p95 latency for 1, 4 and 16 concurrent
clients sending the same requests, against the same requests sent one at a time (1 client).
Bounded: a fixed number of requests per level and a time limit; only 127.0.0.1 is contacted.

    python benchmarks/serve_load.py --model starter --engine ctranslate2 --requests 48
    python benchmarks/serve_load.py --model path/to/tiny-model --requests 64 --json out.json

Starts its own server (tk serve on a free port) and stops it at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = [line for line in (ROOT / "corpus" / "clean" / "segments.jsonl").read_text(
    encoding="utf-8").splitlines() if line]


def sentence(i: int) -> str:
    return str(json.loads(SENTENCES[i % len(SENTENCES)])["text"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post(url: str, text: str) -> float:
    body = json.dumps({"q": text, "source": "de", "target": "en"}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        response.read()
    return time.perf_counter() - started


def level(url: str, clients: int, requests: int, offset: int, limit_s: float) -> dict[str, float]:
    """``requests`` distinct sentences (not cached: ``offset`` moves past earlier levels') by
    ``clients`` threads at once."""
    latencies: list[float] = []
    lock = threading.Lock()
    todo = list(range(requests))
    deadline = time.monotonic() + limit_s

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                if not todo:
                    return
                i = todo.pop()
            took = post(url, sentence(offset + i))
            with lock:
                latencies.append(took)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    return {"clients": clients, "requests": len(latencies), "seconds": round(seconds, 2),
            "requests_per_second": round(len(latencies) / seconds, 2),
            "p50_ms": round(1000 * statistics.median(latencies), 1),
            "p95_ms": round(1000 * latencies[max(0, int(0.95 * len(latencies)) - 1)], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--engine", default="transformers")
    parser.add_argument("--requests", type=int, default=48)
    parser.add_argument("--limit-s", type=float, default=300.0, help="time limit per level")
    parser.add_argument("--json", help="also write the table here")
    args = parser.parse_args()
    port = free_port()
    home = tempfile.mkdtemp(prefix="tk-serve-load-")
    server = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "serve", "--model", args.model, "--engine", args.engine,
         "--port", str(port), "--no-glossary"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "TK_HOME": os.environ.get("TK_HOME", home)})
    url = f"http://127.0.0.1:{port}/translate"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        post(url, "Warm-up.")
        rows = []
        for n, clients in enumerate((1, 4, 16)):
            rows.append(level(url, clients, args.requests, n * args.requests, args.limit_s))
        base = rows[0]["requests_per_second"]
        for row in rows:
            row["throughput_vs_one_at_a_time"] = round(row["requests_per_second"] / base, 2)
            print(json.dumps(row))
        if args.json:
            Path(args.json).write_text(json.dumps({"model": args.model, "engine": args.engine,
                                                   "rows": rows}, indent=2) + "\n")
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
