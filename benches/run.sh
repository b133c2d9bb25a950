#!/usr/bin/env bash
# Runs lambdasim's full-size benchmarks through the release CLI and prints one table:
# simulated invocations per second and peak memory for each.
#
#   benches/run.sh [NAME...]        # default: steady wide huge-fleet worldcup
#
# steady      1 function, Poisson 10,000/s, lognormal 100 ms / 900 ms p99, 1 h (36 M)
# wide        100 functions sharing an account, mixed loads, throttling, 30 min (31 M)
# huge-fleet  100,000 concurrent environments, 10 min (30 M)
# worldcup    the WorldCup98 per-minute trace, 87 days (1.35 billion requests); skipped
#             when ../shared/data is absent
# worldcup-busy  (by name only) four of the trace's busiest hours (13.9 M), the short run
#             that stands for the whole trace; skipped like worldcup
# reuse/POLICY  (by name only) SimFaaS's Poisson 100/s, Exp(1.991 s) workload, 83 h (30 M),
#             under reuse policy POLICY (mru, lru, newest, oldest, random)
# plan        (by name only) `lambdasim plan` on scenarios/black-friday-plan.yaml with 10
#             seeds; a line under the table says how many of the grid's configurations
#             the bisection ran
#
# Each benchmark is one process (`lambdasim run --stats --no-charts --quiet`): wall time
# covers loading, simulating and writing summary.json and timeseries.csv; peak memory is
# the process's VmHWM. Run it on an otherwise idle machine: other builds or benchmarks
# on the same cores skew the numbers. Set NO_BUILD=1 to skip `cargo build --release`.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCENARIOS="$REPO/benches/scenarios"
# The release binary, where cargo puts it (CARGO_TARGET_DIR, if set).
BIN="${CARGO_TARGET_DIR:-$REPO/target}/release/lambdasim"
if [ "${NO_BUILD:-0}" != 1 ]; then
  (cd "$REPO" && cargo build --release -p lambdasim >&2)
fi

NAMES=("$@")
if [ ${#NAMES[@]} -eq 0 ]; then NAMES=(steady wide huge-fleet worldcup); fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/lambdasim-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
echo "lambdasim $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet 2>/dev/null || echo '+dirty'), $(date -u +%Y-%m-%d), ${cpu:-unknown CPU}, $(nproc) cores, RAYON_NUM_THREADS=${RAYON_NUM_THREADS:-unset}"
echo
printf '| %-13s | %13s | %13s | %8s | %14s | %7s |\n' benchmark invocations events "wall s" "invocations/s" "peak MB"
printf '|%s|%s|%s|%s|%s|%s|\n' --------------- --------------- --------------- ---------- ---------------- ---------
notes=()
for name in "${NAMES[@]}"; do
  # NAME/VARIANT runs one variant of the scenario.
  file="${name%%/*}" variant=() command=(run)
  if [[ "$name" == */* ]]; then variant=(--variant "${name#*/}"); fi
  yaml="$SCENARIOS/$file.yaml"
  if [ "$name" = plan ]; then
    yaml="$REPO/scenarios/black-friday-plan.yaml" command=(plan --seeds 10)
  fi
  if [ ! -f "$yaml" ]; then echo "run.sh: no scenario $yaml" >&2; exit 2; fi
  if [[ "$name" == worldcup* ]] && [ ! -f "$REPO/../shared/data/worldcup98/requests-per-minute.csv" ]; then
    printf '| %-13s | %s |\n' "$name" "skipped: ../shared/data absent"
    continue
  fi
  # stats: N invocations, E events, W s wall, R invocations/s, peak memory M MB
  line="$("$BIN" "${command[@]}" "$yaml" "${variant[@]}" --stats --no-charts --quiet --out "$TMP/out" | grep '^stats:')"
  if [ -f "$TMP/out/plan.json" ]; then
    ran="$(sed -n 's/.*"configurations_run": \([0-9]*\).*/\1/p' "$TMP/out/plan.json")"
    grid="$(sed -n 's/.*"grid_size": \([0-9]*\).*/\1/p' "$TMP/out/plan.json")"
    notes+=("$name: bisection ran $ran of the grid's $grid configurations (10 seeds each)")
  fi
  rm -rf "${TMP:?}/out"
  read -r inv ev wall rate mem <<<"$(sed -E 's/^stats: ([0-9]+) invocations, ([0-9]+) events, ([0-9.]+) s wall, ([0-9]+) invocations\/s, peak memory ([0-9.]+|unknown).*/\1 \2 \3 \4 \5/' <<<"$line")"
  printf '| %-13s | %13s | %13s | %8s | %14s | %7s |\n' "$name" \
    "$(printf "%'d" "$inv" 2>/dev/null || echo "$inv")" \
    "$(printf "%'d" "$ev" 2>/dev/null || echo "$ev")" "$wall" \
    "$(printf "%'d" "$rate" 2>/dev/null || echo "$rate")" "$mem"
done
for note in "${notes[@]}"; do echo "$note"; done
