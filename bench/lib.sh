# shellcheck shell=bash
# Shared helpers for bench/rating-submit.sh and bench/stats-10m.sh (sourced, not run).
# The caller sets: set -euo pipefail, SCRIPT_NAME, REPO_ROOT, WORK (created by bench_work_dir), and may add to pids.

# No MSBuild worker nodes left behind by our publishes to linger beside the measurements.
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }

# ensure_tool COMMAND PACKAGE: installs the Debian package when the command is missing (apt-get update only if needed).
ensure_tool() {
    local cmd=$1 pkg=$2
    command -v "$cmd" >/dev/null 2>&1 && return 0
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
    log "installing $pkg"
    if ! apt-cache show "$pkg" >/dev/null 2>&1; then
        "${sudo[@]}" apt-get update
    fi
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$pkg"; then
        "${sudo[@]}" apt-get update
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$pkg"
    fi
}

# --- the work directory, processes and clean-up ------------------------------------------------------------------
# pids: processes this script started (stopped on exit). wrk_pid: a running wrk. on_cleanup: extra commands.
pids=()
wrk_pid=
watch_pid=
on_cleanup=()

bench_work_dir() {
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/pingjia-bench.XXXXXX")"
    chmod 700 "$WORK"
}

# stop_pid PID: TERM, up to 5 s grace, then KILL.
stop_pid() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

bench_cleanup() {
    local status=$?
    local pid cmd
    set +e
    if [[ -n $wrk_pid ]]; then kill -TERM "$wrk_pid" 2>/dev/null; fi
    if [[ -n $watch_pid ]]; then kill -TERM "$watch_pid" 2>/dev/null; wait "$watch_pid" 2>/dev/null; fi
    for pid in "${pids[@]}"; do
        stop_pid "$pid"
    done
    for cmd in "${on_cleanup[@]}"; do
        eval "$cmd"
    done
    if [[ $status -ne 0 && -z ${KEEP_WORK:-} && -n ${WORK:-} ]]; then
        for f in "$WORK"/*.log; do
            [[ -f $f ]] || continue
            printf '\n--- last lines of %s ---\n' "$(basename "$f")" >&2
            tail -n 30 "$f" >&2
        done
    fi
    if [[ -n ${WORK:-} ]]; then
        if [[ -n ${KEEP_WORK:-} ]]; then
            log "kept $WORK"
        else
            rm -rf "$WORK"
        fi
    fi
    exit "$status"
}

# remove_pid PID: forget a process stopped on purpose.
remove_pid() {
    local keep=() p
    for p in "${pids[@]}"; do
        [[ $p == "$1" ]] || keep+=("$p")
    done
    pids=("${keep[@]}")
}

port_free() {
    local port=$1
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; then
        die "something already listens on 127.0.0.1:$port; stop it first"
    fi
}

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

# --- sources -----------------------------------------------------------------------------------------------------
# export_sources DIR: the server's sources to publish. By default a snapshot of the committed tree (HEAD), so that
# edits in progress neither break nor colour the figures and the run names the commit it measured; BENCH_WORKTREE=1
# publishes the working tree instead. Sets SOURCE_ROOT and SOURCE_DESC.
# shellcheck disable=SC2034 # SOURCE_ROOT and SOURCE_DESC are for the caller
export_sources() {
    local dir=$1
    if [[ -n ${BENCH_WORKTREE:-} ]]; then
        SOURCE_ROOT=$REPO_ROOT
        SOURCE_DESC="working tree at $(git -C "$REPO_ROOT" rev-parse --short HEAD)$(git -C "$REPO_ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' with uncommitted changes in src/')"
    else
        mkdir -p "$dir"
        git -C "$REPO_ROOT" archive --format=tar HEAD -- src Directory.Build.props Directory.Packages.props global.json .editorconfig \
            | tar -x -C "$dir"
        SOURCE_ROOT=$dir
        SOURCE_DESC="commit $(git -C "$REPO_ROOT" rev-parse --short HEAD) (committed tree, uncommitted edits left out)"
    fi
}

# --- API-key and credit code -------------------------------------------------------------------------------------
# A throw-away system-admin key: pj_ + 8 characters + _ + 40 lowercase hex characters.
new_admin_key() {
    local key
    key="pj_benchadm_$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')"
    [[ $key =~ ^pj_[a-z0-9]{8}_[a-z0-9]{40}$ ]] || die "generated a malformed key"
    printf '%s\n' "$key"
}

new_data_key() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }

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

# api METHOD PATH JSON EXPECTED: one API call as the admin ($SERVER_URL, $ADMIN_KEY); fails unless the status is EXPECTED.
api() {
    local status
    status=$(curl -s -o "$WORK/api-response.json" -w '%{http_code}' -X "$1" "$SERVER_URL$2" \
        -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' --data-binary "$3")
    [[ $status == "$4" ]] || die "$1 $2 answered $status: $(cat "$WORK/api-response.json")"
}

# --- an idle machine ---------------------------------------------------------------------------------------------
# Test runs and builds by others (test.sh, dotnet test / testhost, dotnet build) on this 2-core machine halve the
# figures. wait_idle waits for them to end, polling every 10 s for up to BENCH_IDLE_WAIT seconds (default 900),
# then goes on regardless and says so; watch_busy_* record whether any ran while measuring.
readonly BUSY_PATTERN='dotnet test|testhost|dotnet build|/test\.sh|^bash \./test\.sh'
wait_idle() {
    local limit=${BENCH_IDLE_WAIT:-900} waited=0
    while pgrep -f "$BUSY_PATTERN" >/dev/null 2>&1; do
        if ((waited >= limit)); then
            log "tests or builds are still running after ${limit} s; measuring anyway (the figures will say so)"
            return 0
        fi
        ((waited == 0)) && log "waiting for test runs and builds to finish (polling every 10 s, at most ${limit} s)"
        sleep 10
        waited=$((waited + 10))
    done
    ((waited == 0)) || log "the machine is idle after ${waited} s"
}

# cpu_ticks PID [THREAD]: CPU time (user + system, in clock ticks) of process PID, or of its thread named THREAD
# (0 when there is no such thread).
cpu_ticks() {
    local pid=$1 thread=${2:-} task
    if [[ -z $thread ]]; then
        stat_ticks "/proc/$pid/stat"
        return
    fi
    for task in /proc/"$pid"/task/*; do
        if [[ $(cat "$task/comm" 2>/dev/null) == "$thread" ]]; then
            stat_ticks "$task/stat"
            return
        fi
    done
    echo 0
}
# thread_ticks PID THREAD: "TID TICKS" for every thread of process PID named THREAD. The runtime ends some of its
# threads when idle and starts new ones (the tiered-compilation worker does), so a delta is taken per thread:
# see ticks_since.
thread_ticks() {
    local pid=$1 thread=$2 task
    for task in /proc/"$pid"/task/*; do
        if [[ $(cat "$task/comm" 2>/dev/null) == "$thread" ]]; then
            echo "${task##*/} $(stat_ticks "$task/stat")"
        fi
    done
}
# ticks_since BEFORE AFTER: CPU ticks used between two thread_ticks listings, by the threads alive at the end (a thread
# started meanwhile counts from 0; what a thread that ended meanwhile used after BEFORE is lost, so this is a floor).
ticks_since() { awk 'NR == FNR { before[$1] = $2; next } { sum += $2 - before[$1] } END { print sum + 0 }' <(echo "$1") <(echo "$2"); }
# stat_ticks FILE: utime + stime of a /proc stat line. The name field may hold spaces (".NET Tiered Com"), so the
# fields are counted after its closing parenthesis.
stat_ticks() { sed 's/^.*) //' "$1" | awk '{ print $12 + $13 }'; }

