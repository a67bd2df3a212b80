#!/usr/bin/env bash
# Copy the CesiumJS files the viewer needs (pinned in web/package.json, exact version in
# package-lock.json) from the npm registry into src/gyrfalcon/web/static/vendor/cesium/:
#   Cesium.js, Widgets/ (css), Workers/, Assets/ (incl. Textures/NaturalEarthII), ThirdParty/,
#   and Cesium's LICENSE.md. About 14 MB. Usage: bash web/build_cesium.sh  (needs node + npm)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="${1:-$here/../src/gyrfalcon/web/static/vendor/cesium}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT     # node_modules stays out of the repo
cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --silent)
src="$work/node_modules/cesium/Build/Cesium"
[ -f "$src/Cesium.js" ] || { echo "no $src/Cesium.js after npm install" >&2; exit 1; }
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
cp -R "$src/Cesium.js" "$src/Widgets" "$src/Workers" "$src/Assets" "$src/ThirdParty" "$dest.tmp/"
cp "$work/node_modules/cesium/LICENSE.md" "$dest.tmp/LICENSE.md"
node -e 'console.log(require(process.argv[1]).version)' "$work/node_modules/cesium/package.json" > "$dest.tmp/VERSION"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "CesiumJS $(cat "$dest/VERSION") -> $dest ($(du -sh "$dest" | cut -f1))"
