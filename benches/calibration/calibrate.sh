#!/usr/bin/env bash
# Calibrate lambdasim's cold-start model against the eleven AWS Lambda measurement runs
# of Mahmoudi & Khazaei (2020). See docs/validation.md for the method and the results.
#
#   benches/calibration/calibrate.sh [DATA_DIR]
#
# DATA_DIR is the shared data directory (default: ../shared/data beside the repository
# root); the runs are read from DATA_DIR/aws-lambda-2020/run-*.csv. When the data is
# absent the script says so and exits 0: nothing in the project depends on it, and CI
# does not run it.
#
# Environment overrides (space-separated lists):
#   IDLE_TIMEOUTS  idle timeouts to sweep   (default: 5m 8m 10m 620s 640s 660s 12m 15m 20m 27m)
#   REUSE          reuse policies to sweep  (default: mru newest lru)
#   LIFETIMES      max lifetimes to sweep   (default: 2h none)
#   INIT           init_duration to use     (default: the measured cold-start penalty,
#                  { lognormal: { median: 450ms, p99: 800ms } })
#   SEEDS          seeds to average over    (default: 1 2 3)
#
# Scenarios and outputs go to a temporary directory that is removed on exit (set
# KEEP_TMP=1 to keep it). Needs python3 to read summary.json.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${1:-$REPO/../shared/data}"
if [ -d "$DATA/aws-lambda-2020" ]; then DATA="$DATA/aws-lambda-2020"; fi
if ! ls "$DATA"/run-*.csv >/dev/null 2>&1; then
  echo "calibrate: no AWS Lambda runs found under ${1:-$REPO/../shared/data} (looked for aws-lambda-2020/run-*.csv); nothing to do."
  exit 0
fi
DATA="$(cd "$DATA" && pwd)"

IDLE_TIMEOUTS="${IDLE_TIMEOUTS:-5m 8m 10m 620s 640s 660s 12m 15m 20m 27m}"
REUSE="${REUSE:-mru newest lru}"
LIFETIMES="${LIFETIMES:-2h none}"
INIT="${INIT:-{ lognormal: { median: 450ms, p99: 800ms } }}"
SEEDS="${SEEDS:-1 2 3}"

BIN="$REPO/target/release/lambdasim"
if [ ! -x "$BIN" ]; then
  (cd "$REPO" && cargo build --release -p lambdasim >&2)
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/lambdasim-calibration.XXXXXX")"
if [ "${KEEP_TMP:-0}" != 1 ]; then trap 'rm -rf "$TMP"' EXIT; else echo "calibrate: keeping $TMP" >&2; fi

# One scenario per run and seed; one variant per (idle timeout, reuse, max lifetime) plus
# the model defaults (10m, mru, 2h, init lognormal 250ms/1s).
for csv in "$DATA"/run-*.csv; do
  run="$(basename "$csv" .csv)"; run="${run#run-}"
  span="$(tail -n 1 "$csv" | cut -d, -f1)"
  dur="$(python3 -c "import math; print(math.ceil(float('$span')) + 120)")"
  for seed in $SEEDS; do
    yaml="$TMP/$run-s$seed.yaml"
    {
      echo "name: aws-$run"
      echo "seed: $seed"
      echo "duration: ${dur}s"
      echo "resolution: 1h"
      echo "functions:"
      echo "  - name: f"
      echo "    memory_mb: 128"
      echo "    init_duration: $INIT"
      echo "    idle_timeout: 10m"
      echo "    traffic:"
      echo "      - trace: { file: $csv }"
      echo "variants:"
      echo "  - name: defaults"
      echo "    set:"
      echo "      functions.f.init_duration: { lognormal: { median: 250ms, p99: 1s } }"
      for it in $IDLE_TIMEOUTS; do for ru in $REUSE; do for lt in $LIFETIMES; do
        echo "  - name: it=$it,reuse=$ru,life=$lt"
        echo "    set:"
        echo "      functions.f.idle_timeout: $it"
        echo "      functions.f.reuse: $ru"
        echo "      functions.f.max_lifetime: $lt"
      done; done; done
    } > "$yaml"
    "$BIN" run "$yaml" --no-charts --quiet --out "$TMP/out-$run-s$seed"
  done
