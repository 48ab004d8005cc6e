package dev.ferry.spdy.client;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Deterministic test bytes, the same on both ends: byte i of pattern {@code seed} depends only on (seed, i). */
final class Patterns {

    private Patterns() {
    }

    static byte at(long seed, long index) {
        long x = (index + 1) * 0x9E3779B97F4A7C15L ^ seed * 0xC2B2AE3D27D4EB4FL;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        return (byte) (x >>> 32);
    }

    static void fill(long seed, long offset, byte[] target, int from, int length) {
        for (int i = 0; i < length; i++) {
            target[from + i] = at(seed, offset + i);
        }
    }

    static byte[] bytes(long seed, int length) {
        byte[] bytes = new byte[length];
        fill(seed, 0, bytes, 0, length);
        return bytes;
    }

    static byte[] random(long seed, int length) {
        byte[] bytes = new byte[length];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static String sha256OfPattern(long seed, long length) {
        MessageDigest digest = digest();
        byte[] buffer = new byte[8192];
        for (long offset = 0; offset < length; offset += buffer.length) {
            int n = (int) Math.min(buffer.length, length - offset);
            fill(seed, offset, buffer, 0, n);
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
