#!/usr/bin/env python3
"""Generates a large Locust 2.x run with a full history, for the reading benchmark.

    python3 scripts/gen-history.py PREFIX [SECONDS] [ENDPOINTS]

Writes PREFIX_stats_history.csv as Locust 2.47 writes it with --csv-full-history: a row per
endpoint per second plus the Aggregated row, SECONDS (default 18,000: 5 hours) × (ENDPOINTS
(default 50) + 1) rows, with the values benches/read_history.rs generates; and a matching
PREFIX_stats.csv whose totals are those of the history's last second. Deterministic; every
row passes perfreport's checks.
"""

import sys

LEVELS = ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"]
STEPS = [0, 10, 20, 30, 50, 70, 90, 120, 200, 200, 210]
START = 1_795_859_305


def history(out, seconds, endpoints):
    out.write(
        "Timestamp,User Count,Type,Name,Requests/s,Failures/s,"
        + ",".join(LEVELS)
        + ",Total Request Count,Total Failure Count,Total Median Response Time,"
        "Total Average Response Time,Total Min Response Time,Total Max Response Time,"
        "Total Average Content Size\r\n"
    )
    names = [("GET", f"/api/v1/resource-{e}/items") for e in range(endpoints)]
    names.append(("", "Aggregated"))
    for s in range(seconds):
        lines = []
        for e, (kind, name) in enumerate(names):
            base = 10 + (e * 37 + s * 13) % 400
            total = s * 20 + e
            pct = ",".join(str(base + step) for step in STEPS)
            lines.append(
                f"{START + s},100,{kind},{name},{19.7 + e * 0.1:.6f},{0.0:.6f},{pct},"
                f"{total},{total // 100},{base},{base + 0.123456789012345!r},"
                f"{base * 0.31!r},{base * 2.7 + 0.5!r},128.0\r\n"
            )
        out.write("".join(lines))
    return names


def stats(out, seconds, names):
    out.write(
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
        "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
        + ",".join(LEVELS)
        + "\r\n"
    )
    s = seconds - 1
    for e, (kind, name) in enumerate(names):
        base = 10 + (e * 37 + s * 13) % 400
        total = s * 20 + e
        pct = ",".join(str(base + step) for step in STEPS)
        out.write(
            f"{kind},{name},{total},{total // 100},{base},{base + 0.123456789012345!r},"
            f"{base * 0.31!r},{base + STEPS[-1]},128.0,{total / seconds:.6f},"
            f"{total // 100 / seconds:.6f},{pct}\r\n"
        )


def main():
    prefix = sys.argv[1]
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 18_000
    endpoints = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    with open(f"{prefix}_stats_history.csv", "w", newline="") as out:
        names = history(out, seconds, endpoints)
    with open(f"{prefix}_stats.csv", "w", newline="") as out:
        stats(out, seconds, names)


if __name__ == "__main__":
    main()
