#!/bin/sh
# Throughput of the built distribution against a direct download, measured in one run: a file of SIZE_MB is
# fetched with curl directly, forwarded through one Ferry, through a chain of two (A -> B), and through CONNECT
# tunnels over one and two Ferries. The variants are interleaved, RUNS times each after one warm-up round; the
# medians and their ratios to the direct median are printed.
#
#   bench/throughput.sh            (after `mvn -B -q install -DskipTests`)
#   RUNS=9 SIZE_MB=512 bench/throughput.sh
#
# Needs curl and python3. Everything listens on 127.0.0.1 only and is stopped at exit.
set -eu
RUNS=${RUNS:-7}
SIZE_MB=${SIZE_MB:-1024}
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

head -c $((SIZE_MB * 1024 * 1024)) /dev/zero > "$work/body.bin"
origin_port=$(free_port)
python3 "$here/origin.py" "$work/body.bin" "$origin_port" &
pids="$pids $!"

# start_ferry NAME RULES: a copy of the distribution on free ports; its HTTP proxy port in $started
# (not on stdout: a command substitution would run it in a subshell and lose its process id)
start_ferry() {
    cp -r "$dist" "$work/$1"
    rm -rf "$work/$1/data"
    http=$(free_port); https=$(free_port); console=$(free_port)
    sed -i "s/^port = .*/port = $http/" "$work/$1/config/dev.ferry.listener-http.cfg"
    sed -i "s/^port = .*/port = $https/" "$work/$1/config/dev.ferry.listener-https.cfg"
    if [ -n "$2" ]; then
        printf 'rules = %s\nbypass = <-loopback>\n' "$2" > "$work/$1/config/dev.ferry.resolver.cfg"
    fi
    (cd "$work/$1" && FERRY_OPTS="-Dferry.console.port=$console" exec bin/ferry > out.txt 2>&1) &
    pids="$pids $!"
    started=$http
}
start_ferry a ""; a=$started
start_ferry b ""; b=$started
start_ferry c "http://127.0.0.1:$b"; c=$started
for port in $a $b $c $origin_port; do
    i=0
    until curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null || [ $i -ge 100 ]; do sleep 0.2; i=$((i + 1)); done
done

url=http://127.0.0.1:$origin_port/body.bin
fetch() { curl -s -f -o /dev/null -w '%{time_total}\n' "$@" "$url"; }
round() {
    fetch >> "$work/direct"
    fetch -x "http://127.0.0.1:$a" >> "$work/forward"
    fetch -x "http://127.0.0.1:$c" >> "$work/forward-chain"
    fetch -p -x "http://127.0.0.1:$a" >> "$work/tunnel"
    fetch -p -x "http://127.0.0.1:$c" >> "$work/tunnel-chain"
}
round
rm -f "$work/direct" "$work/forward" "$work/forward-chain" "$work/tunnel" "$work/tunnel-chain"
n=0
while [ $n -lt "$RUNS" ]; do round; n=$((n + 1)); done

median() { sort -n "$1" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
base=$(median "$work/direct")
echo "$SIZE_MB MiB over loopback, median of $RUNS runs (seconds; ratio to direct)"
for v in direct forward forward-chain tunnel tunnel-chain; do
    m=$(median "$work/$v")
    printf '%-14s %8s  %5.2fx   [%s]\n' "$v" "$m" "$(echo "$m $base" | awk '{print $1/$2}')" \
        "$(tr '\n' ' ' < "$work/$v")"
done
