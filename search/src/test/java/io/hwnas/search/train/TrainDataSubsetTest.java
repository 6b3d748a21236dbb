package io.hwnas.search.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hwnas.datasets.ImageSet;
import org.junit.jupiter.api.Test;

/**
 * The labels of a subset, taken without copying its images, are those of the subset itself; the rest of a subset is
 * every other image, in order.
 */
class TrainDataSubsetTest {
    @Test
    void subsetLabelsAreTheSubsetsLabels() {
        int n = 50;
        byte[] px = new byte[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            px[i * 4] = (byte) i;
            labels[i] = (i * 7) % 3;
        }
        ImageSet s = new ImageSet("t", 1, 2, 2, 3, px, labels);
        for (int k : new int[] {0, 1, 17, 49, 50, 80}) {
            ImageSet sub = TrainData.subset(s, k, 5);
            assertArrayEquals(sub.labels(), TrainData.subsetLabels(s, k, 5), "n = " + k);
            assertEquals(k <= 0 || k >= n ? n : k, sub.size());
        }
    }

    @Test
    void theRestIsEveryImageTheSubsetLeavesOut() {
        int n = 50;
        byte[] px = new byte[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            px[i * 4] = (byte) i; // each image's first pixel is its index
        }
        ImageSet s = new ImageSet("t", 1, 2, 2, 3, px, labels);
        for (int k : new int[] {0, 1, 17, 49, 50, 80}) {
            ImageSet sub = TrainData.subset(s, k, 5);
            ImageSet rest = TrainData.rest(s, k, 5);
            assertEquals(k <= 0 || k >= n ? 0 : n - k, rest.size(), "n = " + k);
            boolean[] seen = new boolean[n];
            int last = -1;
            for (ImageSet part : new ImageSet[] {sub, rest}) {
                last = -1;
                for (int i = 0; i < part.size(); i++) {
                    int index = part.pixels()[i * 4];
                    org.junit.jupiter.api.Assertions.assertTrue(index > last, "order, n = " + k);
                    last = index;
                    if (part == rest || k > 0 && k < n) {
                        org.junit.jupiter.api.Assertions.assertFalse(seen[index], "image " + index + " twice, n = " + k);
                    }
                    seen[index] = true;
                }
            }
            for (int i = 0; i < n; i++) {
                org.junit.jupiter.api.Assertions.assertTrue(seen[i], "image " + i + " in neither, n = " + k);
            }
        }
    }
}
