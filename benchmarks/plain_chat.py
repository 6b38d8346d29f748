"""The plain chat call a user writes, as a baseline for tk's translation pipeline.

    python benchmarks/plain_chat.py --to en -o eval/results/starter/en-plain.jsonl
    tk score translations eval/results/starter/en-plain.jsonl out/en --refs eval/refs --compare \
        -g glossaries/ai-finance.tsv

Every segment of ``corpus/clean/segments.jsonl`` goes to the same model through the same
engine, with no system prompt and one user turn: "Translate the following German text into
English (Chinese). Reply with the translation only.\\n\\n<text>", greedy, the same cap on new
tokens tk uses (2x the source's tokens plus 32; 3x into Chinese). No glossary, no checks, no
retries, no output cleaning beyond stripping whitespace. The records carry no checks: score
them with ``tk score -g`` to have terms and numbers checked as tk checks its own.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "Translate the following German text into {target}. Reply with the translation only.\n\n{text}"
NAMES = {"en": "English", "zh": "Simplified Chinese"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="starter")
    parser.add_argument("--engine", default="ctranslate2")
    parser.add_argument("--to", default="en", choices=sorted(NAMES))
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()

    from toolkit.backends import load_backend
    from toolkit.backends.base import GenerationRequest

    backend = load_backend(args.model, engine=args.engine)
    rows = [json.loads(line) for line in
            (ROOT / "corpus" / "clean" / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    counted = backend.count_tokens([GenerationRequest(text=r["text"]) for r in rows])
    factor = 3 if args.to == "zh" else 2
    requests = [GenerationRequest(messages=(("user", PROMPT.format(target=NAMES[args.to], text=r["text"])),),
                                  max_new_tokens=factor * n + 32)
                for r, n in zip(rows, counted, strict=True)]
    outputs = backend.generate(requests)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for r, o in zip(rows, outputs, strict=True):
            f.write(json.dumps({"doc": r["doc"], "id": r["id"], "source": r["text"],
                                "translation": o.text.strip(), "model": f"{args.model} (plain call)",
                                "engine": args.engine, "lang": args.to}, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} records to {out}")


if __name__ == "__main__":
    main()
