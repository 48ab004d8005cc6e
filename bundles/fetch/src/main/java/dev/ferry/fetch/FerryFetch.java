package dev.ferry.fetch;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * {@code ferry-fetch [options] URL}: fetches one URL through Ferry's own resolver, pool and connect jobs, like
 * Chromium's churl. Exit status: 0 when a response arrived (any status), 1 when the fetch failed
 * ({@code ferry-fetch: <error token>: <message>} on stderr), 2 for a wrong command line, 28 when --max-time ran out.
 */
public final class FerryFetch {

    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 2;

    private FerryFetch() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the tool without exiting the JVM.
     *
     * @param stdout where the body goes (without -o); flushed, not closed
     * @param stderr messages, and the -v trace
     * @return the exit status
     */
    public static int run(String[] args, OutputStream stdout, PrintStream stderr) {
        FetchOptions options;
        try {
            options = FetchOptions.parse(args);
        } catch (UsageException e) {
            return usageError(stderr, e);
        }
        if (options.help()) {
            PrintStream out = new PrintStream(stdout, true);
            out.print(FetchOptions.USAGE);
            out.flush();
            return EXIT_OK;
        }
        ClientStack stack;
        try {
            stack = ClientStack.start(options);
        } catch (UsageException e) {
            return usageError(stderr, e);
        }
        try (stack; BodyOutput output = new BodyOutput(stdout, options.output())) {
            VerboseTrace trace = options.verbose() ? new VerboseTrace(stderr) : null;
            new Fetch(options, stack.connector(), stack.loop(), trace).run(output);
            return EXIT_OK;
        } catch (FetchFailure e) {
            stderr.println("ferry-fetch: " + e.token() + ": " + e.getMessage());
            return e.exitStatus();
        } catch (IOException e) {
            stderr.println("ferry-fetch: write_error: cannot finish "
                    + (options.output() == null ? "stdout" : options.output()) + ": " + e.getMessage());
            return FetchFailure.EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stderr.println("ferry-fetch: interrupted");
            return FetchFailure.EXIT_FAILED;
        }
    }

    private static int usageError(PrintStream stderr, UsageException e) {
        stderr.println("ferry-fetch: " + e.getMessage());
        stderr.print(FetchOptions.USAGE);
        stderr.flush();
        return EXIT_USAGE;
    }
}
