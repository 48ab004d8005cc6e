package dev.ferry.fetch;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One run of {@link FerryFetch#run} with captured stdout and stderr. */
final class FetchRun {

    final int exitStatus;
    final byte[] stdout;
    final String stderr;

    private FetchRun(int exitStatus, byte[] stdout, String stderr) {
        this.exitStatus = exitStatus;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static FetchRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        return into(out, args).withStdout(out.toByteArray());
    }

    /** Runs with the body going to {@code stdout}; the result's stdout is empty. */
    static FetchRun into(OutputStream stdout, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = FerryFetch.run(args, stdout, errStream);
        }
        return new FetchRun(status, new byte[0], err.toString(StandardCharsets.UTF_8));
    }

    private FetchRun withStdout(byte[] out) {
        return new FetchRun(exitStatus, out, stderr);
    }

    String body() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "exit " + exitStatus + ", stderr:\n" + stderr;
    }
}
