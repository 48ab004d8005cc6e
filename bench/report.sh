# Sourced by bench/run.sh (bash): BENCHMARKS.md from $work/results, and the check that every figure was measured.

med() { # KEY: the median of the runs
    [ -s "$work/results/$1" ] || { echo "-"; return; }
    sort -g "$work/results/$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
runs() { # KEY: every run, in order
    [ -s "$work/results/$1" ] || return 0
    paste -sd' ' "$work/results/$1"
}
cell() { # KEY: the median, with the runs in brackets when there are several
    local m r
    m=$(med "$1"); r=$(runs "$1")
    if [ "$r" = "$m" ] || [ -z "$r" ]; then echo "$m"; else echo "$m [$r]"; fi
}
ratio() { # A B: A / B to two decimals
    awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2fx", a / b}'
}
# verdict VALUE OPERATOR LIMIT: whether a target is met (>= or <=)
verdict() {
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (v == "-" || l == "-") {print "-"; exit}
        gsub(/x$/, "", v)
        ok = op == ">=" ? v + 0 >= l + 0 : v + 0 <= l + 0
        print ok ? "met" : "**missed**" }'
}

versions() {
    echo "- Machine: $(nproc) cores ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), \
$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM, Linux $(uname -r)"
    echo "- Java: $(java -version 2>&1 | head -1); Ferry $ferry_revision"
    echo "- $(squid -v | head -1); $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); $(curl -V | head -1 | cut -d' ' -f1-2)"
}