done

python3 - "$TMP" "$DATA" "$IDLE_TIMEOUTS" "$REUSE" "$LIFETIMES" "$SEEDS" <<'PY'
import csv, glob, json, os, sys
tmp, data, its, reuses, lifes, seeds = sys.argv[1], sys.argv[2], *[s.split() for s in sys.argv[3:]]
# Real cold starts (is_cold == True) counted from pacslab/serverless-performance-modeling
# experiments/results/res-01-<date>_*.csv; None = not read. In every run read, the first
# request found an instance left warm by the previous run, while the simulation starts
# with none, so the comparison adds 1 to the real count.
REAL = {"2020-05-28": 59, "2020-06-04": 52, "2020-06-06": 43}
runs = sorted(os.path.basename(p)[4:-4] for p in glob.glob(os.path.join(data, "run-*.csv")))
sim = {}  # (run, variant) -> mean cold starts over seeds
info = {}
for run in runs:
    for seed in seeds:
        s = json.load(open(os.path.join(tmp, f"out-{run}-s{seed}", "summary.json")))
        for v in s["variants"]:
            f = v["functions"][0]
            sim.setdefault((run, v["name"]), []).append(f["cold_starts"])
            info[run] = (f["invocations"], v["duration_s"])
sim = {k: sum(v) / len(v) for k, v in sim.items()}
def span(run):
    with open(os.path.join(data, f"run-{run}.csv")) as fh:
        rows = list(csv.reader(fh))
    return float(rows[-1][0]), len(rows) - 1

best = f"it=640s,reuse=mru,life=2h"
if (runs[0], best) not in sim:
    best = f"it={its[len(its)//2]},reuse={reuses[0]},life={lifes[0]}"
print(f"\nPer run (simulated counts are means over seeds {' '.join(seeds)}):\n")
print(f"| run | rate (req/s) | requests | real cold | sim defaults (10m, mru, init 250ms/1s) | err | sim {best} | err |")
print("|---|---|---|---|---|---|---|---|")
for run in runs:
    sp, n = span(run)
    real = REAL.get(run)
    d, b = sim[(run, "defaults")], sim[(run, best)]
    def err(x):
        return "" if real is None else f"{(x - (real + 1)) / (real + 1) * 100:+.0f}%"
    print(f"| {run} | {n/sp:.4f} | {n} | {'' if real is None else real} | {d:.1f} | {err(d)} | {b:.1f} | {err(b)} |")

print("\nCold-start probability (cold starts / invocations), model with the best-fit setting:\n")
print("| run | rate (req/s) | real P(cold) | sim P(cold) |")
print("|---|---|---|---|")
for run in runs:
    sp, n = span(run)
    real = REAL.get(run)
    print(f"| {run} | {n/sp:.4f} | {'' if real is None else f'{real/n:.3f}'} | {sim[(run, best)]/n:.3f} |")

print("\nSweep: simulated cold starts per run for each setting; 'err' is the mean absolute")
print("relative error over the runs with real counts (real + 1, see above):\n")
names = [f"it={it},reuse={ru},life={lt}" for it in its for ru in reuses for lt in lifes]
print("| setting | " + " | ".join(runs) + " | err |")
print("|---|" + "---|" * len(runs) + "---|")
for name in ["defaults"] + names:
    errs = [abs(sim[(r, name)] - (REAL[r] + 1)) / (REAL[r] + 1) for r in runs if r in REAL]
    e = f"{sum(errs)/len(errs)*100:.1f}%" if errs else ""
    print(f"| {name} | " + " | ".join(f"{sim[(r, name)]:.1f}" for r in runs) + f" | {e} |")
PY
