#!/usr/bin/env bash
# Compares lambdasim with SimFaaS (Mahmoudi & Khazaei, PyPI `simfaas`) on identical
# workloads: Poisson arrivals at 1, 10 and 100 requests/s, exponential service, 600 s
# expiration, newest-instance reuse. Prints both simulators' cold-start probability and
# average number of instances, and the speed ratio. See docs/performance.md.
#
#   benches/peers/run.sh [--cases RATE:SECONDS,...] [--seed N]
#
# Installs SimFaaS into benches/peers/.venv on first use (needs python3 with venv and
# access to PyPI; set PEERS_VENV to use another directory). Not part of CI: nothing in
# the project depends on SimFaaS. Set NO_BUILD=1 to skip `cargo build --release`.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="${PEERS_VENV:-$HERE/.venv}"

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import simfaas' 2>/dev/null; then
  echo "peers: installing simfaas into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check simfaas >&2
fi
if [ "${NO_BUILD:-0}" != 1 ]; then
  (cd "$REPO" && cargo build --release -p lambdasim >&2)
fi
echo "simfaas $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("simfaas"))'), python $("$VENV/bin/python" -c 'import platform; print(platform.python_version())'), $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
exec "$VENV/bin/python" -W ignore "$HERE/simfaas_driver.py" --lambdasim "$REPO/target/release/lambdasim" "$@"
