#!/bin/sh
# HTTP/2 streams against HTTP/1.1 connections through Ferry's TLS listener, in one run (see
# bench/StreamsVsConnections.java): 100 GET loops as streams of one h2 connection, then as 100 HTTP/1.1 keep-alive
# connections, same origin, same client (Netty, one event-loop thread); medians of RUNS runs after a warm-up, and the
# throughput ratio.
#
#   bench/streams.sh            (after `mvn -B -q install -DskipTests`)
#   SIZE_KB=16 STREAMS=100 SECONDS=10 WARMUP=30 RUNS=7 bench/streams.sh
#
# Needs python3. Everything listens on 127.0.0.1 only and is stopped at exit.
set -eu
SIZE_KB=${SIZE_KB:-64}
STREAMS=${STREAMS:-100}
SECONDS_EACH=${SECONDS:-5}
WARMUP=${WARMUP:-20}
RUNS=${RUNS:-5}
here=$(cd "$(dirname "$0")" && pwd -P)
dist=$here/../distribution/target/ferry
[ -x "$dist/bin/ferry" ] || { echo "bench: build first: mvn -B -q install -DskipTests" >&2; exit 1; }
work=$(mktemp -d /tmp/ferry-bench-XXXXXX)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

head -c $((SIZE_KB * 1024)) /dev/zero > "$work/body.bin"
origin_port=$(free_port)
python3 "$here/origin.py" "$work/body.bin" "$origin_port" 2>/dev/null &
pids="$pids $!"

cp -r "$dist" "$work/ferry"
rm -rf "$work/ferry/data"
http=$(free_port); https=$(free_port); console=$(free_port)
sed -i "s/^port = .*/port = $http/" "$work/ferry/config/dev.ferry.listener-http.cfg"
sed -i "s/^port = .*/port = $https/" "$work/ferry/config/dev.ferry.listener-https.cfg"
(cd "$work/ferry" && FERRY_OPTS="-Dferry.console.port=$console" exec bin/ferry > out.txt 2>&1) &
pids="$pids $!"
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $https), 1)" 2>/dev/null \
        || [ $i -ge 150 ]; do sleep 0.2; i=$((i + 1)); done

java -cp "$work/ferry/bundle/*" "$here/StreamsVsConnections.java" "$https" \
    "http://127.0.0.1:$origin_port/body.bin" "$STREAMS" "$SECONDS_EACH" "$WARMUP" "$RUNS"
