package dev.ferry.itests;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Runs the distribution's {@code bin/ferry-fetch}, the command-line client built on Ferry's upstream stack. */
final class FerryFetch {

    private FerryFetch() {
    }

    static CommandResult run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(FerryProcess.DISTRIBUTION.resolve("bin/ferry-fetch").toString());
        command.addAll(List.of(args));
        return CommandResult.run(command, 90);
    }
}
