#!/usr/bin/env bash
# The exact commands that made eval/results/starter/ (run from the repository root).
# Model: the offline starter (Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF; `tk models pull starter`),
# greedy decoding, CPU (2 cores), CTranslate2 int8 (--engine ctranslate2; the main job gets it from
# --engine auto, the default, with the ctranslate2 extra installed), run one after another.
# Glossary: glossaries/ai-finance.tsv (from tk.toml). "off" checks terms and numbers without
# intervening (--no-enforce); "on" is tk's default: glossary hints as the system turn, numbers
# repaired from the source, up to two retries with the terms written into the source
# (--retry inline), German words left retried, into Chinese the route through English for what
# still fails. "plain" is the plain chat call a user writes (benchmarks/plain_chat.py).
# 0.2.0/ holds the default's outputs of tk 0.2.0 (the summaries of summaries/ read them);
# untranslated/ the labelled outputs of the untranslated-word check and the main job before it
# (untranslated/commands.sh).
set -euo pipefail
for lang in en zh; do
  tk translate --to $lang corpus/ --model starter --engine ctranslate2 --no-enforce -o eval/results/starter/$lang-enforce-off
  # "on" is the README's main job: no --model (the starter by fallback), a fresh $TK_HOME, en then zh
  tk translate --to $lang corpus/                                                  -o eval/results/starter/$lang-enforce-on
  python benchmarks/plain_chat.py --to $lang -o eval/results/starter/$lang-plain.jsonl
done
for lang in en zh; do
  metrics=bleu,chrf,terms,numbers,untranslated
  check=""; [ $lang = zh ] && check=--no-language-check   # the baselines answer in English often
  # -g: terms and numbers checked again on every system's text as a reader sees them
  tk score translations eval/results/starter/$lang-enforce-off eval/results/starter/$lang-enforce-on \
                        eval/results/starter/$lang-plain.jsonl \
     --refs eval/refs --lang $lang -m $metrics -g glossaries/ai-finance.tsv --compare $check \
     -o eval/results/starter/$lang-scores.json
  tk score translations eval/results/starter/$lang-enforce-off eval/results/starter/$lang-enforce-on \
     --refs eval/refs --lang $lang -m $metrics -g glossaries/ai-finance.tsv --level doc $check \
     -o eval/results/starter/$lang-scores.csv
  python benchmarks/reader_view.py eval/results/starter/$lang-enforce-off/translations.jsonl \
                                   eval/results/starter/$lang-enforce-on/translations.jsonl \
                                   eval/results/starter/$lang-plain.jsonl > eval/results/starter/$lang-reader-view.txt
done
# The reference summaries against each other: the ceiling for any summarizer.
for lang in en zh; do
  tk score summaries --agreement --refs eval/refs --lang $lang -o eval/results/summaries-agreement-$lang.json
done
