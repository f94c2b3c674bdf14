#!/usr/bin/env bash
# Benchmarks of the embedded load driver (`perfreport run`) against the demo target (or nginx),
# each part with a named reference measured in the same run. Everything stays on 127.0.0.1 and
# every process stops by itself.
#
#   throughput  the server pinned to core 0, each generator in turn pinned to core 1, CONNS
#               keep-alive connections for DURATION s at GET /health/, no wait (closed model):
#               perfreport vs wrk -t1, oha and Locust FastHttpUser (those installed), taking
#               turns for ROUNDS rounds. Prints the median and best requests/s, ratios, and CPU
#               µs per request (user + system, from bash's `time`).
#   scale       the same with nothing pinned (server, generator and everything else on the
#               machine share all its cores): perfreport vs wrk -t<cores>, taking turns for
#               ROUNDS rounds, medians and ratio. On one machine the server takes its share of
#               the same cores, so this compares the generators against the same server.
#   accuracy    target --delay-ms DELAY_MS (every answer exactly that late): the driver's p50
#               and p99 from its µs histograms (`_histograms.csv`) against the injected delay.
#   stall       target --fast --stall-at 4 --stall-for 1 (every request arriving in that second
#               is answered when it ends): p99 of the open model (--rate 500, latency from the
#               intended send) vs the closed model (10 users, no wait) over 10 s.
#   memory      open model, --rate 2000, default scenario, --csv-full-history for MEMORY_MINUTES
#               minutes (10): the driver's peak resident memory in the first and in the last
#               minute (sampled every 5 s).
#
# The server of `throughput` and `scale` is SERVER: `target` (perfreport target --fast, the
# default) or `nginx` (one worker pinned, one per core unpinned; access log off, keep-alive
# unlimited, `return 200` on every path). Both parts print the load average before and after,
# since other work on the machine takes cores from both sides.
#
# Usage: scripts/bench-driver.sh [PART...]     (default: throughput scale accuracy stall)
# Settings: DURATION=15 CONNS=50 ROUNDS=3 DELAY_MS=50 MEMORY_MINUTES=10 SERVER=target
#           LOCUST=path/to/locust (default: `locust` on PATH, else none)
#           BASE=path/to/another/perfreport (a build to compare with, e.g. before a change)
# Needs: taskset, awk; wrk (apt-get install wrk); optional: nginx, oha (cargo install oha),
# Locust.
set -euo pipefail

DURATION=${DURATION:-15}
CONNS=${CONNS:-50}
ROUNDS=${ROUNDS:-3}
DELAY_MS=${DELAY_MS:-50}
MEMORY_MINUTES=${MEMORY_MINUTES:-10}
SERVER=${SERVER:-target}
BASE=${BASE:-}
LOCUST=${LOCUST:-$(command -v locust || true)}
parts=${*:-throughput scale accuracy stall}
cores=$(nproc)

cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=$PWD/target/release/perfreport
work=$(mktemp -d)
target_pid=""
stop_target() {
    if [ -n "$target_pid" ]; then kill "$target_pid" 2>/dev/null || true; wait "$target_pid" 2>/dev/null || true; fi
    target_pid=""
}
trap 'stop_target; rm -rf "$work"' EXIT

# Starts `perfreport target` on a free port, pinned to core 0, stopping by itself after $1
# seconds; the remaining arguments are target flags. Sets $url.
start_target() {
    local lifetime=$1
    shift
    stop_target
    taskset -c 0 "$BIN" target --port 0 --run-time "${lifetime}s" "$@" >"$work/target.out" 2>&1 &
    target_pid=$!
    wait_for_target
}

# Waits for the target started last to say where it listens; sets $url.
wait_for_target() {
    url=""
    for _ in $(seq 50); do
        url=$(sed -n 's/^listening on //p' "$work/target.out" 2>/dev/null)
        [ -n "$url" ] && return 0
        sleep 0.1
    done
    echo "target did not start: $(cat "$work/target.out")" >&2
    exit 2
}

