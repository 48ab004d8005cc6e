package dev.ferry.itests;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An external command run to its end: its exit code and what it printed on stdout and stderr. */
final class CommandResult {

    final int exit;
    final String out;
    final String err;

    private CommandResult(int exit, String out, String err) {
        this.exit = exit;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs {@code command}; fails the test if it has not finished after {@code timeoutSeconds}, and then stops it and
     * every process it started (a hung child would otherwise hold the pipes open and the test with them).
     */
    static CommandResult run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        byte[][] streams = new byte[2][];
        // Both pipes on threads of their own: neither fills up while the other is read, and the wait below is bounded.
        Thread outReader = drain(p.getInputStream(), streams, 0, "command-stdout");
        Thread errReader = drain(p.getErrorStream(), streams, 1, "command-stderr");
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroy); // TERM first: a script's exit trap cleans up
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            outReader.join(10_000);
            throw new AssertionError("did not finish in " + timeoutSeconds + " s: " + command + "\n--- stdout\n"
                    + (streams[0] == null ? "" : new String(streams[0], StandardCharsets.UTF_8)));
        }
        outReader.join();
        errReader.join();
        return new CommandResult(p.exitValue(), new String(streams[0], StandardCharsets.UTF_8),
                new String(streams[1], StandardCharsets.UTF_8));
    }

    private static Thread drain(InputStream in, byte[][] streams, int index, String name) {
        Thread reader = new Thread(() -> {
            try {
                streams[index] = in.readAllBytes();
            } catch (IOException e) {
                streams[index] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        }, name);
        reader.start();
        return reader;
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