write_report() { # FILE
    local ka_d ka_s ka_f tls_d tls_s tls_f
    ka_d=$(med ka.plain.direct.rps); ka_s=$(med ka.plain.squid.rps); ka_f=$(med ka.plain.ferry.rps)
    tls_d=$(med ka.tls.direct.rps); tls_s=$(med ka.tls.squid.rps); tls_f=$(med ka.tls.ferry.rps)
    {
        echo "# Benchmarks"
        echo
        echo "Written by \`bench/run.sh\`$($smoke && echo ' --smoke (figures of a seconds-long check: not to quote)')" \
            "on $start_time. One machine runs everything: the load generator, the origin (nginx), Squid and Ferry."
        echo "Each figure is the median of $RUNS runs of ${DURATION} s (bulk: $RUNS rounds) after ${WARMUP} s of warm-up" \
            "per variant (fresh tunnels: ${TUNNEL_WARMUP} s, as long as the JIT compiled the tunnel path here), the runs" \
            "in brackets; ratios are of medians from this one run."
        echo
        versions
        echo "- Ferry: the built distribution as shipped (launcher, configuration, access log on), on free ports, with"
        echo "  CONNECT allowed to every port (the origin is not on 443). Squid: one process (\`-N\`), \`cache deny all\`,"
        echo "  access log to a file. nginx: one worker, \`keepalive_requests 1000000\`, access log off. Origin TLS and the"
        echo "  proxies' TLS listeners use P-256 certificates (Ferry's listener its own generated one)."
        echo "- Load: keep-alive GET of 100 bytes by \`wrk -t2 -c$CONNECTIONS --latency\` (absolute-form requests to the"
        echo "  proxies, \`bench/absolute-uri.lua\`); fresh tunnels by \`bench/FreshTunnels.java\`, $TUNNELS_IN_FLIGHT in"
        echo "  flight, each TCP (+ TLS to the proxy) + CONNECT + TLS to the origin + GET + close, CPU per tunnel from"
        echo "  /proc; bulk: $BULK_PARALLEL curl downloads of $BULK_MB MiB at once (CONNECT: TLS end to end); idle"
        echo "  connections held by \`bench/IdleConnections.java\` (one GET each, through the tunnel for tunnels)."
        echo
        echo "## Against the targets (issue 12)"
        echo
        echo "| figure | direct | Squid | Ferry | Ferry / Squid | Ferry / direct | target | |"
        echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
        local fs fd
        fs=$(ratio "$ka_f" "$ka_s"); fd=$(ratio "$ka_f" "$ka_d")
        echo "| keep-alive GET, plain listener, req/s | $(cell ka.plain.direct.rps) | $(cell ka.plain.squid.rps) |" \
            "$(cell ka.plain.ferry.rps) | $fs | $fd | ≥ 3x Squid, ≥ 0.6x direct |" \
            "$(verdict "$fs" '>=' 3) / $(verdict "$fd" '>=' 0.6) |"
        local p99r
        p99r=$(ratio "$(med ka.plain.ferry.p99)" "$(med ka.plain.direct.p99)")
        echo "| p50 ms | $(cell ka.plain.direct.p50) | $(cell ka.plain.squid.p50) | $(cell ka.plain.ferry.p50) | | | | |"
        echo "| p99 ms | $(cell ka.plain.direct.p99) | $(cell ka.plain.squid.p99) | $(cell ka.plain.ferry.p99) |" \
            "$(ratio "$(med ka.plain.ferry.p99)" "$(med ka.plain.squid.p99)") | $p99r | ≤ 2x direct |" \
            "$(verdict "$p99r" '<=' 2) |"
        fs=$(ratio "$tls_f" "$tls_s")
        echo "| keep-alive GET, TLS listener (direct: TLS origin), req/s | $(cell ka.tls.direct.rps) |" \
            "$(cell ka.tls.squid.rps) | $(cell ka.tls.ferry.rps) | $fs | $(ratio "$tls_f" "$tls_d") | ≥ 3x Squid |" \
            "$(verdict "$fs" '>=' 3) |"
        echo "| p50 ms | $(cell ka.tls.direct.p50) | $(cell ka.tls.squid.p50) | $(cell ka.tls.ferry.p50) | | | | |"
        echo "| p99 ms | $(cell ka.tls.direct.p99) | $(cell ka.tls.squid.p99) | $(cell ka.tls.ferry.p99) |" \
            "$(ratio "$(med ka.tls.ferry.p99)" "$(med ka.tls.squid.p99)") |" \
            "$(ratio "$(med ka.tls.ferry.p99)" "$(med ka.tls.direct.p99)") | | |"
        local listener
        for listener in plain tls; do
            echo "| fresh tunnels/s, $listener listener | | $(cell tun.$listener.squid.per_s) |" \
                "$(cell tun.$listener.ferry.per_s) | $(ratio "$(med tun.$listener.ferry.per_s)" \
                "$(med tun.$listener.squid.per_s)") | | | |"
            fs=$(ratio "$(med tun.$listener.ferry.cpu_us)" "$(med tun.$listener.squid.cpu_us)")
            echo "| proxy CPU µs per fresh tunnel, $listener listener | | $(cell tun.$listener.squid.cpu_us) |" \
                "$(cell tun.$listener.ferry.cpu_us) | $fs | | ≤ Squid | $(verdict "$fs" '<=' 1) |"
        done
        fd=$(ratio "$(med bulk.connect.ferry.mbps)" "$(med bulk.connect.direct.mbps)")
        echo "| bulk CONNECT (TLS end to end), MB/s | $(cell bulk.connect.direct.mbps) |" \
            "$(cell bulk.connect.squid.mbps) | $(cell bulk.connect.ferry.mbps) |" \
            "$(ratio "$(med bulk.connect.ferry.mbps)" "$(med bulk.connect.squid.mbps)") | $fd | ≥ 0.9x direct |" \
            "$(verdict "$fd" '>=' 0.9) |"
        fd=$(ratio "$(med bulk.get.ferry.mbps)" "$(med bulk.get.direct.mbps)")
        echo "| bulk absolute-URI GET, MB/s | $(cell bulk.get.direct.mbps) | $(cell bulk.get.squid.mbps) |" \
            "$(cell bulk.get.ferry.mbps) | $(ratio "$(med bulk.get.ferry.mbps)" "$(med bulk.get.squid.mbps)") |" \
            "$fd | ≥ 0.6x direct | $(verdict "$fd" '>=' 0.6) |"
        echo "| RSS at start, idle, MB | | $(cell rss.idle.squid) | $(cell rss.idle.ferry) |" \
            "$(ratio "$(med rss.idle.ferry)" "$(med rss.idle.squid)") | | ≤ 80 MB |" \
            "$(verdict "$(med rss.idle.ferry)" '<=' 80) |"
        local mode count limit
        for mode in keepalive tunnel; do
            limit=8
            [ $mode = tunnel ] && limit=12
            for count in $(cd "$work/results" && ls | sed -n "s/^rss\.$mode\.\([0-9]*\)\.ferry$/\1/p" | sort -n); do
                echo "| RSS KiB per idle $([ $mode = tunnel ] && echo tunnel || echo keep-alive connection)," \
                    "$count held | | $(cell rss.$mode.$count.squid) | $(cell rss.$mode.$count.ferry) |" \
                    "$(ratio "$(med rss.$mode.$count.ferry)" "$(med rss.$mode.$count.squid)") | | ≤ $limit KiB |" \
                    "$(verdict "$(med rss.$mode.$count.ferry)" '<=' $limit) |"
            done
        done
        local proto r
        for proto in spdy/3.1 h2; do
            r=$(sed -n "s|^  $proto / http/1.1 throughput: \([0-9.]*\)x.*|\1|p" "$work/streams.txt")
            echo "| $proto, 100 streams on one connection / 100 HTTP/1.1 connections (64 KiB GETs) | | |" \
                "${r:--}x | | | $([ "$proto" = h2 ] && echo '|' || echo "≥ 1x | $(verdict "${r:--}" '>=' 1)") |"
        done
        echo
        echo "## In process (JMH, \`bench/jmh.sh\`: time and bytes allocated per operation)"
        echo
        cat "$work/jmh.md"
        echo
        echo "## Streams against connections (\`bench/StreamsVsConnections.java\`, Ferry's TLS listener)"
        echo
        echo '```'
        cat "$work/streams.txt"
        echo '```'
        echo
        echo "## Failed requests and CPU used by other processes, per run"
        echo
        echo "Failed requests (wrk's non-2xx and socket errors; tunnels that failed) must be 0. \"Other CPU\" is the CPU"
        echo "time (s) that processes other than the measured proxy, the origin and the load generator used during a run"
        echo "(the idle proxy too: a JVM compiling in the background disturbs the others); a run above $OTHER_CPU_LIMIT"
        echo "of a core was repeated, twice at most. RSS per idle connection is the proxy's RSS growth divided by the"
        echo "connections held, measured after the load above: memory a JVM already took for that load is reused."
        echo
        local key
        for key in $(cd "$work/results" && ls | grep -E '\.(errors|other_cpu)$' | sort); do
            echo "- \`$key\`: $(runs "$key")"
        done
        if [ -f "$here/NOTES.md" ]; then
            echo
            cat "$here/NOTES.md"
        fi
    } > "$1"
}

