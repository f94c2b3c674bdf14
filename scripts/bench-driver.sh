#!/usr/bin/env bash
# Throughput of the embedded load driver against wrk (and oha, when installed).
#
# The target runs in --fast mode (no latency sleeps) pinned to core 0; each generator in turn
# is pinned to core 1 and drives CONNS keep-alive connections for DURATION seconds at
# GET /health/ with no wait time (closed model). Prints requests/s and the driver's ratio to
# each other tool. Everything stays on 127.0.0.1 and every process stops by itself.
#
# The tools take turns for ROUNDS rounds and the best of each counts, which evens out other
# load on a shared machine.
#
# Usage: scripts/bench-driver.sh            (DURATION=15 CONNS=50 ROUNDS=2 by default)
# Needs: taskset, wrk (apt-get install wrk); optional: oha (cargo install oha).
set -euo pipefail

DURATION=${DURATION:-15}
CONNS=${CONNS:-50}
ROUNDS=${ROUNDS:-2}
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=target/release/perfreport
work=$(mktemp -d)
target_pid=""
cleanup() {
    if [ -n "$target_pid" ]; then kill "$target_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

taskset -c 0 "$BIN" target --port 0 --fast --run-time "$((DURATION * ROUNDS * 3 + 30))s" >"$work/target.out" 2>&1 &
target_pid=$!
for _ in $(seq 50); do
    grep -q '^listening on' "$work/target.out" 2>/dev/null && break
    sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/target.out")
[ -n "$url" ] || { echo "target did not start" >&2; exit 2; }

cat >"$work/health.toml" <<TOML
[[task]]
path = "/health/"
TOML

echo "target $url (core 0), generators on core 1, $CONNS connections, ${DURATION}s a run, best of $ROUNDS"

run_perfreport() {
    taskset -c 1 "$BIN" run --headless -u "$CONNS" -r 100000 -t "${DURATION}s" -H "$url" \
        --scenario "$work/health.toml" --csv "$work/pr" --loglevel ERROR >/dev/null || true
    awk -F, '$2 == "Aggregated" { print $10 }' "$work/pr_stats.csv"
}
run_wrk() {
    taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" "$url/health/" | awk '/^Requests\/sec:/ { print $2 }'
}
run_oha() {
    taskset -c 1 oha --no-tui -c "$CONNS" -z "${DURATION}s" "$url/health/" | awk '/Requests\/sec:/ { print $2 }'
}
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 > b + 0) ? a : b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

tools="perfreport"
command -v wrk >/dev/null && tools="$tools wrk" || echo "wrk not installed (apt-get install wrk): skipped"
command -v oha >/dev/null && tools="$tools oha" || echo "oha not installed (cargo install oha): skipped"

declare -A rps
for round in $(seq "$ROUNDS"); do
    for tool in $tools; do
        r=$("run_$tool")
        echo "  round $round: $tool $r req/s"
        rps[$tool]=$(best "${rps[$tool]:-0}" "$r")
    done
done

pr=${rps[perfreport]}
cpu=$(awk -F, 'NR > 1 && $2 != "" { s += $2; n++ } END { if (n) printf "%.0f", s / n }' "$work/pr_driver.csv")
printf '%-16s %10.0f req/s  (last run: mean cpu %s%% of one core)\n' "perfreport run" "$pr" "$cpu"
for tool in $tools; do
    [ "$tool" = perfreport ] && continue
    printf '%-16s %10.0f req/s  perfreport/%s = %s\n' "$tool" "${rps[$tool]}" "$tool" "$(ratio "$pr" "${rps[$tool]}")"
done
