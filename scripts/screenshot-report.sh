#!/usr/bin/env bash
# Renders perfreport's HTML report of the shared sample runs and screenshots it with headless
# Chromium, so a person can look at it without opening a browser.
#
#   scripts/screenshot-report.sh [OUT_DIR]     (default: target/report-screenshots)
#
# Writes OUT_DIR/single.html + single.png (the latest run alone) and compare.html + compare.png
# (the latest run against the baseline). Needs Debian's `chromium` package
# (`apt-get install -y chromium`). Set PERFREPORT to use a prebuilt binary.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$here/target/report-screenshots}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if [[ -z "${PERFREPORT:-}" ]]; then
    cargo build --quiet --manifest-path "$here/Cargo.toml"
    PERFREPORT="$here/target/debug/perfreport"
fi
browser="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$browser" ]]; then
    echo "screenshot-report.sh: chromium not found; install it with: apt-get install -y chromium" >&2
    exit 2
fi

samples="$here/fixtures/shared-2.47"
"$PERFREPORT" report "$samples/latest-1" -o "$out/single.html"
"$PERFREPORT" report "$samples/latest-1" --baseline "$samples/baseline-1" -o "$out/compare.html"
"$PERFREPORT" report "$here/fixtures/hostile" -o "$out/hostile.html"

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
for name in single compare hostile; do
    "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --hide-scrollbars \
        --user-data-dir="$profile" \
        --screenshot="$out/$name.png" --window-size="${WINDOW_SIZE:-1280,4000}" \
        "file://$out/$name.html" 2>/dev/null
    echo "$out/$name.png"
done