# Starts the benchmarks' server (SERVER) for $1 seconds, pinned to core 0 when $2 is `pinned`,
# else on every core. Sets $url.
start_server() {
    local lifetime=$1 placement=$2
    if [ "$SERVER" = target ]; then
        if [ "$placement" = pinned ]; then
            start_target "$lifetime" --fast
        else
            start_unpinned_target "$lifetime" --fast
        fi
        return 0
    fi
    [ "$SERVER" = nginx ] || { echo "SERVER must be target or nginx, not $SERVER" >&2; exit 2; }
    command -v nginx >/dev/null || { echo "nginx not installed (apt-get install nginx)" >&2; exit 2; }
    stop_target
    local workers=$cores pin="" port
    [ "$placement" = pinned ] && { workers=1; pin="taskset -c 0"; }
    for port in $(seq 18080 18120); do
        cat >"$work/nginx.conf" <<NGINX
worker_processes $workers;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000000;
    keepalive_timeout 300s;
    client_body_temp_path $work/nginx-body;
    proxy_temp_path $work/nginx-proxy;
    fastcgi_temp_path $work/nginx-fastcgi;
    uwsgi_temp_path $work/nginx-uwsgi;
    scgi_temp_path $work/nginx-scgi;
    server {
        listen 127.0.0.1:$port;
        location / { default_type text/plain; return 200 "ok"; }
    }
}
NGINX
        : >"$work/nginx.err"
        $pin timeout "${lifetime}s" nginx -c "$work/nginx.conf" -e "$work/nginx.err" >/dev/null 2>&1 &
        target_pid=$!
        sleep 0.5
        if kill -0 "$target_pid" 2>/dev/null; then
            url="http://127.0.0.1:$port"
            return 0
        fi
        wait "$target_pid" 2>/dev/null || true
        target_pid=""
    done
    echo "nginx did not start: $(cat "$work/nginx.err")" >&2
    exit 2
}

# `perfreport target` on every core for $1 seconds; the remaining arguments are target flags.
start_unpinned_target() {
    local lifetime=$1
    shift
    stop_target
    "$BIN" target --port 0 --run-time "${lifetime}s" "$@" >"$work/target.out" 2>&1 &
    target_pid=$!
    wait_for_target
}

cat >"$work/health.toml" <<TOML
[[task]]
path = "/health/"
TOML
cat >"$work/locustfile.py" <<PY
from locust import FastHttpUser, task


class Health(FastHttpUser):
    @task
    def health(self):
        self.client.get("/health/")
PY

