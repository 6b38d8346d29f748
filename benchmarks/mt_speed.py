"""Seq2seq MT speed, whole process against whole process: the plain transformers loop users
write, tk's transformers path, tk's CTranslate2 path, and raw CTranslate2, on the full-size
OPUS-MT de-en architecture (random weights: speed does not depend on them).

    python benchmarks/mt_speed.py                       # greedy and beam 4, 96 sentences
    python benchmarks/mt_speed.py --rounds 2 -o eval/results/speed/mt-cpu.json
    python benchmarks/mt_speed.py -n 1000 --variants tk-ct2 raw-ct2  # 1,000 sentences

Every variant is its own Python process, timed from start to exit (imports, model load,
tokenization, generation, writing), on the same corpus sentences (96 by default; with more
than the corpus holds, ``-n 1000``, its sentences again in order), with ``--max-new-tokens``
fixed (each sentence is long enough that tk's own length budget is not
smaller, so both sides are asked for the same work; the new tokens each produced are
reported). The plain loop and raw CTranslate2 run batches of 16 on all threads; tk batches as
it does by default. Peak memory is each process's maximum resident set. Variants run interleaved,
``--rounds`` times; each round's table gives every variant's ratio to the plain loop in
that round, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PLAIN = r'''
def peak_mb():  # VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
import json, sys, torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
folder, inputs, out, beams, max_new, threads = sys.argv[1:7]
torch.set_num_threads(int(threads))
tok = AutoTokenizer.from_pretrained(folder)
model = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
texts = [json.loads(l)["text"] for l in open(inputs, encoding="utf-8")]
results, new = [], 0
with torch.inference_mode():
    for i in range(0, len(texts), 16):
        batch = tok(texts[i:i + 16], return_tensors="pt", padding=True)
        ids = model.generate(**batch, num_beams=int(beams), max_new_tokens=int(max_new))
        new += int((ids[:, 1:] != tok.pad_token_id).sum())
        results += tok.batch_decode(ids, skip_special_tokens=True)
open(out, "w", encoding="utf-8").write("\n".join(results) + "\n")
print(json.dumps({"new_tokens": new,
                  "peak_mb": peak_mb()}))
'''

RAW_CT2 = r'''
def peak_mb():  # VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
import json, sys, ctranslate2
from transformers import AutoTokenizer
folder, ct2_folder, inputs, out, beams, max_new, threads = sys.argv[1:8]
tok = AutoTokenizer.from_pretrained(folder)
model = ctranslate2.Translator(ct2_folder, device="cpu", compute_type="int8",
                               intra_threads=int(threads))
texts = [json.loads(l)["text"] for l in open(inputs, encoding="utf-8")]
tokens = [tok.convert_ids_to_tokens(tok(t)["input_ids"]) for t in texts]
res = model.translate_batch(tokens, max_batch_size=16, beam_size=int(beams),
                            max_decoding_length=int(max_new))
hyps = [r.hypotheses[0] for r in res]
results = [tok.decode(tok.convert_tokens_to_ids(h), skip_special_tokens=True) for h in hyps]
open(out, "w", encoding="utf-8").write("\n".join(results) + "\n")
print(json.dumps({"new_tokens": sum(len(h) for h in hyps),
                  "peak_mb": peak_mb()}))
'''

TK = r'''
def peak_mb():  # VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
import json, sys
from toolkit.cli import main
code = main(sys.argv[1:], standalone_mode=False)  # click returns the exit code here
if code:
    sys.exit(code)
print(json.dumps({"peak_mb": peak_mb()}))
'''


VARIANTS = {"plain": "plain transformers loop", "tk-hf": "tk --engine transformers",
            "tk-ct2": "tk --engine ctranslate2 (int8)", "raw-ct2": "raw CTranslate2 int8"}


def corpus_sentences(n: int, min_tokens: int, tokenizer: object) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in
            (ROOT / "corpus" / "clean" / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    picked = [r for r in rows if r.get("kind", "text") == "text"
              and len(tokenizer(r["text"])["input_ids"]) >= min_tokens]  # type: ignore[operator]
    # More than the corpus holds: the sentences again, in the same order (no variant reuses
    # an earlier output: tk runs with --no-cache and translates every row).
    picked = (picked * (n // len(picked) + 1))[:n]
    return [{"id": f"s{i:04d}", "text": r["text"]} for i, r in enumerate(picked)]


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, dict]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed:\n{proc.stderr[-2000:]}")
    return wall, json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--sentences", type=int, default=96)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--beams", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS),
                        help="which to run (ratios are to the first one given)")
    parser.add_argument("--work", help="working folder (default: a temporary one)")
    parser.add_argument("-o", "--output", help="write the results as JSON here")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_models import OPUS_MT_SIZE, build_marian
    from transformers import AutoTokenizer

    work = Path(args.work or tempfile.mkdtemp(prefix="tk-mt-speed-"))
    model = work / "opus-mt-size"
    if not (model / "config.json").is_file():
        build_marian(model, target_lang="en", size=OPUS_MT_SIZE)
    tokenizer = AutoTokenizer.from_pretrained(model)
    # Long enough that tk's budget (2 x input + 16) is not below --max-new-tokens.
    rows = corpus_sentences(args.sentences, (args.max_new_tokens - 16 + 1) // 2, tokenizer)
    inputs = work / "input.jsonl"
    inputs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                      encoding="utf-8")
    env = {**os.environ, "TK_HOME": str(work / "tk_home"), "HF_HUB_OFFLINE": "1",
           "TK_THREADS": str(args.threads), "OMP_NUM_THREADS": str(args.threads)}
    py = sys.executable

    def tk(engine: str, beams: int, out: str) -> list[str]:
        # A fresh output folder each time: tk would otherwise resume (reuse) a finished job.
        shutil.rmtree(work / out, ignore_errors=True)
        return [py, "-c", TK, "translate", "--to", "en", str(inputs), "-m", str(model),
                "--engine", engine, "--beams", str(beams), "--max-new-tokens",
                str(args.max_new_tokens), "--max-batch-tokens", "100000", "--no-glossary",
                "--no-checks", "--no-cache", "--device", "cpu", "-q", "-o", str(work / out)]

    # Convert once (tk's cache), so every timed tk ctranslate2 run is a cached load; the
    # first conversion is timed on its own.
    wall, _ = run(tk("ctranslate2", 1, "warm"), env)
    conversion_s = round(wall, 2)
    from toolkit.backends.ctranslate2 import conversion_root

    os.environ["TK_HOME"] = env["TK_HOME"]
    ct2_folder = next(p.parent for p in conversion_root().glob("*/model.bin"))

    results: dict[str, dict] = {}
    for beams in args.beams:
        commands = {
            "plain transformers loop": [py, "-c", PLAIN, str(model), str(inputs),
                                        str(work / "plain.txt"), str(beams),
                                        str(args.max_new_tokens), str(args.threads)],
            "tk --engine transformers": tk("transformers", beams, "tk-hf"),
            "tk --engine ctranslate2 (int8)": tk("ctranslate2", beams, "tk-ct2"),
            "raw CTranslate2 int8": [py, "-c", RAW_CT2, str(model), str(ct2_folder), str(inputs),
                                     str(work / "raw.txt"), str(beams),
                                     str(args.max_new_tokens), str(args.threads)],
        }
        variants = {VARIANTS[v]: commands[VARIANTS[v]] for v in args.variants}
        rounds: list[dict[str, dict]] = []
        for _ in range(args.rounds):
            this: dict[str, dict] = {}
            for name, cmd in variants.items():
                if "-o" in cmd:  # a fresh output folder: tk would resume a finished job
                    shutil.rmtree(cmd[cmd.index("-o") + 1], ignore_errors=True)
                wall, info = run(cmd, env)
                if "new_tokens" not in info:  # tk: what its run.json says it generated
                    run_json = Path(cmd[cmd.index("-o") + 1]) / "run.json"
                    info["new_tokens"] = json.loads(run_json.read_text(encoding="utf-8"))[
                        "new_tokens"]
                this[name] = {"wall_s": round(wall, 2), **info}
            base = this[VARIANTS[args.variants[0]]]["wall_s"]
            for v in this.values():
                v[f"speedup_vs_{args.variants[0]}"] = round(base / v["wall_s"], 2)
            rounds.append(this)
        results[f"beam {beams}"] = {"rounds": rounds}

    report = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "load_average": os.getloadavg()},
        "sentences": len(rows), "distinct_sentences": len({r["text"] for r in rows}),
        "max_new_tokens": args.max_new_tokens, "batch": 16,
        "threads": args.threads, "model": "opus-mt-de-en architecture, random weights",
        "tk_ctranslate2_first_conversion_s": conversion_s, "results": results,
    }
    ratio = f"speedup_vs_{args.variants[0]}"
    for mode, r in results.items():
        for number, this in enumerate(r["rounds"], start=1):
            print(f"\n{mode}, round {number}  ({len(rows)} sentences, max "
                  f"{args.max_new_tokens} new tokens, {args.threads} threads)")
            print(f"{'variant':<34}{'wall s':>8}{'x ' + args.variants[0]:>10}{'new tok':>9}"
                  f"{'tok/s':>8}{'peak MB':>9}")
            for name, v in this.items():
                print(f"{name:<34}{v['wall_s']:>8.1f}{v[ratio]:>10.2f}"
                      f"{v['new_tokens']:>9}{v['new_tokens'] / v['wall_s']:>8.0f}"
                      f"{v['peak_mb']:>9.0f}")
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
