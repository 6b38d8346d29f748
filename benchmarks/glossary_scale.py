"""Glossary matching and long segments at scale (issue: jobs and inputs that never hang).

Builds glossaries of 5,000, 20,000 and 50,000 random entries (plus KI -> AI), and times in
one process: loading each, the first `find` (building the automaton), and `find` over a
1,000-word document. Prints one JSON line per size. Whole-command times (tk glossary find,
tk translate of one sentence, a 2 MB one-sentence document) and how they were taken are in
docs/jobs.md ("Scale").

    python benchmarks/glossary_scale.py
"""

from __future__ import annotations

import json
import random
import string
import tempfile
import time
from pathlib import Path


def build(path: Path, entries: int, seed: int = 1) -> Path:
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 12)))

    seen: set[str] = set()
    with path.open("w", encoding="utf-8") as f:
        f.write("de\ten\n")
        while len(seen) < entries:
            de = word().capitalize() + ("-" + word() if rng.random() < 0.3 else "")
            if de not in seen:
                seen.add(de)
                f.write(f"{de}\t{word()}\n")
        f.write("KI\tAI\n")
    return path


def main() -> None:
    from toolkit.glossary import find_terms, load_glossaries

    folder = Path(tempfile.mkdtemp())
    document = "Die KI von Alibaba wächst weiter und schneller. " * 125
    for entries in (5_000, 20_000, 50_000):
        path = build(folder / f"g{entries}.tsv", entries)
        t0 = time.perf_counter()
        glossary = load_glossaries([str(path)])
        t1 = time.perf_counter()
        find_terms("Die KI von Alibaba wächst.", glossary, "de", "en")
        t2 = time.perf_counter()
        found = find_terms(document, glossary, "de", "en")
        t3 = time.perf_counter()
        print(json.dumps({"entries": entries, "load_s": round(t1 - t0, 3),
                          "first_find_s": round(t2 - t1, 3),
                          "find_1000_words_s": round(t3 - t2, 4), "found": len(found)}))


if __name__ == "__main__":
    main()
