#!/usr/bin/env bash
# Counts the instructions lambdasim executes per simulated invocation, under callgrind:
# unlike wall time, the count is the same on every run of the same binary and inputs,
# whatever else the machine is doing, so it shows small changes that timing noise hides.
#
#   benches/instructions.sh [NAME:SPAN_S...]    # default: steady:60 wide:120 huge-fleet:30
#
# Each case runs `bench-once NAME SPAN_S` (the benchmark scenario cut to SPAN_S simulated
# seconds, time series discarded) once under `valgrind --tool=callgrind`, about 50x slower
# than natively. The count includes loading the scenario, a fixed cost that is small next
# to these spans. Needs valgrind. Set NO_BUILD=1 to skip `cargo build --release`.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$REPO/target/release/bench-once"
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is not installed" >&2; exit 2; }
if [ "${NO_BUILD:-0}" != 1 ]; then
  (cd "$REPO" && cargo build --release -p lambdasim-benches --bin bench-once >&2)
fi

CASES=("$@")
if [ ${#CASES[@]} -eq 0 ]; then CASES=(steady:60 wide:120 huge-fleet:30); fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/lambdasim-instr.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

echo "lambdasim $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet 2>/dev/null || echo '+dirty'), $(date -u +%Y-%m-%d)"
echo
printf '| %-16s | %12s | %16s | %14s |\n' case invocations instructions "per invocation"
printf '|%s|%s|%s|%s|\n' ------------------ -------------- ------------------ ----------------
for case in "${CASES[@]}"; do
  name="${case%%:*}" span="${case##*:}"
  inv="$(valgrind --tool=callgrind --callgrind-out-file="$TMP/out" "$BIN" "$name" "$span" 2>"$TMP/log")"
  ir="$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$TMP/log")"
  printf '| %-16s | %12s | %16s | %14s |\n' "$name ${span}s" "$inv" "$ir" "$((ir / inv))"
done
