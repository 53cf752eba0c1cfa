#!/usr/bin/env bash
# Benchmarks full rating submission, POST /api/v1/ratings, on a freshly published Pingjia server (SQLite by default,
# or a throw-away PostgreSQL) against the bare-Kestrel baseline's POST /rate, in the same run, with wrk.
# Every request rates a case that no other request rates: the cases are created beforehand through the intake API.
# Everything listens on and is sent to 127.0.0.1 only. See bench/README.md.
#
#   bench/rating-submit.sh [sqlite|postgres]
set -euo pipefail

# shellcheck disable=SC2034 # used by lib.sh
SCRIPT_NAME=rating-submit.sh
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="$REPO_ROOT/bench"
# shellcheck source=lib.sh
source "$BENCH_DIR/lib.sh"

PROVIDER=${1:-sqlite}
[[ $PROVIDER == sqlite || $PROVIDER == postgres ]] || die "usage: bench/rating-submit.sh [sqlite|postgres]"

readonly HOST=127.0.0.1
readonly SERVER_PORT=5110
readonly BASELINE_PORT=5111
readonly PG_PORT=${BENCH_PG_PORT:-55500}
# The issue's settings; BENCH_THREADS / BENCH_CONNECTIONS change them for probes (the targets are for 2 and 64).
readonly THREADS=${BENCH_THREADS:-2}
readonly CONNECTIONS=${BENCH_CONNECTIONS:-64}
# The warm-up has two parts. First a paced one: 8 connections, each pausing 8 ms before each request (at most
# 1,000 requests a second), for 20 s, so that the JIT's background tiering finishes while the machine has a core to
# spare for it; with only a short warm-up at full load, the tiered-compilation thread still used ~35 % of a core
# through most of the measured run (2026-12-06) and the run measured the JIT as much as the server. Then 3 s at the
# full load, so that the measured run starts with the server's pools and batches at their working sizes. The
# summary reports the JIT thread's CPU during the measured run: near 0 when the run measured a warm server.
readonly PACED_WARMUP=20s
readonly PACED_CONNECTIONS=8
readonly PACED_PAUSE_MS=8
readonly PACED_CASES=22000
readonly WARMUP=3s
readonly DURATION=15s
# Case numbers R0000001 … R<CASES>: the paced warm-up rates the first PACED_CASES (at most 20,000 are needed), the
# warm-up at full load the next WARMUP_CASES, the measured run the rest, each wrk thread its own equal slice. The
# last two must exceed what the server can rate in 3 s and 15 s (the defaults allow 10,000 and 8,000 ratings/s:
# PostgreSQL did 4,350 on 2026-12-06, and a run that runs out is refused; SQLite needs BENCH_CASES=282000
# BENCH_WARMUP_CASES=40000: it did 12,500 a second once warm). Seeding goes through the intake API at ~700 cases/s on SQLite and ~420/s on PostgreSQL
# with 32 in flight (2 cores), so the defaults take about 7 minutes to seed on PostgreSQL.
readonly CASES=${BENCH_CASES:-172000}
readonly WARMUP_CASES=${BENCH_WARMUP_CASES:-30000}
readonly SEED_CONCURRENCY=${BENCH_SEED_CONCURRENCY:-32}
readonly CASE_PREFIX=R
readonly SERVER_URL="http://$HOST:$SERVER_PORT"
readonly BASELINE_URL="http://$HOST:$BASELINE_PORT"

((CASES > PACED_CASES + WARMUP_CASES && WARMUP_CASES >= THREADS)) || die "BENCH_CASES must exceed $PACED_CASES + BENCH_WARMUP_CASES"
ensure_tool wrk wrk
ensure_tool curl curl

bench_work_dir
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free "$SERVER_PORT"
port_free "$BASELINE_PORT"