# check_report: every figure of the sections run measured, none zero, no failed request or tunnel
check_report() {
    local bad=0 key keys=(rss.idle.{squid,ferry})
    section keepalive && keys+=(ka.plain.{direct,squid,ferry}.rps ka.tls.{direct,squid,ferry}.rps)
    section tunnels && keys+=(tun.{plain,tls}.{squid,ferry}.cpu_us)
    section bulk && keys+=(bulk.{connect,get}.{direct,squid,ferry}.mbps)
    for key in "${keys[@]}"; do
        [ -s "$work/results/$key" ] && awk '$1 + 0 <= 0 {exit 1}' "$work/results/$key" \
            || { echo "bench: no figure for $key" >&2; bad=1; }
    done
    for key in $(cd "$work/results" && ls | grep '\.errors$'); do
        awk '$1 != 0 {exit 1}' "$work/results/$key" || { echo "bench: failures in $key: $(runs "$key")" >&2; bad=1; }
    done
    if section streams && ! grep -q 'h2 / http/1.1 throughput' "$work/streams.txt"; then
        echo "bench: no streams figure" >&2
        bad=1
    fi
    if section jmh && [ "$(grep -c '^| [A-Za-z0-9]*\.' "$work/jmh.md")" -lt 2 ]; then
        echo "bench: no JMH figures" >&2
        bad=1
    fi
    return $bad
}
