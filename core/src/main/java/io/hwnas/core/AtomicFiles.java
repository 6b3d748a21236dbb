package io.hwnas.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files are written to a temporary sibling and renamed into place, so a killed run never leaves
 * a torn file behind: readers see the old content or the new, never half of one.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Something that writes a whole file's content to a stream. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static final String TMP_SUFFIX = ".tmp";

    /**
     * Whether {@code name} is a temporary file {@link #write} makes beside its target (".NAME.DIGITS.tmp"),
     * left behind only when the JVM stopped in the middle of a write.
     */
    public static boolean isTemporary(String name) {
        return name.matches("\\..+\\.\\d+" + java.util.regex.Pattern.quote(TMP_SUFFIX));
    }

    /** Writes {@code target} whole or not at all, through the {@link FileGate}. */
    public static void write(Path target, Writer writer) throws IOException {
        FileGate.pass(() -> {
            writeNow(target, writer);
            return null;
        });
    }

    private static void writeNow(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", TMP_SUFFIX);
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.write(out);
            }
            readableByOthers(tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // createTempFile makes the file 0600; results are ordinary files (0644, umask permitting)
    private static void readableByOthers(Path p) throws IOException {
        if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    public static void writeString(Path target, String content) throws IOException {
        write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }
}
