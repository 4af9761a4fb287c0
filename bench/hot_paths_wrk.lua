-- wrk script of bench/hot_paths.py: one endpoint per run, status counts and latency percentiles as JSON.
--
--   wrk -t THREADS ... -s bench/hot_paths_wrk.lua <url> -- METHOD PATH TOKENS BODY ONCE THREADS
--
-- METHOD, PATH  the request (PATH with its query string)
-- TOKENS        a file of app session tokens, one a line, sent as X-Session-Token in turn; "-" for none
-- BODY          a JSON request body; "-" for none
-- ONCE          "once": each token is sent once, then the thread's connections go idle and it writes
--               "hot-paths: thread done" to stderr (bench/hot_paths.py then stops wrk); "cycle": round and round
-- THREADS       wrk's -t again (a thread's init() does not know how many there are)
--
-- Each wrk thread takes every n-th token (n = threads), so no two threads send the same one. done() prints one
-- line "HOT_PATHS_JSON {...}" on stdout: requests, duration_us, p50_us, p99_us, socket_errors, statuses.

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  local method, path, token_file, body, mode, thread_count = args[1], args[2], args[3], args[4], args[5],
    tonumber(args[6])
  tokens = {}
  if token_file ~= "-" then
    local n = 0
    for line in io.lines(token_file) do
      if n % thread_count == thread_index then
        tokens[#tokens + 1] = line
      end
      n = n + 1
    end
  end
  headers = {}
  if body ~= "-" then
    headers["Content-Type"] = "application/json"
  else
    body = nil
  end
  request_method, request_path, request_body = method, path, body
  once = mode == "once"
  answered, next_token = 0, 1
  -- wrk calls request() once right after the first thread's init() to inspect it (script_verify_request in
  -- wrk.c) and never sends that one: it must not use up a token.
  verifying = thread_index == 0
  statuses = {}
  static_request = #tokens == 0 and wrk.format(method, path, headers, body) or nil
end

function delay()
  -- In "once" mode a connection with no token left waits until wrk is stopped (never sends again).
  if once and next_token > #tokens then
    return 3600 * 1000
  end
  return 0
end

function request()
  if static_request then
    return static_request
  end
  if verifying then
    verifying = false
    return wrk.format(request_method, request_path, headers, request_body)
  end
  headers["X-Session-Token"] = tokens[next_token]
  next_token = next_token + 1
  if next_token > #tokens and not once then
    next_token = 1
  end
  return wrk.format(request_method, request_path, headers, request_body)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  answered = answered + 1
  if once and answered == #tokens then
    io.stderr:write("hot-paths: thread done\n")
    io.stderr:flush()
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      total[code] = (total[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(total) do
    parts[#parts + 1] = string.format('"%s": %d', code, n)
  end
  local e = summary.errors
  io.write(string.format(
    'HOT_PATHS_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "socket_errors": %d, '
      .. '"statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
