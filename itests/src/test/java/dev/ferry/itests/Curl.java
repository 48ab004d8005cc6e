package dev.ferry.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real curl and keeps what it said. */
final class Curl {

    final int exit;
    final String out;
    final String err;

    private Curl(int exit, String out, String err) {
        this.exit = exit;
        this.out = out;
        this.err = err;
    }

    static Curl run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("curl");
        command.add("--silent");
        command.add("--show-error");
        command.add("--max-time");
        command.add("60");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        byte[][] streams = new byte[2][];
        Thread errReader = new Thread(() -> {
            try {
                streams[1] = p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                streams[1] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        errReader.start();
        streams[0] = p.getInputStream().readAllBytes();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl did not finish: " + command);
        }
        errReader.join();
        return new Curl(p.exitValue(), new String(streams[0], StandardCharsets.UTF_8),
                new String(streams[1], StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "curl exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
