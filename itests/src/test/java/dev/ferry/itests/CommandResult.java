package dev.ferry.itests;

import java.io.IOException;
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

    /** Runs {@code command}; fails the test if it has not finished after {@code timeoutSeconds}. */
    static CommandResult run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        byte[][] streams = new byte[2][];
        // stderr on its own thread, so that neither pipe fills up while the other is read
        Thread errReader = new Thread(() -> {
            try {
                streams[1] = p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                streams[1] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        }, "command-stderr");
        errReader.start();
        streams[0] = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish in " + timeoutSeconds + " s: " + command);
        }
        errReader.join();
        return new CommandResult(p.exitValue(), new String(streams[0], StandardCharsets.UTF_8),
                new String(streams[1], StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
