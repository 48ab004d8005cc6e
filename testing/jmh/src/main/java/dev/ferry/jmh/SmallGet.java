package dev.ferry.jmh;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The exchange every benchmark here measures: a keep-alive {@code GET} for a 100-byte file, with the headers curl
 * sends, answered {@code 200} with the headers nginx sends for a static file (the origin of bench/run.sh serves
 * {@code /100b} so). Not a benchmark itself.
 */
public final class SmallGet {

    /** The target as a client of a forward proxy names it (absolute form). */
    public static final String TARGET = "http://127.0.0.1:8080/100b";
    public static final String AUTHORITY = "127.0.0.1:8080";
    public static final String PATH = "/100b";

    /** Request headers besides Host, in the order and spelling curl sends them (SPDY lower-cases the names). */
    public static final String[][] REQUEST_HEADERS = {
        {"User-Agent", "curl/7.88.1"},
        {"Accept", "*/*"},
        {"Accept-Encoding", "gzip, deflate, br"},
    };

    /** Response headers besides Content-Length and Connection, as nginx sends them for a static file. */
    public static final String[][] RESPONSE_HEADERS = {
        {"Server", "nginx/1.22.1"},
        {"Date", "Mon, 01 Jan 2024 00:00:00 GMT"},
        {"Content-Type", "application/octet-stream"},
        {"Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"},
        {"ETag", "\"65920080-64\""},
        {"Accept-Ranges", "bytes"},
    };

    /** The file: 100 bytes of 'x'. */
    public static final int BODY_LENGTH = 100;

    private SmallGet() {
    }

    public static byte[] body() {
        byte[] body = new byte[BODY_LENGTH];
        Arrays.fill(body, (byte) 'x');
        return body;
    }

    /** The request as an HTTP/1.1 client sends it to the proxy. */
    public static byte[] http1Request() {
        StringBuilder text = new StringBuilder("GET " + TARGET + " HTTP/1.1\r\nHost: " + AUTHORITY + "\r\n");
        for (String[] header : REQUEST_HEADERS) {
            text.append(header[0]).append(": ").append(header[1]).append("\r\n");
        }
        return text.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The response as the origin sends it on a keep-alive connection: head and body. */
    public static byte[] http1Response() {
        StringBuilder text = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (String[] header : RESPONSE_HEADERS) {
            text.append(header[0]).append(": ").append(header[1]).append("\r\n");
        }
        text.append("Content-Length: ").append(BODY_LENGTH).append("\r\nConnection: keep-alive\r\n\r\n");
        byte[] head = text.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] response = Arrays.copyOf(head, head.length + BODY_LENGTH);
        System.arraycopy(body(), 0, response, head.length, BODY_LENGTH);
        return response;
    }
}
