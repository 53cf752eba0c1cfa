#!/usr/bin/env bash
# Benchmarks the statistics request, GET /api/v1/stats, for one district of a SQLite database holding 10 million
# cases and 10 million ratings over 12 months (and a work order for each bad rating, ~850,000): the catalog is
# created through the API, the history is bulk-inserted with the sqlite3 CLI (bench/stats-10m.sql), the counters
# are built by `pingjia stats rebuild`, and wrk then asks for the district's year, its year by agency and its year
# by month. Everything stays on 127.0.0.1.
# See bench/README.md. Needs about 12 GB of free disk under ${TMPDIR:-/tmp} and 20-40 minutes.
#
#   bench/stats-10m.sh
set -euo pipefail

# shellcheck disable=SC2034 # used by lib.sh
SCRIPT_NAME=stats-10m.sh
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="$REPO_ROOT/bench"
# shellcheck source=lib.sh
source "$BENCH_DIR/lib.sh"

readonly HOST=127.0.0.1
readonly SERVER_PORT=5120
readonly SERVER_URL="http://$HOST:$SERVER_PORT"
readonly ROWS=${BENCH_ROWS:-10000000}
readonly DISTRICTS=(440303000000 440304000000 440305000000 440306000000)
readonly DISTRICT_NAMES=(罗湖区 福田区 南山区 宝安区)
readonly AGENCIES_PER_DISTRICT=5
readonly ITEMS_PER_AGENCY=5
readonly STAFF_PER_AGENCY=4
readonly TARGET_REGION=440304000000
readonly CODE_PREFIX=91440300MA5TJ
readonly THREADS=1
readonly CONNECTIONS=4
readonly DURATION=10s

ensure_tool wrk wrk
ensure_tool curl curl
ensure_tool sqlite3 sqlite3
ensure_tool jq jq
ensure_tool /usr/bin/time time

bench_work_dir
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
port_free "$SERVER_PORT"

free_kb=$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')
((free_kb > ROWS * 1200 / 1000)) || die "about $((ROWS * 12 / 10000000)) GB of free disk are needed under $(dirname "$WORK")"

# The period: the 12 full months before this one (every rating window in it has closed).
this_month=$(date -u +%Y-%m-01)
FROM=$(date -u -d "$this_month -12 months" +%F)
TO=$(date -u -d "$this_month -1 day" +%F)
DAYS=$((($(date -u -d "$TO" +%s) - $(date -u -d "$FROM" +%s)) / 86400 + 1))

# --- publish and migrate -----------------------------------------------------------------------------------------
export_sources "$WORK/src"
log "publishing the server ($SOURCE_DESC) in Release to $WORK"
dotnet publish "$SOURCE_ROOT/src/Pingjia.Server" -c Release -o "$WORK/server" >"$WORK/publish-server.log" 2>&1 \
    || die "publishing the server failed (its log follows)"

DB="$WORK/stats.db"
ADMIN_KEY=$(new_admin_key)
DATA_KEY=$(new_data_key)
export PINGJIA_BENCH_KEY="$ADMIN_KEY"
# A kept database is only useful with its key: kept beside it, readable by us alone.
if [[ -n ${KEEP_WORK:-} ]]; then (umask 077 && printf '%s\n' "$ADMIN_KEY" >"$WORK/admin.key"); fi
export PINGJIA_DB_PROVIDER=sqlite PINGJIA_DB_CONNECTION="Data Source=$DB" PINGJIA_URLS="$SERVER_URL" \
    PINGJIA_ADMIN_API_KEY="$ADMIN_KEY" PINGJIA_DATA_KEY="$DATA_KEY" PINGJIA_DATA_KEY_FILE="$WORK/data.key"
pingjia() { (cd "$WORK" && exec "$WORK/server/pingjia" "$@"); }

log "pingjia migrate"
pingjia migrate >"$WORK/migrate.log" 2>&1 || die "pingjia migrate failed: $(cat "$WORK/migrate.log")"

