#!/usr/bin/env python3
"""Runs SimFaaS and lambdasim on identical workloads and prints both results.

Called by benches/peers/run.sh, which prepares the virtual environment; by hand:

    python3 benches/peers/simfaas_driver.py --lambdasim target/release/lambdasim

The workload is SimFaaS's own example (Mahmoudi & Khazaei's AWS Lambda measurements):
Poisson arrivals, exponential warm service with mean 2.016 s, cold service with mean
2.163 s, instances expire after 600 s idle, the newest idle instance serves the next
request, no concurrency limit in reach. In lambdasim:

    traffic        poisson: { rate: R }
    duration       { exponential: { mean: 2.016s } }       (SimFaaS warm service)
    init_duration  147ms                                   (cold = Init + Invoke:
                                                            mean 0.147 + 2.016 = 2.163 s)
    idle_timeout 600s, reuse: newest, max_lifetime: none,
    account limit 100,000, scaling burst 100,000, rps_per_environment 0

SimFaaS draws a cold request's whole service time from one exponential (mean 2.163 s);
lambdasim draws Init and Invoke separately, so a cold request's busy time is a shifted
exponential with the same mean. Cold-start probability and the average number of
instances (SimFaaS `inst_count_avg`, lambdasim `mean_environments`) depend on the busy
time through its mean almost only, so the two should agree within noise.

Speed: SimFaaS's `generate_trace` wall time against lambdasim's whole `run` (loading,
simulating and writing its outputs, as `--stats` reports it), for the same simulated span.
"""

import argparse
import json
import os
import re
import subprocess
import tempfile
import time

WARM_MEAN_S = 2.016
COLD_MEAN_S = 2.163
EXPIRATION_S = 600

# (arrival rate per second, simulated seconds): about a million requests where SimFaaS
# stays under a minute or two; at 100/s SimFaaS simulates about 4,000 requests a second.
DEFAULT_CASES = "1:1000000,10:100000,100:3000"


def run_simfaas(rate, max_time, seed):
    import numpy as np
    from simfaas.ServerlessSimulator import ServerlessSimulator

    np.random.seed(seed)
    sim = ServerlessSimulator(
        arrival_rate=rate,
        warm_service_rate=1 / WARM_MEAN_S,
        cold_service_rate=1 / COLD_MEAN_S,
        expiration_threshold=EXPIRATION_S,
        max_time=max_time,
        maximum_concurrency=100_000,
    )
    started = time.perf_counter()
    sim.generate_trace()
    wall = time.perf_counter() - started
    return {
        "requests": sim.total_req_count,
        "cold_prob": sim.get_cold_start_prob(),
        "instances": sim.get_average_server_count(),
        "wall_s": wall,
    }


def scenario(rate, max_time, seed):
    cold_extra_ms = round((COLD_MEAN_S - WARM_MEAN_S) * 1000)
    return f"""name: peer-simfaas-{rate}
seed: {seed}
duration: {max_time}s
resolution: 1h
account:
  concurrency_limit: 100000
  unreserved_minimum: 100
  scaling:
    burst: 100000
  rps_per_environment: 0
functions:
  - name: f
    init_duration: {cold_extra_ms}ms
    duration: {{ exponential: {{ mean: {WARM_MEAN_S}s }} }}
    idle_timeout: {EXPIRATION_S}s
    max_lifetime: none
    reuse: newest
    traffic:
      - poisson: {{ rate: {rate} }}
"""


def run_lambdasim(binary, rate, max_time, seed, tmp):
    path = os.path.join(tmp, f"peer-{rate}.yaml")
    with open(path, "w") as f:
        f.write(scenario(rate, max_time, seed))
    out = os.path.join(tmp, f"out-{rate}")
    started = time.perf_counter()
    proc = subprocess.run(
        [binary, "run", path, "--out", out, "--no-charts", "--quiet", "--stats"],
        check=True,
        capture_output=True,
        text=True,
    )
    process_wall = time.perf_counter() - started
    m = re.search(r"([0-9.]+) s wall", proc.stdout)
    with open(os.path.join(out, "summary.json")) as f:
        fn = json.load(f)["variants"][0]["functions"][0]
    return {
        "requests": fn["requests"],
        "cold_prob": fn["cold_starts"] / max(fn["requests"], 1),
        "instances": fn["mean_environments"],
        "wall_s": float(m.group(1)) if m else process_wall,
        "process_wall_s": process_wall,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lambdasim", required=True, help="the lambdasim binary")
    parser.add_argument("--cases", default=DEFAULT_CASES, help="RATE:SECONDS,... (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    cases = [tuple(float(x) if "." in x else int(x) for x in c.split(":")) for c in args.cases.split(",")]

    print(f"workload: Poisson arrivals, exponential warm service mean {WARM_MEAN_S} s, cold mean "
          f"{COLD_MEAN_S} s, expiration {EXPIRATION_S} s, newest-instance reuse; seed {args.seed}")
    print()
    print("| rate/s | simulated s | requests | cold-start prob. SimFaaS | lambdasim "
          "| avg instances SimFaaS | lambdasim | wall s SimFaaS | lambdasim | speed ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for rate, max_time in cases:
            s = run_simfaas(rate, max_time, args.seed)
            l = run_lambdasim(args.lambdasim, rate, max_time, args.seed, tmp)
            ratio = s["wall_s"] / max(l["wall_s"], 1e-9)
            print(f"| {rate} | {max_time:,} | {s['requests']:,} / {l['requests']:,} "
                  f"| {s['cold_prob']:.5f} | {l['cold_prob']:.5f} "
                  f"| {s['instances']:.2f} | {l['instances']:.2f} "
                  f"| {s['wall_s']:.2f} | {l['wall_s']:.3f} | {ratio:,.0f}x |", flush=True)
    print()
    print("requests: SimFaaS / lambdasim (separate random streams, same rate and span). "
          "speed ratio = SimFaaS wall / lambdasim wall (whole `lambdasim run`, one thread).")


if __name__ == "__main__":
    main()
