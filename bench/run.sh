#!/usr/bin/env bash
# Ferry against direct and Squid, in ONE run on one machine, with the same origin (nginx) and the same load (wrk,
# curl, the Java clients in bench/): keep-alive GETs on the plain and the TLS listener, fresh tunnels and the
# proxy's CPU per tunnel, bulk CONNECT and bulk GET, RSS idle and per idle connection, and SPDY/h2 streams on one
# connection against HTTP/1.1 connections. Each figure is the median of RUNS runs after a warm-up, next to its
# baselines as a ratio; a run during which processes other than the proxy, origin and load generator used more
# than OTHER_CPU_LIMIT of a core is repeated (twice at most, then marked). Writes BENCHMARKS.md.
#
#   bench/run.sh                  the full run (17.5 minutes here), after `mvn -B -q install -DskipTests`
#   bench/run.sh --smoke          seconds per figure, one run: checks that every measurement works (the test suite
#                                 runs this; the figures mean nothing), writes to $work unless --out is given
#   bench/run.sh --out FILE       where the report goes (default: BENCHMARKS.md in the repository)
#
# Settings (environment): WARMUP (s, 20), TUNNEL_WARMUP (s, 60: the JIT compiles the tunnel path for about 50 s of
# tunnel load, a third of the proxy's CPU until then), DURATION (s per run, 10), RUNS (3), CONNECTIONS (wrk, 50),
# TUNNELS_IN_FLIGHT (50), BULK_MB (256), BULK_PARALLEL (8), IDLE_COUNTS ("1000 10000"), OTHER_CPU_LIMIT (0.15),
# SECTIONS (what to measure, default all: "keepalive tunnels bulk idle streams jmh"; the JMH benchmarks of
# testing/jmh via bench/jmh.sh, from the jar the build made).
# Installs nginx, squid-openssl and wrk (Debian packages) when missing. Everything listens on 127.0.0.1 only and is
# stopped at exit.
set -euo pipefail
PATH=$PATH:/usr/sbin
here=$(cd "$(dirname "$0")" && pwd -P)
smoke=false
out=$here/../BENCHMARKS.md
while [ $# -gt 0 ]; do
    case $1 in
        --smoke) smoke=true ;;
        --out) out=$2; shift ;;
        *) echo "usage: bench/run.sh [--smoke] [--out FILE]" >&2; exit 2 ;;
    esac
    shift
done
if $smoke; then
    : "${WARMUP:=1}" "${DURATION:=2}" "${RUNS:=1}" "${BULK_MB:=4}" "${BULK_PARALLEL:=2}" "${IDLE_COUNTS:=200}"
    : "${STREAM_SECONDS:=1}" "${STREAM_RUNS:=1}" "${OTHER_CPU_LIMIT:=100}"
    : "${JMH_WARMUP:=1}" "${JMH_ITERATIONS:=1}" "${JMH_WARMUP_TIME:=1s}" "${JMH_TIME:=1s}"
    export JMH_WARMUP JMH_ITERATIONS JMH_WARMUP_TIME JMH_TIME
fi
WARMUP=${WARMUP:-20}
TUNNEL_WARMUP=${TUNNEL_WARMUP:-$($smoke && echo "$WARMUP" || echo 60)}
DURATION=${DURATION:-10}
RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-50}
TUNNELS_IN_FLIGHT=${TUNNELS_IN_FLIGHT:-50}
BULK_MB=${BULK_MB:-256}
BULK_PARALLEL=${BULK_PARALLEL:-8}
IDLE_COUNTS=${IDLE_COUNTS:-1000 10000}
OTHER_CPU_LIMIT=${OTHER_CPU_LIMIT:-0.15}
STREAM_SECONDS=${STREAM_SECONDS:-5}
STREAM_RUNS=${STREAM_RUNS:-3}
SECTIONS=${SECTIONS:-keepalive tunnels bulk idle streams jmh}
section() { [[ " $SECTIONS " == *" $1 "* ]]; }

. "$here/common.sh"
. "$here/baselines.sh"
. "$here/measure.sh"
. "$here/report.sh"
chmod 755 "$work"
$smoke && [ "$out" = "$here/../BENCHMARKS.md" ] && out=$work/BENCHMARKS.md

