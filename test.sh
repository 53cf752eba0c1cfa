#!/usr/bin/env bash
# Runs every Pingjia test on a fresh Debian machine with the .NET 10 SDK:
#   - installs what the tests need when missing (PostgreSQL 15; Debian's chromium and a CJK font for the browser tests),
#   - starts a private PostgreSQL on 127.0.0.1:${PINGJIA_TEST_PG_PORT:-55432} and stops it afterwards,
#   - runs the domain tests once and the server tests on SQLite and again on PostgreSQL,
#   - smoke-tests the README's run command (/readyz answers 200),
#   - ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
PG_PORT=${PINGJIA_TEST_PG_PORT:-55432}
WORK=$(mktemp -d /tmp/pingjia-test.XXXXXX)
RESULTS="$WORK/results"
PGDATA="$WORK/pg"
PASSED=0
FAILED=0
PG_STARTED=0
SERVER_PID=""

log() { printf '\n== %s\n' "$*"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  if [ "$PG_STARTED" -eq 1 ]; then run_pg "$(pg_bin)/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# PostgreSQL refuses to run as root, so its tools run as the postgres user when we are root.
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

log "Prerequisites"
if [ -z "$(pg_bin)" ]; then
  echo "installing PostgreSQL"
  apt_install postgresql
fi
command -v curl >/dev/null || apt_install curl
# The page tests drive Debian's chromium through Playwright (never a downloaded browser); Chinese text needs a CJK font.
[ -x /usr/bin/chromium ] || apt_install chromium
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || apt_install fonts-wqy-microhei
dotnet --version

log "Build"
dotnet tool restore >/dev/null
if ! dotnet build Pingjia.slnx -c Debug -nologo -v q; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

log "PostgreSQL on 127.0.0.1:$PG_PORT"
mkdir -p "$PGDATA"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$WORK" "$PGDATA"; chmod 755 "$WORK"; fi
run_pg "$(pg_bin)/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
if run_pg "$(pg_bin)/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
    -o "-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null; then
  PG_STARTED=1
else
  echo "PostgreSQL did not start:"; cat "$PGDATA/server.log"
fi
PG_CONN="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Maximum Pool Size=50"

# Runs one test project and adds its counts; a run that produced no results counts as one failure.
run_tests() {
  local name=$1 project=$2; shift 2
  log "Tests: $name"
  env "$@" dotnet test "$project" --no-build -nologo -v q \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$RESULTS"
  local trx="$RESULTS/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "$name: no results"; FAILED=$((FAILED + 1)); return
  fi
  local counters passed failed
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  local total executed
  total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  executed=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  # Tests that were found but never ran (a crashed host) count as failed.
  failed=$(( ${failed:-0} + ${total:-0} - ${executed:-0} ))
  PASSED=$((PASSED + ${passed:-0}))
  FAILED=$((FAILED + failed))
  echo "$name: ${passed:-0} passed, $failed failed"
}

run_tests domain tests/Pingjia.Domain.Tests/Pingjia.Domain.Tests.csproj
# Screenshots of the pages (browser tests) are kept as artifacts under TestResults/screenshots/<provider>.
SHOTS="$ROOT/TestResults/screenshots"
run_tests server-sqlite tests/Pingjia.Server.Tests/Pingjia.Server.Tests.csproj PINGJIA_TEST_PROVIDER=sqlite "PINGJIA_SCREENSHOTS=$SHOTS/sqlite"
if [ "$PG_STARTED" -eq 1 ]; then
  run_tests server-postgres tests/Pingjia.Server.Tests/Pingjia.Server.Tests.csproj PINGJIA_TEST_PROVIDER=postgres "PINGJIA_TEST_PG=$PG_CONN" "PINGJIA_SCREENSHOTS=$SHOTS/postgres"
else
  FAILED=$((FAILED + 1))
fi

log "Smoke: the README's run command serves /readyz on SQLite"
SMOKE_PORT=$((PG_PORT + 1))
PINGJIA_URLS="http://127.0.0.1:$SMOKE_PORT" PINGJIA_DB_CONNECTION="Data Source=$WORK/smoke/pingjia.db" \
  dotnet run --project src/Pingjia.Server --no-build >"$WORK/smoke.log" 2>&1 &
SERVER_PID=$!
ready=0
for _ in $(seq 1 60); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SMOKE_PORT/readyz")" = "200" ]; then ready=1; break; fi
  sleep 1
done
kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""
if [ "$ready" -eq 1 ] && [ -f "$WORK/smoke/pingjia.db" ]; then
  echo "smoke: ok"; PASSED=$((PASSED + 1))
else
  echo "smoke: /readyz never answered 200"; cat "$WORK/smoke.log"; FAILED=$((FAILED + 1))
fi

echo
echo "screenshots: $SHOTS"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
