package io.hwnas.search.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.datasets.ImageSet;
import org.junit.jupiter.api.Test;

/**
 * The labels of a subset, taken without copying its images, are those of the subset itself; the rest of a subset is
 * every other image, in order.
 */
class TrainDataSubsetTest {
    @Test
    void subsetLabelsAreTheSubsetsLabelsAndTheRestIsEveryOtherImage() {
        int n = 50;
        ImageSet s = indexed(n);
        for (int k : new int[] {0, 1, 17, 49, 50, 80}) {
            ImageSet sub = TrainData.subset(s, k, 5);
            assertArrayEquals(sub.labels(), TrainData.subsetLabels(s, k, 5), "n = " + k);
            assertEquals(k <= 0 || k >= n ? n : k, sub.size());
            ImageSet rest = TrainData.rest(s, k, 5);
            assertEquals(k <= 0 || k >= n ? 0 : n - k, rest.size(), "n = " + k);
            boolean[] seen = new boolean[n];
            for (ImageSet part : new ImageSet[] {sub, rest}) {
                int last = -1;
                for (int i = 0; i < part.size(); i++) {
                    int index = part.pixels()[i * 4];
                    assertTrue(index > last, "order, n = " + k);
                    last = index;
                    assertFalse(seen[index], "image " + index + " in both, n = " + k);
                    seen[index] = true;
                }
            }
            for (int i = 0; i < n; i++) {
                assertTrue(seen[i], "image " + i + " in neither, n = " + k);
            }
        }
    }

    /** {@code n} 2x2 images whose first pixel is their index, labelled (7 · index) mod 3. */
    private static ImageSet indexed(int n) {
        byte[] px = new byte[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            px[i * 4] = (byte) i;
            labels[i] = (i * 7) % 3;
        }
        return new ImageSet("t", 1, 2, 2, 3, px, labels);
    }
}
