package io.hwnas.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Bounded reading of the files a user gives: refused at once, in one line naming the file, when
 * missing, unreadable, a folder or not a regular file (a device such as /dev/zero; a pipe is read
 * only for line files), larger than a limit, or not UTF-8 text. {@link Json} reads its files through here.
 */
public final class TextFiles {
    /** The largest line-oriented text file hwnas reads (an architecture list, a CSV table): 16 MiB. */
    public static final long MAX_TEXT_BYTES = 16L << 20;

    /** The longest line of such a file: far above any architecture string or CSV row hwnas knows. */
    public static final int MAX_LINE_CHARS = 10_000;

    private TextFiles() {}

    /**
     * The bytes of {@code file}, at most {@code maxBytes}; {@code what} names what was expected
     * ("a JSON file", "a text file") in the refusals.
     */
    public static byte[] readBytes(Path file, long maxBytes, String what) {
        return readBytes(file, maxBytes, what, false);
    }

    /**
     * {@link #readBytes(Path, long, String)}; with {@code pipes}, a named or anonymous pipe (a shell's
     * {@code <(...)}, {@code /dev/stdin} fed by a pipe) is read too, within the same limit.
     */
    static byte[] readBytes(Path file, long maxBytes, String what, boolean pipes) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new HwnasException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new HwnasException(file + ": permission denied");
        } catch (IOException | InvalidPathException e) {
            throw new HwnasException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (attrs.isDirectory()) {
            throw new HwnasException(file + ": is a directory, not " + what);
        }
        if (!attrs.isRegularFile() && !(pipes && isPipe(file))) {
            throw new HwnasException(file + ": not a regular file (a device" + (pipes ? "" : ", pipe") + " or socket);"
                    + " give " + what);
        }
        if (attrs.isRegularFile() && attrs.size() > maxBytes) {
            throw new HwnasException(file + ": " + attrs.size() + " bytes, larger than the " + maxBytes
                    + "-byte limit for " + what + "; is this the right file?");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) maxBytes + 1); // the size may have grown since
        } catch (AccessDeniedException e) {
            throw new HwnasException(file + ": permission denied");
        } catch (IOException e) {
            throw new HwnasException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (bytes.length > maxBytes) {
            throw new HwnasException(file + ": larger than the " + maxBytes + "-byte limit for " + what);
        }
        return bytes;
    }

    /**
     * The lines of a UTF-8 text file (without line ends; a leading byte-order mark dropped), refused
     * naming the line when one holds a NUL byte or is not UTF-8 ("not a text file"), or is longer
     * than {@code maxLineChars}; the file is bounded by {@code maxBytes}.
     */
    public static List<String> readLines(Path file, long maxBytes, int maxLineChars) {
        byte[] bytes = readBytes(file, maxBytes, "a text file", true);
        List<String> lines = new ArrayList<>();
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int start = 0;
        for (int lineNo = 1; start < bytes.length; lineNo++) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                if (bytes[end] == 0) {
                    throw new HwnasException(file + ": not a text file (line " + lineNo + " holds a NUL byte);"
                            + " expected UTF-8 text, one entry per line");
                }
                end++;
            }
            int stop = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
            if (stop - start > 4L * maxLineChars) { // more bytes than any line of maxLineChars characters has
                throw tooLong(file, lineNo, maxLineChars);
            }
            String line;
            try {
                line = dec.reset().decode(ByteBuffer.wrap(bytes, start, stop - start)).toString();
            } catch (CharacterCodingException e) {
                throw new HwnasException(file + ": not a text file (line " + lineNo + " is not UTF-8); expected UTF-8"
                        + " text, one entry per line");
            }
            if (lineNo == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.length() > maxLineChars) {
                throw tooLong(file, lineNo, maxLineChars);
            }
            lines.add(line);
            start = end + 1;
        }
        return lines;
    }

    /** Whether {@code file} is a pipe (FIFO), by its Unix file type; false where that cannot be read. */
    private static boolean isPipe(Path file) {
        try {
            return (((Integer) Files.getAttribute(file, "unix:mode")) & 0170000) == 0010000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return false;
        }
    }

    /** {@link #readLines(Path, long, int)} with the default limits. */
    public static List<String> readLines(Path file) {
        return readLines(file, MAX_TEXT_BYTES, MAX_LINE_CHARS);
    }

    private static HwnasException tooLong(Path file, int lineNo, int maxLineChars) {
        return new HwnasException(file + ": line " + lineNo + " is longer than " + maxLineChars
                + " characters; is this the right file?");
    }
}
