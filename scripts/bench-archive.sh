#!/usr/bin/env bash
# Benchmark of the run archive: 10,000 runs x 10 endpoints (scripts/gen-archive.py), timing
# `archive --reindex`, `history`, `list` and `verify` of the release build with hyperfine
# (`apt-get install hyperfine`), median of several runs.
#
#   bash scripts/bench-archive.sh [RUNS]     # prints medians; raw data in target/bench-archive/
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10000}"
work="target/bench-archive"
archive="$work/results-$runs"
mkdir -p "$work"
cargo build --release --quiet
bin="$PWD/target/release/perfreport"
if [ ! -d "$archive" ]; then
  python3 scripts/gen-archive.py "$archive" "$runs" 10
fi
"$bin" archive --reindex --results "$archive" >/dev/null
hyperfine --warmup 1 --runs 5 --export-json "$work/bench-$runs.json" \
  -n "archive --reindex" "$bin archive --reindex --results $archive" \
  -n "history (p95, Aggregated)" "$bin history --results $archive" \
  -n "history --format json (one endpoint)" "$bin history --results $archive --endpoint /endpoint/3 --format json" \
  -n "list" "$bin list --results $archive" \
  -n "verify" "$bin verify --results $archive"
python3 - "$work/bench-$runs.json" <<'PY'
import json, sys
print("| command | median [s] | min [s] | max [s] |\n|---|---:|---:|---:|")
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"| `{r['command']}` | {r['median']:.3f} | {r['min']:.3f} | {r['max']:.3f} |")
PY
