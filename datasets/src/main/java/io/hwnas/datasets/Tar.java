package io.hwnas.datasets;

import io.hwnas.core.HwnasException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A small streaming reader for tar archives (POSIX ustar and GNU/pax long names; gzip detected
 * from the content). Reads each wanted regular file's bytes into memory and hands them over;
 * skips the rest. Header checksums are verified; a truncated archive is an error naming the
 * file and the entry, never a short read.
 */
final class Tar {
    private static final int BLOCK = 512;

    private Tar() {}

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
            readEntries(file, in, want, sink);
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

    private static void readEntries(Path file, InputStream in, Predicate<String> want, BiConsumer<String, byte[]> sink)
            throws IOException {
        byte[] header = new byte[BLOCK];
        long offset = 0;
        String longName = null;
        while (true) {
            int n = in.readNBytes(header, 0, BLOCK);
            if (n == 0) {
                return; // end without the two zero blocks: tolerated, as GNU tar does
            }
            if (n < BLOCK) {
                throw HwnasException.inFile(file, "truncated tar: header at byte " + offset + " has " + n
                        + " of 512 bytes");
            }
            if (allZero(header)) {
                return;
            }
            long stored = octal(header, 148, 8);
            long sum = 0;
            for (int i = 0; i < BLOCK; i++) {
                sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xFF;
            }
            if (stored != sum) {
                throw HwnasException.inFile(file, "corrupt tar header at byte " + offset + ": checksum " + stored
                        + " stored, " + sum + " computed (not a tar file, or damaged)");
            }
            String name = string(header, 0, 100);
            String prefix = string(header, 345, 155);
            if (!prefix.isEmpty() && "ustar".equals(string(header, 257, 5).trim())) {
                name = prefix + "/" + name;
            }
            if (longName != null) {
                name = longName;
                longName = null;
            }
            long size = size(header);
            char type = (char) header[156];
            offset += BLOCK;
            long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
            boolean regular = type == '0' || type == 0 || type == '7';
            if (type == 'L' || type == 'x') {
                byte[] data = readFully(file, in, size, name);
                skip(file, in, padded - size, name);
                longName = type == 'L' ? string(data, 0, data.length) : paxPath(data);
            } else if (regular && want.test(name)) {
                if (size > Integer.MAX_VALUE - 16) {
                    throw HwnasException.inFile(file, "tar entry '" + name + "' too large: " + size + " bytes");
                }
                byte[] data = readFully(file, in, size, name);
                skip(file, in, padded - size, name);
                sink.accept(name, data);
            } else {
                skip(file, in, padded, name);
            }
            offset += padded;
        }
    }

    private static byte[] readFully(Path file, InputStream in, long size, String name) throws IOException {
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
            throw HwnasException.inFile(file, "truncated tar: entry '" + name + "' needs " + size + " bytes, found "
                    + data.length);
        }
        return data;
    }

    private static void skip(Path file, InputStream in, long n, String name) throws IOException {
        long left = n;
        byte[] buf = null;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (buf == null) {
                    buf = new byte[8192];
                }
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw HwnasException.inFile(file, "truncated tar: entry '" + name + "' needs " + n
                            + " more bytes, found " + (n - left));
                }
                s = r;
            }
            left -= s;
        }
    }

    private static String paxPath(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        String path = null;
        for (String line : s.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0 && line.startsWith("path=", sp + 1)) {
                path = line.substring(sp + 6);
            }
        }
        return path;
    }

    private static long size(byte[] h) {
        if ((h[124] & 0x80) != 0) { // GNU base-256 for large files
            long v = 0;
            for (int i = 125; i < 136; i++) {
                v = (v << 8) | (h[i] & 0xFF);
            }
            return v;
        }
        return octal(h, 124, 12);
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

    private static String string(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
