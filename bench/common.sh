# Sourced by the bench scripts (POSIX sh, after `here` is set): the built distribution, a scratch folder removed at
# exit with every process started into $pids, free ports, and copies of Ferry on free ports.
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

# start_ferry NAME RULES: a copy of the distribution on free ports; its HTTP proxy port in $started, its HTTPS proxy
# port in $started_https (not on stdout: a command substitution would run it in a subshell and lose its process id)
start_ferry() {
    cp -r "$dist" "$work/$1"
    rm -rf "$work/$1/data"
    http=$(free_port); https=$(free_port); console=$(free_port)
    sed -i "s/^port = .*/port = $http/" "$work/$1/config/dev.ferry.listener-http.cfg"
    sed -i "s/^port = .*/port = $https/" "$work/$1/config/dev.ferry.listener-https.cfg"
    # The origin is not on port 443: CONNECT may reach every port here (the shipped ACL allows 443 only).
    sed -i '/^connectPorts = \[/,/^  \]/c\connectPorts = [ ]' "$work/$1/config/dev.ferry.acl.cfg"
    if [ -n "$2" ]; then
        printf 'rules = %s\nbypass = <-loopback>\n' "$2" > "$work/$1/config/dev.ferry.resolver.cfg"
    fi
    (cd "$work/$1" && FERRY_OPTS="-Dferry.console.port=$console ${BENCH_FERRY_OPTS:-}" exec bin/ferry > out.txt 2>&1) &
    pids="$pids $!"
    started=$http
    started_https=$https
}
