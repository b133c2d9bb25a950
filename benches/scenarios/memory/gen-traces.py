#!/usr/bin/env python3
"""Writes the traces the memory benchmarks replay, sized for a run of MINUTES minutes.

    gen-traces.py DIR MINUTES

Synthetic data from this script alone (seeded: the same arguments give the same files):

  requests.csv  per-request: `offset_s,duration_ms`, Poisson arrivals at 1,500/s with
                log-normal durations (median 80 ms, p99 about 500 ms)
  counts.csv    counts: `offset_s,count`, one row per 10 s, about 25,000 each
  azure.csv     Azure Functions 2019 layout: `HashOwner,HashApp,HashFunction,Trigger,
                1..1440`; the replayed function `f0000` has about 150,000 requests in
                each of the first MINUTES minutes and none after; 50 other functions'
                rows per run minute beside it (so the file grows with the run too)
  lambda-logs/  Lambda's own log as an export to S3 writes it, a file per log stream:
                REPORT lines of Poisson invocations at 1,500/s (log-normal durations as
                above), each taken by one of 40 streams at random, so every stream runs
                the whole time and all 40 files are open at once
"""

import math
import os
import random
import sys
import time


def requests(path, rng, seconds):
    rate = 1500.0
    mu, sigma = math.log(80.0), math.log(500.0 / 80.0) / 2.326
    t = rng.expovariate(rate)
    with open(path, "w") as f:
        f.write("offset_s,duration_ms\n")
        lines = []
        while t < seconds:
            lines.append(f"{t:.6f},{rng.lognormvariate(mu, sigma):.1f}\n")
            if len(lines) == 65536:
                f.writelines(lines)
                lines.clear()
            t += rng.expovariate(rate)
        f.writelines(lines)


def counts(path, rng, seconds):
    with open(path, "w") as f:
        f.write("offset_s,count\n")
        for start in range(0, seconds, 10):
            f.write(f"{start},{round(rng.gauss(25000, 150))}\n")


def azure(path, rng, minutes):
    with open(path, "w") as f:
        f.write("HashOwner,HashApp,HashFunction,Trigger,")
        f.write(",".join(str(m) for m in range(1, 1441)) + "\n")
        for i in range(1 + 50 * minutes):
            if i == 0:
                row = [round(rng.gauss(150000, 400)) for _ in range(minutes)]
                row += [0] * (1440 - minutes)
            else:
                row = [rng.randrange(0, 30) for _ in range(1440)]
            f.write(f"o{i % 97:04d},a{i % 389:04d},f{i:04d},http,")
            f.write(",".join(map(str, row)) + "\n")


def lambda_logs(out, rng, seconds):
    streams = 40
    os.makedirs(out, exist_ok=True)
    files = [open(os.path.join(out, f"stream-{i:02d}.log"), "w") for i in range(streams)]
    mu, sigma = math.log(80.0), math.log(500.0 / 80.0) / 2.326
    t = rng.expovariate(1500.0)
    n = 0
    while t < seconds:
        duration = rng.lognormvariate(mu, sigma)
        end = 1732870800.0 + t + duration / 1000
        stamp = f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(end))}.{int(end % 1 * 1000):03d}Z"
        files[rng.randrange(streams)].write(
            f"{stamp} REPORT RequestId: r{n}\tDuration: {duration:.2f} ms\tBilled Duration: "
            f"{math.ceil(duration)} ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\n"
        )
        n += 1
        t += rng.expovariate(1500.0)
    for f in files:
        f.close()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen-traces.py DIR MINUTES")
    out, minutes = sys.argv[1], int(sys.argv[2])
    if not 1 <= minutes <= 1440:
        sys.exit("gen-traces.py: MINUTES must be 1 to 1440")
    rng = random.Random(minutes)
    requests(os.path.join(out, "requests.csv"), rng, minutes * 60)
    counts(os.path.join(out, "counts.csv"), rng, minutes * 60)
    azure(os.path.join(out, "azure.csv"), rng, minutes)
    lambda_logs(os.path.join(out, "lambda-logs"), rng, minutes * 60)


if __name__ == "__main__":
    main()
