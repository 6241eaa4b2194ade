-- One page for wrk to load, described by the environment (bench/http.py sets it):
--   BENCH_METHOD  GET or POST
--   BENCH_BODY    the form, urlencoded, for a POST (with its csrfmiddlewaretoken)
--   BENCH_COOKIE  the Cookie header: the session and the CSRF cookie
--   BENCH_ORIGIN  the Origin header Django's CSRF check compares with the host
-- Every request says it came through the TLS proxy (X-Forwarded-Proto), as in production.
-- At the end it writes one JSON line that bench/http.py reads.

wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.headers["X-Forwarded-Proto"] = "https"
local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
if wrk.method == "POST" then
  wrk.body = os.getenv("BENCH_BODY") or ""
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Origin"] = os.getenv("BENCH_ORIGIN")
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
