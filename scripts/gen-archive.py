#!/usr/bin/env python3
"""Generates a synthetic perfreport archive for the archive benchmark.

    python3 scripts/gen-archive.py OUT_DIR [RUNS] [ENDPOINTS]

Writes RUNS (default 10,000) run folders, each with a Locust 2.x `_stats.csv` of ENDPOINTS
(default 10) endpoints plus Aggregated and a `manifest.json` with correct SHA-256 checksums, as
`perfreport archive` would. Every p95 steps up by 20 % at the middle run so `history` has a
change point to find. Deterministic (fixed seed). Does not write index.parquet: build it with
`perfreport archive --reindex --results OUT_DIR`.
"""

import hashlib
import json
import os
import random
import sys
import time

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)
LEVELS = [0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0]


def row(rng, method, name, base, requests):
    failures = rng.randint(0, requests // 50)
    pct = [round(base * (1 + 3 * l ** 8) * rng.uniform(0.97, 1.03)) for l in LEVELS]
    for i in range(1, len(pct)):
        pct[i] = max(pct[i], pct[i - 1])
    avg = base * 1.1
    rps = requests / 35.0
    cells = [method, name, requests, failures, pct[0], f"{avg:.6f}", max(1, base // 3), pct[-1],
             512, f"{rps:.6f}", f"{failures / 35.0:.6f}"] + pct
    return ",".join(str(c) for c in cells), requests, failures


def main():
    out = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    endpoints = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    rng = random.Random(42)
    os.makedirs(out, exist_ok=True)
    start_ms = 1_767_225_600_000  # 2026-01-01T00:00:00Z
    for r in range(runs):
        step = 1.2 if r >= runs // 2 else 1.0
        lines = [HEADER]
        total_req = total_fail = 0
        for e in range(endpoints):
            base = int((20 + 10 * e) * step * rng.uniform(0.95, 1.05))
            line, req, fail = row(rng, "GET", f"/endpoint/{e}", base, rng.randint(900, 1100))
            lines.append(line)
            total_req += req
            total_fail += fail
        agg, _, _ = row(rng, "", "Aggregated", int(60 * step), total_req)
        parts = agg.split(",")
        parts[3] = str(total_fail)
        lines.append(",".join(parts))
        data = ("\r\n".join(lines) + "\r\n").encode()
        ms = start_ms + r * 3_600_000
        moment = time.gmtime(ms // 1000)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", moment)
        iso = time.strftime("%Y-%m-%dT%H:%M:%S", moment)
        label = f"v{r // 100}.{r % 100}"
        run_dir = os.path.join(out, f"{stamp}_{label}")
        os.makedirs(run_dir, exist_ok=True)
        with open(os.path.join(run_dir, "perf_stats.csv"), "wb") as f:
            f.write(data)
        manifest = {
            "schema_version": 1,
            "perfreport_version": "0.1.0",
            "label": label,
            "note": None,
            "archived_at": f"{iso}.000Z",
            "archived_at_ms": ms,
            "run_name": "perf",
            "git_commit": None,
            "locust": {"format": "unknown", "evidence": "no readable failures file"},
            "run": {"start": None, "end": None, "duration_s": 35.0, "users": 20},
            "files": [{
                "name": "perf_stats.csv",
                "original_path": "/generated/perf_stats.csv",
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
            }],
        }
        with open(os.path.join(run_dir, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
