-- wrk script for bench/catalog-list.sh: sends the benchmark's admin API key on every request.
-- The key is read from PINGJIA_BENCH_KEY so that it never appears on a command line.
local key = os.getenv("PINGJIA_BENCH_KEY")
if key == nil or key == "" then
  error("PINGJIA_BENCH_KEY is not set")
end

wrk.headers["Authorization"] = "Bearer " .. key
