-- wrk speaks to the proxy it is pointed at; each request names the origin in absolute form, as a client of a
-- forward proxy does (the harness sets BENCH_TARGET, e.g. http://127.0.0.1:8080/100b).
local target = os.getenv("BENCH_TARGET")
wrk.path = target
wrk.headers["Host"] = target:match("^%a+://([^/]+)")
