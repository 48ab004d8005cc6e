package dev.ferry.resolver.impl;

/**
 * A host-name pattern where {@code *} stands for any run of characters (dots included, so {@code *.example.com}
 * also matches {@code a.b.example.com}) and {@code ?} for exactly one, as Chromium's {@code base::MatchPattern}.
 * Matching backtracks only to the last star, so its time is bounded by the input length times the pattern length
 * and can never explode the way a backtracking regular expression can.
 */
final class WildcardPattern {

    private final String pattern;

    /** @param pattern already lowercased; compared against lowercased host names */
    WildcardPattern(String pattern) {
        this.pattern = pattern;
    }

    boolean matches(String text) {
        int p = 0;
        int t = 0;
        int starAt = -1;
        int textAtStar = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                starAt = p++;
                textAtStar = t;
            } else if (starAt >= 0) {
                // Let the last star swallow one more character and retry the rest of the pattern.
                p = starAt + 1;
                t = ++textAtStar;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