# per_request_us TICKS REQUESTS: CPU microseconds per request. core_percent TICKS SECONDS: share of one core.
per_request_us() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }'; }
core_percent() { awk -v t="$1" -v s="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (s > 0 ? 100 * t / hz / s : 0) }'; }

# watch_busy_start FILE / watch_busy_stop: samples every second whether tests run while measuring.
watch_busy_start() {
    local file=$1
    : >"$file"
    (
        while true; do
            if pgrep -f "$BUSY_PATTERN" >/dev/null 2>&1; then echo busy >>"$file"; else echo idle >>"$file"; fi
            sleep 1
        done
    ) &
    watch_pid=$!
}
watch_busy_stop() {
    if [[ -n $watch_pid ]]; then
        kill -TERM "$watch_pid" 2>/dev/null || true
        wait "$watch_pid" 2>/dev/null || true
        watch_pid=
    fi
}
# busy_summary FILE: "idle" or "busy N/M s" (seconds during which a test process ran).
busy_summary() {
    local busy total
    busy=$(grep -c '^busy$' "$1" || true)
    total=$(wc -l <"$1")
    if ((busy == 0)); then echo idle; else echo "busy ${busy}/${total} s"; fi
}

# --- wrk reports -------------------------------------------------------------------------------------------------
# wrk_field FILE KEY: requests/s ("rps"), or a latency percentile in milliseconds ("50%", "99%").
wrk_field() {
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
    ' "$1"
}