# The latency (ms, 3 decimals) at quantile $2 of the Aggregated histogram in file $1
# (rows Type,Name,Value µs,Count; Aggregated rows have an empty Type).
hist_quantile() {
    awk -F, -v q="$2" 'NR > 1 && $1 == "" { v[++n] = $3; c[n] = $4; total += $4 }
        END { need = q * total; for (i = 1; i <= n; i++) { seen += c[i]; if (seen >= need) { printf "%.3f", v[i] / 1000; exit } } }' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# Runs a command, leaving its stdout in $work/out and its user+system CPU seconds in $work/cpu.
measure() {
    local TIMEFORMAT='%U %S'
    { time "$@" >"$work/out" 2>/dev/null; } 2>"$work/time" || true
    awk '{ print $1 + $2 }' "$work/time" >"$work/cpu"
}
# Each run_TOOL prints "requests/s requests"; $pin (empty, or `taskset -c 1`) places the
# generator and $threads is wrk's thread count.
run_perfreport() {
    measure $pin "$BIN" run --headless -u "$CONNS" -r 100000 -t "${DURATION}s" -H "$url" \
        --scenario "$work/health.toml" --csv "$work/pr" --loglevel ERROR
    awk -F, '$2 == "Aggregated" { print $10, $3 }' "$work/pr_stats.csv"
}
run_base() {
    measure $pin "$BASE" run --headless -u "$CONNS" -r 100000 -t "${DURATION}s" -H "$url" \
        --scenario "$work/health.toml" --csv "$work/base" --loglevel ERROR
    awk -F, '$2 == "Aggregated" { print $10, $3 }' "$work/base_stats.csv"
}
run_wrk() {
    measure $pin wrk -t"$threads" -c"$CONNS" -d"${DURATION}s" "$url/health/"
    awk '/requests in/ { n = $1 } /^Requests\/sec:/ { r = $2 } END { print r, n }' "$work/out"
}
run_oha() {
    measure $pin oha --no-tui -c "$CONNS" -z "${DURATION}s" "$url/health/"
    awk -v d="$DURATION" '/Requests\/sec:/ { print $2, int($2 * d) }' "$work/out"
}
run_locust() {
    measure $pin "$LOCUST" -f "$work/locustfile.py" --headless -u "$CONNS" -r 1000 \
        -t "${DURATION}s" -H "$url" --csv "$work/lc" --only-summary --loglevel ERROR
    awk -F, '$2 == "Aggregated" { print $10, $3 }' "$work/lc_stats.csv"
}
# Median over the rounds, and the best round.
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
best() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -1; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# The tools ($@) taking turns for ROUNDS rounds against $url, then medians (best rounds) and
# each one's ratio to perfreport.
compare_generators() {
    local tools=$*
    local -A rps cpu
    local round tool r n c
    for round in $(seq "$ROUNDS"); do
        for tool in $tools; do
            read -r r n < <("run_$tool")
            c=$(awk -v s="$(cat "$work/cpu")" -v n="$n" 'BEGIN { if (n > 0) printf "%.1f", s * 1e6 / n; else print "n/a" }')
            printf '  round %s: %-10s %10.0f req/s  %6s µs CPU per request  (load %s)\n' \
                "$round" "$tool" "$r" "$c" "$(loadavg)"
            rps[$tool]="${rps[$tool]:-} $r"
            cpu[$tool]="${cpu[$tool]:-} $c"
        done
    done
    local pr pr_best m b
    pr=$(median <<<"${rps[perfreport]}")
    pr_best=$(best <<<"${rps[perfreport]}")
    echo "median (best) of $ROUNDS rounds:"
    printf '%-16s %10.0f req/s (%6.0f)  %6s µs CPU/request\n' "perfreport run" "$pr" "$pr_best" \
        "$(median <<<"${cpu[perfreport]}")"
    for tool in $tools; do
        [ "$tool" = perfreport ] && continue
        m=$(median <<<"${rps[$tool]}")
        b=$(best <<<"${rps[$tool]}")
        printf '%-16s %10.0f req/s (%6.0f)  %6s µs CPU/request  perfreport/%s = %s (best: %s)\n' \
            "$(label "$tool")" "$m" "$b" "$(median <<<"${cpu[$tool]}")" "$tool" \
            "$(ratio "$pr" "$m")" "$(ratio "$pr_best" "$b")"
    done
}
label() {
    case $1 in
        wrk) echo "wrk -t$threads" ;;
        base) echo "BASE perfreport" ;;
        *) echo "$1" ;;
    esac
}

throughput() {
    start_server "$((DURATION * ROUNDS * 4 + 60))" pinned
    echo "== throughput: $SERVER $url on core 0, generators on core 1, $CONNS connections, ${DURATION}s a run, $ROUNDS rounds (load $(loadavg))"
    local tools="perfreport"
    command -v wrk >/dev/null && tools="$tools wrk" || echo "wrk not installed (apt-get install wrk): skipped"
    command -v oha >/dev/null && tools="$tools oha" || echo "oha not installed (cargo install oha): skipped"
    [ -n "$LOCUST" ] && tools="$tools locust" || echo "Locust not found (set LOCUST=path/to/locust): skipped"
    [ -n "$BASE" ] && tools="$tools base"
    pin="taskset -c 1" threads=1 compare_generators $tools
    echo "load average after: $(loadavg)"
    stop_target
}

