-- wrk script for every capacity run: cycles through the URL paths listed in a file (one per
-- line; a single line for a one-page run), each request from another client address
-- (X-Forwarded-For: the stack under test trusts 127.0.0.1 as its proxy, so the per-IP rate
-- limit counts simulated visitors, as behind nginx), and prints the figures as one JSON line
-- ("BENCH_JSON {...}") with p50/p90/p95/p99 when done.
--
--   wrk -t2 -c100 -d30s --latency -s bench/wrk/mix.lua http://127.0.0.1:8700 -- paths.txt [pool]
--
-- Requests are built once in init(): formatting one per request would cost the generator CPU
-- that should go to load.

-- setup() runs in the main Lua state; thread:set() makes "thread_id" a global of that
-- thread's own state, read by init() there.
local threads_created = 0

function setup(thread)
  thread:set("thread_id", threads_created)
  threads_created = threads_created + 1
end

local requests = {}
local position = 0

function init(args)
  local file = assert(io.open(args[1], "r"), "cannot open the paths file " .. tostring(args[1]))
  local paths = {}
  for line in file:lines() do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  file:close()
  assert(#paths > 0, "no paths in " .. args[1])
  local pool = tonumber(args[2]) or 8192
  local count = math.max(#paths, pool)
  local t = thread_id or 0
  for i = 0, count - 1 do
    local address = string.format("10.%d.%d.%d", 100 + t, math.floor(i / 256) % 256, i % 256)
    requests[i + 1] = wrk.format("GET", paths[(i % #paths) + 1], {
      ["Host"] = wrk.headers["Host"],
      ["X-Forwarded-For"] = address,
      ["Accept-Encoding"] = "gzip, br",
      ["User-Agent"] = "EventMate-bench (wrk)",
    })
  end
  -- Threads start at different points so they do not ask for the same URL in step.
  position = (t * 7919) % #requests
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function done(summary, latency, requests_)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "stdev": %.1f, "max": %d, "p50": %d, "p90": %d, ' ..
    '"p95": %d, "p99": %d, "p99_9": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9)))
end
