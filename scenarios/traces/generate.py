#!/usr/bin/env python3
"""Generates the small traces bundled with scenarios/trace-replay*.yaml.

Synthetic data, made by this script alone (seeded, so re-running gives the same files):

  requests.csv    20 minutes of per-request traffic to a shop's API: Poisson arrivals
                  at 2 requests/s with a burst of 300 extra requests between minutes 8
                  and 9, each routed (column `function`) to `api` (90 %) or `report`
                  (10 %), with a recorded `duration_ms` (log-normal; reports are slower).
  per-minute.csv  Two hours of per-minute counts in the WorldCup98 layout (`period`,
                  `count`): about 600 requests a minute, then a flash crowd at minute 60
                  that jumps to 6,000 a minute and decays over half an hour.
  cloudwatch.json Three hours of a function's one-minute `Invocations` and `Throttles`
                  as `aws cloudwatch get-metric-data` prints them (newest first): a
                  morning ramp from 1,200 to 9,000 requests a minute, of which what
                  exceeded 7,200 a minute was throttled; Throttles has points only where
                  it is above zero, as CloudWatch omits periods with no data.

    python3 scenarios/traces/generate.py
"""

import json
import math
import os
import random
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def requests(rng):
    times = []
    t = 0.0
    while True:
        t += rng.expovariate(2.0)
        if t >= 1200:
            break
        times.append(t)
    times += [480 + rng.random() * 60 for _ in range(300)]
    rows = []
    for t in sorted(times):
        if rng.random() < 0.9:
            rows.append((t, "api", rng.lognormvariate(math.log(80), 0.6)))
        else:
            rows.append((t, "report", rng.lognormvariate(math.log(900), 0.4)))
    with open(os.path.join(HERE, "requests.csv"), "w") as f:
        f.write("offset_s,function,duration_ms\n")
        for t, function, ms in rows:
            f.write(f"{t:.3f},{function},{ms:.1f}\n")


def per_minute(rng):
    with open(os.path.join(HERE, "per-minute.csv"), "w") as f:
        f.write("period,count\n")
        for minute in range(120):
            rate = 600.0
            if minute >= 60:
                rate += 5400.0 * math.exp(-(minute - 60) / 10.0)
            count = max(0, round(rng.gauss(rate, math.sqrt(rate))))
            f.write(f"1998-06-30 {20 + minute // 60:02d}:{minute % 60:02d}:00,{count}\n")


def cloudwatch(rng):
    start = 1732870800  # 2024-11-29T09:00:00Z
    invocations, throttles = [], []
    for minute in range(180):
        rate = 1200.0 + 7800.0 / (1.0 + math.exp(-(minute - 90) / 15.0))
        load = max(0, round(rng.gauss(rate, math.sqrt(rate))))
        served = min(load, 7200)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(start + 60 * minute))
        invocations.append((stamp, served))
        if load > served:
            throttles.append((stamp, load - served))

    def result(id_, label, points):
        points = points[::-1]
        return {
            "Id": id_,
            "Label": label,
            "Timestamps": [t for t, _ in points],
            "Values": [float(v) for _, v in points],
            "StatusCode": "Complete",
        }

    document = {
        "MetricDataResults": [
            result("invocations", "Invocations", invocations),
            result("throttles", "Throttles", throttles),
        ],
        "Messages": [],
    }
    with open(os.path.join(HERE, "cloudwatch.json"), "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    rng = random.Random(2024)
    requests(rng)
    per_minute(rng)
    cloudwatch(rng)
