package dev.ferry.itests;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Where the load's clients reach the proxy: the plain listener's port, which a step may move, and the TLS listener.
 * While the plain listener moves, a refused connection is not a failure: the client waits for the new port, as a
 * client whose proxy setting changes would; connections made before keep going to the old port until the proxy
 * closes them.
 */
final class ProxyEndpoints {

    static final int SOCKET_TIMEOUT_MILLIS = 10_000;
    private static final long MOVE_WAIT_MILLIS = 10_000;

    private final int httpsPort;
    private final SSLContext trustAll;
    private volatile int httpPort;
    private volatile boolean moving;

    ProxyEndpoints(int httpPort, int httpsPort) throws GeneralSecurityException {
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
        trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    }

    int httpPort() {
        return httpPort;
    }

    int httpsPort() {
        return httpsPort;
    }

    /** The plain listener is about to move: refused connections are retried until {@link #movedTo}. */
    void beginMove() {
        moving = true;
    }

    /** The plain listener accepts on {@code port} now: new connections go there. */
    void movedTo(int port) {
        httpPort = port;
    }

    /** The move is over (the old port refuses): a refused connection is a failure again. */
    void endMove() {
        moving = false;
    }

    /** A connection to the plain listener; while it moves, a refusal waits for the new port (10 s at most). */
    Socket connectHttp(LoadLedger ledger, LoadLedger.Traffic traffic) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + MOVE_WAIT_MILLIS * 1_000_000;
        while (true) {
            int port = httpPort;
            try {
                return connect(port);
            } catch (ConnectException refused) {
                // A client that read the old port just before the move ended tries the new one, as it was told to.
                boolean moved = port != httpPort;
                if ((!moving && !moved) || System.nanoTime() > deadline) {
                    throw refused;
                }
                ledger.retried(traffic, "port " + port + " refused while the listener moves");
                Thread.sleep(50);
            }
        }
    }

    /** TLS to the TLS listener offering only http/1.1 in ALPN, trusting its self-signed certificate. */
    SSLSocket connectHttps() throws IOException {
        Socket plain = connect(httpsPort);
        SSLSocket tls = (SSLSocket) trustAll.getSocketFactory().createSocket(plain, "127.0.0.1", httpsPort, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        tls.setSSLParameters(parameters);
        tls.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
        tls.startHandshake();
        return tls;
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), SOCKET_TIMEOUT_MILLIS);
            s.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            s.setTcpNoDelay(true);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }
}
