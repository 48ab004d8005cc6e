package dev.ferry.fetch;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** What the command line asks for, checked once: every value here is usable as it is. */
final class FetchOptions {

    static final String USAGE = String.join("\n",
            "usage: ferry-fetch [options] URL",
            "  URL                         http:// or https://",
            "  --proxy-rules RULES         Chromium proxy rules, e.g. 'http://127.0.0.1:3128,direct://'",
            "  --bypass LIST               bypass rules for --proxy-rules, e.g. '*.local,<-loopback>'",
            "  --pac FILE|URL              a proxy auto-config script instead of --proxy-rules",
            "  --proxy-credentials host:port=user:password",
            "                              credentials for an upstream proxy (repeatable)",
            "  -k, --insecure              do not verify TLS certificates",
            "      --cacert FILE           also trust the PEM certificates in FILE",
            "  -X, --request METHOD        request method (default GET, or POST with -d)",
            "  -H, --header 'Name: value'  extra request header (repeatable); 'Name:' removes a default one",
            "  -d, --data DATA             request body (UTF-8), sent with Content-Length",
            "  -m, --max-time SECONDS      give up after this long (exit status 28)",
            "  -o, --output FILE           write the body to FILE instead of stdout",
            "  -v, --verbose               show resolution, connect stages and both heads on stderr",
            "  -h, --help                  this text",
            "");

    /** Options that take a value, long name to short name (empty when there is none). */
    private static final Map<String, String> WITH_VALUE = Map.ofEntries(
            Map.entry("--proxy-rules", ""), Map.entry("--bypass", ""), Map.entry("--pac", ""),
            Map.entry("--proxy-credentials", ""), Map.entry("--cacert", ""), Map.entry("--request", "-X"),
            Map.entry("--header", "-H"), Map.entry("--data", "-d"), Map.entry("--max-time", "-m"),
            Map.entry("--output", "-o"));

    private static final Set<String> FLAGS = Set.of("--verbose", "--insecure", "--help");

    private URI url;
    private String proxyRules;
    private String bypass;
    private String pac;
    private final List<String> proxyCredentials = new ArrayList<>();
    private boolean insecure;
    private Path caCertificates;
    private String method;
    private final List<String[]> headers = new ArrayList<>();
    private String data;
    private long maxTimeNanos;
    private Path output;
    private boolean verbose;
    private boolean help;

    private FetchOptions() {
    }

