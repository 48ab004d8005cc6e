package dev.ferry.engine.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.fuzz.Rejection;
import java.nio.charset.StandardCharsets;

/** Request targets, absolute-form and CONNECT authority-form: parsed, or refused with a reason. */
class RequestTargetFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) {
        // ISO-8859-1: the bytes of a request line as Netty's decoder hands them on
        String text = new String(input, StandardCharsets.ISO_8859_1);
        try {
            RequestTarget connect = RequestTarget.authority(text);
            assertTrue(connect.isConnect());
            connect.resolverUrl();
        } catch (IllegalArgumentException e) {
            Rejection.assertExplained(e);
        }
        RequestTarget absolute;
        try {
            absolute = RequestTarget.absolute(text);
        } catch (IllegalArgumentException e) {
            Rejection.assertExplained(e);
            return;
        }
        assertTrue(absolute.originForm().startsWith("/"), "origin-form " + absolute.originForm());
        // the engine falls back to the bare authority when the path is no URI; the authority itself must be one
        // (ExchangeHandler answers 400 for an IllegalArgumentException here)
        try {
            absolute.resolverUrl();
        } catch (IllegalArgumentException e) {
            Rejection.assertExplained(e);
        }
        // what goes to an upstream proxy must name the same place and path
        RequestTarget again = RequestTarget.absolute(absolute.absoluteForm());
        assertEquals(absolute.destination(), again.destination(), "destination of " + absolute.absoluteForm());
        assertEquals(absolute.originForm(), again.originForm(), "origin-form of " + absolute.absoluteForm());
    }
}
