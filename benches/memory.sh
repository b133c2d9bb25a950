#!/usr/bin/env bash
# Checks that peak memory does not grow with the number of requests: runs each feature's
# scenario in benches/scenarios/memory/ (on demand; provisioned static, scheduled and
# autoscaled; async; client retries; a per-request, a counts and an Azure 2019 trace;
# Lambda's own log, a file per log stream, merged by time) at two durations and fails
# if a long run's peak exceeds the short one's by more than 10 % + 2 MB. Prints a
# Markdown table.
#
#   benches/memory.sh [NAME...]     # default: every scenario in benches/scenarios/memory
#
# SHORT and LONG set the two durations in minutes (default 10 and 40: 1.5 M and 6 M
# invocations for most). Each run is one process (`lambdasim run --stats --no-charts
# --quiet`); peak memory is its VmHWM, as benches/run.sh reports it. The traces are
# written for each duration by scenarios/memory/gen-traces.py into a temporary
# directory. Set NO_BUILD=1 to skip `cargo build --release`, LAMBDASIM=PATH to check
# another build of the binary.
#
# Why 10 % + 2 MB: what a run keeps follows the peak number of environments, queued
# events and waiting requests, which a stationary load reaches early; a longer run
# only samples further into their tails, and a vector that then grows past its
# capacity doubles (its part of the peak at most, a few % of it). The 2 MB absorbs the
# allocator's and the kernel's page-level slack, which does not scale with the peak.
# Memory kept per request grows with the run: 6 M invocations at even 1 byte each
# would add 6 MB, beyond the margin of every case here.
#
# `async-overload` keeps a backlog that grows by 500 events a second for the whole run
# (events wait up to max_event_age, 6 h): that state must be kept, so its allowance is
# the same margin plus 40 bytes per event the backlog gained (a waiting event takes 8
# bytes, and up to 4x that in positions not yet compacted and vector capacity).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$REPO/benches/scenarios/memory"
BIN="${LAMBDASIM:-$REPO/target/release/lambdasim}"
SHORT="${SHORT:-10}"
LONG="${LONG:-40}"
# Scenarios whose backlog grows, with its growth in events per second.
declare -A BACKLOG_PER_SECOND=([async-overload]=500)
BYTES_PER_WAITING_EVENT=40
if [ -z "${LAMBDASIM:-}" ] && [ "${NO_BUILD:-0}" != 1 ]; then
  (cd "$REPO" && cargo build --release -p lambdasim >&2)
fi

NAMES=("$@")
if [ ${#NAMES[@]} -eq 0 ]; then
  for f in "$DIR"/*.yaml; do NAMES+=("$(basename "$f" .yaml)"); done
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/lambdasim-memory.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# The scenario for a run of $2 minutes in directory $3: its duration set, and the
# provisioned-concurrency schedule entries at or after the end dropped.
prepare() {
  awk -v m="$2" '
    /^duration: / { print "duration: " m "m"; next }
    match($0, /- \{ at: [0-9]+m,/) {
      at = substr($0, RSTART + 8, RLENGTH - 10) + 0
      if (at >= m) next
    }
    { print }
  ' "$DIR/$1.yaml" >"$3/$1.yaml"
}

# Prints "invocations peak_MB" of one run.
measure() {
  local line
  line="$("$BIN" run "$1" --stats --no-charts --quiet --out "$2" | grep '^stats:')"
  rm -rf "${2:?}"
  sed -E 's/^stats: ([0-9]+) invocations, .* peak memory ([0-9.]+) MB.*/\1 \2/' <<<"$line"
}

for minutes in "$SHORT" "$LONG"; do
  mkdir -p "$TMP/$minutes"
  python3 "$DIR/gen-traces.py" "$TMP/$minutes" "$minutes"
  for name in "${NAMES[@]}"; do
    [ -f "$DIR/$name.yaml" ] || { echo "memory.sh: no scenario $DIR/$name.yaml" >&2; exit 2; }
    prepare "$name" "$minutes" "$TMP/$minutes"
  done
done

cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
if [ -n "${LAMBDASIM:-}" ]; then built="$BIN"; else built="lambdasim $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet 2>/dev/null || echo '+dirty')"; fi
echo "$built, $(date -u +%Y-%m-%d), ${cpu:-unknown CPU}; ${SHORT} vs ${LONG} simulated minutes; fails above 10 % + 2 MB (+ 40 B per event a growing backlog gained)"
echo
printf '| %-22s | %12s | %12s | %8s | %8s | %7s | %s |\n' feature "inv. ${SHORT}m" "inv. ${LONG}m" "MB ${SHORT}m" "MB ${LONG}m" growth verdict
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ------------------------ -------------- -------------- ---------- ---------- --------- --------
failed=0
for name in "${NAMES[@]}"; do
  read -r inv_s mb_s <<<"$(measure "$TMP/$SHORT/$name.yaml" "$TMP/out-$name-short")"
  read -r inv_l mb_l <<<"$(measure "$TMP/$LONG/$name.yaml" "$TMP/out-$name-long")"
  growth="$(awk -v s="$mb_s" -v l="$mb_l" 'BEGIN { printf "%+.1f%%", (l / s - 1) * 100 }')"
  backlog_mb="$(awk -v r="${BACKLOG_PER_SECOND[$name]:-0}" -v b="$BYTES_PER_WAITING_EVENT" \
    -v m=$((LONG - SHORT)) 'BEGIN { print r * m * 60 * b / 1e6 }')"
  if awk -v s="$mb_s" -v l="$mb_l" -v q="$backlog_mb" 'BEGIN { exit !(l > s * 1.10 + 2 + q) }'; then
    verdict="FAIL"
    failed=1
  elif [ "$backlog_mb" != 0 ]; then
    verdict="within its backlog's $backlog_mb MB"
  else
    verdict="flat"
  fi
  printf '| %-22s | %12s | %12s | %8s | %8s | %7s | %s |\n' "$name" \
    "$(printf "%'d" "$inv_s" 2>/dev/null || echo "$inv_s")" \
    "$(printf "%'d" "$inv_l" 2>/dev/null || echo "$inv_l")" "$mb_s" "$mb_l" "$growth" "$verdict"
done
if [ "$failed" != 0 ]; then
  echo
  echo "memory.sh: peak memory grew with the number of requests (see FAIL above)" >&2
  exit 1
fi
