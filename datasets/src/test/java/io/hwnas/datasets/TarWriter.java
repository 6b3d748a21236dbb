package io.hwnas.datasets;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Writes small ustar archives for test fixtures. */
final class TarWriter {
    private TarWriter() {}

    static byte[] tar(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            byte[] h = new byte[512];
            put(h, 0, e.getKey());
            put(h, 100, "0000644");
            put(h, 108, "0000000");
            put(h, 116, "0000000");
            put(h, 124, String.format("%011o", e.getValue().length));
            put(h, 136, "00000000000");
            h[156] = '0';
            put(h, 257, "ustar");
            h[263] = '0';
            h[264] = '0';
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            int sum = 0;
            for (byte b : h) {
                sum += b & 0xFF;
            }
            put(h, 148, String.format("%06o", sum));
            h[154] = 0;
            out.writeBytes(h);
            out.writeBytes(e.getValue());
            int pad = (512 - e.getValue().length % 512) % 512;
            out.writeBytes(new byte[pad]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    static void write(Path file, Map<String, byte[]> files, boolean gzip) throws IOException {
        byte[] t = tar(files);
        if (gzip) {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (OutputStream g = new GZIPOutputStream(bos)) {
                g.write(t);
            }
            t = bos.toByteArray();
        }
        Files.write(file, t);
    }

    /** Every regular file under {@code root}, named relative to {@code root.getParent()}, sorted. */
    static Map<String, byte[]> collect(Path root) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (var s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                m.put(root.getParent().relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
