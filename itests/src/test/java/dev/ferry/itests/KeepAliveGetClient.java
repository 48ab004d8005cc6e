package dev.ferry.itests;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client on a raw socket to the plain listener: absolute-URI GETs, one keep-alive connection reused
 * until the proxy closes it. Like every HTTP client it sends an idempotent request once more on a new connection
 * when a reused connection closes before any byte of the response (the proxy closed it while idle); that retry is
 * recorded, never hidden. Anything else is thrown: a status other than 200, a wrong body, a truncated or reset
 * response. One thread at a time.
 */
final class KeepAliveGetClient implements Closeable {

    private final ProxyEndpoints endpoints;
    private final LoadLedger ledger;
    private Socket socket;
    private CountingInputStream counted;
    private InputStream in;
    private int requestsOnConnection;
    private int port;

    KeepAliveGetClient(ProxyEndpoints endpoints, LoadLedger ledger) {
        this.endpoints = endpoints;
        this.ledger = ledger;
    }

    /** GETs {@code url} through the proxy; returns when the body equals {@code expected}. */
    void get(String url, byte[] expected) throws IOException, InterruptedException {
        boolean reused = socket != null;
        if (!reused) {
            open();
        }
        long before = counted.count;
        try {
            exchange(url, expected);
        } catch (IOException e) {
            boolean nothingArrived = counted.count == before;
            String where = where(before);
            close();
            if (!reused || !nothingArrived || e instanceof ExchangeFailure) {
                throw withContext(e, url, where);
            }
            ledger.retried(LoadLedger.Traffic.GET, "keep-alive connection closed before the response: " + e);
            open();
            long again = counted.count;
            try {
                exchange(url, expected);
            } catch (IOException failed) {
                String whereAgain = where(again);
                close();
                throw withContext(failed, url, whereAgain);
            }
        }
    }

    private String where(long countBefore) {
        return "via port " + port + ", request " + requestsOnConnection + " on its connection, "
                + (counted.count - countBefore) + " response bytes read";
    }

    private static ExchangeFailure withContext(IOException e, String url, String where) {
        return e instanceof ExchangeFailure ? (ExchangeFailure) e
                : new ExchangeFailure(LoadLedger.kindOf(e), "GET " + url + " " + where + ": " + LoadLedger.describe(e));
    }

    private void exchange(String url, byte[] expected) throws IOException {
        requestsOnConnection++;
        String authority = url.substring("http://".length(), url.indexOf('/', "http://".length()));
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + url + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String statusLine = TestOrigin.readLine(in);
        if (statusLine == null) {
            throw new EOFException("connection closed before the response to " + url);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line; (line = TestOrigin.readLine(in)) != null && !line.isEmpty();) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
        }
        byte[] body = readBody(headers, url);
        if ("close".equalsIgnoreCase(headers.get("connection")) || statusLine.startsWith("HTTP/1.0")) {
            close();
        }
        if (!statusLine.startsWith("HTTP/1.1 200")) {
            close();
            String status = statusLine.split(" ").length > 1 ? statusLine.split(" ")[1] : "?";
            throw new ExchangeFailure("status-" + status, statusLine + " for " + url + "; Proxy-Status: "
                    + headers.get("proxy-status") + "; body: "
                    + new String(body, 0, Math.min(body.length, 200), StandardCharsets.ISO_8859_1).trim());
        }
        if (!Arrays.equals(expected, body)) {
            close();
            throw new ExchangeFailure("wrong-body", url + ": " + body.length + " bytes, expected "
                    + expected.length + (body.length == expected.length ? " (content differs)" : ""));
        }
    }

    private byte[] readBody(Map<String, String> headers, String url) throws IOException {
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = TestOrigin.readLine(in);
                if (sizeLine == null) {
                    throw new ExchangeFailure("truncated", "chunked body of " + url + " ended after "
                            + body.size() + " bytes");
                }
                int semi = sizeLine.indexOf(';');
                int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                if (size == 0) {
                    for (String trailer; (trailer = TestOrigin.readLine(in)) != null && !trailer.isEmpty();) {
                        // trailers: none expected
                    }
                    return body.toByteArray();
                }
                body.write(readExactly(size, url));
                TestOrigin.readLine(in);
            }
        }
        String length = headers.get("content-length");
        if (length == null) {
            throw new ExchangeFailure("no-length", "response to " + url + " has neither Content-Length nor chunks: "
                    + headers);
        }
        return readExactly(Integer.parseInt(length.trim()), url);
    }

    private byte[] readExactly(int n, String url) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new ExchangeFailure("truncated", "body of " + url + " ended after " + bytes.length + " of " + n
                    + " bytes");
        }
        return bytes;
    }

    private void open() throws IOException, InterruptedException {
        try {
            socket = endpoints.connectHttp(ledger, LoadLedger.Traffic.GET);
        } catch (IOException e) {
            throw new ExchangeFailure(LoadLedger.kindOf(e), "connecting to the plain listener, port "
                    + endpoints.httpPort() + ": " + LoadLedger.describe(e));
        }
        requestsOnConnection = 0;
        port = socket.getPort();
        counted = new CountingInputStream(socket.getInputStream());
        in = new BufferedInputStream(counted, 65536);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }

    /** Counts the bytes that arrived from the proxy, to tell "closed before any response byte" from a truncation. */
    private static final class CountingInputStream extends FilterInputStream {
        volatile long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
