#!/usr/bin/env bash
# How the files here were made (run from the repository root). The starter, CPU, 2 cores.
# before-<lang>.jsonl: tk's default before the untranslated-word check existed (commit aee0075),
# the outputs the check was labelled on (labels.tsv, by hand; see benchmarks/untranslated_check.py):
#   git worktree add /tmp/tk-aee0075 aee0075 && cd /tmp/tk-aee0075
#   tk translate --to $lang corpus/ --model starter --engine ctranslate2 --no-cache -o before-$lang
# main-job-before-<lang>.jsonl: the README's main job at aee0075, from a fresh $TK_HOME, en then zh
# (the "before" of docs/results.md; ../<lang>-enforce-on is the same job now):
#   TK_HOME=$(mktemp -d) tk translate --to $lang corpus/ -o out/$lang --engine ctranslate2
set -euo pipefail
python benchmarks/untranslated_check.py eval/results/starter/untranslated
for lang in en zh; do
  check=""; [ $lang = zh ] && check=--no-language-check
  tk score translations eval/results/starter/untranslated/main-job-before-$lang.jsonl \
                        eval/results/starter/$lang-enforce-on \
     --refs eval/refs --lang $lang -m bleu,chrf,terms,numbers,untranslated \
     -g glossaries/ai-finance.tsv --compare $check -o eval/results/starter/untranslated/$lang-before-after.json
  python benchmarks/reader_view.py eval/results/starter/untranslated/main-job-before-$lang.jsonl \
                                   eval/results/starter/$lang-enforce-on/translations.jsonl \
     > eval/results/starter/untranslated/$lang-reader-view.txt
done
