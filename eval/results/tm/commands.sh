#!/usr/bin/env bash
# What made eval/results/tm/: does a translation memory help the starter? The memory holds the
# reference translations of articles 000 and 001 (95 segments); tk translates the other three
# (153 segments) without it, with it (exact matches only, tk's default with --tm) and with fuzzy
# matches shown to the model as an example (--tm-fuzzy 0.5: at 0.75, tk's suggested value,
# no segment of these articles has a match, so that run would equal the one without).
# Scored against eval/refs with the glossary's terms and the numbers re-checked; paired bootstrap.
set -euo pipefail
out=eval/results/tm
python benchmarks/tm_memory.py --docs 000 001 -o $out/memory-000-001.tmx | tee $out/matches.json
docs="corpus/clean/002_efe5a641e6ba587c.txt corpus/clean/003_6fbdfc2850ff75aa.txt corpus/clean/004_657e718bdc7988b9.txt"
for lang in en zh; do
  tk translate --to $lang $docs -o $out/$lang-no-tm --replace -q
  tk translate --to $lang $docs --tm $out/memory-000-001.tmx --tm-fuzzy 0.5 -o $out/$lang-fuzzy-0.5 --replace -q
  check=""; [ $lang = zh ] && check=--no-language-check
  tk score translations $out/$lang-no-tm $out/$lang-fuzzy-0.5 --refs eval/refs --lang $lang \
     -m bleu,chrf,terms,numbers,untranslated -g glossaries/ai-finance.tsv --compare --covered $check \
     -o $out/$lang-scores.json
done
for lang in en zh; do
  python benchmarks/tm_compare.py $out/$lang-no-tm $out/$lang-fuzzy-0.5 \
     --refs eval/refs/translations/$lang.jsonl > $out/$lang-segments.json
done
