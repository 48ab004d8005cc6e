package dev.ferry.tls.impl;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a TLS ClientHello says about protocol negotiation: whether it offers ALPN (and which protocols), whether it
 * offers NPN, and whether the client can speak TLS 1.2. Reads the handshake message body (RFC 8446 4.1.2, RFC 5246
 * 7.4.1.2: legacy_version, random, session id, cipher suites, compression methods, extensions) with absolute reads,
 * so the buffer's indices and reference count stay as they were; the caller keeps ownership.
 */
final class ClientHelloExtensions {

    /** RFC 7301. */
    static final int ALPN = 16;
    /** draft-agl-tls-nextprotoneg: 0x3374. */
    static final int NPN = 13172;
    /** RFC 8446 4.2.1. */
    static final int SUPPORTED_VERSIONS = 43;

    private static final int TLS_1_2 = 0x0303;
    private static final int RANDOM_LENGTH = 32;
    private static final int MAX_SESSION_ID_LENGTH = 32;

    /** A ClientHello whose length fields do not add up, or that breaks a rule the parser relies on. */
    static final class MalformedClientHelloException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedClientHelloException(String message) {
            super(message);
        }
    }

    private final List<String> alpnProtocols;
    private final boolean npn;
    private final boolean tls12;

    private ClientHelloExtensions(List<String> alpnProtocols, boolean npn, boolean tls12) {
        this.alpnProtocols = alpnProtocols;
        this.npn = npn;
        this.tls12 = tls12;
    }

    /**
     * Parses a ClientHello body: the handshake message without its 4-byte type and length header, exactly the
     * readable bytes of {@code body}.
     */
    static ClientHelloExtensions parse(ByteBuf body) throws MalformedClientHelloException {
        Reader in = new Reader(body);
        int legacyVersion = in.u16("legacy_version");
        in.skip(RANDOM_LENGTH, "random");
        int sessionIdLength = in.u8("session id length");
        if (sessionIdLength > MAX_SESSION_ID_LENGTH) {
            throw new MalformedClientHelloException("session id of " + sessionIdLength + " bytes");
        }
        in.skip(sessionIdLength, "session id");
        int cipherSuitesLength = in.u16("cipher suites length");
        if (cipherSuitesLength < 2 || cipherSuitesLength % 2 != 0) {
            throw new MalformedClientHelloException("cipher suites length " + cipherSuitesLength);
        }
        in.skip(cipherSuitesLength, "cipher suites");
        int compressionLength = in.u8("compression methods length");
        if (compressionLength < 1) {
            throw new MalformedClientHelloException("no compression method");
        }
        in.skip(compressionLength, "compression methods");
        if (in.remaining() == 0) {
            // A hello without extensions (SSL 3.0 style): no ALPN, no NPN.
            return new ClientHelloExtensions(null, false, legacyVersion >= TLS_1_2);
        }
        int extensionsLength = in.u16("extensions length");
        if (extensionsLength != in.remaining()) {
            throw new MalformedClientHelloException("extensions length " + extensionsLength + " but "
                    + in.remaining() + " bytes follow");
        }
        List<String> alpn = null;
        boolean npn = false;
        Boolean supportsTls12 = null;
        Set<Integer> seen = new HashSet<>();
        while (in.remaining() > 0) {
            int type = in.u16("extension type");
            int length = in.u16("extension length");
            if (!seen.add(type)) {
                throw new MalformedClientHelloException("extension " + type + " appears twice");
            }
            Reader data = in.sub(length, "extension " + type);
            if (type == ALPN) {
                alpn = protocolNames(data);
            } else if (type == NPN) {
                npn = true;
            } else if (type == SUPPORTED_VERSIONS) {
                supportsTls12 = listsTls12(data);
            }
        }
        boolean tls12 = supportsTls12 != null ? supportsTls12 : legacyVersion >= TLS_1_2;
        return new ClientHelloExtensions(alpn, npn, tls12);
    }

    /** RFC 7301 3.1: ProtocolNameList, a 2-byte length, then non-empty names of 1-byte length. */
    private static List<String> protocolNames(Reader data) throws MalformedClientHelloException {
        int listLength = data.u16("ALPN list length");
        if (listLength != data.remaining() || listLength < 2) {
            throw new MalformedClientHelloException("ALPN list length " + listLength + " in an extension of "
                    + (data.remaining() + 2) + " bytes");
        }
        List<String> names = new ArrayList<>();
        while (data.remaining() > 0) {
            int length = data.u8("ALPN name length");
            if (length == 0) {
                throw new MalformedClientHelloException("empty ALPN protocol name");
            }
            names.add(data.string(length, "ALPN name"));
        }
        return Collections.unmodifiableList(names);
    }

    /** RFC 8446 4.2.1: a 1-byte length, then 2-byte versions. */
    private static boolean listsTls12(Reader data) throws MalformedClientHelloException {
        int length = data.u8("supported_versions length");
        if (length != data.remaining() || length < 2 || length % 2 != 0) {
            throw new MalformedClientHelloException("supported_versions length " + length);
        }
        boolean tls12 = false;
        while (data.remaining() > 0) {
            tls12 |= data.u16("supported version") == TLS_1_2;
        }
        return tls12;
    }

    /** Whether the client sent the ALPN extension. */
    boolean offersAlpn() {
        return alpnProtocols != null;
    }

    /** The protocols the client offers through ALPN, in its order; empty without the extension. */
    List<String> alpnProtocols() {
        return alpnProtocols == null ? List.of() : alpnProtocols;
    }

    /** Whether the client sent the NPN extension. */
    boolean offersNpn() {
        return npn;
    }

    /** Whether the client accepts TLS 1.2 (supported_versions, or the legacy version when that is absent). */
    boolean acceptsTls12() {
        return tls12;
    }

    @Override
    public String toString() {
        return "ClientHello[alpn=" + (alpnProtocols == null ? "none" : alpnProtocols) + ", npn=" + npn
                + ", tls12=" + tls12 + "]";
    }

    /** Bounds-checked absolute reads over {@code [position, end)} of a buffer. */
    private static final class Reader {
        private final ByteBuf buf;
        private int position;
        private final int end;

        Reader(ByteBuf buf) {
            this(buf, buf.readerIndex(), buf.writerIndex());
        }

        private Reader(ByteBuf buf, int position, int end) {
            this.buf = buf;
            this.position = position;
            this.end = end;
        }

        int remaining() {
            return end - position;
        }

        private void need(int n, String what) throws MalformedClientHelloException {
            if (n > remaining()) {
                throw new MalformedClientHelloException("truncated in " + what + ": needs " + n + " bytes, "
                        + remaining() + " left");
            }
        }

        int u8(String what) throws MalformedClientHelloException {
            need(1, what);
            return buf.getUnsignedByte(position++);
        }

        int u16(String what) throws MalformedClientHelloException {
            need(2, what);
            int value = buf.getUnsignedShort(position);
            position += 2;
            return value;
        }

        void skip(int n, String what) throws MalformedClientHelloException {
            need(n, what);
            position += n;
        }

        String string(int n, String what) throws MalformedClientHelloException {
            need(n, what);
            String s = buf.toString(position, n, StandardCharsets.ISO_8859_1);
            position += n;
            return s;
        }

        /** The next {@code n} bytes as their own reader; this one moves past them. */
        Reader sub(int n, String what) throws MalformedClientHelloException {
            need(n, what);
            Reader sub = new Reader(buf, position, position + n);
            position += n;
            return sub;
        }
    }
}
