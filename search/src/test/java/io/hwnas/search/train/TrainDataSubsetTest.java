package io.hwnas.search.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hwnas.datasets.ImageSet;
import org.junit.jupiter.api.Test;

/** The labels of a subset, taken without copying its images, are those of the subset itself. */
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
}
