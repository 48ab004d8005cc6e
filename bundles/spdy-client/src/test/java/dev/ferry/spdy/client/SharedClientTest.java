package dev.ferry.spdy.client;

import org.junit.AfterClass;
import org.junit.BeforeClass;

/**
 * A test class whose tests open their sessions with one {@link SpdyClient}, started before the class's first test and
 * closed after its last (test classes run one after another, so one field serves them all). Each subclass declares
 * the leak check (dev.ferry.testing.LeakCheck) itself.
 */
public abstract class SharedClientTest {

    static SpdyClient client;

    @BeforeClass
    public static void startClient() {
        client = new SpdyClient();
    }

    @AfterClass
    public static void stopClient() {
        client.close();
    }
}
