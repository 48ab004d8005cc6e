package dev.ferry.plugin.acl.impl;

import java.util.ArrayList;
import java.util.List;

/** Ports and port ranges: {@code 443}, {@code 8443-8444}; the {@code connectPorts} setting and {@code port=}. */
final class PortRanges {

    private final int[] lows;
    private final int[] highs;
    private final String text;

    private PortRanges(int[] lows, int[] highs, String text) {
        this.lows = lows;
        this.highs = highs;
        this.text = text;
    }

    /**
     * @param items one port or range each; blank items are skipped
     * @throws IllegalArgumentException naming the item that is not a port or range
     */
    static PortRanges parse(List<String> items) {
        List<int[]> ranges = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        for (String raw : items) {
            String item = raw.strip();
            if (item.isEmpty()) {
                continue;
            }
            int dash = item.indexOf('-', 1);
            int low = port(dash < 0 ? item : item.substring(0, dash));
            int high = dash < 0 ? low : port(item.substring(dash + 1));
            if (low < 0 || high < 0 || high < low) {
                throw new IllegalArgumentException("'" + item + "' is not a port (1-65535) or a range of ports (a-b,"
                        + " a <= b)");
            }
            ranges.add(new int[] {low, high});
            shown.add(item);
        }
        int[] lows = new int[ranges.size()];
        int[] highs = new int[ranges.size()];
        for (int i = 0; i < lows.length; i++) {
            lows[i] = ranges.get(i)[0];
            highs[i] = ranges.get(i)[1];
        }
        return new PortRanges(lows, highs, String.join(",", shown));
    }

    private static int port(String text) {
        String digits = text.strip();
        if (digits.isEmpty() || digits.length() > 5) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value >= 1 && value <= 65535 ? value : -1;
    }

    boolean isEmpty() {
        return lows.length == 0;
    }

    boolean contains(int port) {
        for (int i = 0; i < lows.length; i++) {
            if (port >= lows[i] && port <= highs[i]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
