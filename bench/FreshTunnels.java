import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Fresh CONNECT tunnels through an HTTP forward proxy, opened as a browser opens them: CONCURRENCY threads each loop
 * until the deadline over a new TCP connection to the proxy (TLS to the proxy first when PROXYTLS, ALPN "http/1.1"),
 * a CONNECT to the origin, a TLS handshake with the origin inside the tunnel, one GET with "Connection: close" read
 * to its end, and close. Both TLS roles have one client context each, shared by all threads, so that sessions are
 * resumed as a browser resumes them. Prints one line:
 * {@code tunnels=<n> errors=<n> seconds=<elapsed> per_second=<tunnels/elapsed>}; exits 1 when no tunnel completed
 * or more than 1% of them failed.
 *
 * <p>Arguments: proxyHost proxyPort proxyTls(true|false) originHost originTlsPort path concurrency seconds.
 */
public final class FreshTunnels {

    private static final int TIMEOUT_MILLIS = 10_000;
    /** A response head longer than this is a broken proxy, not a slow one. */
    private static final int MAX_HEAD_BYTES = 16 * 1024;
    private static final int ERRORS_SHOWN = 3;

    private final String proxyHost;
    private final int proxyPort;
    private final SSLContext proxyTls;
    private final String originHost;
    private final int originPort;
    private final String path;
    private final SSLContext originTls;
    private final AtomicLong tunnels = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Set<String> errorsShown = new HashSet<>();

    private FreshTunnels(String proxyHost, int proxyPort, SSLContext proxyTls, String originHost, int originPort,
            String path, SSLContext originTls) {
        this.proxyHost = proxyHost;
        this.proxyPort = proxyPort;
        this.proxyTls = proxyTls;
        this.originHost = originHost;
        this.originPort = originPort;
        this.path = path;
        this.originTls = originTls;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            System.err.println("usage: java FreshTunnels.java proxyHost proxyPort proxyTls(true|false) originHost"
                    + " originTlsPort path concurrency seconds");
            System.exit(2);
        }
        boolean overTls = Boolean.parseBoolean(args[2]);
        FreshTunnels bench = new FreshTunnels(args[0], Integer.parseInt(args[1]), overTls ? trustAll() : null,
                args[3], Integer.parseInt(args[4]), args[5], trustAll());
        int concurrency = Integer.parseInt(args[6]);
        long seconds = Long.parseLong(args[7]);

        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        Thread[] workers = new Thread[concurrency];
        for (int i = 0; i < concurrency; i++) {
            workers[i] = new Thread(() -> bench.loopUntil(deadline), "tunnel-" + i);
            workers[i].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        // Until the last worker finished: a tunnel begun just before the deadline counts, and so does its time.
        double elapsed = (System.nanoTime() - start) / 1e9;

        long tunnels = bench.tunnels.get();
        long errors = bench.errors.get();
        System.out.println(String.format(Locale.ROOT, "tunnels=%d errors=%d seconds=%.2f per_second=%.1f",
                tunnels, errors, elapsed, tunnels / elapsed));
        System.exit(tunnels == 0 || errors * 100 > tunnels ? 1 : 0);
    }

    private void loopUntil(long deadline) {
        while (System.nanoTime() - deadline < 0) {
            try {
                oneTunnel();
                tunnels.incrementAndGet();
            } catch (Exception e) {
                errors.incrementAndGet();
                show(e.toString());
            }
        }
    }

    /** Only the first few distinct errors: one cause usually fails every tunnel, and its message once is enough. */
    private synchronized void show(String error) {
        if (errorsShown.size() < ERRORS_SHOWN && errorsShown.add(error)) {
            System.err.println("error: " + error);
        }
    }

    private void oneTunnel() throws IOException {
        Socket tcp = new Socket();
        try (tcp) {
            tcp.setSoTimeout(TIMEOUT_MILLIS);
            // As browsers do: with Nagle's algorithm, the handshakes' small writes would wait for delayed ACKs
            // (40 ms each, 20 tunnels/s per thread at most), which would be measured instead of the proxy.
            tcp.setTcpNoDelay(true);
            tcp.connect(new InetSocketAddress(proxyHost, proxyPort), TIMEOUT_MILLIS);
            Socket toProxy = proxyTls == null ? tcp : handshake(proxyTls, tcp, proxyHost, proxyPort);

            String authority = originHost + ":" + originPort;
            write(toProxy, "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
            String head = readHead(toProxy.getInputStream());
            if (!statusIs200(head)) {
                throw new IOException("CONNECT answered " + firstLine(head));
            }

            try (Socket toOrigin = handshake(originTls, toProxy, originHost, originPort)) {
                write(toOrigin, "GET " + path + " HTTP/1.1\r\nHost: " + authority + "\r\nConnection: close\r\n\r\n");
                InputStream in = toOrigin.getInputStream();
                String start = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
                if (!start.equals("HTTP/1.1 200")) {
                    throw new IOException("GET answered '" + start + "...'");
                }
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
    }

    /** TLS over {@code under} (closed with it), offering only HTTP/1.1 through ALPN, as this client speaks no more. */
    private static SSLSocket handshake(SSLContext tls, Socket under, String host, int port) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(under, host, port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static void write(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Byte by byte up to the blank line: whatever follows belongs to the tunnel and must stay unread. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the proxy closed the connection in the response head: '"
                        + firstLine(head.toString(StandardCharsets.ISO_8859_1)) + "'");
            }
            if (head.size() == MAX_HEAD_BYTES) {
                throw new IOException("response head longer than " + MAX_HEAD_BYTES + " bytes");
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static boolean statusIs200(String head) {
        String[] statusLine = firstLine(head).split(" ", 3);
        return statusLine.length >= 2 && statusLine[0].startsWith("HTTP/1.") && statusLine[1].equals("200");
    }

    private static String firstLine(String head) {
        int end = head.indexOf("\r\n");
        return end < 0 ? head : head.substring(0, end);
    }

    /** A client context that accepts any certificate: the proxy's and the origin's are self-signed test ones. */
    private static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new TrustAll()}, null);
        return context;
    }

    /** Extended, so that the JDK does not wrap it in the checks it adds around a plain X509TrustManager. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
