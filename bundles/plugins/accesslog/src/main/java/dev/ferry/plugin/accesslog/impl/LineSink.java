package dev.ferry.plugin.accesslog.impl;

import java.io.IOException;

/** Where a {@link LogWriter}'s thread puts the lines: the log file, or a test's stand-in. Used by that thread only. */
interface LineSink {

    /** Writes one line; a line end is added. */
    void write(String line) throws IOException;

    void flush() throws IOException;

    /** Flushes and closes; the sink is not used again. */
    void close() throws IOException;
}
