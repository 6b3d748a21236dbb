package io.hwnas.datasets;

import io.hwnas.core.HwnasException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Streaming reads of tar archives by Apache Commons Compress (ustar, GNU and pax: long names,
 * large sizes, sparse-free regular files; gzip detected from the content). Each wanted regular
 * file's bytes are read into memory and handed over; the rest is skipped. Every failure is an
 * {@link HwnasException} naming the file and, where known, the entry: a damaged header (bad
 * checksum), a truncated archive, corrupt gzip data.
 *
 * <p>Commons Compress does not verify header checksums while reading (only when sniffing a
 * format), so a damaged header would silently give a wrong entry name or size: each header block
 * is checked here, taken from a small ring buffer of the raw stream ({@link Tap}).
 */
final class Tar {
    private static final int BLOCK = 512;

    private Tar() {}

    /** Passes bytes through, keeping the last 64 KiB so a header block can be checked after the library parsed it. */
    static final class Tap extends java.io.FilterInputStream {
        private final byte[] ring = new byte[1 << 16];
        private long total;

        Tap(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                ring[(int) (total++ & (ring.length - 1))] = (byte) b;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            for (int i = 0; i < n; i++) {
                ring[(int) (total++ & (ring.length - 1))] = b[off + i];
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // read through, so the ring stays aligned with the stream position
            byte[] buf = new byte[8192];
            long left = n;
            while (left > 0) {
                int r = read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    break;
                }
                left -= r;
            }
            return n - left;
        }

        /** The 512 bytes at stream offset {@code at}, or null when they are no longer (or not yet) held. */
        byte[] block(long at) {
            if (at < 0 || at + BLOCK > total || total - at > ring.length) {
                return null;
            }
            byte[] b = new byte[BLOCK];
            for (int i = 0; i < BLOCK; i++) {
                b[i] = ring[(int) ((at + i) & (ring.length - 1))];
            }
            return b;
        }
    }

    private static long octal(byte[] h, int off, int len) {
        long v = 0;
        for (int i = off; i < off + len; i++) {
            int c = h[i];
            if (c == 0 || c == ' ') {
                if (v != 0) {
                    break;
                }
                continue;
            }
            if (c < '0' || c > '7') {
                return -1;
            }
            v = v * 8 + (c - '0');
        }
        return v;
    }

    /** True if {@code file} is a regular file named .tar, .tar.gz or .tgz (content is checked when read). */
    static boolean looksLikeTar(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".tar") || n.endsWith(".tar.gz") || n.endsWith(".tgz");
    }

    /** Calls {@code sink(name, bytes)} for every regular file whose name {@code want} accepts, in archive order. */
    static void read(Path file, Predicate<String> want, BiConsumer<String, byte[]> sink) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            Tap tap = new Tap(in);
            readEntries(file, tap, new TarArchiveInputStream(tap), want, sink);
        } catch (NoSuchFileException e) {
            throw HwnasException.inFile(file, "no such file");
        } catch (EOFException e) {
            throw HwnasException.inFile(file, "truncated compressed stream (" + e.getMessage() + ")");
        } catch (ZipException e) {
            throw HwnasException.inFile(file, "corrupt gzip data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw HwnasException.inFile(file, "cannot read: " + e);
        }
    }

    private static void readEntries(Path file, Tap tap, TarArchiveInputStream tar, Predicate<String> want,
            BiConsumer<String, byte[]> sink) throws IOException {
        while (true) {
            long at = tar.getBytesRead();
            TarArchiveEntry e;
            try {
                e = tar.getNextEntry();
            } catch (IOException | IllegalArgumentException ex) {
                if (ex instanceof EOFException || String.valueOf(ex.getMessage()).toLowerCase(java.util.Locale.ROOT)
                        .contains("truncated")) {
                    throw HwnasException.inFile(file, "truncated tar: the entry after byte " + at + " is cut short ("
                            + ex.getMessage() + ")");
                }
                if (ex.getCause() instanceof ZipException || ex instanceof ZipException) {
                    throw HwnasException.inFile(file, "corrupt gzip data (" + ex.getMessage() + ")");
                }
                throw HwnasException.inFile(file, "corrupt tar header at byte " + at + ": bad checksum or format (not a"
                        + " tar file, or damaged: " + ex.getMessage() + ")");
            }
            if (e == null) {
                return; // end of archive (with or without the two zero blocks, as GNU tar)
            }
            long headerAt = tar.getBytesRead() - BLOCK;
            byte[] header = tap.block(headerAt);
            if (header != null) {
                long stored = octal(header, 148, 8);
                long sum = 0;
                for (int i = 0; i < BLOCK; i++) {
                    sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xFF;
                }
                if (stored != sum) {
                    throw HwnasException.inFile(file, "corrupt tar header at byte " + headerAt + ": checksum " + stored
                            + " stored, " + sum + " computed (not a tar file, or damaged)");
                }
            }
            if (!e.isFile() || !want.test(e.getName())) {
                continue; // the library skips the entry's data
            }
            long size = e.getSize();
            if (size > Integer.MAX_VALUE - 16) {
                throw HwnasException.inFile(file, "tar entry '" + e.getName() + "' too large: " + size + " bytes");
            }
            byte[] data;
            try {
                data = tar.readNBytes((int) size);
            } catch (IOException ex) {
                if (ex.getCause() instanceof ZipException || ex instanceof ZipException) {
                    throw HwnasException.inFile(file, "corrupt gzip data in entry '" + e.getName() + "' ("
                            + ex.getMessage() + ")");
                }
                throw HwnasException.inFile(file, "truncated tar: entry '" + e.getName() + "' needs " + size
                        + " bytes (" + ex.getMessage() + ")");
            }
            if (data.length < size) {
                throw HwnasException.inFile(file, "truncated tar: entry '" + e.getName() + "' needs " + size
                        + " bytes, found " + data.length);
            }
            sink.accept(e.getName(), data);
        }
    }
}
