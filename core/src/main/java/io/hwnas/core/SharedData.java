package io.hwnas.core;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the project's shared, read-only data ({@code ../shared} beside the checkout). Order:
 * the {@code HWNAS_SHARED} environment variable (refused when set to no folder), the {@code hwnas.shared} system property,
 * {@code <hwnas.root>/../shared}, then {@code ../shared} and {@code ../../shared} from the
 * working directory.
 */
public final class SharedData {
    private SharedData() {}

    public static Path root() {
        return root(System.getenv("HWNAS_SHARED"));
    }

    /**
     * {@link #root()}, or null when no shared folder is found; {@code HWNAS_SHARED} set to no folder
     * is still refused (for callers with other places to look, such as the datasets).
     */
    public static Path rootOrNull() {
        return rootOrNull(System.getenv("HWNAS_SHARED"));
    }

    static Path rootOrNull(String env) {
        if (env != null && !env.isBlank()) {
            return root(env);
        }
        try {
            return root(env);
        } catch (HwnasException e) {
            return null;
        }
    }

    /** {@link #root()} with {@code env} as the value of {@code HWNAS_SHARED} (null: unset). */
    static Path root(String env) {
        if (env != null && !env.isBlank()) {
            if (!Files.isDirectory(Path.of(env))) { // a setting that points nowhere is a mistake, not a hint
                throw new HwnasException("HWNAS_SHARED=" + env + ": no such folder; set it to the folder holding"
                        + " data/, or unset it to use ../shared beside the checkout");
            }
            return Path.of(env);
        }
        String prop = System.getProperty("hwnas.shared");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop);
        }
        String root = System.getProperty("hwnas.root");
        if (root != null && Files.isDirectory(Path.of(root, "..", "shared"))) {
            return Path.of(root, "..", "shared").normalize();
        }
        for (String c : new String[] {"../shared", "../../shared"}) {
            if (Files.isDirectory(Path.of(c))) {
                return Path.of(c).toAbsolutePath().normalize();
            }
        }
        throw new HwnasException("cannot find the shared data folder: set HWNAS_SHARED to the folder holding data/"
                + " (normally ../shared beside the checkout)");
    }

    /** A file under {@code shared/data/}, or a clear error if it is missing. */
    public static Path data(String relative) {
        Path p = root().resolve("data").resolve(relative);
        if (!Files.exists(p)) {
            throw new HwnasException(p + ": no such file (shared data missing?)");
        }
        return p;
    }
}
