package io.hwnas.datasets;

import io.hwnas.supernet.util.HwnasException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CIFAR-10 readers (placeholder until the binary/tar/folder readers land). */
final class Cifar10 {
    private Cifar10() {}

    static ImageSet load(Path p, boolean train) {
        throw new HwnasException("cifar10: not implemented yet");
    }

    static boolean recognizable(Path p) {
        return Files.exists(p);
    }
}