# --- database ----------------------------------------------------------------------------------------------------
# PostgreSQL: a private cluster on 127.0.0.1:$PG_PORT, like test.sh's (which uses 55432), stopped and deleted on exit.
if [[ $PROVIDER == postgres ]]; then
    # shellcheck disable=SC2012 # version directories: plain names, sorted by version
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [[ -z $PG_BIN ]]; then
        # No command on PATH to test for (the binaries live under /usr/lib/postgresql): install the package.
        ensure_tool /usr/lib/postgresql/none postgresql
        # shellcheck disable=SC2012
        PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    if (exec 3<>"/dev/tcp/$HOST/$PG_PORT") 2>/dev/null; then
        die "something already listens on $HOST:$PG_PORT; set BENCH_PG_PORT to a free port"
    fi
    PGDATA="$WORK/pg"
    mkdir -p "$PGDATA"
    # PostgreSQL refuses to run as root: its tools run as the postgres user, who needs to reach $PGDATA.
    run_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    if [[ $(id -u) -eq 0 ]]; then
        chmod 711 "$WORK"
        chown postgres "$PGDATA"
    fi
    log "starting PostgreSQL ($PG_BIN) on $HOST:$PG_PORT"
    run_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 \
        || die "initdb failed: $(tail -n 5 "$WORK/initdb.log")"
    # The same settings as test.sh's cluster, so that the figures compare with what the tests run on.
    run_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
        -o "-p $PG_PORT -k $PGDATA -c listen_addresses=$HOST -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null || die "PostgreSQL did not start: $(tail -n 20 "$PGDATA/server.log")"
    on_cleanup+=("run_pg '$PG_BIN/pg_ctl' -D '$PGDATA' -m immediate -w stop >/dev/null 2>&1")
    DB_CONNECTION="Host=$HOST;Port=$PG_PORT;Username=postgres;Database=postgres"
    DB_DESC="PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') (fsync=off, synchronous_commit=off, as test.sh)"
else
    DB_CONNECTION="Data Source=$WORK/bench.db"
    DB_DESC="SQLite (WAL, synchronous=NORMAL, as the server sets it)"
fi

# --- publish -----------------------------------------------------------------------------------------------------
export_sources "$WORK/src"
log "publishing the server ($SOURCE_DESC), the baseline and the seeder (Release) to $WORK"
dotnet publish "$SOURCE_ROOT/src/Pingjia.Server" -c Release -o "$WORK/server" >"$WORK/publish-server.log" 2>&1 \
    || die "publishing the server failed (its log follows)"
dotnet publish "$BENCH_DIR/Pingjia.Bench.Baseline" -c Release -o "$WORK/baseline" >"$WORK/publish-baseline.log" 2>&1 \
    || die "publishing the baseline failed (its log follows)"
dotnet publish "$BENCH_DIR/Pingjia.Bench.Seed" -c Release -o "$WORK/seed" >"$WORK/publish-seed.log" 2>&1 \
    || die "publishing the seeder failed (its log follows)"

# --- start both --------------------------------------------------------------------------------------------------
ADMIN_KEY=$(new_admin_key)
DATA_KEY=$(new_data_key)
export PINGJIA_BENCH_KEY="$ADMIN_KEY"
# A kept database is only useful with its key: kept beside it, readable by us alone.
if [[ -n ${KEEP_WORK:-} ]]; then (umask 077 && printf '%s\n' "$ADMIN_KEY" >"$WORK/admin.key"); fi
export PINGJIA_DB_PROVIDER="$PROVIDER" PINGJIA_DB_CONNECTION="$DB_CONNECTION" PINGJIA_URLS="$SERVER_URL" \
    PINGJIA_ADMIN_API_KEY="$ADMIN_KEY" PINGJIA_DATA_KEY="$DATA_KEY" PINGJIA_DATA_KEY_FILE="$WORK/data.key"

log "starting the server on $SERVER_URL ($PROVIDER) and the baseline on $BASELINE_URL"
(cd "$WORK" && exec dotnet "$WORK/server/pingjia.dll") >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
pids+=("$SERVER_PID")
dotnet "$WORK/baseline/pingjia-bench-baseline.dll" --urls "$BASELINE_URL" >"$WORK/baseline.log" 2>&1 &
BASELINE_PID=$!
pids+=("$BASELINE_PID")
wait_for server "$SERVER_PID" "$SERVER_URL/readyz"
wait_for server "$SERVER_PID" "$SERVER_URL/api/v1/regions?pageSize=1" -H "Authorization: Bearer $ADMIN_KEY"
wait_for baseline "$BASELINE_PID" "$BASELINE_URL/list"
# Errors are counted from here on: on a fresh PostgreSQL database EF Core logs its probe of the not yet existing
# migrations-history table as a failed command during start-up, which is not a failure of the benchmark.
startup_log_lines=$(wc -l <"$WORK/server.log")

