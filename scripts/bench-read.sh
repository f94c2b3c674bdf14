#!/usr/bin/env bash
# Whole-process time and peak memory of reading a large full history, against a named
# reference in the same run:
#   perfreport summary on a generated 5-hour, 50-endpoint run (scripts/gen-history.py:
#   918,051 history rows, ~150 MB, plus its _stats.csv), and
#   python3 -c 'import pandas; pandas.read_csv(HISTORY)': pandas only reading the history.
# Each command runs 3 times under /usr/bin/time -v; prints medians, peak RSS and the ratio.
# Set BEFORE=path/to/another/perfreport to time that binary too (e.g. an older build).
# Options: SECONDS_OF_RUN (default 18000), ENDPOINTS (default 50), PANDAS_VENV (default
# /tmp/bench-venv, created with pandas when missing), CRITERION=1 to also run the criterion
# bench `read_history` (MB/s into the compact history). Needs: GNU time (apt-get install time).
# The commands alternate (pandas, perfreport, pandas, …) so that load on a shared machine
# falls on both alike; the ratio is the figure to quote.
set -euo pipefail
cd "$(dirname "$0")/.."
nice -n 10 cargo build --release --quiet
bin=$PWD/target/release/perfreport
venv=${PANDAS_VENV:-/tmp/bench-venv}
if ! "$venv/bin/python" -c 'import pandas' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pandas
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/gen-history.py "$work/run" "${SECONDS_OF_RUN:-18000}" "${ENDPOINTS:-50}"
history="$work/run_stats_history.csv"

python3 - "$history" "$bin" "$venv/bin/python" "${BEFORE:-}" <<'PY'
import os, statistics, subprocess, sys

history, binary, python, before = sys.argv[1:5]
stats = history.replace("_stats_history.csv", "_stats.csv")
size_mb = os.path.getsize(history) / 1e6
rows = sum(1 for _ in open(history, "rb")) - 1


def once(command):
    """Wall time (s) and peak RSS (MB) of one run under GNU time."""
    done = subprocess.run(["/usr/bin/time", "-v", *command], check=True,
                          capture_output=True, text=True)
    seconds = mb = None
    for line in done.stderr.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            clock = line.rsplit(" ", 1)[1].split(":")
            seconds = sum(float(part) * 60 ** i for i, part in enumerate(reversed(clock)))
        if line.startswith("Maximum resident set size"):
            mb = int(line.rsplit(" ", 1)[1]) / 1024
    return seconds, mb


def measure_alternating(commands, runs=3):
    """Median wall time and peak RSS of each command, the commands taking turns, after one
    warm-up run each."""
    for command in commands.values():
        subprocess.run(command, check=True, capture_output=True)
    results = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            results[name].append(once(command))
    return {name: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs))
            for name, rs in results.items()}


print(f"history: {rows:,} rows, {size_mb:.1f} MB")
commands = {"pandas.read_csv (history only)":
            [python, "-c", f"import pandas; pandas.read_csv({history!r})"],
            "perfreport summary": [binary, "summary", stats]}
if before:
    commands["BEFORE summary"] = [before, "summary", stats]
results = measure_alternating(commands)
pandas_s, pandas_mb = results["pandas.read_csv (history only)"]
for name, (seconds, mb) in results.items():
    line = f"{name:<31} median {seconds:6.2f} s  peak RSS {mb:7.1f} MB"
    if name != "pandas.read_csv (history only)":
        line += (f"  {size_mb / seconds:6.1f} MB/s  {pandas_s / seconds:5.2f}x faster than pandas,"
                 f" {pandas_mb / mb:5.1f}x less memory")
    print(line)
PY
if [ "${CRITERION:-0}" = 1 ]; then
  nice -n 10 cargo bench --quiet --bench read_history 2>&1 | grep -E "time:|thrpt:"
fi
