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
. "$here/common.sh"

head -c $((SIZE_MB * 1024 * 1024)) /dev/zero > "$work/body.bin"
origin_port=$(free_port)
python3 "$here/origin.py" "$work/body.bin" "$origin_port" &
pids="$pids $!"

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
