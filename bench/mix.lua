-- wrk script: every request takes the next logged-in session of the mix (BENCH_COOKIES, comma
-- separated session ids), so the clients are several users (administrator, station staff, ...).
local cookies = {}
for c in string.gmatch(os.getenv("BENCH_COOKIES") or "", "[^,]+") do
  table.insert(cookies, c)
end
local n = 0

function setup(thread)
  thread:set("offset", math.random(1, 1000))
end

function request()
  n = n + 1
  local headers = {}
  if #cookies > 0 then
    headers["Cookie"] = "sessionid=" .. cookies[((n + (offset or 0)) % #cookies) + 1]
  end
  return wrk.format("GET", nil, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "socket_errors": %d, "bad_status": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
