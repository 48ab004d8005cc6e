package dev.ferry.pac.impl;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a PAC script comes from: a file or an http(s) URL. Called from one thread at a time. */
interface PacSource {

    /** A URI scheme of two or more characters, so that a one-letter drive ("C:\...") counts as a path. */
    Pattern SCHEME = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]+):.*", Pattern.DOTALL);

    /** The script's location for messages, e.g. {@code file:///etc/ferry/proxy.pac}. */
    String location();

    /**
     * Reads the script if it changed since the last text this method returned.
     *
     * @return the new script text, or null when it is unchanged
     * @throws IOException when it cannot be read, is too large, or the server does not answer 200
     */
    String readIfChanged() throws IOException;

    /**
     * The source the {@code url} setting names: a plain file path, a {@code file:} URL, or an http(s) URL.
     *
     * @throws IllegalArgumentException naming the setting and its value when it is none of these
     */
    static PacSource of(String url, int maxScriptBytes, int fetchTimeoutMillis) {
        String text = url == null ? "" : url.trim();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("url is required: a PAC file path, a file: URL or an http(s) URL");
        }
        Matcher scheme = SCHEME.matcher(text);
        if (!scheme.matches()) {
            try {
                return new FilePacSource(Path.of(text), maxScriptBytes);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("url '" + text + "' is not a file path: " + e.getMessage(), e);
            }
        }
        try {
            URI uri = new URI(text);
            switch (scheme.group(1).toLowerCase(Locale.ROOT)) {
                case "file":
                    return new FilePacSource(Path.of(uri), maxScriptBytes);
                case "http":
                case "https":
                    if (uri.getHost() == null) {
                        throw new IllegalArgumentException("no host");
                    }
                    return new UrlPacSource(uri, maxScriptBytes, fetchTimeoutMillis);
                default:
                    throw new IllegalArgumentException("scheme " + scheme.group(1)
                            + " is not supported; use a file path, file:, http: or https:");
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalArgumentException("url '" + text + "' is not a PAC script location: " + e.getMessage(),
                    e);
        }
    }
}
