-- wrk script of bench/lib/http-load.ts: the same request mixes as the autocannon runs.
--   wrk ... -s wrk-load.lua <url> -- get-random <prefix> <max>            GET <prefix><random 0..max-1>
--   wrk ... -s wrk-load.lua <url> -- post-indices <path> <max> <count>    POST {"indices":[count random]}
--   wrk ... -s wrk-load.lua <url> -- get-cycle <file>                     GET each line of <file> in turn
-- Headers given with -H go on every request. done() prints one line "WRK_RESULT {json}" on stdout
-- (latencies in microseconds; status = answers with a status >= 400).
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local mode, prefix, max, count, lines
local pos = 0

function init(args)
  mode = args[1]
  math.randomseed(os.time() * 1000 + id * 7919)
  if mode == "get-random" then
    prefix, max = args[2], tonumber(args[3])
  elseif mode == "post-indices" then
    prefix, max, count = args[2], tonumber(args[3]), tonumber(args[4])
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
  elseif mode == "get-cycle" then
    lines = {}
    for line in io.lines(args[2]) do
      if line ~= "" then table.insert(lines, line) end
    end
    pos = (id - 1) * math.floor(#lines / 2)
  else
    error("wrk-load.lua: unknown mode " .. tostring(mode))
  end
end

function request()
  if mode == "get-random" then
    return wrk.format(nil, prefix .. math.random(0, max - 1))
  elseif mode == "post-indices" then
    local t = {}
    for i = 1, count do t[i] = math.random(0, max - 1) end
    return wrk.format(nil, prefix, nil, '{"indices":[' .. table.concat(t, ",") .. "]}")
  end
  pos = pos + 1
  return wrk.format(nil, lines[(pos - 1) % #lines + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f,'
      .. '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
