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
  cloudwatch-concurrency.json  The same function's `ConcurrentExecutions` Maximum per
                  minute, as `aws cloudwatch get-metric-statistics --statistics Maximum`
                  prints it (in no particular order): the served load times a 0.45 s
                  mean duration, with the peak above that mean a minute holds, capped
                  at the reserved concurrency of 60.
  alb/*.log.gz    Ten minutes of a storefront's Application Load Balancer access logs
                  in AWS's entry layout, one gzip file per node per five minutes (as
                  ALB delivers them, named by their end time), each file in the order
                  requests ended: `catalog-fn` and `checkout-fn` Lambda target groups
                  at 2 and 0.5 requests/s, quadrupled between minutes 4 and 6, plus
                  `static-assets` requests and fixed responses without a target group.
  api-gateway.jsonl  The same ten minutes of a partner API's API Gateway JSON access log
                  (`requestTimeEpoch`, `routeKey`, `integrationLatency`, `status`,
                  `integrationStatus`): one `POST /orders` request every 2 s on average
                  and four times as many between minutes 4 and 6, in the order they
                  ended; in that rush Lambda throttled 30 % of the requests (API
                  Gateway's status 500, Lambda's 429 in `integrationStatus`, no
                  latency).
  lambda-logs/*.log  checkout-fn's own log for the ALB's requests to it (START, END
                  and REPORT lines, time in front), one file per log stream as an export
                  to S3 writes them: an environment a stream, a request taking the one
                  freed most recently or else starting a new one with a 0.9 s Init, so
                  the rush between minutes 4 and 6 brings a wave of cold starts.

    python3 scenarios/traces/generate.py
"""

import gzip
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


def concurrency(rng):
    with open(os.path.join(HERE, "cloudwatch.json")) as f:
        results = json.load(f)["MetricDataResults"]
    served = next(r for r in results if r["Id"] == "invocations")
    points = []
    for stamp, count in zip(served["Timestamps"], served["Values"]):
        mean = count / 60.0 * 0.45
        peak = min(60, round(mean + 3.0 * math.sqrt(mean) * rng.uniform(0.5, 1.0)))
        points.append({"Timestamp": stamp, "Maximum": float(peak), "Unit": "Count"})
    rng.shuffle(points)
    document = {"Label": "ConcurrentExecutions", "Datapoints": points}
    with open(os.path.join(HERE, "cloudwatch-concurrency.json"), "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")


START = 1732870800  # 2024-11-29T09:00:00Z


def iso(t):
    """An ALB time: ISO 8601 in UTC with microseconds."""
    whole = math.floor(t)
    micros = round((t - whole) * 1e6)
    if micros == 1_000_000:
        whole, micros = whole + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{micros:06d}Z"


def poisson_times(rng, rate, start, end):
    times, t = [], start
    while True:
        t += rng.expovariate(rate)
        if t >= end:
            return times
        times.append(t)


def alb_logs(rng):
    """ALB entries (fields as in AWS's "Access log entries"), by node and five minutes."""
    account = "123456789012"
    requests = []  # (created, waited or None, target group or None)
    for group, rate, median in [("catalog-fn", 2.0, 0.06), ("checkout-fn", 0.5, 0.35)]:
        times = poisson_times(rng, rate, 0, 600) + poisson_times(rng, 3 * rate, 240, 360)
        for t in times:
            waited = rng.lognormvariate(math.log(median), 0.5)
            if rng.random() < 0.01:
                waited = None  # the target did not answer: -1
            requests.append((t, waited, group))
    for t in poisson_times(rng, 0.5, 0, 600):
        requests.append((t, rng.lognormvariate(math.log(0.004), 0.3), "static-assets"))
    for t in poisson_times(rng, 0.1, 0, 600):
        requests.append((t, 0.0, None))  # a redirect: no target group
    out = os.path.join(HERE, "alb")
    os.makedirs(out, exist_ok=True)
    files = {}
    for created, waited, group in requests:
        node = rng.randrange(2)
        ended = created + 0.001 + (waited or 0.5)
        window = int(ended // 300)
        files.setdefault((node, window), []).append((ended, created, waited, group))
    for (node, window), entries in sorted(files.items()):
        end = START + (window + 1) * 300
        stamp = time.strftime("%Y%m%dT%H%MZ", time.gmtime(end))
        name = f"{account}_elasticloadbalancing_us-east-1_app.shop-alb.50dc6c495c0c9188_{stamp}_10.0.{node}.17_{node}a2b3c4d.log.gz"
        lines = []
        for ended, created, waited, group in sorted(entries):
            arn = "-" if group is None else f"arn:aws:elasticloadbalancing:us-east-1:{account}:targetgroup/{group}/73e2d6bc24d8a067"
            action = "redirect" if group is None else "forward"
            status = "301" if group is None else "200"
            target_status = "-" if group is None else ("502" if waited is None else "200")
            lines.append(
                f'https {iso(START + ended)} app/shop-alb/50dc6c495c0c9188 '
                f'198.51.100.{rng.randrange(1, 255)}:{rng.randrange(1024, 65535)} - '
                f'0.000 {"-1" if waited is None else f"{waited:.3f}"} 0.000 '
                f'{status} {target_status} 240 {rng.randrange(300, 9000)} '
                f'"GET https://shop.example.com:443/{group or "old-path"} HTTP/1.1" "Mozilla/5.0" '
                f'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 {arn} '
                f'"Root=1-{int(START + created):x}-{rng.getrandbits(96):024x}" "shop.example.com" "-" 0 '
                f'{iso(START + created)} "{action}" "-" "-" "-" "{target_status}" "-" "-" TID_{rng.getrandbits(64):016x}\n'
            )
        with open(os.path.join(out, name), "wb") as raw:
            # mtime 0: the same bytes on every run.
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
                f.write("".join(lines).encode())
    return requests


def lambda_logs(rng, requests):
    """checkout-fn's own log for the ALB's requests to it: one file per log stream (an
    execution environment each), as an export to S3 writes them, each line with its time
    in front. A request takes the environment freed most recently, else a new one, whose
    Init (about 0.9 s) comes first and is in the REPORT as `Init Duration`."""
    out = os.path.join(HERE, "lambda-logs")
    os.makedirs(out, exist_ok=True)
    envs = []  # [free at, stream name, lines]
    checkout = sorted((c, w) for c, w, g in requests if g == "checkout-fn" and w is not None)
    for created, waited in checkout:
        idle = [e for e in envs if e[0] <= created]
        init = 0.0
        if idle:
            env = max(idle, key=lambda e: e[0])
        else:
            init = rng.lognormvariate(math.log(0.9), 0.2)
            env = [0.0, f"2024-11-29-[$LATEST]{rng.getrandbits(128):032x}", []]
            envs.append(env)
            env[2].append(f"{iso(START + created)} INIT_START Runtime Version: python:3.12\n")
        started = created + init
        ended = started + waited
        rid = f"{rng.getrandbits(128):032x}"
        cold = f"\tInit Duration: {init * 1000:.2f} ms" if init else ""
        env[2].append(f"{iso(START + started)} START RequestId: {rid} Version: $LATEST\n")
        env[2].append(f"{iso(START + ended)} END RequestId: {rid}\n")
        env[2].append(
            f"{iso(START + ended)} REPORT RequestId: {rid}\tDuration: {waited * 1000:.2f} ms\t"
            f"Billed Duration: {math.ceil(waited * 1000)} ms\tMemory Size: 1024 MB\t"
            f"Max Memory Used: {rng.randrange(80, 120)} MB{cold}\t\n"
        )
        env[0] = ended
    for _, stream, lines in envs:
        name = stream.replace("/", "-").replace("[$LATEST]", "LATEST-")
        with open(os.path.join(out, f"{name}.log"), "w") as f:
            f.write("".join(lines))


def api_gateway(rng):
    """API Gateway JSON access log lines, in the order requests ended."""
    entries = []
    for t in poisson_times(rng, 0.5, 0, 600) + poisson_times(rng, 2.0, 240, 360):
        latency = rng.lognormvariate(math.log(180), 0.4)
        # In the rush between minutes 4 and 6 the function's reserved concurrency
        # throttled some requests: Lambda answered API Gateway 429, and API Gateway
        # its client 500 ("Handling Lambda errors with an API Gateway API").
        throttled = 240 <= t < 360 and rng.random() < 0.3
        entries.append((t + latency / 1000, t, None if throttled else latency))
    with open(os.path.join(HERE, "api-gateway.jsonl"), "w") as f:
        for _, t, latency in sorted(entries):
            record = {
                "requestId": f"{rng.getrandbits(128):032x}",
                "ip": f"203.0.113.{rng.randrange(1, 255)}",
                "requestTimeEpoch": int(round((START + t) * 1000)),
                "httpMethod": "POST",
                "routeKey": "POST /orders",
                "status": "200" if latency is not None else "500",
                "integrationStatus": "200" if latency is not None else "429",
                "protocol": "HTTP/1.1",
                "responseLength": str(rng.randrange(80, 400)),
                "integrationLatency": "-" if latency is None else str(round(latency)),
            }
            f.write(json.dumps(record, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    rng = random.Random(2024)
    requests(rng)
    per_minute(rng)
    cloudwatch(rng)
    # Their own generators: the files above stay as they were.
    alb = alb_logs(random.Random(2025))
    api_gateway(random.Random(2026))
    concurrency(random.Random(2027))
    lambda_logs(random.Random(2028), alb)
