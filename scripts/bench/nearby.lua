-- wrk script for scripts/bench-directory: GET /v1/directory/nearby at a fresh uniform random
-- point in the benchmark's box for every request, as the signed-in advocate.
-- Environment (set by scripts/bench-directory): FL_BENCH_TOKEN, FL_BENCH_LAT_MIN/MAX,
-- FL_BENCH_LON_MIN/MAX, FL_BENCH_RADIUS_M, FL_BENCH_LIMIT.

local function num(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return tonumber(v)
end

local token = os.getenv("FL_BENCH_TOKEN") or error("FL_BENCH_TOKEN is not set")
local lat_min, lat_max = num("FL_BENCH_LAT_MIN", 25), num("FL_BENCH_LAT_MAX", 49)
local lon_min, lon_max = num("FL_BENCH_LON_MIN", -124), num("FL_BENCH_LON_MAX", -67)
local radius = num("FL_BENCH_RADIUS_M", 25000)
local limit = num("FL_BENCH_LIMIT", 25)

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads) -- a global in that thread's own Lua state
end

function init(args)
  -- Each wrk thread has its own Lua state: seed each differently.
  math.randomseed(os.time() + (id or 0) * 7919)
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Accept"] = "application/json"
end

function request()
  local lat = lat_min + (lat_max - lat_min) * math.random()
  local lon = lon_min + (lon_max - lon_min) * math.random()
  local path = string.format(
    "/v1/directory/nearby?latitude=%.6f&longitude=%.6f&radius_m=%d&limit=%d",
    lat, lon, radius, limit)
  return wrk.format("GET", path)
end
