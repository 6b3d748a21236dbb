package io.hwnas.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Every file under a folder with its SHA-256 and modification time: equal snapshots = nothing changed. */
record Snapshot(Map<String, String> files) {
    static Snapshot of(Path root) {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
                    m.put(root.relativize(p).toString(), HexFormat.of().formatHex(d) + " "
                            + Files.getLastModifiedTime(p).toMillis());
                } else if (Files.isDirectory(p)) {
                    m.put(root.relativize(p) + "/", "dir");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new Snapshot(m);
    }
}
