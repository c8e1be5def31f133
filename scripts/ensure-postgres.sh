#!/usr/bin/env bash
# Installs PostgreSQL from Debian if needed and starts a private throw-away server for the tests.
# Prints the DATABASE_URL to use on stdout; everything else goes to stderr.
set -euo pipefail

PORT="${HI_TEST_PG_PORT:-54329}"
DATA="${HI_TEST_PG_DIR:-/tmp/hi-test-postgres}"

find_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

BINDIR="$(find_bindir || true)"
if [ -z "$BINDIR" ] || [ ! -x "$BINDIR/initdb" ]; then
  echo "installing PostgreSQL from Debian's packages…" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  BINDIR="$(find_bindir)"
fi

# PostgreSQL refuses to run as root: run the private server as the postgres user when we are root.
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
  AS=(runuser -u postgres --)
else
  AS=()
fi

if ! "${AS[@]}" "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  if [ ! -f "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"; mkdir -p "$DATA"
    [ ${#AS[@]} -gt 0 ] && chown postgres "$DATA"
    "${AS[@]}" "$BINDIR/initdb" -D "$DATA" -U hi --auth=trust -E UTF8 >/dev/null
  fi
  "${AS[@]}" "$BINDIR/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >&2
fi
echo "postgres://hi@127.0.0.1:$PORT/postgres"
