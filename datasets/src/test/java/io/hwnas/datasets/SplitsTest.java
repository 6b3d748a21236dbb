package io.hwnas.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SplitsTest {
    static int[] labels(int n, int classes) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = (i * 7 + i / 3) % classes;
        }
        return l;
    }

    @Test
    void disjointCoveringStratifiedAndEightyTwenty() {
        int[] labels = labels(10_000, 10);
        int[][] p = Splits.indices(labels, 10, 0.8, 42);
        assertEquals(8000, p[0].length);
        assertEquals(2000, p[1].length);
        boolean[] seen = new boolean[labels.length];
        for (int[] part : p) {
            for (int i : part) {
                assertFalse(seen[i], "index " + i + " in both parts");
                seen[i] = true;
            }
        }
        for (boolean s : seen) {
            assertTrue(s);
        }
        int[] perClass = new int[10];
        int[] total = new int[10];
        for (int i : p[0]) {
            perClass[labels[i]]++;
        }
        for (int l : labels) {
            total[l]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(Math.round(0.8 * total[c]), perClass[c], "class " + c);
        }
    }

    @Test
    void deterministicPerSeedAndDifferentAcrossSeeds() {
        int[] labels = labels(5000, 10);
        int[][] a = Splits.indices(labels, 10, 0.8, 1);
        int[][] b = Splits.indices(labels, 10, 0.8, 1);
        int[][] c = Splits.indices(labels, 10, 0.8, 2);
        assertArrayEquals(a[0], b[0]);
        assertArrayEquals(a[1], b[1]);
        assertFalse(Arrays.equals(a[1], c[1]));
        // not simply the first 80 %
        assertTrue(a[1][0] < 4000, "arch part starts at " + a[1][0]);
    }

    @Test
    void splitsAnImageSet() {
        int n = 100;
        byte[] px = new byte[n * 4];
        for (int i = 0; i < n; i++) {
            px[i * 4] = (byte) i; // tag each image with its index
        }
        ImageSet set = new ImageSet("t", 1, 2, 2, 4, px, labels(n, 4));
        Split s = Splits.split(set, 0.8, 7);
        assertEquals(80, s.weights().size());
        assertEquals(20, s.arch().size());
        int[][] idx = Splits.indices(set.labels(), 4, 0.8, 7);
        for (int i = 0; i < 20; i++) {
            assertEquals(idx[1][i], s.arch().pixel(i, 0, 0, 0));
            assertEquals(set.labels()[idx[1][i]], s.arch().labels()[i]);
        }
    }

    @Test
    void badFractionRefused() {
        assertThrows(HwnasException.class, () -> Splits.indices(new int[10], 1, 1.0, 0));
        assertThrows(HwnasException.class, () -> Splits.indices(new int[10], 1, 0, 0));
        assertThrows(HwnasException.class, () -> Splits.indices(new int[1], 1, 0.8, 0));
    }
}