# --- seed --------------------------------------------------------------------------------------------------------
AGENCY_CODE="$(credit_code 91440300MA5RATE00)"
ITEM_CODE=RATE-0001
log "seeding 3 regions, agency $AGENCY_CODE, staff W01 and item $ITEM_CODE"
api POST /api/v1/regions '{"code":"440000000000","name":"广东省","parentCode":null}' 201
api POST /api/v1/regions '{"code":"440300000000","name":"深圳市","parentCode":"440000000000"}' 201
api POST /api/v1/regions '{"code":"440304000000","name":"福田区","parentCode":"440300000000"}' 201
api POST /api/v1/agencies "{\"creditCode\":\"$AGENCY_CODE\",\"name\":\"福田区政务服务数据管理局\",\"kind\":\"department\",\"regionCode\":\"440304000000\"}" 201
api POST "/api/v1/agencies/$AGENCY_CODE/staff" '{"employeeNo":"W01","name":"窗口员"}' 201
api POST /api/v1/items "{\"itemCode\":\"$ITEM_CODE\",\"name\":\"社保查询\",\"itemType\":\"01\",\"legalLimitDays\":20,\"promisedLimitDays\":5,\"issuesCertificate\":false,\"agencyCreditCode\":\"$AGENCY_CODE\"}" 201

# Every case: a window case approved a minute ago (so rating is open), a natural person with a mobile.
decided_at=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)
accepted_at=$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)
cat >"$WORK/case.json" <<JSON
{"itemCode":"$ITEM_CODE","agencyCreditCode":"$AGENCY_CODE","staffEmployeeNo":"W01","serviceChannel":"window","status":"approved","applicant":{"type":"1","name":"张三丰","idType":"111","idNumber":"44030419900101123X","mobile":"13812341234"},"acceptedAt":"$accepted_at","decidedAt":"$decided_at"}
JSON
# Case 0 is for the sanity check below; 1 … CASES for wrk.
log "seeding $((CASES + 1)) cases through PUT /api/v1/cases/{caseNo} ($SEED_CONCURRENCY in flight)"
seed_start=$(date +%s.%N)
dotnet "$WORK/seed/pingjia-bench-seed.dll" "$SERVER_URL" "$WORK/case.json" "$CASE_PREFIX" 0 $((CASES + 1)) "$SEED_CONCURRENCY" \
    | tee "$WORK/seed.txt" || die "seeding the cases failed"