    /** Parses the arguments; {@code --help} parses to options whose {@link #help()} is true and whose URL is null. */
    static FetchOptions parse(String... args) throws UsageException {
        FetchOptions o = new FetchOptions();
        boolean optionsEnded = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
                o.setUrl(arg);
                continue;
            }
            if (arg.equals("--")) {
                optionsEnded = true;
                continue;
            }
            String name = arg;
            String value = null;
            if (arg.startsWith("--") && arg.indexOf('=') > 0) {
                name = arg.substring(0, arg.indexOf('='));
                value = arg.substring(arg.indexOf('=') + 1);
            } else if (!arg.startsWith("--") && arg.length() > 2) {
                // curl's attached short form: -XPOST, -ofile
                name = arg.substring(0, 2);
                value = arg.substring(2);
            }
            String longName = longName(name);
            if (WITH_VALUE.containsKey(longName)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("option " + name + " needs a value");
                    }
                    value = args[++i];
                }
                o.set(longName, name, value);
            } else if (value != null) {
                throw new UsageException(arg.startsWith("--") && FLAGS.contains(longName)
                        ? "option " + name + " takes no value" : "unknown option '" + arg + "'");
            } else {
                o.setFlag(longName, arg);
            }
        }
        if (o.help) {
            return o;
        }
        o.checkCombinations();
        return o;
    }

    private static String longName(String name) {
        for (Map.Entry<String, String> e : WITH_VALUE.entrySet()) {
            if (!e.getValue().isEmpty() && e.getValue().equals(name)) {
                return e.getKey();
            }
        }
        switch (name) {
            case "-v": return "--verbose";
            case "-k": return "--insecure";
            case "-h": return "--help";
            default: return name;
        }
    }

    private void setFlag(String longName, String arg) throws UsageException {
        switch (longName) {
            case "--verbose": verbose = true; break;
            case "--insecure": insecure = true; break;
            case "--help": help = true; break;
            default: throw new UsageException("unknown option '" + arg + "'");
        }
    }

    private void set(String longName, String given, String value) throws UsageException {
        switch (longName) {
            case "--proxy-rules": proxyRules = value; break;
            case "--bypass": bypass = value; break;
            case "--pac": pac = requireNonEmpty(given, value); break;
            case "--proxy-credentials": proxyCredentials.add(credentials(given, value)); break;
            case "--cacert": caCertificates = Paths.get(requireNonEmpty(given, value)); break;
            case "--request": method = method(given, value); break;
            case "--header": headers.add(header(given, value)); break;
            case "--data": data = value; break;
            case "--max-time": maxTimeNanos = seconds(given, value); break;
            case "--output": output = Paths.get(requireNonEmpty(given, value)); break;
            default: throw new IllegalStateException("option table and switch disagree on " + longName);
        }
    }

    private void setUrl(String text) throws UsageException {
        if (url != null) {
            throw new UsageException("more than one URL: '" + url + "' and '" + text + "'");
        }
        URI parsed;
        try {
            parsed = new URI(text);
        } catch (URISyntaxException e) {
            throw new UsageException("'" + text + "' is not a URL: " + e.getMessage());
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UsageException("URL '" + text + "' must start with http:// or https://");
        }
        if (parsed.getHost() == null) {
            throw new UsageException("URL '" + text + "' has no host (or a host Java cannot parse)");
        }
        if (parsed.getRawUserInfo() != null) {
            throw new UsageException("URL '" + text + "' carries credentials; send them with -H 'Authorization: ...'");
        }
        url = parsed;
    }

    private void checkCombinations() throws UsageException {
        if (url == null) {
            throw new UsageException("no URL given");
        }
        if (pac != null && proxyRules != null) {
            throw new UsageException("--pac and --proxy-rules exclude each other; give one");
        }
        if (bypass != null && proxyRules == null) {
            throw new UsageException("--bypass applies to --proxy-rules only (a PAC script does its own bypassing)");
        }
    }

    private static String requireNonEmpty(String option, String value) throws UsageException {
        if (value.isEmpty()) {
            throw new UsageException("option " + option + " needs a non-empty value");
        }
        return value;
    }

    private static String credentials(String option, String value) throws UsageException {
        int eq = value.indexOf('=');
        if (eq <= 0 || value.indexOf(':', eq) < 0) {
            // The value may hold a password: never echo it.
            throw new UsageException("option " + option + " wants host:port=user:password");
        }
        return value;
    }

    private static String method(String option, String value) throws UsageException {
        if (value.isEmpty() || !value.chars().allMatch(FetchOptions::isTokenChar)) {
            throw new UsageException("option " + option + ": '" + value + "' is not an HTTP method");
        }
        return value;
    }

    private static String[] header(String option, String value) throws UsageException {
        int colon = value.indexOf(':');
        String name = colon < 0 ? "" : value.substring(0, colon).trim();
        if (name.isEmpty() || !name.chars().allMatch(FetchOptions::isTokenChar)) {
            throw new UsageException("option " + option + " wants 'Name: value', not '" + value + "'");
        }
        String headerValue = value.substring(colon + 1).trim();
        if (headerValue.indexOf('\r') >= 0 || headerValue.indexOf('\n') >= 0) {
            throw new UsageException("option " + option + ": header '" + name + "' has a line break in its value");
        }
        return new String[] {name, headerValue};
    }

    private static long seconds(String option, String value) throws UsageException {
        double seconds;
        try {
            seconds = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UsageException("option " + option + " wants seconds, not '" + value + "'");
        }
        // at most a year: keeps the nanosecond arithmetic far from overflow
        if (!(seconds > 0) || seconds > 365 * 24 * 3600) {
            throw new UsageException("option " + option + " must be more than 0 and at most a year, not '"
                    + value + "'");
        }
        return (long) (seconds * 1e9);
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    URI url() {
        return url;
    }

    /** The rules for the rules resolver, or null when none were given (then: --pac, or everything DIRECT). */
    String proxyRules() {
        return proxyRules;
    }

    String bypass() {
        return bypass;
    }

    /** A PAC file or URL, or null. */
    String pac() {
        return pac;
    }

    List<String> proxyCredentials() {
        return List.copyOf(proxyCredentials);
    }

    boolean insecure() {
        return insecure;
    }

    /** A PEM file of extra trusted certificates, or null. */
    Path caCertificates() {
        return caCertificates;
    }

    /** The method: -X, else POST with -d, else GET. */
    String method() {
        return method != null ? method : data != null ? "POST" : "GET";
    }

    /** The -H headers in order, each {name, value}. */
    List<String[]> headers() {
        return headers.stream().map(String[]::clone).toList();
    }

    /** The -d body, or null. */
    String data() {
        return data;
    }

    /** --max-time in nanoseconds, or 0 for no limit. */
    long maxTimeNanos() {
        return maxTimeNanos;
    }

    /** The -o file, or null for stdout. */
    Path output() {
        return output;
    }

    boolean verbose() {
        return verbose;
    }

    boolean help() {
        return help;
    }
}
