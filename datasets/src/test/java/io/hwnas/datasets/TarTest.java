package io.hwnas.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tar reading through Commons Compress, with every header's checksum still verified. */
class TarTest {
    private static Map<String, byte[]> files(int n, int size) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[size + i * 37];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) (i * 31 + k);
            }
            m.put("d/f" + i + ".bin", b);
        }
        return m;
    }

    @Test
    void everyEntryComesBackInOrder(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> m = files(300, 700); // ~30 MB past the 64 KiB ring: headers far apart
        Path f = tmp.resolve("a.tar.gz");
        TarWriter.write(f, m, true);
        List<String> names = new ArrayList<>();
        Tar.read(f, n -> true, (n, b) -> {
            names.add(n);
            if (m.containsKey(n)) {
                assertArrayEquals(m.get(n), b, n);
            }
        });
        assertEquals(300, names.size());
        assertEquals("d/f0.bin", names.get(0));
    }

    @Test
    void gnuAndPaxLongNamesAreRead(@TempDir Path tmp) throws IOException {
        String longName = "cifar10_jpg/train/cat/" + "a-very-long-file-name-".repeat(8) + ".jpg"; // > 100 chars
        for (int mode : new int[] {TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.LONGFILE_POSIX}) {
            Path f = tmp.resolve("long-" + mode + ".tar");
            try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(f))) {
                out.setLongFileMode(mode);
                for (String n : List.of("short.txt", longName)) {
                    TarArchiveEntry e = new TarArchiveEntry(n);
                    e.setSize(3);
                    out.putArchiveEntry(e);
                    out.write(new byte[] {7, 8, 9});
                    out.closeArchiveEntry();
                }
            }
            List<String> names = new ArrayList<>();
            Tar.read(f, n -> true, (n, b) -> {
                names.add(n);
                assertArrayEquals(new byte[] {7, 8, 9}, b);
            });
            assertEquals(List.of("short.txt", longName), names, "mode " + mode);
        }
    }

    @Test
    void aDamagedHeaderDeepInTheArchiveIsCaughtByItsChecksum(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> m = files(200, 900);
        byte[] t = TarWriter.tar(m);
        // find the 150th header: walk the sizes
        long at = 0;
        int k = 0;
        for (byte[] b : m.values()) {
            if (k++ == 150) {
                break;
            }
            at += 512 + (b.length + 511) / 512 * 512;
        }
        t[(int) at + 5] ^= 0x20; // "d/f150.bin" -> "d/f1P0.bin": a silent rename without the checksum
        Path f = tmp.resolve("damaged.tar");
        Files.write(f, t);
        HwnasException e = assertThrows(HwnasException.class, () -> Tar.read(f, n -> true, (n, b) -> { }));
        assertTrue(e.getMessage().contains("damaged.tar") && e.getMessage().contains("checksum")
                && e.getMessage().contains("byte " + at), e.getMessage());
    }
}
