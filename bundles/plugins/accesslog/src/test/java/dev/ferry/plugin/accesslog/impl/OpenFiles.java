package dev.ferry.plugin.accesslog.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.Assume;

/** How many of this JVM's file descriptors are open on a file; Linux only (/proc/self/fd), else the test is skipped. */
final class OpenFiles {

    private OpenFiles() {
    }

    static long count(Path file) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        Assume.assumeTrue("no /proc/self/fd here", Files.isDirectory(fds));
        Path target = file.toRealPath();
        try (Stream<Path> entries = Files.list(fds)) {
            return entries.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(target);
                } catch (IOException | UnsupportedOperationException e) {
                    return false; // closed meanwhile (the listing's own descriptor, for one)
                }
            }).count();
        }
    }
}
