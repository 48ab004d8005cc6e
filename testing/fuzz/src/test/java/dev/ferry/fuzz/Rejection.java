package dev.ferry.fuzz;

/**
 * A parser's documented way to refuse input: an exception whose message says what is wrong. The fuzz targets accept
 * that as an outcome; an exception without a message is as useless to the operator reading the log as a crash.
 */
public final class Rejection {

    private Rejection() {
    }

    /** Fails unless {@code refusal} explains itself. */
    public static void assertExplained(Exception refusal) {
        String message = refusal.getMessage();
        if (message == null || message.isBlank()) {
            throw new AssertionError("refused without saying why", refusal);
        }
    }
}
