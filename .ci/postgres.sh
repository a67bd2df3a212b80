#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the traffic tests and print what to export.
#
#   eval "$(.ci/postgres.sh)"      # sets GYRFALCON_TEST_POSTGRES_URL and GYRFALCON_PG_STOP
#   ...run the tests...
#   eval "$GYRFALCON_PG_STOP"      # stops the server and deletes its data directory
#
# - Installs Debian's `postgresql` package with apt-get when no PostgreSQL server binaries
#   are found (needs root, or passwordless sudo).
# - Runs the server as an unprivileged user (the current user; when run as root, the
#   `postgres` system user the package creates), in a new temporary cluster that listens on
#   a Unix socket only (no TCP port), with trust authentication, and creates database
#   `manifest_test`.
# - Everything except the two `export` lines goes to stderr. Any failure exits non-zero, so
#   under `set -e` CI fails instead of skipping the PostgreSQL tests.
set -euo pipefail

PATH="$PATH:/usr/sbin:/sbin"   # runuser, pg tools: in sbin on Debian, absent from some PATHs
log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

BIN=$(find_bindir || true)
if [ -z "$BIN" ]; then
    log "installing Debian's postgresql package"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    BIN=$(find_bindir) || { log "postgresql installed but initdb not found"; exit 1; }
fi
log "using $BIN"

if [ "$(id -u)" = 0 ]; then
    RUN_AS=postgres
    id "$RUN_AS" >/dev/null 2>&1 || { log "user 'postgres' missing; install the postgresql package"; exit 1; }
    RUNUSER=$(command -v runuser) || { log "runuser not found (util-linux)"; exit 1; }
    run() { "$RUNUSER" -u "$RUN_AS" -- "$@"; }
else
    RUN_AS=$(id -un)
    run() { "$@"; }
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/gyrfalcon-pg.XXXXXX")
chmod 755 "$DIR"
mkdir "$DIR/data" "$DIR/sock"
[ "$(id -u)" = 0 ] && chown -R "$RUN_AS" "$DIR"
PORT=${GYRFALCON_PG_PORT:-55432}

run "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
run "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $DIR/sock -p $PORT -c fsync=off" start >&2 \
    || { cat "$DIR/server.log" >&2; exit 1; }
run "$BIN/createdb" -h "$DIR/sock" -p "$PORT" -U postgres manifest_test >&2
run "$BIN/psql" -h "$DIR/sock" -p "$PORT" -U postgres -d manifest_test -Atc "select version()" >&2

if [ "$(id -u)" = 0 ]; then
    STOP="$RUNUSER -u $RUN_AS -- $BIN/pg_ctl -D $DIR/data -m fast stop >&2; rm -rf $DIR"
else
    STOP="$BIN/pg_ctl -D $DIR/data -m fast stop >&2; rm -rf $DIR"
fi
log "server up (socket $DIR/sock, port $PORT)"
echo "export GYRFALCON_TEST_POSTGRES_URL='postgresql+psycopg://postgres@/manifest_test?host=$DIR/sock&port=$PORT'"
echo "export GYRFALCON_PG_STOP='$STOP'"
