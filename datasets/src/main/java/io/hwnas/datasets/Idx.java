package io.hwnas.datasets;

import io.hwnas.core.HwnasException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for the IDX format of (Fashion-)MNIST: a 4-byte magic {@code 0x00 0x00 type ndims}
 * (type 0x08 = unsigned byte), {@code ndims} big-endian int32 dimensions, then the payload.
 * Files may be gzip-compressed (detected from the content, not the name). Every defect is
 * reported with the file name and what was expected vs found; nothing is ever read short.
 */
final class Idx {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private Idx() {}

    /** The decoded content of an IDX file: its dimensions and its payload bytes. */
    record Content(int[] dims, byte[] data) {}

    /** Reads an IDX file of unsigned bytes with {@code ndims} dimensions ({@code expectedMagic}). */
    static Content read(Path file, int expectedMagic) {
        byte[] all = readMaybeGzip(file);
        int ndims = expectedMagic & 0xFF;
        int headerBytes = 4 + 4 * ndims;
        if (all.length < headerBytes) {
            throw HwnasException.inFile(file, "too short for an IDX header: expected at least " + headerBytes
                    + " bytes, found " + all.length + " (truncated or not an IDX file)");
        }
        int magic = readInt(all, 0);
        if (magic != expectedMagic) {
            throw HwnasException.inFile(file, String.format("bad IDX magic number 0x%08x: expected 0x%08x (%s)",
                    magic, expectedMagic, expectedMagic == IMAGES_MAGIC
                            ? "an unsigned-byte image file with 3 dimensions"
                            : "an unsigned-byte label file with 1 dimension")
                    + (magic == LABELS_MAGIC || magic == IMAGES_MAGIC ? "; images and labels files swapped?" : ""));
        }
        int[] dims = new int[ndims];
        long payload = 1;
        for (int d = 0; d < ndims; d++) {
            dims[d] = readInt(all, 4 + 4 * d);
            if (dims[d] < 0) {
                throw HwnasException.inFile(file, "IDX dimension " + d + " = " + dims[d] + ": must be >= 0 (corrupt header)");
            }
            payload *= dims[d];
        }
        long found = all.length - headerBytes;
        if (found != payload) {
            String what = ndims == 3 ? dims[0] + " images of " + dims[1] + "x" + dims[2] : dims[0] + " labels";
            throw HwnasException.inFile(file, "header says " + what + " = " + payload + " payload bytes, found "
                    + found + (found < payload ? " (file truncated?)" : " (unexpected trailing bytes)"));
        }
        byte[] data = new byte[(int) payload];
        System.arraycopy(all, headerBytes, data, 0, data.length);
        return new Content(dims, data);
    }

    /** All bytes of {@code file}, gunzipped if it starts with the gzip magic {@code 1f 8b}. */
    static byte[] readMaybeGzip(Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            if (!gzip && file.getFileName().toString().endsWith(".gz")) {
                throw HwnasException.inFile(file, String.format("not a gzip file: expected magic 1f 8b, found %s",
                        b0 < 0 ? "an empty file" : b1 < 0 ? String.format("%02x", b0) : String.format("%02x %02x", b0, b1)));
            }
            if (!gzip) {
                return raw.readAllBytes();
            }
            try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
                return in.readAllBytes();
            } catch (EOFException e) {
                throw HwnasException.inFile(file, "truncated gzip stream (" + e.getMessage() + "): the file ("
                        + Files.size(file) + " bytes) ends before its compressed data does; re-download it");
            } catch (ZipException e) {
                throw HwnasException.inFile(file, "corrupt gzip data (" + e.getMessage() + "); re-download it");
            }
        } catch (NoSuchFileException e) {
            throw HwnasException.inFile(file, "no such file");
        } catch (IOException e) {
            throw HwnasException.inFile(file, "cannot read: " + e);
        }
    }

    static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }
}
