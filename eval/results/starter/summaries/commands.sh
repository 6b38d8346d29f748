#!/usr/bin/env bash
# Summaries of the five corpus articles with the offline starter model (tk models pull starter):
# the default (--route auto: via tk's own translation for the starter, the model reading the
# top-ranked sentences, checked), the cross-lingual route with the same checks, the one-prompt
# baseline (one call per article, the whole article, no checks: kept from tk 0.1.0, whose prompt
# it still is), lead-3 of tk's current translation (eval/results/starter/*-enforce-on, the README
# main job) held to the same limit, and the same checks on every system. Run after the main job
# (../commands.sh) in the same $TK_HOME: the via-translation route then reads the main job's
# translations from the cache (int8 outputs depend on batch composition; a cold cache gives
# slightly different translations).
set -euo pipefail
cd "$(dirname "$0")/../../../.."
out=eval/results/starter/summaries
common=(--model starter --engine ctranslate2 -q)
tk summarize --to en corpus/ --max-words 100 "${common[@]}" -o $out/en-default
tk summarize --to en corpus/ --max-words 100 --route cross-lingual "${common[@]}" -o $out/en-cross-lingual
tk summarize --to zh corpus/ --max-chars 220 "${common[@]}" -o $out/zh-default
tk summarize --to zh corpus/ --max-chars 220 --route cross-lingual "${common[@]}" -o $out/zh-cross-lingual
python benchmarks/lead_baseline.py eval/results/starter/en-enforce-on --max-words 100 -o $out/en-lead-3
python benchmarks/lead_baseline.py eval/results/starter/zh-enforce-on --max-chars 220 -o $out/zh-lead-3
for lang in en zh; do
  tk score summaries $out/$lang-default/summaries.jsonl $out/$lang-lead-3/summaries.jsonl \
    $out/$lang-one-prompt/summaries.jsonl $out/$lang-cross-lingual/summaries.jsonl \
    $out/$lang-via-translation/summaries.jsonl $out/$lang-checked/summaries.jsonl \
    --refs eval/refs --lang $lang --compare -o $out/$lang-scores.json
done
python benchmarks/summary_faithfulness.py $out/*/summaries.jsonl   # the same checks on every system