seed_seconds=$(awk -v s="$seed_start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')

# Sanity: a rating of case 0 is created (201), a second one is not (200: it exists); the baseline takes the body (202).
rating_body() { printf '{"caseNo":"%s%07d","level":5,"tags":["510"],"channel":"hall_device"}' "$CASE_PREFIX" "$1"; }
api POST /api/v1/ratings "$(rating_body 0)" 201
grep -q '"created":true' "$WORK/api-response.json" || die "the first rating of case 0 was not created: $(cat "$WORK/api-response.json")"
api POST /api/v1/ratings "$(rating_body 0)" 200
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASELINE_URL/rate" -H 'Content-Type: application/json' --data-binary "$(rating_body 0)")
[[ $status == 202 ]] || die "the baseline answered $status to POST /rate"

# --- measure -----------------------------------------------------------------------------------------------------
# run_wrk NAME URL PATH FIRST PACED_SLICE WARM_SLICE SLICE: the paced warm-up rates cases FIRST …
# FIRST + THREADS*PACED_SLICE - 1, the warm-up at full load the WARM_SLICE-sized slices after them, the measured run
# the SLICE-sized slices after those; the report goes to $WORK/NAME.wrk. wrk's time-out is raised from 2 s to 10 s so
# that slow answers count in the latency figures instead of dropping out of them as socket time-outs.
run_wrk() {
    local name=$1 url=$2 path=$3 first=$4 paced_slice=$5 warm_slice=$6 slice=$7
    wait_idle
    watch_busy_start "$WORK/$name.busy"
    log "$name: paced warm-up $PACED_WARMUP ($PACED_CONNECTIONS connections), warm-up $WARMUP, then $DURATION ($THREADS threads, $CONNECTIONS connections) on $url$path"
    # In the background, so that a signal to this script stops the run at once (clean-up kills wrk too).
    RATING_SUBMIT_PAUSE_MS=$PACED_PAUSE_MS wrk -t"$THREADS" -c"$PACED_CONNECTIONS" -d"$PACED_WARMUP" --timeout 10s \
        -s "$BENCH_DIR/rating-submit.lua" "$url" -- "$path" "$CASE_PREFIX" "$first" "$paced_slice" >"$WORK/$name-paced.wrk" &
    wrk_pid=$!
    wait "$wrk_pid"
    first=$((first + THREADS * paced_slice))
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout 10s -s "$BENCH_DIR/rating-submit.lua" "$url" \
        -- "$path" "$CASE_PREFIX" "$first" "$warm_slice" >"$WORK/$name-warmup.wrk" &
    wrk_pid=$!
    wait "$wrk_pid"
    local pid=${pids_of[$name]} cpu0 writer0 jit0
    cpu0=$(cpu_ticks "$pid")
    writer0=$(cpu_ticks "$pid" rating-writer)
    jit0=$(thread_ticks "$pid" "$JIT_THREAD")
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s "$BENCH_DIR/rating-submit.lua" "$url" \
        -- "$path" "$CASE_PREFIX" $((first + THREADS * warm_slice)) "$slice" >"$WORK/$name.wrk" &
    wrk_pid=$!
    wait "$wrk_pid"
    wrk_pid=
    echo "$(($(cpu_ticks "$pid") - cpu0)) $(($(cpu_ticks "$pid" rating-writer) - writer0)) $(ticks_since "$jit0" "$(thread_ticks "$pid" "$JIT_THREAD")")" >"$WORK/$name.cpu"
    watch_busy_stop
    cat "$WORK/$name.wrk"
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A pids_of=([server]=$SERVER_PID [baseline]=$BASELINE_PID)
# The runtime's background tiered-compilation thread, as /proc names it (15 characters).
readonly JIT_THREAD='.NET Tiered Com'
run_wrk server "$SERVER_URL" /api/v1/ratings 1 $((PACED_CASES / THREADS)) $((WARMUP_CASES / THREADS)) \
    $(((CASES - PACED_CASES - WARMUP_CASES) / THREADS))
# The baseline keeps nothing, so its case numbers need not exist; they stay 7 digits long so the bodies are the same.
run_wrk baseline "$BASELINE_URL" /rate 1 100000 900000 3000000

# statuses NAME: "201=1234 409=2" from the Lua script's done(); beyond NAME: case numbers used past the seeded range.
statuses() { sed -n 's/^rating-submit: statuses //p' "$WORK/$1.wrk"; }
beyond() { sed -n 's/^rating-submit: case numbers used [0-9]*, beyond the seeded range //p' "$WORK/$1${2:-}.wrk"; }

problems=()
for name in server baseline; do
    if grep -Eq 'Non-2xx or 3xx responses|Socket errors' "$WORK/$name.wrk"; then
        problems+=("$name: wrk saw $(grep -E 'Non-2xx or 3xx responses|Socket errors' "$WORK/$name.wrk" | tr -s ' ' | tr '\n' ';')")
    fi
    for run in -paced -warmup ""; do
        [[ $(beyond "$name" "$run") == 0 ]] || problems+=("$name$run: ran out of fresh cases; raise BENCH_CASES (and BENCH_WARMUP_CASES)")
    done
done
server_statuses=$(statuses server)
baseline_statuses=$(statuses baseline)
[[ $server_statuses =~ ^201=[0-9]+$ ]] || problems+=("server: statuses other than 201: $server_statuses")
[[ $baseline_statuses =~ ^202=[0-9]+$ ]] || problems+=("baseline: statuses other than 202: $baseline_statuses")
server_busy=$(busy_summary "$WORK/server.busy")
baseline_busy=$(busy_summary "$WORK/baseline.busy")

# --- consistency: the counters the submissions kept must equal a recount from the raw rows --------------------------
log "stopping the server; checking its counters with 'pingjia stats rebuild --check'"
stop_pid "$SERVER_PID"
remove_pid "$SERVER_PID"
tail -n +"$((startup_log_lines + 1))" "$WORK/server.log" >"$WORK/server-after-start.log"
server_errors=$(grep -c 'fail:' "$WORK/server-after-start.log" || true)
if (cd "$WORK" && dotnet "$WORK/server/pingjia.dll" stats rebuild --check) >"$WORK/rebuild-check.log" 2>&1; then
    counters_check="ok ($(head -n 1 "$WORK/rebuild-check.log"))"
else
    counters_check="MISMATCH: $(head -n 3 "$WORK/rebuild-check.log" | tr '\n' ' ')"
    problems+=("counters: $counters_check")
fi

# --- summary -----------------------------------------------------------------------------------------------------
server_rps=$(wrk_field "$WORK/server.wrk" rps)
baseline_rps=$(wrk_field "$WORK/baseline.wrk" rps)
server_p99=$(wrk_field "$WORK/server.wrk" 99%)
ratio=$(awk -v s="$server_rps" -v b="$baseline_rps" 'BEGIN { printf "%.1f", (b > 0 ? 100 * s / b : 0) }')
if [[ $PROVIDER == sqlite ]]; then target_ratio=15; else target_ratio=10; fi
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi; }

printf '\nSummary: %s, %s; %s threads, %s connections, %s after a %s paced and a %s full warm-up; %s CPU cores; load before %s\n' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$DB_DESC" "$THREADS" "$CONNECTIONS" "$DURATION" "$PACED_WARMUP" "$WARMUP" "$(nproc)" "$load_before"
printf 'server: %s\n' "$SOURCE_DESC"
printf 'seeded %s cases through the API in %s s\n' "$((CASES + 1))" "$seed_seconds"
printf '%-34s %10s %9s %9s  %-28s %s\n' target 'req/s' 'p50 ms' 'p99 ms' statuses 'machine during the run'
printf '%-34s %10.0f %9.2f %9.2f  %-28s %s\n' "server   POST /api/v1/ratings" "$server_rps" \
    "$(wrk_field "$WORK/server.wrk" 50%)" "$server_p99" "$server_statuses" "$server_busy"
printf '%-34s %10.0f %9.2f %9.2f  %-28s %s\n' "baseline POST /rate" "$baseline_rps" \
    "$(wrk_field "$WORK/baseline.wrk" 50%)" "$(wrk_field "$WORK/baseline.wrk" 99%)" "$baseline_statuses" "$baseline_busy"
printf 'server latency: %s\n' "$(sed -n 's/^rating-submit: latency //p' "$WORK/server.wrk")"
# CPU per request of the measured run: the whole server process, and of it the rating writer's thread, which every
# submission waits for and which alone can only use one core.
read -r server_ticks writer_ticks server_jit_ticks <"$WORK/server.cpu"
read -r baseline_ticks _ baseline_jit_ticks <"$WORK/baseline.cpu"
count_of() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$2" | grep . || echo 0; }
server_requests=$(count_of 201 "$server_statuses")
printf 'CPU per request: server %s us (of it the %s thread %s us, %s %% of one core during the run); baseline %s us\n' \
    "$(per_request_us "$server_ticks" "$server_requests")" rating-writer "$(per_request_us "$writer_ticks" "$server_requests")" \
    "$(core_percent "$writer_ticks" "${DURATION%s}")" \
    "$(per_request_us "$baseline_ticks" "$(count_of 202 "$baseline_statuses")")"
# Near 0 when the warm-up let the JIT finish; more means the run measured compilation too.
printf 'JIT (tiered-compilation thread) during the run: server %s %% of one core, baseline %s %%\n' \
    "$(core_percent "$server_jit_ticks" "${DURATION%s}")" "$(core_percent "$baseline_jit_ticks" "${DURATION%s}")"
printf 'server/baseline throughput: %s %% (target >= %s %%: %s)\n' "$ratio" "$target_ratio" "$(verdict "$ratio >= $target_ratio")"
if [[ $PROVIDER == sqlite ]]; then
    printf 'server p99: %s ms (target < 50 ms: %s)\n' "$server_p99" "$(verdict "$server_p99 < 50")"
fi
printf 'counters after the run: %s; errors in the server log after start-up: %s\n' "$counters_check" "$server_errors"
if ((server_errors > 0)); then
    printf 'the first error in the server log:\n' >&2
    grep -m 1 -A 6 'fail:' "$WORK/server-after-start.log" >&2
fi

if ((${#problems[@]} > 0)); then
    printf '%s\n' "${problems[@]}" >&2
    die "the run is not valid; the figures above must not be used"
fi
