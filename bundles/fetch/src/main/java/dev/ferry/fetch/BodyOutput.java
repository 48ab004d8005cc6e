package dev.ferry.fetch;

import io.netty.buffer.ByteBuf;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the body goes: stdout, or the {@code -o} file, which is created only once a final response head arrived, so a
 * failed fetch leaves no empty file behind. Used by the one thread that copies the body.
 */
final class BodyOutput implements Closeable {

    private final OutputStream stdout;
    private final Path file;
    private OutputStream out;

    /** @param file the -o file, or null for stdout */
    BodyOutput(OutputStream stdout, Path file) {
        this.stdout = stdout;
        this.file = file;
    }

    /** Opens (creates or truncates) the output; does nothing the second time. */
    void open() throws IOException {
        if (out == null) {
            out = file == null ? stdout : Files.newOutputStream(file);
        }
    }

    /** Writes the buffer's readable bytes (advancing its reader index); the caller keeps ownership. */
    void write(ByteBuf buf) throws IOException {
        open();
        buf.readBytes(out, buf.readableBytes());
    }

    void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    /** Where this writes, for error messages. */
    String describe() {
        return file == null ? "stdout" : file.toString();
    }

    /** Flushes stdout (which stays open for the caller) or closes the file. */
    @Override
    public void close() throws IOException {
        if (out == null) {
            return;
        }
        if (file == null) {
            out.flush();
        } else {
            out.close();
        }
    }
}
