#!/usr/bin/env bash
# Copy the Swagger UI files the API docs page (/docs) needs (pinned in web/swagger-ui/package.json,
# exact version and checksum in its package-lock.json) from the npm registry into
# src/gyrfalcon/web/static/vendor/swagger-ui/: swagger-ui-bundle.js, swagger-ui.css, the
# favicon, LICENSE and VERSION (about 1.6 MB), so /docs works offline.
# Usage: bash web/build_swagger_ui.sh  (needs node + npm; install scripts are not run)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="${1:-$here/../src/gyrfalcon/web/static/vendor/swagger-ui}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT     # node_modules stays out of the repo
cp "$here/swagger-ui/package.json" "$here/swagger-ui/package-lock.json" "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --silent)
src="$work/node_modules/swagger-ui-dist"
[ -f "$src/swagger-ui-bundle.js" ] || { echo "no $src/swagger-ui-bundle.js after npm install" >&2; exit 1; }
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
cp "$src/swagger-ui-bundle.js" "$src/swagger-ui.css" "$src/favicon-32x32.png" "$src/LICENSE" "$dest.tmp/"
node -e 'console.log(require(process.argv[1]).version)' "$src/package.json" > "$dest.tmp/VERSION"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "Swagger UI $(cat "$dest/VERSION") -> $dest ($(du -sh "$dest" | cut -f1))"
