#!/usr/bin/env bash
# Whole-process time of `perfreport compare`, measured with hyperfine against a named
# reference in the same run (`perfreport --version`: process start and exit only):
#   1. the recorded real pair fixtures/shared-2.47 (one run per side, 4 files each);
#   2. two groups of 10 real runs recorded here with the embedded driver against the embedded
#      target on 127.0.0.1 (latest: GET /system/metrics 1.3× slower), 6 s each.
# Prints hyperfine's table; medians and ratios go in closing notes.
# Needs: hyperfine (apt-get install hyperfine). Everything stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/perfreport
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

record_group() {   # DIR PORT [target options...]
  local dir="$1" port="$2"
  shift 2
  mkdir -p "$dir"
  "$bin" target --port "$port" --seed 7 --run-time 200s "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep 0.5
  for n in $(seq 1 10); do
    "$bin" run -u 10 -r 10 -t 6s -H "http://127.0.0.1:$port" --csv "$dir/run$n" \
      --csv-full-history --only-summary >/dev/null 2>&1 || true
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

record_group "$work/baseline" 18401 &
record_group "$work/latest" 18402 --slow /system/metrics=1.3 &
wait

hyperfine --warmup 3 --runs 30 -N --ignore-failure --export-json "$work/hyperfine.json" \
  --command-name "reference: perfreport --version" "$bin --version" \
  --command-name "compare shared-2.47 pair" \
    "$bin compare fixtures/shared-2.47/baseline-1/baseline-1 fixtures/shared-2.47/latest-1/latest-1" \
  --command-name "compare 10 vs 10 driver runs" \
    "$bin compare $work/baseline $work/latest"
python3 - "$work/hyperfine.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
reference = results[0]["median"]
for r in results:
    print(f"median {r['median'] * 1000:7.2f} ms  ({r['median'] / reference:4.2f}x reference)  {r['command']}")
PY
"$bin" compare "$work/baseline" "$work/latest" | tail -1
