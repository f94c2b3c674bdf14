#!/usr/bin/env bash
# Throughput of the embedded load driver against wrk (and oha, when installed).
#
# The target runs in --fast mode (no latency sleeps) pinned to core 0; each generator in turn
# is pinned to core 1 and drives CONNS keep-alive connections for DURATION seconds at
# GET /health/ with no wait time (closed model). Prints requests/s and the driver's ratio to
# each other tool, and each generator's CPU time per request (user + system, from bash's
# `time`). Everything stays on 127.0.0.1 and every process stops by itself.
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

# Runs a command, leaving its stdout in $work/out and its user+system CPU seconds in $work/cpu.
measure() {
    local TIMEFORMAT='%U %S'
    { time "$@" >"$work/out" 2>/dev/null; } 2>"$work/time" || true
    awk '{ print $1 + $2 }' "$work/time" >"$work/cpu"
}
# Each run_TOOL prints "requests/s requests".
run_perfreport() {
    measure taskset -c 1 "$BIN" run --headless -u "$CONNS" -r 100000 -t "${DURATION}s" -H "$url" \
        --scenario "$work/health.toml" --csv "$work/pr" --loglevel ERROR
    awk -F, '$2 == "Aggregated" { print $10, $3 }' "$work/pr_stats.csv"
}
run_wrk() {
    measure taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" "$url/health/"
    awk '/requests in/ { n = $1 } /^Requests\/sec:/ { r = $2 } END { print r, n }' "$work/out"
}
run_oha() {
    measure taskset -c 1 oha --no-tui -c "$CONNS" -z "${DURATION}s" "$url/health/"
    awk -v d="$DURATION" '/Requests\/sec:/ { print $2, int($2 * d) }' "$work/out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

tools="perfreport"
command -v wrk >/dev/null && tools="$tools wrk" || echo "wrk not installed (apt-get install wrk): skipped"
command -v oha >/dev/null && tools="$tools oha" || echo "oha not installed (cargo install oha): skipped"

declare -A rps cpu
for round in $(seq "$ROUNDS"); do
    for tool in $tools; do
        read -r r n < <("run_$tool")
        c=$(awk -v s="$(cat "$work/cpu")" -v n="$n" 'BEGIN { if (n > 0) printf "%.1f", s * 1e6 / n; else print "n/a" }')
        printf '  round %s: %-10s %10.0f req/s  %6s µs CPU per request\n' "$round" "$tool" "$r" "$c"
        if awk -v a="$r" -v b="${rps[$tool]:-0}" 'BEGIN { exit !(a + 0 > b + 0) }'; then
            rps[$tool]=$r
            cpu[$tool]=$c
        fi
    done
done

pr=${rps[perfreport]}
printf '%-16s %10.0f req/s  %6s µs CPU/request\n' "perfreport run" "$pr" "${cpu[perfreport]}"
for tool in $tools; do
    [ "$tool" = perfreport ] && continue
    printf '%-16s %10.0f req/s  %6s µs CPU/request  perfreport/%s throughput = %s\n' \
        "$tool" "${rps[$tool]}" "${cpu[$tool]}" "$tool" "$(ratio "$pr" "${rps[$tool]}")"
done
