package dev.ferry.itests;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic test data: byte i of a stream is a function of i, so both ends can make and check it. */
final class Patterns {

    private Patterns() {
    }

    static byte at(long i) {
        long x = i * 0x9E3779B97F4A7C15L;
        return (byte) (x >>> 56 ^ i);
    }

    static void fill(byte[] buf, long offset, int len) {
        for (int i = 0; i < len; i++) {
            buf[i] = at(offset + i);
        }
    }

    /** SHA-256 hex of the first {@code n} pattern bytes. */
    static String sha256(long n) {
        MessageDigest sha = sha();
        byte[] buf = new byte[65536];
        for (long done = 0; done < n;) {
            int len = (int) Math.min(buf.length, n - done);
            fill(buf, done, len);
            sha.update(buf, 0, len);
            done += len;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Reads a stream to its end; returns its SHA-256 hex and length. */
    static String[] digest(InputStream in) throws IOException {
        MessageDigest sha = sha();
        byte[] buf = new byte[65536];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0;) {
            sha.update(buf, 0, n);
            total += n;
        }
        return new String[] {HexFormat.of().formatHex(sha.digest()), Long.toString(total)};
    }

    /** An input stream of the first {@code n} pattern bytes. */
    static InputStream stream(long n) {
        return new InputStream() {
            private long pos;

            @Override
            public int read() {
                return pos < n ? at(pos++) & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= n) {
                    return -1;
                }
                int count = (int) Math.min(len, n - pos);
                for (int i = 0; i < count; i++) {
                    b[off + i] = at(pos + i);
                }
                pos += count;
                return count;
            }
        };
    }

    static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
