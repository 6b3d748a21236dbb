package io.hwnas.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Line-oriented text files (architecture lists, CSV tables): bounded, text only, refusals naming file and line. */
class TextFilesTest {
    @TempDir
    Path tmp;

    private static void has(HwnasException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void readsLinesWithoutLineEndsOrByteOrderMark() throws IOException {
        Path f = tmp.resolve("list.txt");
        Files.writeString(f, "\uFEFFk3_e1 skip\r\n# caf\u00e9\n\nlast");
        assertEquals(List.of("k3_e1 skip", "# caf\u00e9", "", "last"), TextFiles.readLines(f));
    }

    @Test
    void binaryFilesAreRefusedNamingTheLine() throws IOException {
        Path f = tmp.resolve("prog");
        Files.write(f, new byte[] {'o', 'k', '\n', 0x7f, 'E', 'L', 'F', 0, 1});
        has(assertThrows(HwnasException.class, () -> TextFiles.readLines(f)), "prog: not a text file",
                "line 2 holds a NUL byte");
        Files.write(f, "ok\nok\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        HwnasException e = assertThrows(HwnasException.class, () -> TextFiles.readLines(f));
        has(e, "prog: not a text file (line 3 is not UTF-8)");
        assertTrue(!e.getMessage().contains("Input length"), e.getMessage());
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES,
            threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD) // a hang guard: reading /dev/zero never ends
    void devicesHugeFilesAndLongLinesAreRefusedAtOnce() throws IOException {
        has(assertThrows(HwnasException.class, () -> TextFiles.readLines(Path.of("/dev/zero"))), "/dev/zero",
                "not a regular file", "give a text file");
        Path f = tmp.resolve("big.txt");
        try (var raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(TextFiles.MAX_TEXT_BYTES + 1); // sparse: refused from its size alone
        }
        has(assertThrows(HwnasException.class, () -> TextFiles.readLines(f)), "big.txt", "limit for a text file");
        Files.writeString(f, "short\n" + "k3_e1 ".repeat(20));
        has(assertThrows(HwnasException.class, () -> TextFiles.readLines(f, 1000, 50)), "big.txt",
                "line 2 is longer than 50 characters");
        has(assertThrows(HwnasException.class, () -> TextFiles.readLines(tmp)), "is a directory");
        has(assertThrows(HwnasException.class, () -> TextFiles.readLines(tmp.resolve("none"))), "no such file");
    }

    @Test
    void aPipeIsReadAsALineFileButNotAsJson() throws Exception {
        Path fifo = tmp.resolve("list.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mk.waitFor());
        Thread writer = new Thread(() -> { // a shell's <(printf ...) as the other end
            try {
                Files.writeString(fifo, "k3_e1 skip\nk5_e6 k3_e3\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.setDaemon(true); // should the read refuse the pipe unopened, the writer must not hold the JVM
        writer.start();
        assertEquals(List.of("k3_e1 skip", "k5_e6 k3_e3"), TextFiles.readLines(fifo));
        writer.join(10_000);
        has(assertThrows(HwnasException.class, () -> Json.readText(fifo)), "list.fifo", "not a regular file");
    }
}
