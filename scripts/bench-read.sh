#!/usr/bin/env bash
# Whole-process time and peak memory of reading a large full history, against a named
# reference in the same run:
#   perfreport summary on a generated 5-hour, 50-endpoint run (scripts/gen-history.py:
#   918,051 history rows, ~150 MB, plus its _stats.csv), and
#   python3 -c 'import pandas; pandas.read_csv(HISTORY)': pandas only reading the history.
# Each command runs 3 times under /usr/bin/time -v; prints medians, peak RSS and the ratio.
# Set BEFORE=path/to/another/perfreport to time that binary too (e.g. an older build).
# Options: SECONDS_OF_RUN (default 18000), ENDPOINTS (default 50), PANDAS_VENV (default
# /tmp/bench-venv, created with pandas when missing). Needs: GNU time (apt-get install time).
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


def measure(command):
    """Median wall time (s) and median peak RSS (MB) of 3 runs, after one warm-up run."""
    subprocess.run(command, check=True, capture_output=True)
    times, rss = [], []
    for _ in range(3):
        done = subprocess.run(["/usr/bin/time", "-v", *command], check=True,
                              capture_output=True, text=True)
        for line in done.stderr.splitlines():
            line = line.strip()
            if line.startswith("Elapsed (wall clock) time"):
                clock = line.rsplit(" ", 1)[1].split(":")
                seconds = sum(float(part) * 60 ** i for i, part in enumerate(reversed(clock)))
                times.append(seconds)
            if line.startswith("Maximum resident set size"):
                rss.append(int(line.rsplit(" ", 1)[1]) / 1024)
    return statistics.median(times), statistics.median(rss)


print(f"history: {rows:,} rows, {size_mb:.1f} MB")
pandas_s, pandas_mb = measure([python, "-c", f"import pandas; pandas.read_csv({history!r})"])
print(f"pandas.read_csv (history only)  median {pandas_s:6.2f} s  peak RSS {pandas_mb:7.1f} MB")
commands = [("perfreport summary", binary)]
if before:
    commands.append(("BEFORE summary", before))
for name, exe in commands:
    seconds, mb = measure([exe, "summary", stats])
    print(f"{name:<31} median {seconds:6.2f} s  peak RSS {mb:7.1f} MB  "
          f"{size_mb / seconds:6.1f} MB/s  {pandas_s / seconds:5.2f}x faster than pandas")
PY
