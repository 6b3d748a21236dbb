package io.hwnas.datasets;

import io.hwnas.core.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cache of decoded image sets (decoding 60k JPEGs takes much longer than reading 180 MB), in
 * {@code $HWNAS_CACHE}, else the system property {@code hwnas.cache}, else
 * {@code ~/.cache/hwnas/}; {@code off} as either disables it. One file per (source, split):
 * a header ({@code HWNASIMG}, format version, the key describing the source — path, size,
 * modification time, split, image size —, name, C, H, W, classes, N), then N int32 labels
 * and the N*C*H*W pixels. A file is used only if its header matches the key and its size is
 * exactly what the header implies; otherwise it is ignored and rewritten. Written atomically.
 */
final class ImageCache {
    private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);
    private static final byte[] MAGIC = "HWNASIMG".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    /** Sets of at least this many decoded images are cached (about 5 s of decoding or more). */
    static final int MIN_IMAGES = 5000;

    private ImageCache() {}

    /** The cache folder, or null when caching is off. */
    static Path dir() {
        String v = System.getenv("HWNAS_CACHE");
        if (v == null || v.isBlank()) {
            v = System.getProperty("hwnas.cache");
        }
        if (v != null && v.equalsIgnoreCase("off")) {
            return null;
        }
        if (v != null && !v.isBlank()) {
            return Path.of(v);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "hwnas");
    }

    /**
     * A source's location as a cache key names it: its real path (symbolic links resolved), so that
     * every checkout reading the same shared data through its own {@code ../shared} link shares one
     * cache file.
     */
    static String where(Path source) {
        return io.hwnas.core.RealPath.of(source).toString();
    }

    /** The cache file for {@code key} in {@code dir}: {@code <prefix>-<hash of key>.u8}. */
    static Path file(Path dir, String prefix, String key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(prefix + "-" + HexFormat.of().formatHex(h, 0, 8) + ".u8");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cached set, or null if absent, stale or damaged (damage is logged). */
    static ImageSet read(Path file, String key) {
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC) || in.readInt() != VERSION) {
                LOG.warn("{}: not an hwnas image cache of version {}; ignoring it", file, VERSION);
                return null;
            }
            String k = in.readUTF();
            if (!k.equals(key)) {
                LOG.info("{}: cache of another source ({}); ignoring it", file, k);
                return null;
            }
            String name = in.readUTF();
            int c = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            int classes = in.readInt();
            int n = in.readInt();
            long headerBytes = MAGIC.length + 4 + utfBytes(k) + utfBytes(name) + 5 * 4;
            long expected = headerBytes + 4L * n + (long) n * c * h * w;
            long size = Files.size(file);
            if (n < 0 || c <= 0 || h <= 0 || w <= 0 || size != expected) {
                LOG.warn("{}: damaged cache ({} bytes, header implies {}); ignoring it", file, size, expected);
                return null;
            }
            byte[] lb = in.readNBytes(4 * n);
            int[] labels = new int[n];
            ByteBuffer.wrap(lb).asIntBuffer().get(labels);
            byte[] pixels = in.readNBytes(n * c * h * w);
            if (pixels.length != n * c * h * w) {
                LOG.warn("{}: damaged cache (short pixel data); ignoring it", file);
                return null;
            }
            return new ImageSet(name, c, h, w, classes, pixels, labels);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: unreadable cache ({}); ignoring it", file, e.toString());
            return null;
        }
    }

    /** Writes {@code set} to {@code file} atomically; failures are logged, never thrown. */
    static void write(Path file, String key, ImageSet set) {
        try {
            AtomicFiles.write(file, os -> {
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16));
                out.write(MAGIC);
                out.writeInt(VERSION);
                out.writeUTF(key);
                out.writeUTF(set.name());
                out.writeInt(set.channels());
                out.writeInt(set.height());
                out.writeInt(set.width());
                out.writeInt(set.classes());
                out.writeInt(set.size());
                ByteBuffer lb = ByteBuffer.allocate(4 * set.size());
                lb.asIntBuffer().put(set.labels());
                out.write(lb.array());
                out.write(set.pixels());
                out.flush();
            });
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: cannot write the image cache ({}); continuing without it", file, e.toString());
        }
    }

    private static long utfBytes(String s) {
        long n = 2;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            n += ch >= 1 && ch < 0x80 ? 1 : ch < 0x800 ? 2 : 3;
        }
        return n;
    }
}
