#!/usr/bin/env bash
# Benchmarks GET /api/v1/items?pageSize=50 on a freshly published, seeded Pingjia server against a bare-Kestrel
# baseline (bench/Pingjia.Bench.Baseline) that serves the same page shape from memory, in the same run, with wrk.
# Everything listens on and is sent to 127.0.0.1 only. See bench/README.md.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="$REPO_ROOT/bench"

readonly HOST=127.0.0.1
readonly SERVER_PORT=5100
readonly BASELINE_PORT=5101
readonly THREADS=2
readonly CONNECTIONS=64
readonly WARMUP=3s
readonly DURATION=15s
readonly ITEM_COUNT=500
readonly SERVER_URL="http://$HOST:$SERVER_PORT"
readonly BASELINE_URL="http://$HOST:$BASELINE_PORT"
readonly SERVER_TARGET="$SERVER_URL/api/v1/items?pageSize=50"
readonly BASELINE_TARGET="$BASELINE_URL/list"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'catalog-list.sh: %s\n' "$*" >&2; exit 1; }

# --- wrk ---------------------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
    log "installing wrk"
    # Refresh the package lists only when apt does not know wrk yet, or when the install fails on stale lists.
    if ! apt-cache show wrk >/dev/null 2>&1; then
        "${sudo[@]}" apt-get update
    fi
    if ! "${sudo[@]}" apt-get install -y wrk; then
        "${sudo[@]}" apt-get update
        "${sudo[@]}" apt-get install -y wrk
    fi
fi

# --- work directory and clean-up ---------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pingjia-bench.XXXXXX")"
chmod 700 "$WORK"
pids=()
wrk_pid=

