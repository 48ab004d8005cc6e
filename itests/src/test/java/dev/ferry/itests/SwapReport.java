package dev.ferry.itests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The result of {@link HotSwapIT} as a table: per window (warm-up, each step, drain) the requests and tunnels that
 * finished in it by kind of traffic, the failures by kind, the transparent retries, and the p99 latency of the
 * keep-alive GETs in the 2 s before the step and while it was applied. A window runs from its step's start to the
 * next step's start, so every outcome falls in exactly one window: the one in which it ended (the details show how
 * long each failed one took, so a hang is traced back to the step it began in).
 */
final class SwapReport {

    static final long BEFORE_NANOS = 2_000_000_000L;
    private static final int FAILURES_SHOWN = 20;

    /** A step's time: started, applied (its action returned), ended (the next step started). */
    record Window(String name, long startNanos, long appliedNanos, long endNanos) {
        boolean contains(long nanos) {
            return nanos >= startNanos && nanos < endNanos;
        }
    }

    private final List<Window> windows;
    private final List<LoadLedger.Outcome> outcomes;
    private final List<LoadLedger.Retry> retries;

    SwapReport(List<Window> windows, LoadLedger ledger) {
        this.windows = windows;
        this.outcomes = ledger.outcomes();
        this.retries = ledger.retries();
    }

    long totalFailures() {
        return outcomes.stream().filter(LoadLedger.Outcome::failed).count();
    }

    long totalRequests() {
        return outcomes.stream().filter(o -> o.traffic() != null).count();
    }

    String table() {
        StringBuilder out = new StringBuilder();
        String format = "%-66s %6s %5s %5s %5s %5s %5s %-34s %7s %8s %8s%n";
        out.append(String.format(format, "step", "GET", "CONN", "TLS", "SPDY", "H2", "fail", "failures by kind",
                "retried", "p99 bef", "p99 dur"));
        int kinds = LoadLedger.Traffic.values().length;
        long[] totals = new long[kinds + 2];
        for (Window w : windows) {
            List<LoadLedger.Outcome> in = inWindow(w);
            long[] counts = new long[LoadLedger.Traffic.values().length];
            in.stream().filter(o -> o.traffic() != null).forEach(o -> counts[o.traffic().ordinal()]++);
            long failed = in.stream().filter(LoadLedger.Outcome::failed).count();
            long retried = retries.stream().filter(r -> w.contains(r.atNanos())).count();
            for (int i = 0; i < counts.length; i++) {
                totals[i] += counts[i];
            }
            totals[kinds] += failed;
            totals[kinds + 1] += retried;
            out.append(String.format(format, w.name(), counts[0], counts[1], counts[2], counts[3], counts[4], failed,
                    kinds(in), retried, p99(w.startNanos() - BEFORE_NANOS, w.startNanos(), false),
                    p99(w.startNanos(), w.appliedNanos(), true)));
        }
        out.append(String.format(format, "TOTAL", totals[0], totals[1], totals[2], totals[3], totals[4],
                totals[kinds], "", totals[kinds + 1], "", ""));
        return out.toString();
    }

    /** Every window's failures (the first 20 each), with the time into the window, and its retries by reason. */
    String details() {
        StringBuilder out = new StringBuilder();
        for (Window w : windows) {
            List<LoadLedger.Outcome> failed = inWindow(w).stream().filter(LoadLedger.Outcome::failed)
                    .collect(Collectors.toList());
            Map<String, Integer> retryReasons = new TreeMap<>();
            retries.stream().filter(r -> w.contains(r.atNanos())).forEach(r -> retryReasons.merge(
                    (r.traffic() == null ? "" : r.traffic().label + " ") + shortReason(r.reason()), 1, Integer::sum));
            if (failed.isEmpty() && retryReasons.isEmpty()) {
                continue;
            }
            out.append("== ").append(w.name()).append(": ").append(failed.size()).append(" failures\n");
            for (LoadLedger.Outcome o : failed.subList(0, Math.min(FAILURES_SHOWN, failed.size()))) {
                Window began = windows.stream().filter(b -> b.contains(o.startNanos())).findFirst().orElse(w);
                out.append(String.format("   +%6.3fs (took %6.3fs) %-11s %-18s %s%s%n",
                        (o.endNanos() - w.startNanos()) / 1e9, (o.endNanos() - o.startNanos()) / 1e9,
                        o.traffic() == null ? "step" : o.traffic().label, o.failure(), o.detail(),
                        began == w ? "" : " [began during: " + began.name() + "]"));
            }
            if (failed.size() > FAILURES_SHOWN) {
                out.append("   … ").append(failed.size() - FAILURES_SHOWN).append(" more\n");
            }
            retryReasons.forEach((reason, n) -> out.append("   retried ").append(n).append("x: ").append(reason)
                    .append('\n'));
        }
        return out.toString();
    }

    private List<LoadLedger.Outcome> inWindow(Window w) {
        return outcomes.stream().filter(o -> w.contains(o.endNanos())).collect(Collectors.toList());
    }

    private static String kinds(List<LoadLedger.Outcome> in) {
        Map<String, Integer> byKind = new TreeMap<>();
        in.stream().filter(LoadLedger.Outcome::failed).forEach(o -> byKind.merge(o.failure(), 1, Integer::sum));
        return byKind.entrySet().stream().map(e -> e.getKey() + "x" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    /** p99 in ms of the successful keep-alive GETs that ended (or, {@code byStart}, started) in [from, to). */
    private String p99(long from, long to, boolean byStart) {
        List<Long> millis = new ArrayList<>();
        for (LoadLedger.Outcome o : outcomes) {
            long t = byStart ? o.startNanos() : o.endNanos();
            if (o.traffic() == LoadLedger.Traffic.GET && !o.failed() && t >= from && t < to) {
                millis.add(o.millis());
            }
        }
        if (millis.isEmpty()) {
            return "-";
        }
        millis.sort(null);
        return millis.get((int) Math.ceil(0.99 * millis.size()) - 1) + "ms";
    }

    private static String shortReason(String reason) {
        String s = reason.replaceAll("\\d+", "N");
        int colon = s.indexOf(':');
        return colon > 0 ? s.substring(0, colon) : s;
    }
}
