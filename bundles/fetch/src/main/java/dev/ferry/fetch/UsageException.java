package dev.ferry.fetch;

/** The command line is wrong: the message says what and names the option; ferry-fetch exits with status 2. */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
