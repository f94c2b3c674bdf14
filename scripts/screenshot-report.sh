#!/usr/bin/env bash
# Renders one page of each kind perfreport writes and screenshots each with headless Chromium at
# a 1,400-px window, so a person can look at them without opening a browser.
#
#   scripts/screenshot-report.sh [OUT_DIR]     (default: /tmp/perfreport-screenshots)
#
# Writes OUT_DIR/KIND.html and KIND.png (the whole page) and KIND-N.png (the page cut into
# 1,400 × 1,200 tiles, legible in an image viewer) for KIND in: run (one run), comparison (a
# regression, with the SLA), groups (repeated runs a side), hostile (HTML in every name),
# signoff (a recorded run signed off), history (an archive of six runs). Screenshots stay out
# of the repository. Needs Debian's `chromium` package (`apt-get install -y chromium`). Set
# PERFREPORT to use a prebuilt binary, WINDOW_WIDTH for another width.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/perfreport-screenshots}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
width="${WINDOW_WIDTH:-1400}"
tile=1200

if [[ -z "${PERFREPORT:-}" ]]; then
    cargo build --quiet --manifest-path "$here/Cargo.toml"
    PERFREPORT="$here/target/debug/perfreport"
fi
browser="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$browser" ]]; then
    echo "screenshot-report.sh: chromium not found; install it with: apt-get install -y chromium" >&2
    exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
f="$here/fixtures"
g="$f/groups"
"$PERFREPORT" report "$f/shared-2.47/latest-1" -o "$out/run.html"
"$PERFREPORT" report "$g/latest/run2_stats.csv" --baseline "$g/baseline/run2_stats.csv" \
    --sla builtin --host http://127.0.0.1:8089 --locustfile fixtures/record/locustfile.py \
    -o "$out/comparison.html"
"$PERFREPORT" report "$g/latest/" --baseline "$g/baseline/" -o "$out/groups.html"
"$PERFREPORT" report "$f/hostile" -o "$out/hostile.html"
"$PERFREPORT" signoff --run "light=$f/shared-2.47/baseline-1" --out "$work/signoff" \
    --results "$work/signoff-results" >/dev/null || true
cp "$work/signoff/signoff.html" "$out/signoff.html"
for side in baseline latest; do
    for run in run1 run2 run3; do
        "$PERFREPORT" archive "$g/$side/${run}_stats.csv" --label "$side" \
            --results "$work/results" >/dev/null
    done
done
"$PERFREPORT" history --endpoint "GET /system/metrics" --metric p50 --format html \
    --results "$work/results" -o "$out/history.html"

shoot() { # shoot HTML PNG HEIGHT
    "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$work/profile" \
        --screenshot="$2" --window-size="$width,$3" "file://$1" >/dev/null 2>&1
}
for kind in run comparison groups hostile signoff history; do
    shoot "$out/$kind.html" "$out/$kind.png" 6000
    # Tiles: the page shifted up by a tile's height each time.
    pages=$(( $(wc -c < "$out/$kind.html") / 40000 + 2 ))
    for ((i = 0; i < pages && i < 12; i++)); do
        sed "s|</head>|<style>body{position:relative;top:-$((i * tile))px}</style></head>|" \
            "$out/$kind.html" > "$work/tile.html"
        shoot "$work/tile.html" "$out/$kind-$i.png" "$tile"
    done
    echo "$out/$kind.png"
done
