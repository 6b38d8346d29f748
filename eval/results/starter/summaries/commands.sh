#!/usr/bin/env bash
# Summaries of the five corpus articles with the offline starter model (tk models pull starter),
# as reported in the README: the checked pipeline, the one-prompt baseline (--no-checks: one
# call per article, no retries, no length control) and the via-translation route (tk's own
# starter translations in eval/results/starter/0.2.0/*-enforce-on, the default of tk 0.2.0 when these were made). One CPU thread each.
set -euo pipefail
cd "$(dirname "$0")/../../../.."
out=eval/results/starter/summaries
common=(--model starter --threads 1 -q)
tk summarize --lang en corpus/ --max-words 100 "${common[@]}" -o $out/en-checked
tk summarize --lang en corpus/ --max-words 100 --no-checks "${common[@]}" -o $out/en-one-prompt
tk summarize --lang en --from-translation eval/results/starter/0.2.0/en-enforce-on --max-words 100 "${common[@]}" -o $out/en-via-translation
tk summarize --lang zh corpus/ --max-chars 220 "${common[@]}" -o $out/zh-checked
tk summarize --lang zh corpus/ --max-chars 220 --no-checks "${common[@]}" -o $out/zh-one-prompt
tk summarize --lang zh --from-translation eval/results/starter/0.2.0/zh-enforce-on --max-chars 220 "${common[@]}" -o $out/zh-via-translation
python benchmarks/lead_baseline.py eval/results/starter/0.2.0/en-enforce-on -o $out/en-lead-3
python benchmarks/lead_baseline.py eval/results/starter/0.2.0/zh-enforce-on -o $out/zh-lead-3
python benchmarks/summary_faithfulness.py $out/*/summaries.jsonl   # the same checks on every system
