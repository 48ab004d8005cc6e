#!/usr/bin/env bash
# The JMH microbenchmarks of testing/jmh (Http1HeadPath: one HTTP/1.1 exchange through the http1 codec and the
# engine; SpdyFramePath: one SPDY/3.1 stream through the SPDY session), run from the jar the build made, with the GC
# profiler. Prints a markdown table: benchmark | ns/op (score ± error) | bytes allocated/op (gc.alloc.rate.norm).
# Builds nothing: run `mvn -B -q install -DskipTests -pl testing/jmh -am` (or the whole build) first.
#
#   bench/jmh.sh                  JMH's progress on stderr, the table on stdout
#   bench/jmh.sh FILE             the table also written to FILE
#
# Settings (environment): JMH_FORKS (1), JMH_WARMUP (warm-up iterations, 3), JMH_WARMUP_TIME (2s), JMH_ITERATIONS
# (measured iterations, 5), JMH_TIME (per iteration, 2s), JMH_JSON (keep JMH's JSON result there; default: a
# temporary file), JMH_ARGS (more JMH arguments, e.g. a benchmark regex or
# "-jvmArgsAppend -Dio.netty.leakDetection.level=paranoid"), JAVA (java).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
jar=$here/../testing/jmh/target/benchmarks.jar
if [ $# -gt 1 ] || [[ ${1:-} == -* ]]; then
    echo "usage: bench/jmh.sh [TABLE_FILE]" >&2
    exit 2
fi
out=${1:-}
if [ ! -f "$jar" ]; then
    echo "bench/jmh.sh: $jar is missing; build it first: mvn -B -q install -DskipTests -pl testing/jmh -am" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
json=${JMH_JSON:-$tmp/jmh.json}

# shellcheck disable=SC2086 # JMH_ARGS is a list of arguments
"${JAVA:-java}" -jar "$jar" -f "${JMH_FORKS:-1}" -wi "${JMH_WARMUP:-3}" -w "${JMH_WARMUP_TIME:-2s}" \
    -i "${JMH_ITERATIONS:-5}" -r "${JMH_TIME:-2s}" -prof gc -rf json -rff "$json" ${JMH_ARGS:-} >&2

python3 - "$json" > "$tmp/table.md" <<'EOF'
import json
import math
import sys


def number(value):
    """JMH writes "NaN" (a string) for an error it cannot estimate, e.g. from fewer than two iterations."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) or math.isinf(value) else value


def measured(metric):
    score, error = number(metric.get("score")), number(metric.get("scoreError"))
    if score is None:
        return "n/a"
    return f"{score:,.1f} ± {error:,.1f}" if error is not None else f"{score:,.1f}"


with open(sys.argv[1]) as f:
    results = json.load(f)
print("| benchmark | ns/op (score ± error) | bytes allocated/op (gc.alloc.rate.norm) |")
print("|---|---:|---:|")
for result in results:
    name = ".".join(result["benchmark"].split(".")[-2:])
    primary = result["primaryMetric"]
    if primary.get("scoreUnit") != "ns/op":
        sys.exit(f"{name}: scored in {primary.get('scoreUnit')}, not ns/op")
    alloc = result.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
    print(f"| {name} | {measured(primary)} | {measured(alloc) if alloc else 'n/a (no -prof gc)'} |")
EOF
cat "$tmp/table.md"
if [ -n "$out" ]; then
    cp "$tmp/table.md" "$out"
fi
