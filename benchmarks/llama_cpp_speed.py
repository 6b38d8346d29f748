"""The starter through llama.cpp (llama-cpp-python), GGUF-native, one sentence at a time.

    pip install llama-cpp-python        # PyPI has only the source: a CMake build of llama.cpp
    python benchmarks/llama_cpp_speed.py ~/.cache/tk/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf

The same corpus sentences, the same prompt tk sends (its plain user turn), greedy, the same cap
on new tokens as ``chat_speed.py``; llama-cpp-python has no batched generation, so each
sentence is one ``create_chat_completion`` call. Only generation is timed (the model is loaded
first). Compare its new tokens/s with ``chat_speed.py``'s paths taken in the same session:
the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gguf", help="the .gguf file")
    parser.add_argument("--to", default="en")
    parser.add_argument("-n", "--sentences", type=int, default=32)
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--n-batch", type=int, default=512,
                        help="llama.cpp's prompt batch; 1 where batched decoding crashes (a native "
                             "build on a VM that reports AMX it cannot use segfaulted here)")
    parser.add_argument("-o", "--output")
    args = parser.parse_args()

    from chat_speed import sentences  # the same corpus sentences (this script's folder)
    from llama_cpp import Llama

    from toolkit.tasks.translator import USER_PROMPT

    names = {"en": "English", "zh": "Simplified Chinese"}
    texts = sentences(args.sentences)
    llm = Llama(model_path=args.gguf, n_ctx=2048, n_threads=args.threads, verbose=False, seed=0,
                n_batch=args.n_batch, n_ubatch=args.n_batch)
    new = 0
    started = time.perf_counter()
    sample = ""
    for text in texts:
        prompt = USER_PROMPT.format(source="German", target=names[args.to], text=text)
        out = llm.create_chat_completion(messages=[{"role": "user", "content": prompt}],
                                         max_tokens=args.max_new_tokens, temperature=0.0,
                                         top_k=1)
        new += out["usage"]["completion_tokens"]
        sample = sample or out["choices"][0]["message"]["content"]
    wall = time.perf_counter() - started
    result = {"path": "llama-cpp-python, one by one", "sentences": len(texts),
              "threads": args.threads, "n_batch": args.n_batch, "wall_s": round(wall, 2), "new_tokens": new,
              "new_tokens_per_second": round(new / wall, 2), "sample": sample[:160],
              "load_average": os.getloadavg()}
    print(json.dumps(result, ensure_ascii=False))
    if args.output:
        Path(args.output).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")


if __name__ == "__main__":
    main()
