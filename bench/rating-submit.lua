-- wrk script for bench/rating-submit.sh: every request rates a case no other request has rated.
-- Arguments (after --): path prefix first perThread
--   POST <path> with {"caseNo":"<prefix><n, 7 digits>","level":5,"tags":["510"],"channel":"hall_device"};
--   thread t (0-based) uses n = first + t*perThread … first + (t+1)*perThread - 1, in order, so threads never collide.
-- With RATING_SUBMIT_PAUSE_MS set, each connection waits that long before each request (a paced warm-up: at most
-- connections * 1000 / pause requests a second, so a known number of cases suffices). wrk decides whether to call
-- delay() once, when the script loads, so it is defined only then: the measured runs pay no timer per request.
-- The key for "Authorization: Bearer" comes from PINGJIA_BENCH_KEY (not needed by the baseline, sent anyway).
-- done() prints the statuses seen and how many case numbers each thread used, one "rating-submit:" line each.

local threads = {}
local created = 0

function setup(thread)
    thread:set("thread_index", created)
    created = created + 1
    table.insert(threads, thread)
end

function init(args)
    path = args[1]
    prefix = args[2]
    per_thread = tonumber(args[4])
    next_n = tonumber(args[3]) + thread_index * per_thread
    last_n = next_n + per_thread - 1
    used = 0
    overran = 0
    statuses = {}
    local key = os.getenv("PINGJIA_BENCH_KEY")
    headers = { ["Content-Type"] = "application/json" }
    if key and key ~= "" then
        headers["Authorization"] = "Bearer " .. key
    end
end

function request()
    local n = next_n
    next_n = next_n + 1
    used = used + 1
    if n > last_n then
        -- Out of fresh cases: still send (the figures would be wrong), and say so in done().
        overran = overran + 1
    end
    local body = string.format('{"caseNo":"%s%07d","level":5,"tags":["510"],"channel":"hall_device"}', prefix, n)
    return wrk.format("POST", path, headers, body)
end

local pause_ms = tonumber(os.getenv("RATING_SUBMIT_PAUSE_MS") or "")
if pause_ms and pause_ms > 0 then
    function delay()
        return pause_ms
    end
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    local used_total, overran_total = 0, 0
    for _, t in ipairs(threads) do
        used_total = used_total + t:get("used")
        overran_total = overran_total + t:get("overran")
        for status, count in pairs(t:get("statuses")) do
            total[status] = (total[status] or 0) + count
        end
    end
    local parts = {}
    for status, count in pairs(total) do
        table.insert(parts, string.format("%d=%d", status, count))
    end
    table.sort(parts)
    io.write(string.format("rating-submit: statuses %s\n", table.concat(parts, " ")))
    io.write(string.format("rating-submit: case numbers used %d, beyond the seeded range %d\n", used_total, overran_total))
    io.write(string.format("rating-submit: latency p90 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
        latency:percentile(90) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000))
end
