-- wrk's script for the API load benchmark (run_api_load.py --generator wrk): school systems
-- sending deletion returns to POST /api/v1/deletion-returns/, from a second process on
-- 127.0.0.1, at far less CPU a request than locust.
--
-- The requests are made beforehand (run_api_load.py writes them, one a line, as
-- "<token>\t<JSON body>": varied children, grounds and UPNs, each with its own school's
-- token), so the script only reads them: LOAD_WRK_REQUESTS names the file, LOAD_WRK_LIMIT is
-- the most requests each wrk thread sends (wrk's own -d bounds the time). Each thread starts at
-- its own place in the file. A request fails unless it is answered 201 with a reference; the
-- failures and the first few answers of each other kind are printed at the end.

local requests_file = os.getenv("LOAD_WRK_REQUESTS")
local limit = tonumber(os.getenv("LOAD_WRK_LIMIT") or "0")
local path = "/api/v1/deletion-returns/"

local threads = {}
local thread_number = 0

function setup(thread)
  thread:set("number", thread_number)
  thread_number = thread_number + 1
  table.insert(threads, thread)
end

function init(args)
  made = {}
  for line in io.lines(requests_file) do
    local tab = line:find("\t", 1, true)
    local token, body = line:sub(1, tab - 1), line:sub(tab + 1)
    made[#made + 1] = wrk.format("POST", path, {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
      ["Host"] = "127.0.0.1",
    }, body)
  end
  -- Spread the threads over the file, so no two send the same child at the same moment.
  next_index = (number * math.floor(#made / 8)) % #made
  sent, answered, failed, other = 0, 0, 0, ""
end

function request()
  sent = sent + 1
  next_index = next_index % #made + 1
  return made[next_index]
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 201 or not body:find('"reference"', 1, true) then
    failed = failed + 1
    if failed <= 3 then
      other = other .. status .. ": " .. body:sub(1, 160) .. "\n"
    end
  end
  if limit > 0 and answered >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local failures, answers = 0, 0
  for _, thread in ipairs(threads) do
    failures = failures + thread:get("failed")
    answers = answers + thread:get("answered")
    local seen = thread:get("other")
    if seen ~= "" then
      io.write("not 201 (first few):\n", seen)
    end
  end
  local e = summary.errors
  -- One line the runner reads: latencies in microseconds.
  io.write(string.format(
    "RESULT requests=%d answered=%d failures=%d duration_us=%d p50=%d p90=%d p95=%d p99=%d "
      .. "max=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, answers, failures, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout
  ))
end
