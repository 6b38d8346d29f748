#!/usr/bin/env bash
# tk on an NVIDIA GPU next to its anchors (benchmarks/gpu_check.py says what is measured).
#
#   bash benchmarks/gpu_check.sh                 # from the repository root, on the GPU machine
#   GPU_CHECK_BUDGET=600 bash benchmarks/gpu_check.sh
#
# 1. Installs what is missing (torch's CUDA build from PyPI, tk with CTranslate2 and Ray) into
#    the Python on PATH; where nothing can be installed (no network), it says so and goes on
#    with what is there.
# 2. Runs the check within GPU_CHECK_BUDGET seconds (default 480: 8 minutes).
# 3. Writes eval/results/speed/gpu-<gpu name>.json (GPU_CHECK_OUTPUT to choose).
#
# On a machine without an NVIDIA GPU it says so, and runs every part on CPU with tiny models
# instead (--smoke), writing the JSON to a temporary file unless GPU_CHECK_OUTPUT is set: that
# run checks the script, it measures nothing (the test suite runs it so).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
BUDGET=${GPU_CHECK_BUDGET:-480}

if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n1)
  echo "gpu_check: $gpu"
  mode=()
  slug=$(echo "$gpu" | tr '[:upper:]' '[:lower:]' | tr -cs 'a-z0-9' '-' | sed 's/-*$//; s/^nvidia-//')
  output=${GPU_CHECK_OUTPUT:-eval/results/speed/gpu-$slug.json}
else
  echo "gpu_check: no NVIDIA GPU here (nvidia-smi finds none): the GPU parts are skipped;" \
       "running every part on CPU with tiny models (--smoke) to check the script itself"
  mode=(--smoke)
  output=${GPU_CHECK_OUTPUT:-$(mktemp --suffix=.json)}
fi

missing() {
  "$PYTHON" - "$@" <<'EOF'
import importlib.util, sys
gone = [m for m in sys.argv[1:] if importlib.util.find_spec(m) is None]
if "torch" not in gone and "--cuda" in sys.argv and importlib.util.find_spec("torch"):
    import torch
    if torch.version.cuda is None:
        gone.append("torch (a CUDA build)")
print(" ".join(m for m in gone if m != "--cuda"))
EOF
}
want=(toolkit ctranslate2 ray torch)
[ ${#mode[@]} -eq 0 ] && want+=(--cuda)
need=$(missing "${want[@]}")
if [ -n "$need" ]; then
  echo "gpu_check: installing what is missing: $need"
  if ! { "$PYTHON" -m pip install -q torch==2.13.0 && "$PYTHON" -m pip install -q -e '.[test]'; }; then
    echo "gpu_check: could not install ($need); going on with what is installed:" \
         "parts that need it will say so"
  fi
fi

echo "gpu_check: writing $output (budget ${BUDGET}s)"
status=0
timeout --signal=INT --kill-after=20 "$BUDGET" \
  "$PYTHON" benchmarks/gpu_check.py "${mode[@]}" -o "$output" >/dev/null || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 130 ]; then
  echo "gpu_check: stopped at the ${BUDGET}s budget; the parts finished by then are saved" \
       "(the rest: python benchmarks/gpu_check.py --parts ...)" >&2
fi
[ -f "$output" ] && echo "gpu_check: results in $output"
exit "$status"