# 10,000 idle tunnels are 20,000 descriptors in a proxy: the limit as high as it goes for everything started here.
ulimit -Hn 200000 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
install_tools
javac -d "$work/classes" "$here/FreshTunnels.java" "$here/IdleConnections.java"

start_origin "$BULK_MB"
start_squid
start_ferry ferry ""
ferry_http=$started
ferry_https=$started_https
ferry_pid=${pids##* }
for port in $origin_http $origin_https $squid_http $squid_https $ferry_http $ferry_https; do await_port "$port"; done
# RSS at start: once the proxies are up and have settled (the JVM returns freed native memory every 10 s)
sleep 15
record rss.idle.squid "$(rss_mb "$squid_pid")"
record rss.idle.ferry "$(rss_mb "$ferry_pid")"
start_time=$(date -u '+%Y-%m-%d %H:%M UTC')
# (read now: the report itself is a change once it is being written)
ferry_revision="$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')\
$(git -C "$here" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"

small=http://127.0.0.1:$origin_http/100b
bulk_plain=http://127.0.0.1:$origin_http/bulk.bin
bulk_tls=https://127.0.0.1:$origin_https/bulk.bin

# keep-alive GETs: wrk, 2 threads, CONNECTIONS connections, each variant warmed up, then the runs interleaved
keepalive() { # listener(plain|tls) variant pid url [proxy]
    local key=ka.$1.$2 pid=$3 url=$4
    if [ -n "${5:-}" ]; then
        BENCH_TARGET=$url run_measured "$pid" "$work/wrk.txt" wrk -t2 -c"$CONNECTIONS" -d"$6"s --latency \
            -s "$here/absolute-uri.lua" "$5"
    else
        run_measured "$pid" "$work/wrk.txt" wrk -t2 -c"$CONNECTIONS" -d"$6"s --latency "$url"
    fi
    [ "$6" = "$DURATION" ] || return 0
    record "$key.rps" "$(wrk_field requests "$work/wrk.txt")"
    record "$key.p50" "$(wrk_field p50 "$work/wrk.txt")"
    record "$key.p99" "$(wrk_field p99 "$work/wrk.txt")"
    record "$key.errors" "$(wrk_field errors "$work/wrk.txt")"
    record "$key.other_cpu" "$run_other"
}
keepalive_variants() { # seconds
    keepalive plain direct "" "$small" "" "$1"
    keepalive plain squid "$squid_pid" "$small" "http://127.0.0.1:$squid_http/" "$1"
    keepalive plain ferry "$ferry_pid" "$small" "http://127.0.0.1:$ferry_http/" "$1"
    keepalive tls direct "" "https://127.0.0.1:$origin_https/100b" "" "$1"
    keepalive tls squid "$squid_pid" "$small" "https://127.0.0.1:$squid_https/" "$1"
    keepalive tls ferry "$ferry_pid" "$small" "https://127.0.0.1:$ferry_https/" "$1"
}
if section keepalive; then
    echo "bench: keep-alive GET (warm-up ${WARMUP} s per variant, $RUNS runs of ${DURATION} s)" >&2
    keepalive_variants "$WARMUP"
    for _ in $(seq "$RUNS"); do keepalive_variants "$DURATION"; done
fi

# fresh tunnels: TCP (+ TLS to the proxy) + CONNECT + TLS to the origin + GET + close, TUNNELS_IN_FLIGHT at a time
tunnels() { # listener variant pid port tls seconds
    run_measured "$3" "$work/tunnels.txt" java -cp "$work/classes" FreshTunnels 127.0.0.1 "$4" "$5" 127.0.0.1 \
        "$origin_https" /100b "$TUNNELS_IN_FLIGHT" "$6"
    [ "$6" = "$DURATION" ] || return 0
    local count
    count=$(sed -n 's/.*tunnels=\([0-9]*\).*/\1/p' "$work/tunnels.txt")
    record "tun.$1.$2.per_s" "$(sed -n 's/.*per_second=\([0-9.]*\).*/\1/p' "$work/tunnels.txt")"
    record "tun.$1.$2.cpu_us" "$(awk -v c="$run_proxy_cpu" -v n="$count" 'BEGIN {printf "%.0f", c * 1e6 / n}')"
    record "tun.$1.$2.errors" "$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' "$work/tunnels.txt")"
    record "tun.$1.$2.other_cpu" "$run_other"
}
tunnel_variants() { # seconds
    tunnels plain squid "$squid_pid" "$squid_http" false "$1"
    tunnels plain ferry "$ferry_pid" "$ferry_http" false "$1"
    tunnels tls squid "$squid_pid" "$squid_https" true "$1"
    tunnels tls ferry "$ferry_pid" "$ferry_https" true "$1"
}
if section tunnels; then
    echo "bench: fresh tunnels (warm-up ${TUNNEL_WARMUP} s per variant, $RUNS runs of ${DURATION} s)" >&2
    tunnel_variants "$TUNNEL_WARMUP"
    for _ in $(seq "$RUNS"); do tunnel_variants "$DURATION"; done
fi

# bulk: BULK_PARALLEL downloads of BULK_MB MiB at once, by curl; one round unmeasured
bulk() { # kind(connect|get) variant pid record(true|false) curl-arguments...
    local kind=$1 variant=$2 pid=$3 keep=$4
    shift 4
    run_measured "$pid" "$work/bulk.txt" parallel_curl "$BULK_PARALLEL" "$@"
    $keep || return 0
    record "bulk.$kind.$variant.mbps" "$(awk -v n="$BULK_PARALLEL" -v mb="$BULK_MB" -v s="$run_elapsed" \
        'BEGIN {printf "%.0f", n * mb * 1.048576 / s}')"
    record "bulk.$kind.$variant.other_cpu" "$run_other"
}
bulk_variants() { # record(true|false)
    bulk connect direct "" "$1" -k "$bulk_tls"
    bulk connect squid "$squid_pid" "$1" -k -p -x "http://127.0.0.1:$squid_http" "$bulk_tls"
    bulk connect ferry "$ferry_pid" "$1" -k -p -x "http://127.0.0.1:$ferry_http" "$bulk_tls"
    bulk get direct "" "$1" "$bulk_plain"
    bulk get squid "$squid_pid" "$1" -x "http://127.0.0.1:$squid_http" "$bulk_plain"
    bulk get ferry "$ferry_pid" "$1" -x "http://127.0.0.1:$ferry_http" "$bulk_plain"
}
if section bulk; then
    echo "bench: bulk ($BULK_PARALLEL x $BULK_MB MiB, one round of warm-up, $RUNS runs)" >&2
    bulk_variants false
    for _ in $(seq "$RUNS"); do bulk_variants true; done
fi

# RSS per idle connection: N keep-alive clients (one GET each) or N tunnels (one GET through each), held open
# (a tunnel is two descriptors in the proxy: where the open files limit cannot hold COUNT of them, as many as it can)
for count in $IDLE_COUNTS; do
    section idle || break
    idle_rss keepalive squid "$squid_pid" "$squid_http" "$count"
    idle_rss keepalive ferry "$ferry_pid" "$ferry_http" "$count"
    tunnel_count=$(( count < ($(ulimit -n) - 1000) / 2 ? count : ($(ulimit -n) - 1000) / 2 ))
    idle_rss tunnel squid "$squid_pid" "$squid_http" "$tunnel_count"
    idle_rss tunnel ferry "$ferry_pid" "$ferry_http" "$tunnel_count"
done

# multiplexed streams against connections, through Ferry's TLS listener (Squid speaks neither SPDY nor h2)
touch "$work/streams.txt" "$work/jmh.md"
if section streams; then
    echo "bench: 100 streams on one SPDY/h2 connection against 100 HTTP/1.1 connections" >&2
    java -cp "$work/ferry/bundle/*" "$here/StreamsVsConnections.java" "$ferry_https" \
        "http://127.0.0.1:$origin_http/64k" 100 "$STREAM_SECONDS" "$WARMUP" "$STREAM_RUNS" > "$work/streams.txt"
    cat "$work/streams.txt" >&2
fi

# JMH last, with the proxies idle: the head path and the SPDY frame path in process, time and bytes per operation
if section jmh; then
    echo "bench: JMH (testing/jmh)" >&2
    bash "$here/jmh.sh" "$work/jmh.md" 2> "$work/jmh.err" > /dev/null || { cat "$work/jmh.err" >&2; exit 1; }
fi

write_report "$out"
check_report
echo "bench: wrote $out" >&2
