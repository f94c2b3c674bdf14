#!/usr/bin/env bash
# Whole-process speed and peak memory of perfreport against named references, in one run:
#   summary  of a generated 5-hour, 50-endpoint full history (scripts/gen-history.py: 918,000
#            rows, ~150 MB, plus its _stats.csv) against
#            python -c 'import pandas; pandas.read_csv(HISTORY)' (pandas only reading it);
#   report   of a generated 30-minute, 50-endpoint run (91,800 rows, ~15 MB) against
#            scripts/reference-report.py (pandas + matplotlib + jinja2: the same charts and
#            tables in one HTML file);
#   compare  of two 30-minute runs with their histories (absolute time; the goal is < 100 ms);
# and the history read rate of `summary` (history MB / whole-process seconds).
# Every command runs once to warm up, then RUNS times (default 3), the commands taking turns
# (reference, perfreport, reference, …) so that load on a shared machine falls on both alike;
# prints medians of wall time, of CPU time (user + system: what the process itself spent,
# less sensitive to other load) and of peak RSS, and the ratios, which are the figures to quote.
# Options: RUNS (default 3), SECONDS_OF_RUN (default 18000), ENDPOINTS (default 50),
# BEFORE=path/to/another/perfreport to time that binary's summary too (e.g. an older build),
# PANDAS_VENV (default /tmp/bench-venv, created with pandas, matplotlib and jinja2 when
# missing), CRITERION=1 to also run the criterion bench `read_history` (MB/s into the compact
# history). Needs GNU time (apt-get install time).
set -euo pipefail
cd "$(dirname "$0")/.."
nice -n 10 cargo build --release --quiet
bin=$PWD/target/release/perfreport
venv=${PANDAS_VENV:-/tmp/bench-venv}
if ! "$venv/bin/python" -c 'import pandas, matplotlib, jinja2' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pandas matplotlib jinja2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/gen-history.py "$work/long" "${SECONDS_OF_RUN:-18000}" "${ENDPOINTS:-50}"
python3 scripts/gen-history.py "$work/baseline" 1800 "${ENDPOINTS:-50}"
python3 scripts/gen-history.py "$work/latest" 1800 "${ENDPOINTS:-50}"

python3 - "$work" "$bin" "$venv/bin/python" "${BEFORE:-}" "${RUNS:-3}" <<'PY'
import os, statistics, subprocess, sys, time

work, binary, python, before, runs = sys.argv[1:6]
long_history = f"{work}/long_stats_history.csv"
size_mb = os.path.getsize(long_history) / 1e6
rows = sum(1 for _ in open(long_history, "rb")) - 1
report_mb = os.path.getsize(f"{work}/latest_stats_history.csv") / 1e6


def once(command):
    """Wall time (s, timed here: GNU time rounds to 10 ms) and peak RSS (MB, from GNU time) of
    one run; exit 1 (compare's "regressed") counts as success."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", *command],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{command} failed:\n{done.stderr}")
    kb, user, system = done.stderr.strip().splitlines()[-1].split()
    return seconds, int(kb) / 1024, float(user) + float(system)


def measure_alternating(commands):
    """Median wall time and peak RSS of each command, the commands taking turns, after one
    warm-up run each."""
    for command in commands.values():
        once(command)
    results = {name: [] for name in commands}
    for _ in range(int(runs)):
        for name, command in commands.items():
            results[name].append(once(command))
    return {name: tuple(statistics.median(r[i] for r in rs) for i in range(3))
            for name, rs in results.items()}


def show(title, results, reference, rate_mb=None):
    print(title)
    ref_s, ref_mb, ref_cpu = results[reference]
    for name, (seconds, mb, cpu) in results.items():
        line = (f"  {name:<38} median {seconds * 1000:6.0f} ms (CPU {cpu * 1000:5.0f} ms)"
                f"  peak RSS {mb:6.1f} MB")
        if rate_mb:
            line += f"  {rate_mb / seconds:6.1f} MB/s"
        if name != reference:
            line += (f"  {ref_s / seconds:4.1f}x faster (CPU {ref_cpu / cpu:4.1f}x),"
                     f" {ref_mb / mb:4.1f}x less memory")
        print(line)


print(f"runs: median of {runs}, after one warm-up each, commands alternating")
print(f"5-hour history: {rows:,} rows, {size_mb:.1f} MB; 30-minute history: {report_mb:.1f} MB")
commands = {"pandas.read_csv (history only)":
            [python, "-c", f"import pandas; pandas.read_csv({long_history!r})"],
            "perfreport summary": [binary, "summary", f"{work}/long_stats.csv"]}
if before:
    commands["BEFORE summary"] = [before, "summary", f"{work}/long_stats.csv"]
show("summary, 5 h x 50 endpoints:", measure_alternating(commands),
     "pandas.read_csv (history only)", size_mb)

commands = {"reference-report.py (pandas+matplotlib)":
            [python, "scripts/reference-report.py", f"{work}/latest", f"{work}/reference.html"],
            "perfreport report": [binary, "report", f"{work}/latest_stats.csv",
                                  "-o", f"{work}/report.html"]}
show("report, 30 min x 50 endpoints:", measure_alternating(commands),
     "reference-report.py (pandas+matplotlib)")

commands = {"perfreport compare": [binary, "compare", f"{work}/baseline_stats.csv",
                                   f"{work}/latest_stats.csv"]}
results = measure_alternating(commands)
print("compare, two 30-min runs with history:")
for name, (seconds, mb, cpu) in results.items():
    print(f"  {name:<38} median {seconds * 1000:6.0f} ms (CPU {cpu * 1000:5.0f} ms)"
          f"  peak RSS {mb:6.1f} MB  (goal < 100 ms)")
PY
if [ "${CRITERION:-0}" = 1 ]; then
  nice -n 10 cargo bench --quiet --bench read_history 2>&1 | grep -E "time:|thrpt:"
fi
