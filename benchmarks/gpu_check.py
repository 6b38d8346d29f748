"""tk on an NVIDIA GPU next to the anchors it should match, in one run of a few minutes.

    bash benchmarks/gpu_check.sh                  # installs what is missing, then runs this
    python benchmarks/gpu_check.py -o eval/results/speed/gpu-h100.json
    python benchmarks/gpu_check.py --smoke        # no GPU: every part on CPU, tiny models

Four parts, each timed on its own, each reported as ran or skipped with the reason:

- ``ctranslate2``: the full-size OPUS-MT de-en architecture (random weights: speed does not
  depend on them), beam 4, batches of 32, float16 and int8_float16: raw CTranslate2
  (``translate_batch`` on tk's own conversion) against tk's CTranslate2 backend on the same
  requests. The anchor is CTranslate2's published figure for OPUS-MT en-de on an A10G, beam 4,
  batch 32: 9,297 target tokens/s (float16 and int8_float16 are listed there too).
- ``transformers``: a chat model (the starter where it is in ``$TK_HOME``, else a random-weight
  model of Qwen2.5-0.5B's size), greedy, on tk's transformers backend, padded batches against
  continuous batching (``--batching continuous``), bfloat16.
- ``ray``: ``tk translate --runner ray`` with one actor holding one GPU, CTranslate2 float16,
  the full-size OPUS-MT model; the job must finish with every shard done.
- ``oom``: tk's transformers backend given one batch far larger than the GPU memory it is
  allowed (``torch.cuda.set_per_process_memory_fraction``): the batch must be split (the
  backend's ``oom_splits``) and every row still translated.

Without a CUDA device every part is skipped, saying so; ``--smoke`` runs the parts on CPU
with tiny models instead (the test suite does, so that this script cannot rot unseen). A
smoke run measures nothing worth reporting and says so in its output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ANCHOR = {"source": "CTranslate2 README, OPUS-MT en-de, beam 4, batch 32, AWS g5.xlarge (A10G)",
          "target_tokens_per_second": 9297}


def sentences(n: int) -> list[str]:
    """``n`` corpus body sentences (repeated when the corpus has fewer)."""
    rows = [json.loads(line) for line in
            (ROOT / "corpus" / "clean" / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows if r.get("kind", "text") == "text"
             and len(r["text"].split()) >= 8]
    return (texts * (n // len(texts) + 1))[:n]


class Check:
    """What one run needs: the device, the sizes, a working folder, the per-part budget."""

    def __init__(self, args: argparse.Namespace) -> None:
        import torch

        self.cuda = torch.cuda.is_available()
        self.smoke = args.smoke
        self.device = "cuda" if self.cuda else "cpu"
        self.work = Path(args.work or tempfile.mkdtemp(prefix="tk-gpu-check-"))
        self.n = args.sentences or (16 if self.smoke else 1000)
        self.max_new = 16 if self.smoke else args.max_new_tokens
        from toolkit.models.starter import starter_installed, starter_path

        # The user's starter, looked up before $TK_HOME points at the working folder.
        self.starter = starter_path() if starter_installed() and not self.smoke else None
        self.env = {**os.environ, "TK_HOME": str(self.work / "tk_home"), "HF_HUB_OFFLINE": "1"}
        os.environ["TK_HOME"] = self.env["TK_HOME"]

    def opus(self) -> Path:
        sys.path.insert(0, str(ROOT / "tests"))
        from tiny_models import OPUS_MT_SIZE, build_marian

        folder = self.work / ("opus-tiny" if self.smoke else "opus-mt-size")
        if not (folder / "config.json").is_file():
            build_marian(folder, target_lang="en", size=None if self.smoke else OPUS_MT_SIZE)
        return folder

    def chat(self) -> tuple[str, str]:
        """(model, what it is): the starter where it is here, else a stand-in."""
        sys.path.insert(0, str(ROOT / "tests"))
        from tiny_models import QWEN_05B_SIZE, build_causal_lm

        if self.starter is not None:
            return str(self.starter), "the starter (Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF)"
        folder = self.work / ("chat-tiny" if self.smoke else "chat-0.5b-size")
        if not (folder / "config.json").is_file():
            build_causal_lm(folder, size=None if self.smoke else QWEN_05B_SIZE)
        what = "tiny random chat model" if self.smoke else (
            "random weights of Qwen2.5-0.5B's size (output layer 700 wide, not 151,936)")
        return str(folder), what


def generation_requests(texts: list[str], beams: int, max_new: int) -> list[Any]:
    from toolkit.backends import GenerationRequest

    return [GenerationRequest(text=t, max_new_tokens=max_new, beams=beams) for t in texts]


def part_ctranslate2(c: Check) -> dict[str, Any]:
    import ctranslate2

    from toolkit.backends import load_backend

    model = c.opus()
    texts = sentences(c.n)
    dtypes = ["float16", "int8"] if c.cuda else ["int8"]
    out: dict[str, Any] = {"model": "opus-mt-de-en architecture, random weights"
                           if not c.smoke else "tiny Marian", "sentences": len(texts),
                           "beams": 4, "batch": 32, "max_new_tokens": c.max_new,
                           "anchor": ANCHOR, "runs": []}
    for dtype in dtypes:
        tk = load_backend(str(model), "ctranslate2", device=c.device, dtype=dtype,
                          max_batch_tokens=10**7, max_batch_size=32)
        requests = generation_requests(texts, 4, c.max_new)
        tk.generate(requests[:32])  # warm-up: CUDA kernels, allocator
        started = time.perf_counter()
        tk.generate(requests)
        tk_s = time.perf_counter() - started
        tk_tokens = int(tk.last_stats["new_tokens"])
        compute = tk.compute_type
        tokens = tk.encode(requests)
        raw = ctranslate2.Translator(str(tk.model_dir), device=c.device, compute_type=compute)
        raw.translate_batch(tokens[:32], max_batch_size=32, beam_size=4,
                            max_decoding_length=c.max_new)
        started = time.perf_counter()
        results = raw.translate_batch(tokens, max_batch_size=32, beam_size=4,
                                      max_decoding_length=c.max_new)
        raw_s = time.perf_counter() - started
        raw_tokens = sum(len(r.hypotheses[0]) for r in results)
        out["runs"].append({
            "compute_type": compute,
            "raw_ctranslate2": {"seconds": round(raw_s, 2), "new_tokens": raw_tokens,
                                "tokens_per_second": round(raw_tokens / raw_s, 1)},
            "tk_ctranslate2": {"seconds": round(tk_s, 2), "new_tokens": tk_tokens,
                               "tokens_per_second": round(tk_tokens / tk_s, 1)},
            "tk_over_raw": round((tk_tokens / tk_s) / (raw_tokens / raw_s), 3),
        })
        del tk, raw
    return out


def part_transformers(c: Check) -> dict[str, Any]:
    from toolkit.backends import load_backend
    from toolkit.tasks import TranslationRequest, Translator

    model, what = c.chat()
    texts = sentences(min(c.n, 256))
    requests = [TranslationRequest(t, "de", "en") for t in texts]
    dtype = "bfloat16" if c.cuda else "float32"
    out: dict[str, Any] = {"model": what, "sentences": len(texts), "dtype": dtype,
                           "max_new_tokens": c.max_new, "runs": []}
    for batching in ("padded", "continuous"):
        backend = load_backend(model, "transformers", device=c.device, dtype=dtype,
                               batching=batching, max_batch_size=64 if c.cuda else 8)
        translator = Translator(backend, max_new_tokens=c.max_new)
        translator.translate(requests[:8])  # warm-up
        before = backend.usage.new_tokens
        started = time.perf_counter()
        translator.translate(requests)
        seconds = time.perf_counter() - started
        new = backend.usage.new_tokens - before
        out["runs"].append({"batching": batching, "seconds": round(seconds, 2),
                            "new_tokens": new, "tokens_per_second": round(new / seconds, 1)})
        del backend, translator
        if c.cuda:
            import torch

            torch.cuda.empty_cache()
    padded, continuous = (r["tokens_per_second"] for r in out["runs"])
    out["continuous_over_padded"] = round(continuous / padded, 3) if padded else None
    return out


def part_ray(c: Check) -> dict[str, Any]:
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        return {"skipped": "ray is not installed (pip install 'tk-translate[ray]')"}
    model = c.opus()
    texts = sentences(c.n)
    docs = [{"id": f"doc-{i:04d}", "text": " ".join(texts[i:i + 4])}
            for i in range(0, len(texts), 4)]
    inputs = c.work / "ray-input.jsonl"
    inputs.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs),
                      encoding="utf-8")
    output = c.work / "ray-out"
    cmd = [sys.executable, "-m", "toolkit", "translate", "--to", "en", str(inputs),
           "-m", str(model), "--engine", "ctranslate2", "--device", c.device,
           "--dtype", "float16" if c.cuda else "int8", "--no-glossary",
           "--max-new-tokens", str(c.max_new), "--shard-size", str(max(1, len(docs) // 4)),
           "--runner", "ray", "--ray-actors", "1",
           "--ray-gpus-per-actor", "1" if c.cuda else "0", "--replace", "-q", "-o", str(output)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=c.env, cwd=ROOT)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"tk --runner ray exited {proc.returncode}: "
                           f"{proc.stderr.strip().splitlines()[-1:]}")
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    done = sum(1 for s in manifest["shards"] if s.get("status") == "complete")
    if manifest["status"] != "complete":
        raise RuntimeError(f"the Ray job ended {manifest['status']}, {done} shards done")
    records = sum(1 for _ in (output / "translations.jsonl").open(encoding="utf-8"))
    return {"documents": len(docs), "shards": len(manifest["shards"]), "shards_done": done,
            "segments": records, "seconds_whole_process": round(seconds, 2),
            "runner": manifest["runner"], "gpus_per_actor": 1 if c.cuda else 0}


def part_oom(c: Check) -> dict[str, Any]:
    if not c.cuda:
        return {"skipped": "needs a CUDA device: on CPU an out-of-memory error is the operating "
                           "system ending the process, not an error tk can catch"}
    import torch

    from toolkit.backends import load_backend

    model = c.opus()
    backend: Any = load_backend(str(model), "transformers", device="cuda", dtype="float32",
                                max_batch_tokens=10**8, max_batch_size=4096)
    texts = sentences(min(c.n, 1024))
    requests = generation_requests(texts, 4, c.max_new)
    total = torch.cuda.get_device_properties(0).total_memory
    allowed = torch.cuda.memory_allocated() + (512 << 20)  # the weights + 512 MiB
    torch.cuda.set_per_process_memory_fraction(allowed / total)
    try:
        started = time.perf_counter()
        outputs = backend.generate(requests)
        seconds = time.perf_counter() - started
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
    translated = sum(1 for o in outputs if o.text)
    if backend.oom_splits == 0:
        raise RuntimeError("no out-of-memory error: the batch fit in the memory allowed")
    if translated != len(requests):
        raise RuntimeError(f"{len(requests) - translated} rows lost after the splits")
    return {"rows": len(requests), "beams": 4, "memory_allowed_mib": allowed >> 20,
            "oom_splits": backend.oom_splits, "rows_translated": translated,
            "seconds": round(seconds, 2)}


PARTS: dict[str, Callable[[Check], dict[str, Any]]] = {
    "ctranslate2": part_ctranslate2, "transformers": part_transformers, "ray": part_ray,
    "oom": part_oom,
}


def gpu_info() -> dict[str, Any]:
    import torch

    if not torch.cuda.is_available():
        return {"cuda": False, "torch": torch.__version__}
    props = torch.cuda.get_device_properties(0)
    return {"cuda": True, "name": props.name, "memory_gib": round(props.total_memory / 2**30, 1),
            "count": torch.cuda.device_count(), "torch": torch.__version__,
            "cuda_version": torch.version.cuda}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", choices=list(PARTS), default=list(PARTS))
    parser.add_argument("--smoke", action="store_true",
                        help="no GPU needed: every part on CPU with tiny models")
    parser.add_argument("-n", "--sentences", type=int, help="default 1000 (16 with --smoke)")
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--work", help="working folder (default: a temporary one)")
    parser.add_argument("-o", "--output", help="write the results as JSON here")
    args = parser.parse_args()

    c = Check(args)
    report: dict[str, Any] = {
        "gpu": gpu_info(), "smoke": c.smoke,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "parts": {},
    }
    if not c.cuda and not c.smoke:
        print("gpu_check: no CUDA device here; every GPU part skipped (--smoke runs them on "
              "CPU with tiny models)", file=sys.stderr)
    elif c.smoke:
        print("gpu_check: --smoke: the parts run on CPU with tiny models; these are not GPU "
              "measurements", file=sys.stderr)
    def save() -> str:  # after every part: a run stopped at its time budget keeps the rest
        text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        if args.output:
            Path(args.output).parent.mkdir(parents=True, exist_ok=True)
            Path(args.output).write_text(text, encoding="utf-8")
        return text

    failed = 0
    for name in args.parts:
        if not c.cuda and not c.smoke:
            result: dict[str, Any] = {"skipped": "no CUDA device"}
        else:
            started = time.perf_counter()
            try:
                result = PARTS[name](c)
            except Exception as e:  # one part failing must not lose the others' results
                failed += 1
                result = {"failed": f"{type(e).__name__}: {e}",
                          "traceback": traceback.format_exc().splitlines()[-6:]}
            result["part_seconds"] = round(time.perf_counter() - started, 1)
        report["parts"][name] = result
        state = ("skipped: " + result["skipped"] if "skipped" in result else
                 "FAILED: " + result["failed"] if "failed" in result else "ran")
        print(f"gpu_check: {name}: {state}", file=sys.stderr, flush=True)
        save()
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(save())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