cleanup() {
    local status=$?
    local pid
    if [[ -n $wrk_pid ]]; then
        kill -TERM "$wrk_pid" 2>/dev/null || true
    fi
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ $status -ne 0 && -z ${KEEP_WORK:-} ]]; then
        for f in "$WORK"/*.log; do
            [[ -f $f ]] || continue
            printf '\n--- last lines of %s ---\n' "$(basename "$f")" >&2
            tail -n 30 "$f" >&2
        done
    fi
    if [[ -n ${KEEP_WORK:-} ]]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for port in "$SERVER_PORT" "$BASELINE_PORT"; do
    if curl -s -o /dev/null --max-time 2 "http://$HOST:$port/"; then
        die "something already listens on $HOST:$port; stop it first"
    fi
done

# --- credentials and the agency's credit code --------------------------------------------------------------------
# A throw-away system-admin key: pj_ + 8 characters + _ + 40 lowercase hex characters.
ADMIN_KEY="pj_benchadm_$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')"
[[ $ADMIN_KEY =~ ^pj_[a-z0-9]{8}_[a-z0-9]{40}$ ]] || die "generated a malformed key"
export PINGJIA_BENCH_KEY="$ADMIN_KEY"

# GB 32100-2015 check character (mod 31), as in src/Pingjia.Domain/Catalog/CreditCode.cs.
credit_code() {
    local first17=$1 alphabet=0123456789ABCDEFGHJKLMNPQRTUWXY
    local -a weights=(1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28)
    local sum=0 i ch before check
    for ((i = 0; i < 17; i++)); do
        ch=${first17:i:1}
        before=${alphabet%%"$ch"*}
        [[ ${#before} -lt ${#alphabet} ]] || die "'$ch' is not allowed in a credit code"
        sum=$((sum + ${#before} * weights[i]))
    done
    check=$((31 - sum % 31))
    if ((check == 31)); then check=0; fi
    printf '%s%s\n' "$first17" "${alphabet:check:1}"
}
AGENCY_CODE="$(credit_code 91440300MA5BENCH0)"   # 91440300MA5BENCH0X, the code the baseline also shows

# --- publish -----------------------------------------------------------------------------------------------------
log "publishing the server and the baseline (Release) to $WORK"
dotnet publish "$REPO_ROOT/src/Pingjia.Server" -c Release -o "$WORK/server" >"$WORK/publish-server.log" 2>&1 \
    || die "publishing the server failed (its log follows)"
dotnet publish "$BENCH_DIR/Pingjia.Bench.Baseline" -c Release -o "$WORK/baseline" >"$WORK/publish-baseline.log" 2>&1 \
    || die "publishing the baseline failed (its log follows)"

# --- start both --------------------------------------------------------------------------------------------------
log "starting the server on $SERVER_URL and the baseline on $BASELINE_URL"
PINGJIA_DB_CONNECTION="Data Source=$WORK/bench.db" \
PINGJIA_URLS="$SERVER_URL" \
PINGJIA_ADMIN_API_KEY="$ADMIN_KEY" \
    dotnet "$WORK/server/pingjia.dll" >"$WORK/server.log" 2>&1 &
pids+=("$!")
SERVER_PID=$!
dotnet "$WORK/baseline/pingjia-bench-baseline.dll" --urls "$BASELINE_URL" >"$WORK/baseline.log" 2>&1 &
pids+=("$!")
BASELINE_PID=$!

# wait_for NAME PID URL [curl options…]: polls URL until it answers 200, for up to 60 s.
wait_for() {
    local name=$1 pid=$2 url=$3
    shift 3
    for _ in $(seq 600); do
        kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
        if curl -fs -o /dev/null --max-time 2 "$@" "$url"; then
            return 0
        fi
        sleep 0.1
    done
    die "$name did not answer $url within 60 s"
}
wait_for server "$SERVER_PID" "$SERVER_URL/readyz"
# Ready means migrated; the bootstrap admin key must also be accepted before seeding.
wait_for server "$SERVER_PID" "$SERVER_URL/api/v1/regions?pageSize=1" -H "Authorization: Bearer $ADMIN_KEY"
wait_for baseline "$BASELINE_PID" "$BASELINE_TARGET"

# --- seed --------------------------------------------------------------------------------------------------------
# post PATH JSON: creates one resource, fails unless the answer is 201 Created.
post() {
    local status
    status=$(curl -s -o "$WORK/post-response.json" -w '%{http_code}' -X POST "$SERVER_URL$1" \
        -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' --data-binary "$2")
    [[ $status == 201 ]] || die "POST $1 answered $status: $(cat "$WORK/post-response.json")"
}

log "seeding 3 regions, 1 agency ($AGENCY_CODE) and $ITEM_COUNT service items"
post /api/v1/regions '{"code":"440000000000","name":"广东省","parentCode":null}'
post /api/v1/regions '{"code":"440300000000","name":"深圳市","parentCode":"440000000000"}'
post /api/v1/regions '{"code":"440304000000","name":"福田区","parentCode":"440300000000"}'
post /api/v1/agencies "{\"creditCode\":\"$AGENCY_CODE\",\"name\":\"福田区政务服务数据管理局\",\"kind\":\"department\",\"regionCode\":\"440304000000\"}"

# All items through one curl process (one kept-alive connection): a config file with one block per request.
items_config="$WORK/items.curl"
: >"$items_config"
for ((i = 1; i <= ITEM_COUNT; i++)); do
    printf -v n '%04d' "$i"
    if ((i > 1)); then echo next >>"$items_config"; fi
    cat >>"$items_config" <<CURL
url = "$SERVER_URL/api/v1/items"
request = "POST"
header = "Authorization: Bearer $ADMIN_KEY"
header = "Content-Type: application/json"
data-binary = "{\\"itemCode\\":\\"BENCH-$n\\",\\"name\\":\\"基准测试事项 $n\\",\\"itemType\\":\\"01\\",\\"legalLimitDays\\":20,\\"promisedLimitDays\\":10,\\"issuesCertificate\\":false,\\"agencyCreditCode\\":\\"$AGENCY_CODE\\"}"
output = "/dev/null"
write-out = "%{http_code}\\n"
CURL
done
curl -s -K "$items_config" >"$WORK/items-status.txt"
created=$(grep -c '^201$' "$WORK/items-status.txt" || true)
[[ $created -eq $ITEM_COUNT ]] \
    || die "only $created of $ITEM_COUNT items were created; statuses: $(sort "$WORK/items-status.txt" | uniq -c | tr '\n' ' ')"

# Sanity: both targets answer 200 with a 50-item page, and the server sees every item.
curl -fsS -o "$WORK/server-page.json" -H "Authorization: Bearer $ADMIN_KEY" "$SERVER_TARGET"
curl -fsS -o "$WORK/baseline-page.json" "$BASELINE_TARGET"
grep -q "\"total\":$ITEM_COUNT," "$WORK/server-page.json" || die "the server's page does not report $ITEM_COUNT items"
for name in server baseline; do
    rows=$(grep -o '"itemCode":' "$WORK/$name-page.json" | wc -l)
    [[ $rows -eq 50 ]] || die "the $name's page holds $rows items, not 50"
done
server_bytes=$(wc -c <"$WORK/server-page.json")
baseline_bytes=$(wc -c <"$WORK/baseline-page.json")
log "response bodies: server $server_bytes bytes, baseline $baseline_bytes bytes"

# --- measure -----------------------------------------------------------------------------------------------------
# run_wrk NAME URL [wrk options…]: warm-up, then the measured run; the report goes to $WORK/NAME.wrk.
run_wrk() {
    local name=$1 url=$2
    shift 2
    log "$name: warm-up $WARMUP, then $DURATION ($THREADS threads, $CONNECTIONS connections) on $url"
    # In the background, so that a signal to this script stops the run at once (clean-up kills wrk too).
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" "$url" >/dev/null &
    wrk_pid=$!
    wait "$wrk_pid"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$WORK/$name.wrk" &
    wrk_pid=$!
    wait "$wrk_pid"
    wrk_pid=
    cat "$WORK/$name.wrk"
}
run_wrk server "$SERVER_TARGET" -s "$BENCH_DIR/auth.lua"
run_wrk baseline "$BASELINE_TARGET"

# field NAME KEY: requests/s ("rps"), or a latency percentile in milliseconds ("50%", "99%").
field() {
    awk -v key="$2" '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
            if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
            return v
        }
        key == "rps" && $1 == "Requests/sec:" { print $2 + 0; exit }
        key != "rps" && $1 == key { printf "%.2f\n", ms($2); exit }
    ' "$WORK/$1.wrk"
}
# Errors make a run meaningless (a 401 is cheap): stop rather than print a flattering figure.
for name in server baseline; do
    if grep -Eq 'Non-2xx or 3xx responses|Socket errors' "$WORK/$name.wrk"; then
        grep -E 'Non-2xx or 3xx responses|Socket errors' "$WORK/$name.wrk" >&2
        die "$name: wrk saw errors; the figures above are not valid"
    fi
done

server_rps=$(field server rps)
baseline_rps=$(field baseline rps)
ratio=$(awk -v s="$server_rps" -v b="$baseline_rps" 'BEGIN { printf "%.1f", (b > 0 ? 100 * s / b : 0) }')

printf '\nSummary (%s, %s threads, %s connections, %s after a %s warm-up; %s CPU cores)\n' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$THREADS" "$CONNECTIONS" "$DURATION" "$WARMUP" "$(nproc)"
printf '%-36s %12s %10s %10s %8s\n' target 'req/s' 'p50 ms' 'p99 ms' bytes
printf '%-36s %12.0f %10.2f %10.2f %8d\n' "server   GET /api/v1/items?pageSize=50" "$server_rps" \
    "$(field server 50%)" "$(field server 99%)" "$server_bytes"
printf '%-36s %12.0f %10.2f %10.2f %8d\n' "baseline GET /list" "$baseline_rps" \
    "$(field baseline 50%)" "$(field baseline 99%)" "$baseline_bytes"
printf 'server/baseline throughput: %s %%\n' "$ratio"
