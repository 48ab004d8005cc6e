package dev.ferry.itests;

import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One CONNECT tunnel through the proxy to a {@link DigestEchoTarget}, over the plain listener or inside TLS to the TLS
 * listener: uploads pattern bytes, downloads pattern bytes, and checks the SHA-256 of both directions (the target's
 * digest of the upload, and the download here). Every failure is an {@link ExchangeFailure} naming the listener port
 * and how far the tunnel got: a CONNECT refused or unanswered, a wrong digest, a truncated or reset stream.
 */
final class TunnelProbe {

    private static final Map<Long, String> DIGESTS = new ConcurrentHashMap<>();

    private final ProxyEndpoints endpoints;
    private final LoadLedger ledger;
    private final boolean tls;
    private final String authority;
    private String phase = "connecting";
    private int port;

    private TunnelProbe(ProxyEndpoints endpoints, LoadLedger ledger, boolean tls, int targetPort) {
        this.endpoints = endpoints;
        this.ledger = ledger;
        this.tls = tls;
        this.authority = "127.0.0.1:" + targetPort;
    }

    static void run(ProxyEndpoints endpoints, LoadLedger ledger, boolean tls, int targetPort, long upload,
            long download) throws IOException, InterruptedException {
        TunnelProbe probe = new TunnelProbe(endpoints, ledger, tls, targetPort);
        try {
            probe.exchange(upload, download);
        } catch (ExchangeFailure e) {
            throw e;
        } catch (IOException e) {
            throw new ExchangeFailure(LoadLedger.kindOf(e), "CONNECT " + probe.authority + " via "
                    + (tls ? "TLS listener" : "plain listener") + " port " + probe.port + " while " + probe.phase
                    + ": " + LoadLedger.describe(e));
        }
    }

    private void exchange(long upload, long download) throws IOException, InterruptedException {
        port = tls ? endpoints.httpsPort() : endpoints.httpPort();
        if (tls) {
            phase = "connecting and TLS handshake";
        }
        try (Socket socket = tls ? endpoints.connectHttps()
                : endpoints.connectHttp(ledger, LoadLedger.Traffic.TUNNEL)) {
            port = socket.getPort();
            phase = "waiting for the CONNECT answer";
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 65536);
            out.write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = ProxyClients.readHead(in);
            if (!head.startsWith("HTTP/1.1 200")) {
                String[] words = head.split(" ");
                throw new ExchangeFailure(head.isEmpty() ? "connect-unanswered"
                        : "connect-" + (words.length > 1 ? words[1] : "malformed"),
                        "CONNECT " + authority + " via port " + port + " answered: "
                        + (head.isEmpty() ? "(closed without an answer)" : printable(head)));
            }
            DataOutputStream data = new DataOutputStream(out);
            data.writeLong(upload);
            data.writeLong(download);
            byte[] buf = new byte[65536];
            for (long sent = 0; sent < upload;) {
                phase = "uploading (" + sent + " of " + upload + " bytes sent)";
                int len = (int) Math.min(buf.length, upload - sent);
                Patterns.fill(buf, sent, len);
                out.write(buf, 0, len);
                sent += len;
            }
            out.flush();
            phase = "waiting for the target's digest of " + upload + " bytes";
            byte[] uploadDigest = in.readNBytes(64);
            if (uploadDigest.length < 64) {
                throw new ExchangeFailure("truncated", "tunnel via port " + port + " closed before the target's"
                        + " digest of the " + upload + "-byte upload");
            }
            String seenByTarget = new String(uploadDigest, StandardCharsets.US_ASCII);
            if (!seenByTarget.equals(digest(upload))) {
                throw new ExchangeFailure("tunnel-digest", "the target got other bytes than the " + upload
                        + " sent via port " + port + ": SHA-256 " + seenByTarget);
            }
            MessageDigest sha = Patterns.sha();
            long received = 0;
            while (received < download) {
                phase = "downloading (" + received + " of " + download + " bytes received)";
                int n = in.read(buf, 0, (int) Math.min(buf.length, download - received));
                if (n < 0) {
                    throw new ExchangeFailure("truncated", "tunnel via port " + port + " ended after " + received
                            + " of " + download + " bytes");
                }
                sha.update(buf, 0, n);
                received += n;
            }
            if (!HexFormat.of().formatHex(sha.digest()).equals(digest(download))) {
                throw new ExchangeFailure("tunnel-digest", "the " + download + " bytes downloaded via port " + port
                        + " differ from what the target sent");
            }
        }
    }

    /** The head on one line, bytes that are not printable ASCII as {@code \xNN} (a binary answer shows as such). */
    private static String printable(String head) {
        StringBuilder out = new StringBuilder();
        for (char c : head.trim().toCharArray()) {
            if (c == '\n') {
                out.append(" | ");
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String digest(long n) {
        return DIGESTS.computeIfAbsent(n, Patterns::sha256);
    }
}
