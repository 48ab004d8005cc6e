package dev.ferry.plugin.accesslog.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Appending, rotating by size (numbered, newest .1) and keeping maxFiles old files. */
public class RotatingFileWriterTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    /** "line-0042": 9 characters, 10 bytes with the line end. */
    private static String line(int n) {
        return String.format("line-%04d", n);
    }

    private static List<String> lines(int from, int to) {
        List<String> lines = new ArrayList<>();
        for (int n = from; n <= to; n++) {
            lines.add(line(n));
        }
        return lines;
    }

    private static List<String> read(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    @Test
    public void appendsToAnExistingFileInFoldersItCreates() throws IOException {
        Path file = folder.getRoot().toPath().resolve("data/log/access.log");
        RotatingFileWriter writer = RotatingFileWriter.open(file, 1000, 2);
        writer.write(line(1));
        writer.close();
        writer = RotatingFileWriter.open(file, 1000, 2);
        writer.write(line(2));
        writer.close();

        assertEquals(lines(1, 2), read(file));
        assertEquals(20, Files.size(file));
    }

    @Test
    public void rotatesBySizeKeepingMaxFilesTheOldestDeleted() throws IOException {
        Path file = folder.getRoot().toPath().resolve("access.log");
        RotatingFileWriter writer = RotatingFileWriter.open(file, 100, 3);
        for (int n = 1; n <= 100; n++) {
            writer.write(line(n));
        }
        writer.close();

        assertEquals("ten lines fill a file exactly", lines(91, 100), read(file));
        assertEquals(lines(81, 90), read(writer.numbered(1)));
        assertEquals(lines(71, 80), read(writer.numbered(2)));
        assertEquals(lines(61, 70), read(writer.numbered(3)));
        assertFalse(Files.exists(writer.numbered(4)));
        assertEquals(4, folder.getRoot().list().length);
    }

    @Test
    public void withMaxFilesZeroTheFullFileIsDeleted() throws IOException {
        Path file = folder.getRoot().toPath().resolve("access.log");
        RotatingFileWriter writer = RotatingFileWriter.open(file, 30, 0);
        for (int n = 1; n <= 7; n++) {
            writer.write(line(n));
        }
        writer.close();

        assertEquals(lines(7, 7), read(file));
        assertEquals(1, folder.getRoot().list().length);
    }

    @Test
    public void aLineLongerThanTheLimitGetsAFileOfItsOwn() throws IOException {
        Path file = folder.getRoot().toPath().resolve("access.log");
        RotatingFileWriter writer = RotatingFileWriter.open(file, 15, 5);
        writer.write(line(1));
        writer.write("x".repeat(40));
        writer.write(line(2));
        writer.close();

        assertEquals(lines(2, 2), read(file));
        assertEquals(List.of("x".repeat(40)), read(writer.numbered(1)));
        assertEquals(lines(1, 1), read(writer.numbered(2)));
    }

    @Test
    public void theLimitCountsUtf8Bytes() throws IOException {
        assertEquals(1 + 2 + 3 + 4, RotatingFileWriter.utf8Length("aé€\uD83D\uDE00"));
        Path file = folder.getRoot().toPath().resolve("access.log");
        RotatingFileWriter writer = RotatingFileWriter.open(file, 20, 5);
        writer.write("ééééé"); // 11 bytes with the line end
        writer.write("éééé"); // 9: exactly 20
        writer.write("é");
        writer.close();

        assertEquals(20, Files.size(writer.numbered(1)));
        assertEquals(List.of("é"), read(file));
    }

    @Test
    public void newLimitsApplyToTheOpenFile() throws IOException {
        Path file = folder.getRoot().toPath().resolve("access.log");
        RotatingFileWriter writer = RotatingFileWriter.open(file, 1000, 1);
        for (int n = 1; n <= 5; n++) {
            writer.write(line(n));
        }
        writer.limits(50, 1);
        writer.write(line(6));
        writer.close();

        assertEquals(lines(6, 6), read(file));
        assertEquals(lines(1, 5), read(writer.numbered(1)));
    }

    @Test
    public void aFileIsWrittenByOneLogOnly() throws IOException {
        Path file = folder.getRoot().toPath().resolve("access.log");
        RotatingFileWriter first = RotatingFileWriter.open(file, 1000, 1);
        try {
            RotatingFileWriter.open(folder.getRoot().toPath().resolve("x/../access.log"), 1000, 1).close();
            fail("the same file opened twice");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("already written by another access log"));
        }
        first.close();
        RotatingFileWriter.open(file, 1000, 1).close();
    }
}
