#!/bin/sh
# Multiplexed streams against HTTP/1.1 connections through Ferry's TLS listener, in one run (see
# bench/StreamsVsConnections.java): 100 GET loops as streams of one h2 connection, as streams of one spdy/3.1
# session, and as 100 HTTP/1.1 keep-alive connections, same origin, same client (Netty, one event-loop thread);
# medians of RUNS runs after a warm-up, and each protocol's throughput ratio to HTTP/1.1. PROTOCOLS picks the
# multiplexed ones (comma list of h2 and spdy, default both).
#
#   bench/streams.sh            (after `mvn -B -q install -DskipTests`)
#   SIZE_KB=16 STREAMS=100 SECONDS=10 WARMUP=30 RUNS=7 bench/streams.sh
#   PROTOCOLS=spdy bench/streams.sh
#
# Needs python3. Everything listens on 127.0.0.1 only and is stopped at exit.
set -eu
SIZE_KB=${SIZE_KB:-64}
STREAMS=${STREAMS:-100}
SECONDS_EACH=${SECONDS:-5}
WARMUP=${WARMUP:-20}
RUNS=${RUNS:-5}
PROTOCOLS=${PROTOCOLS:-h2,spdy}
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/common.sh"

head -c $((SIZE_KB * 1024)) /dev/zero > "$work/body.bin"
origin_port=$(free_port)
python3 "$here/origin.py" "$work/body.bin" "$origin_port" 2>/dev/null &
pids="$pids $!"

start_ferry ferry ""; https=$started_https
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $https), 1)" 2>/dev/null \
        || [ $i -ge 150 ]; do sleep 0.2; i=$((i + 1)); done

java -cp "$work/ferry/bundle/*" "$here/StreamsVsConnections.java" "$https" \
    "http://127.0.0.1:$origin_port/body.bin" "$STREAMS" "$SECONDS_EACH" "$WARMUP" "$RUNS" \
    "$PROTOCOLS"
