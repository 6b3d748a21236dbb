package io.hwnas.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads the full real CIFAR-10 tar (decoding 60k JPEGs), then again from the cache; prints the times. */
@Tag("slow")
class RealCifar10SlowTest {
    @Test
    void fullTarFirstTimeAndCached(@TempDir Path cache) throws Exception {
        CacheDir.into(cache);
        try {
            Path data = Datasets.locate("cifar10", null);
            long t0 = System.nanoTime();
            ImageSet train = Datasets.cifar10(data, true);
            long t1 = System.nanoTime();
            ImageSet test = Datasets.cifar10(data, false);
            long t2 = System.nanoTime();
            ImageSet trainCached = Datasets.cifar10(data, true);
            long t3 = System.nanoTime();
            ImageSet testCached = Datasets.cifar10(data, false);
            long t4 = System.nanoTime();
            System.out.printf("cifar10 tar: train %.1f s, test %.1f s first time; cached train %.2f s, test %.2f s%n",
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9);
            assertEquals(50_000, train.size());
            assertEquals(10_000, test.size());
            for (int c : train.classCounts()) {
                assertEquals(5000, c);
            }
            for (int c : test.classCounts()) {
                assertEquals(1000, c);
            }
            assertArrayEquals(train.pixels(), trainCached.pixels());
            assertArrayEquals(train.labels(), trainCached.labels());
            assertArrayEquals(test.pixels(), testCached.pixels());
            try (var s = Files.list(cache)) {
                assertEquals(2, s.count());
            }
            Normalization n = Normalization.compute(train);
            System.out.println("cifar10 (JPEG copy) train statistics: " + n);
            for (int c = 0; c < 3; c++) {
                assertEquals(Normalization.CIFAR10.mean()[c], n.mean()[c], 0.01f);
                assertEquals(Normalization.CIFAR10.std()[c], n.std()[c], 0.01f);
            }
            long f0 = System.nanoTime();
            ImageSet fm = Datasets.fashionMnist(SharedData.data("fashion-mnist"), true);
            long f1 = System.nanoTime();
            System.out.printf("fashion-mnist train: %.2f s%n", (f1 - f0) / 1e9);
            assertTrue(fm.size() == 60_000);
        } finally {
            CacheDir.restore();
        }
    }

    /** Points the image cache at a temporary folder for the test (property; HWNAS_CACHE must be unset). */
    static final class CacheDir {
        private static String saved;

        static void into(Path dir) {
            org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("HWNAS_CACHE") == null,
                    "HWNAS_CACHE is set: it would take precedence over the test's cache folder");
            saved = System.getProperty("hwnas.cache");
            System.setProperty("hwnas.cache", dir.toString());
        }

        static void restore() {
            if (saved == null) {
                System.clearProperty("hwnas.cache");
            } else {
                System.setProperty("hwnas.cache", saved);
            }
        }
    }
}
