#!/usr/bin/env bash
# The exact commands that made eval/results/starter/ (run from the repository root).
# Model: the offline starter (Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF; `tk models pull starter`),
# greedy decoding, CPU (2 cores, TK_THREADS=1 per process, en and zh run side by side).
# Glossary: glossaries/ai-finance.tsv (from tk.toml). "off" checks terms and numbers without
# intervening (--no-enforce); "on" is tk's default: glossary hints, forced terms on retry,
# one number/language retry.
set -euo pipefail
export TK_THREADS=1
for lang in en zh; do
  tk translate --to $lang corpus/ --model starter --no-enforce -o eval/results/starter/$lang-enforce-off
  tk translate --to $lang corpus/ --model starter              -o eval/results/starter/$lang-enforce-on
done
for lang in en zh; do
  metrics=bleu,chrf,terms,numbers
  [ $lang = en ] && metrics=$metrics,semantic   # the offline embedding model is English-only
  tk score translations eval/results/starter/$lang-enforce-off/translations.jsonl \
                        eval/results/starter/$lang-enforce-on/translations.jsonl \
     --refs eval/refs --lang $lang -m $metrics --compare -o eval/results/starter/$lang-scores.json
  tk score translations eval/results/starter/$lang-enforce-off/translations.jsonl \
                        eval/results/starter/$lang-enforce-on/translations.jsonl \
     --refs eval/refs --lang $lang -m $metrics --level doc -o eval/results/starter/$lang-scores.csv
done
# The reference summaries against each other: the ceiling for any summarizer.
for lang in en zh; do
  tk score summaries --agreement --refs eval/refs --lang $lang -o eval/results/summaries-agreement-$lang.json
done