start_server() {
    log "starting the server on $SERVER_URL"
    (cd "$WORK" && exec "$WORK/server/pingjia") >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    pids+=("$SERVER_PID")
    wait_for server "$SERVER_PID" "$SERVER_URL/readyz"
    wait_for server "$SERVER_PID" "$SERVER_URL/api/v1/regions?pageSize=1" -H "Authorization: Bearer $ADMIN_KEY"
}
stop_server() {
    stop_pid "$SERVER_PID"
    remove_pid "$SERVER_PID"
}

# --- catalog through the API -------------------------------------------------------------------------------------
start_server
agencies=$((${#DISTRICTS[@]} * AGENCIES_PER_DISTRICT))
log "seeding ${#DISTRICTS[@]} districts, $agencies agencies, $((agencies * ITEMS_PER_AGENCY)) items, $((agencies * STAFF_PER_AGENCY)) staff"
api POST /api/v1/regions '{"code":"440000000000","name":"广东省","parentCode":null}' 201
api POST /api/v1/regions '{"code":"440300000000","name":"深圳市","parentCode":"440000000000"}' 201
for ((d = 0; d < ${#DISTRICTS[@]}; d++)); do
    api POST /api/v1/regions "{\"code\":\"${DISTRICTS[d]}\",\"name\":\"${DISTRICT_NAMES[d]}\",\"parentCode\":\"440300000000\"}" 201
    for ((a = 0; a < AGENCIES_PER_DISTRICT; a++)); do
        code=$(credit_code "$CODE_PREFIX$d${a}00")
        api POST /api/v1/agencies "{\"creditCode\":\"$code\",\"name\":\"${DISTRICT_NAMES[d]}第${a}政务服务机构\",\"kind\":\"department\",\"regionCode\":\"${DISTRICTS[d]}\"}" 201
        for ((k = 1; k <= ITEMS_PER_AGENCY; k++)); do
            api POST /api/v1/items "{\"itemCode\":\"TJ$d$a-$k\",\"name\":\"统计基准事项 $d$a-$k\",\"itemType\":\"01\",\"legalLimitDays\":20,\"promisedLimitDays\":10,\"issuesCertificate\":false,\"agencyCreditCode\":\"$code\"}" 201
        done
        for ((k = 1; k <= STAFF_PER_AGENCY; k++)); do
            api POST "/api/v1/agencies/$code/staff" "{\"employeeNo\":\"W0$k\",\"name\":\"窗口员$k\"}" 201
        done
    done
done
stop_server

# --- bulk history with sqlite3 -----------------------------------------------------------------------------------
secs_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }'; }
wait_idle
watch_busy_start "$WORK/bulk.busy"
log "bulk-inserting $ROWS cases and $ROWS ratings ($FROM … $TO, $DAYS days) with sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
# The secondary indexes of cases and ratings are dropped first and built again afterwards (sorting once is much
# faster than 10 million random index inserts); the schema ends up exactly as the migration made it.
sqlite3 "$DB" "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('cases', 'ratings', 'work_orders') AND sql IS NOT NULL" \
    >"$WORK/indexes.sql"
index_count=$(grep -c . "$WORK/indexes.sql")
sqlite3 "$DB" "SELECT 'DROP INDEX \"' || name || '\";' FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('cases', 'ratings', 'work_orders') AND sql IS NOT NULL" \
    | sqlite3 "$DB"
sed -e "s/@START@/$FROM/g" -e "s/@DAYS@/$DAYS/g" -e "s/@ROWS@/$ROWS/g" -e "s/@CODE_PREFIX@/$CODE_PREFIX/g" \
    "$BENCH_DIR/stats-10m.sql" >"$WORK/bulk.sql"
bulk_start=$(date +%s.%N)
sqlite3 -bail "$DB" <"$WORK/bulk.sql" >"$WORK/bulk.log" 2>&1 || die "the bulk insert failed: $(tail -n 5 "$WORK/bulk.log")"
mark() { awk -v m="$1" '$1 == "mark" && $2 == m { print $3 }' "$WORK/bulk.log"; }
cases_seconds=$(awk -v a="$(mark cases-start)" -v b="$(mark ratings-start)" 'BEGIN { printf "%.0f", b - a }')
ratings_seconds=$(awk -v a="$(mark ratings-start)" -v b="$(mark ratings-end)" 'BEGIN { printf "%.0f", b - a }')
orders_seconds=$(awk -v a="$(mark ratings-end)" -v b="$(mark work-orders-end)" 'BEGIN { printf "%.0f", b - a }')
index_start=$(date +%s.%N)
log "building $index_count indexes again"
{ echo 'PRAGMA cache_size = -1048576; PRAGMA temp_store = FILE;'; cat "$WORK/indexes.sql"; echo 'PRAGMA journal_mode = WAL;'; } \
    | sqlite3 -bail "$DB" >"$WORK/index.log" 2>&1 || die "building the indexes failed: $(tail -n 5 "$WORK/index.log")"
index_seconds=$(secs_since "$index_start")
bulk_seconds=$(secs_since "$bulk_start")
watch_busy_stop
bulk_busy=$(busy_summary "$WORK/bulk.busy")
db_bytes_bulk=$(stat -c %s "$DB")
read -r n_cases n_ratings n_orders n_bad < <(sqlite3 -separator ' ' "$DB" "SELECT (SELECT count(*) FROM cases),
    (SELECT count(*) FROM ratings), (SELECT count(*) FROM work_orders), (SELECT count(*) FROM ratings WHERE IsDefault = 0 AND Level <= 2)")
[[ $n_cases == "$ROWS" && $n_ratings == "$ROWS" ]] || die "expected $ROWS cases and ratings, found $n_cases and $n_ratings"
[[ $n_orders == "$n_bad" ]] || die "expected a work order for each of the $n_bad bad ratings, found $n_orders"
log "bulk insert: cases ${cases_seconds} s, ratings ${ratings_seconds} s, work orders ${orders_seconds} s, indexes ${index_seconds} s; $((db_bytes_bulk / 1048576)) MiB"

# --- counters from the raw rows ----------------------------------------------------------------------------------
wait_idle
watch_busy_start "$WORK/rebuild.busy"
log "pingjia stats rebuild"
rebuild_start=$(date +%s.%N)
set +e
/usr/bin/time -f '%e s, max RSS %M KB' -o "$WORK/rebuild.time" "$WORK/server/pingjia" stats rebuild >"$WORK/rebuild.log" 2>&1
rebuild_status=$?
set -e
rebuild_seconds=$(secs_since "$rebuild_start")
watch_busy_stop
rebuild_busy=$(busy_summary "$WORK/rebuild.busy")
head -n 3 "$WORK/rebuild.log" >&2
# Exit 1 with "… differed … and were replaced" is the expected outcome: nothing was counted before.
if [[ $rebuild_status -ne 1 ]] || ! grep -q 'were replaced' "$WORK/rebuild.log"; then
    die "pingjia stats rebuild exited $rebuild_status: $(head -n 5 "$WORK/rebuild.log")"
fi
rebuild_line=$(head -n 1 "$WORK/rebuild.log")
sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
db_bytes=$(stat -c %s "$DB")

# What the figures must say, straight from the raw rows, and how many counter rows the request has to read.
district_agencies="SELECT a.Id FROM agencies a JOIN regions r ON r.Id = a.RegionId WHERE r.Code = '$TARGET_REGION'"
from_day=${FROM//-/}
to_day=${TO//-/}
# Work orders count by creation time in the period (Shanghai days, stored as UTC) whose rating is not excluded.
period_start_utc="$(date -u -d "$FROM -1 day" +%F) 16:00:00"
period_end_utc="$TO 16:00:00"
read -r expect_ratings counter_rows district_counter_rows expect_orders < <(sqlite3 -separator ' ' "$DB" "
    SELECT (SELECT count(*) FROM ratings WHERE AgencyId IN ($district_agencies) AND Day BETWEEN $from_day AND $to_day),
           (SELECT count(*) FROM rating_counters),
           (SELECT count(*) FROM rating_counters WHERE AgencyId IN ($district_agencies) AND Day BETWEEN $from_day AND $to_day),
           (SELECT count(*) FROM work_orders o JOIN ratings r ON r.Id = o.RatingId
            WHERE o.AgencyId IN ($district_agencies) AND r.Excluded = 0
              AND o.CreatedAt >= '$period_start_utc' AND o.CreatedAt < '$period_end_utc')")

# --- measure -----------------------------------------------------------------------------------------------------
start_server
# First: what the server costs with no requests at all (its rating-window jobs run every 30 s), over 60 s.
wait_idle
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
log "measuring the server's own CPU use over 60 s without requests"
ticks_before=$(cpu_ticks)
sleep 60
idle_cpu_pct=$(awk -v a="$ticks_before" -v b="$(cpu_ticks)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / 60 }')

# run_wrk NAME CONNECTIONS URL: one measured run, its report in $WORK/NAME.wrk.
run_wrk() {
    local name=$1 connections=$2 url=$3
    wait_idle
    watch_busy_start "$WORK/$name.busy"
    log "$name: $DURATION ($THREADS thread, $connections connections) on $url"
    wrk -t"$THREADS" -c"$connections" -d"$DURATION" --timeout 30s --latency -s "$BENCH_DIR/auth.lua" "$url" >"$WORK/$name.wrk" &
    wrk_pid=$!
    wait "$wrk_pid"
    wrk_pid=
    watch_busy_stop
    cat "$WORK/$name.wrk"
    if grep -Eq 'Non-2xx or 3xx responses|Socket errors' "$WORK/$name.wrk"; then
        die "$name: wrk saw errors: $(grep -E 'Non-2xx or 3xx responses|Socket errors' "$WORK/$name.wrk")"
    fi
}

queries=("" agency month)
for group in "${queries[@]}"; do
    name=stats${group:+-$group}
    url="$SERVER_URL/api/v1/stats?from=$FROM&to=$TO&region=$TARGET_REGION${group:+&groupBy=$group}"
    # One request first, alone: its time is the first (cold) request's; its body is checked against the raw rows.
    first_ms=$(curl -fsS -o "$WORK/$name.json" -w '%{time_total}' -H "Authorization: Bearer $ADMIN_KEY" "$url" \
        | awk '{ printf "%.1f", $1 * 1000 }') || die "GET $url failed"
    read -r total rows < <(jq -r '"\(.total.activeRatings + .total.defaultRatings + .total.excludedRatings) \(.rows | length)"' "$WORK/$name.json")
    [[ $total -gt 0 && $total -eq $expect_ratings ]] \
        || die "$name: the response counts $total ratings, the ratings table $expect_ratings"
    # Servers with handling figures (work orders of bad ratings) must count every order of the period.
    orders=$(jq -r '.handling.replyRate.denominator // "none"' "$WORK/$name.json")
    [[ $orders == none || $orders -eq $expect_orders ]] \
        || die "$name: the response counts $orders work orders, the work_orders table $expect_orders"
    printf -v "first_$group" '%s' "$first_ms"
    printf -v "rows_$group" '%s' "$rows"
    run_wrk "$name" "$CONNECTIONS" "$url"
    # The same with one connection: the time of one request with nothing queued beside it.
    run_wrk "$name-c1" 1 "$url"
done

# --- diagnostics: the rating-window jobs' queries -------------------------------------------------------------------
# The server runs both every 30 s (PINGJIA_JOB_INTERVAL_SECONDS). Timed here with the sqlite3 CLI, as EF Core sends
# them (SQL taken from the server's command log), on the same file; they find nothing, so this is pure search cost.
stop_server
now_utc=$(date -u '+%Y-%m-%d %H:%M:%S')
day_ago=$(date -u -d '-24 hours' '+%Y-%m-%d %H:%M:%S')
time_query() {
    local start
    start=$(date +%s.%N)
    sqlite3 "$DB" "$1" >/dev/null
    awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }'
}
close_windows_seconds=$(time_query "SELECT c.Id FROM cases AS c JOIN case_rating_states AS s ON s.Id = c.Id WHERE NOT (s.HasActiveRating) AND s.DefaultedAt IS NULL AND c.RatingClosesAt <= '$now_utc' ORDER BY c.RatingClosesAt LIMIT 500")
reminders_seconds=$(time_query "SELECT * FROM cases AS c JOIN case_rating_states AS s ON s.Id = c.Id WHERE s.ReminderSentAt IS NULL AND NOT (s.HasActiveRating) AND s.DefaultedAt IS NULL AND c.MobileEnc IS NOT NULL AND c.RatingOpensAt <= '$day_ago' AND c.RatingClosesAt > '$now_utc' ORDER BY c.RatingOpensAt LIMIT 500")

# --- summary -----------------------------------------------------------------------------------------------------
total_json=$(jq -c '.total | {casesFinished, activeRatings, defaultRatings, excludedRatings, goodRate: .goodRate.value}' "$WORK/stats.json")
handling_json=$(jq -c '.handling // "none" | if . == "none" then . else {badRatings: .replyRate.denominator, replyRate: .replyRate.value, onTimeRate: .onTimeRate.value, overdueCount} end' "$WORK/stats.json")
printf '\nSummary: %s, SQLite, %s CPU cores; server: %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$SOURCE_DESC"
printf 'data: %s cases, %s ratings and %s work orders, %s … %s; %s agencies in %s districts, %s items and %s staff each\n' \
    "$n_cases" "$n_ratings" "$n_orders" "$FROM" "$TO" "$agencies" "${#DISTRICTS[@]}" "$ITEMS_PER_AGENCY" "$STAFF_PER_AGENCY"
printf 'bulk insert (sqlite3): %s s in all = cases %s s + ratings %s s + work orders %s s + %s indexes %s s (machine: %s)\n' \
    "$bulk_seconds" "$cases_seconds" "$ratings_seconds" "$orders_seconds" "$index_count" "$index_seconds" "$bulk_busy"
printf 'database: %s MiB after the bulk insert, %s MiB after the rebuild\n' "$((db_bytes_bulk / 1048576))" "$((db_bytes / 1048576))"
printf 'pingjia stats rebuild: %s s (%s; machine: %s): %s\n' "$rebuild_seconds" "$(tail -n 1 "$WORK/rebuild.time")" "$rebuild_busy" "$rebuild_line"
printf 'counter rows: %s in all, %s for region %s in the period\n' "$counter_rows" "$district_counter_rows" "$TARGET_REGION"
printf 'region %s total: %s (ratings in the table: %s)\n' "$TARGET_REGION" "$total_json" "$expect_ratings"
printf 'region %s handling: %s (work orders in the table: %s)\n' "$TARGET_REGION" "$handling_json" "$expect_orders"
printf "rating-window jobs' queries (sqlite3 CLI, nothing due): close windows %s s, reminders %s s\n" "$close_windows_seconds" "$reminders_seconds"
printf 'server CPU with no requests (rating-window jobs every 30 s): %s %% of one core over 60 s\n' "$idle_cpu_pct"
printf '%-22s %4s %5s %9s %8s %9s %9s  %s\n' request rows conns 'first ms' 'req/s' 'p50 ms' 'p99 ms' 'machine'
for group in "${queries[@]}"; do
    first_var=first_$group
    rows_var=rows_$group
    for c in "$CONNECTIONS" 1; do
        name=stats${group:+-$group}
        if [[ $c == 1 ]]; then name+=-c1; fi
        p99=$(wrk_field "$WORK/$name.wrk" 99%)
        printf '%-22s %4s %5s %9s %8.1f %9.2f %9.2f  %s (target < 50 ms: %s)\n' "stats${group:+ groupBy=$group}" "${!rows_var}" "$c" \
            "${!first_var}" "$(wrk_field "$WORK/$name.wrk" rps)" "$(wrk_field "$WORK/$name.wrk" 50%)" "$p99" \
            "$(busy_summary "$WORK/$name.busy")" "$(awk -v p="$p99" 'BEGIN { print (p < 50 ? "met" : "NOT met") }')"
    done
done