scale() {
    command -v wrk >/dev/null || { echo "scale needs wrk (apt-get install wrk)" >&2; return 0; }
    start_server "$((DURATION * ROUNDS * 3 + 60))" unpinned
    echo "== scale: $SERVER $url and the generators unpinned on $cores cores, $CONNS connections, ${DURATION}s a run, $ROUNDS rounds (load $(loadavg))"
    pin="" threads=$cores compare_generators perfreport wrk ${BASE:+base}
    echo "load average after: $(loadavg)"
    stop_target
}

accuracy() {
    start_target "$((DURATION + 30))" --delay-ms "$DELAY_MS"
    echo "== accuracy: target answers every request after exactly $DELAY_MS ms; driver 10 users, ${DURATION}s"
    taskset -c 1 "$BIN" run --headless -u 10 -r 100 -t "${DURATION}s" -H "$url" \
        --scenario "$work/health.toml" --csv "$work/acc" --loglevel ERROR >/dev/null
    local p50 p99 n
    p50=$(hist_quantile "$work/acc_histograms.csv" 0.5)
    p99=$(hist_quantile "$work/acc_histograms.csv" 0.99)
    n=$(awk -F, '$2 == "Aggregated" { print $3 }' "$work/acc_stats.csv")
    printf 'requests %s  p50 %s ms (%+.2f %% of %s ms)  p99 %s ms (%+.2f %%)\n' "$n" \
        "$p50" "$(awk -v a="$p50" -v d="$DELAY_MS" 'BEGIN { print (a / d - 1) * 100 }')" "$DELAY_MS" \
        "$p99" "$(awk -v a="$p99" -v d="$DELAY_MS" 'BEGIN { print (a / d - 1) * 100 }')"
    stop_target
}

stall() {
    echo "== stall: target stalls every request arriving 4-5 s after it starts, runs of 10 s"
    local model p99 max
    for model in open closed; do
        start_target 40 --fast --stall-at 4 --stall-for 1
        if [ "$model" = open ]; then
            set -- --rate 500 -u 64
        else
            set -- -u 10 -r 1000
        fi
        taskset -c 1 "$BIN" run --headless "$@" -t 10s -H "$url" --scenario "$work/health.toml" \
            --csv "$work/$model" --loglevel ERROR >/dev/null || true
        p99=$(hist_quantile "$work/${model}_histograms.csv" 0.99)
        max=$(awk -F, '$2 == "Aggregated" { print $8 }' "$work/${model}_stats.csv")
        printf '%-7s model: requests %8s  p99 %9s ms  max %6s ms\n' "$model" \
            "$(awk -F, '$2 == "Aggregated" { print $3 }' "$work/${model}_stats.csv")" "$p99" "$max"
    done
    stop_target
}

memory() {
    local secs=$((MEMORY_MINUTES * 60))
    start_target "$((secs + 60))" --fast
    echo "== memory: open model 2000 req/s, default scenario, full history, $MEMORY_MINUTES min"
    taskset -c 1 "$BIN" run --headless --rate 2000 -t "${secs}s" -H "$url" --csv "$work/mem" \
        --csv-full-history --loglevel ERROR >/dev/null &
    local pid=$! t=0
    # Resident memory every 5 s; the allocator moves it by a megabyte or so either way, so
    # each minute is summed up by its peak.
    while kill -0 "$pid" 2>/dev/null; do
        sleep 5
        t=$((t + 5))
        echo "$t $(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" >>"$work/rss"
    done
    wait "$pid" || true
    awk -v end="$secs" -v minutes="$MEMORY_MINUTES" '
        $2 != "" && $1 <= 60 && $2 > first { first = $2 }
        $2 != "" && $1 > end - 60 && $1 <= end && $2 > last { last = $2 }
        END { printf "peak RSS in minute 1: %d KiB, in minute %d: %d KiB: %+.1f %%\n", first, minutes, last, (last / first - 1) * 100 }' "$work/rss"
    echo "requests: $(awk -F, '$2 == "Aggregated" { print $3 }' "$work/mem_stats.csv")"
    stop_target
}

for part in $parts; do
    case $part in
        throughput | scale | accuracy | stall | memory) "$part" ;;
        *) echo "unknown part $part (throughput, scale, accuracy, stall, memory)" >&2; exit 2 ;;
    esac
done
