package io.hwnas.core;

import java.io.IOException;
import java.nio.file.Path;

/** A path as a key that names one place: symbolic links resolved where it exists. */
public final class RealPath {
    private RealPath() {}

    /** {@code p}'s real path; when it does not exist (or cannot be read), its absolute normalized path. */
    public static Path of(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException | SecurityException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
