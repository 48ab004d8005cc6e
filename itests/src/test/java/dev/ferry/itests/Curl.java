package dev.ferry.itests;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Runs the real curl and keeps what it said. */
final class Curl {

    final int exit;
    final String out;
    final String err;

    private Curl(CommandResult result) {
        this.exit = result.exit;
        this.out = result.out;
        this.err = result.err;
    }

    static Curl run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("curl");
        command.add("--silent");
        command.add("--show-error");
        command.add("--max-time");
        command.add("60");
        command.addAll(List.of(args));
        return new Curl(CommandResult.run(command, 90));
    }

    @Override
    public String toString() {
        return "curl exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
