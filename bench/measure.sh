# Sourced by bench/run.sh (bash): running one measured command with the CPU accounted for, and the figures read
# from /proc and from the load generators' output. Figures go to $work/results/KEY, one line per run.
mkdir -p "$work/results"

record() { # KEY VALUE
    [ -n "$2" ] || { echo "bench: no value for $1" >&2; return 1; }
    echo "$2" >> "$work/results/$1"
}

# CPU clock ticks (user + system) of the processes given and their children, 0 for none
proc_ticks() {
    local total=0 pid
    for pid in "$@" $(for p in "$@"; do pgrep -P "$p" || true; done); do
        [ -r "/proc/$pid/stat" ] || continue
        total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
    done
    echo "$total"
}

# every process's CPU clock ticks (user + system), "pid ticks" per line, sorted by pid (cat, not awk, opens the
# files: a process that ends meanwhile is skipped, where mawk would stop at it)
all_ticks() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '{pid = $1; sub(/^.*\) /, ""); print pid, $12 + $13}' \
        | sort -k1,1
}

# other_ticks BEFORE AFTER PID...: the ticks processes other than PID... (and their children) used between the two
# snapshots of all_ticks, counting the processes alive in both (the load generator, started in between, is not)
other_ticks() {
    local before=$1 after=$2 ours
    shift 2
    ours=" $* $(for p in "$@"; do pgrep -P "$p" || true; done | tr '\n' ' ') $$ "
    join "$before" "$after" | awk -v ours="$ours" 'index(ours, " " $1 " ") == 0 {t += $3 - $2} END {print t + 0}'
}

# run_measured PROXY_PID OUT COMMAND...: runs COMMAND (stdout to OUT, stderr to OUT.err) and sets run_elapsed (s),
# run_proxy_cpu (s) and run_other (s of CPU used by processes other than the measured proxy, the origin and COMMAND);
# repeats a run whose run_other exceeds OTHER_CPU_LIMIT cores, twice at most, then keeps it and says so
run_measured() {
    local proxy=$1 output=$2 attempt=1 hz
    shift 2
    hz=$(getconf CLK_TCK)
    while :; do
        local p0 t0 p1 t1
        all_ticks > "$work/ticks.before"
        p0=$(proc_ticks $proxy); t0=$(date +%s.%N)
        { "$@" > "$output" 2> "$output.err"; } || { echo "bench: failed: $*" >&2; cat "$output" "$output.err" >&2
            return 1; }
        t1=$(date +%s.%N); p1=$(proc_ticks $proxy)
        all_ticks > "$work/ticks.after"
        run_elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
        run_proxy_cpu=$(awk -v a="$p0" -v b="$p1" -v hz="$hz" 'BEGIN {printf "%.3f", (b - a) / hz}')
        run_other=$(awk -v t="$(other_ticks "$work/ticks.before" "$work/ticks.after" "$origin_pid" $proxy)" \
            -v hz="$hz" 'BEGIN {printf "%.2f", t / hz}')
        if awk -v o="$run_other" -v e="$run_elapsed" -v l="$OTHER_CPU_LIMIT" 'BEGIN {exit !(o > l * e)}'; then
            if [ $attempt -lt 3 ]; then
                echo "bench: other processes used ${run_other} s of CPU in ${run_elapsed} s; again: $*" >&2
                attempt=$((attempt + 1))
                continue
            fi
            echo "bench: other processes used ${run_other} s of CPU in ${run_elapsed} s; kept: $*" >&2
        fi
        return 0
    done
}

# wrk_field requests|p50|p99|errors FILE: requests per second, latency percentiles in ms, failed requests
wrk_field() {
    case $1 in
        requests) awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$2" ;;
        p50 | p99)
            awk -v p="${1#p}%" '$1 == p {
                v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                printf "%.2f", u == "us" ? v / 1000 : u == "s" ? v * 1000 : v }' "$2" ;;
        errors) awk '/Non-2xx or 3xx responses:/ {n += $NF}
                     /Socket errors:/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$2" ;;
    esac
}

# parallel_curl N CURL-ARGUMENTS...: N downloads at once; fails if one fails
parallel_curl() {
    local n=$1 i status=0 started=()
    shift
    for i in $(seq "$n"); do
        curl -s -f -o /dev/null "$@" &
        started+=($!)
    done
    for i in "${started[@]}"; do wait "$i" || status=1; done
    return $status
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# idle_rss MODE VARIANT PID PORT COUNT: COUNT idle keep-alive connections or tunnels held through the proxy; records
# the proxy's RSS added per connection, in KiB
idle_rss() {
    local mode=$1 variant=$2 pid=$3 port=$4 count=$5 before after hold=$work/hold.$1.$2.$5
    echo "bench: $count idle $mode connections through $variant" >&2
    sleep 2
    before=$(rss_kb "$pid")
    mkfifo "$hold"
    java -cp "$work/classes" IdleConnections "$mode" 127.0.0.1 "$port" 127.0.0.1 "$origin_http" /100b "$count" \
        < "$hold" > "$hold.out" 2>&1 &
    local client=$!
    exec 3> "$hold"
    local i=0
    until grep -q '^ready' "$hold.out" 2>/dev/null; do
        kill -0 "$client" 2>/dev/null || { exec 3>&-; cat "$hold.out" >&2; return 1; }
        i=$((i + 1))
        [ $i -lt 1200 ] || { exec 3>&-; echo "bench: $count $mode connections not open after 120 s" >&2; return 1; }
        sleep 0.1
    done
    sleep 2
    after=$(rss_kb "$pid")
    exec 3>&-
    wait "$client" || true
    record "rss.$mode.$count.$variant" "$(awk -v a="$before" -v b="$after" -v n="$count" \
        'BEGIN {printf "%.1f", (b - a) / n}')"
}
