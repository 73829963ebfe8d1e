#!/usr/bin/env bash
# Every figure the open issues ask for on the full index, in one run, one step after another (the
# machine has two cores: nothing here runs in parallel).  Needs a complete index (`medcite status`
# shows built_at; `medcite ingest` builds or finishes one) and the dev suites in MEDCITE_EVALS.
#
#   MEDCITE_HOME=/path/to/index scripts/measure_full_index.sh [OUT]
#
# OUT (default runs/full-<date>) receives: status.json, done_when.json (issues 16/17's named
# questions), one `medcite eval run` folder per suite (clinician; MedLFQA and MedicationQA also as
# patient, for the FK grade), calibration.json (abstention per suite and on the unanswerable
# report half), ablation.txt (nDCG@10 with and without question understanding) and retrieval/
# (`make bench-retrieval`).  Each step logs to OUT/log.txt; a failed step is reported, not fatal.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
OUT=${1:-runs/full-$(date +%Y%m%d-%H%M)}
mkdir -p "$OUT"
LOG="$OUT/log.txt"

step() {  # step NAME CMD...: run, time, log; keep going on failure
  local name=$1; shift
  local t0=$SECONDS
  echo "== $name: $*" | tee -a "$LOG"
  if "$@" >>"$LOG" 2>&1; then rc=0; else rc=$?; fi
  echo "== $name: rc=$rc in $((SECONDS - t0)) s" | tee -a "$LOG"
}

"$BIN/medcite" status --json >"$OUT/status.json" || { echo "no usable index: see $OUT/status.json" >&2; exit 2; }
step done_when "$BIN/python" -m evals.done_when --out "$OUT/done_when.json"
for suite in medicationqa medlfqa mediqa2019 bioasq pubmedqa fdarxbench unanswerable; do
  step "eval-$suite" "$BIN/medcite" eval run "$suite" --out "$OUT/eval-$suite"
done
for suite in medicationqa medlfqa; do
  step "eval-$suite-patient" "$BIN/medcite" eval run "$suite" --audience patient --out "$OUT/eval-$suite-patient"
done
step calibration "$BIN/python" -m evals.calibrate_abstention --limit 150 --out "$OUT/calibration.json"
step ablation sh -c "'$BIN/python' -m evals.ablate_understanding --suites bioasq pubmedqa > '$OUT/ablation.txt'"
step retrieval "$BIN/python" -m evals.bench_retrieval --suite bioasq --suite pubmedqa --out "$OUT/retrieval"
echo "done: $OUT"
