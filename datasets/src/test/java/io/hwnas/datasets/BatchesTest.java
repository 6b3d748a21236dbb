package io.hwnas.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.HwnasException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchesTest {
    /** n random RGB images of 8x8 in "cifar10" (known normalization). */
    static ImageSet rgb(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[n * 3 * 8 * 8];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) r.nextInt(256);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
        }
        return new ImageSet(Datasets.CIFAR10, 3, 8, 8, 10, px, labels);
    }

    @Test
    void shapesDtypesAndNormalization() {
        ImageSet set = rgb(70, 1);
        Batches b = new Batches(set, 32, false, Augment.NONE, 0, 0);
        assertEquals(3, b.batchesPerEpoch());
        try (NDManager m = NDManager.newBaseManager()) {
            Iterator<Batch> it = b.iterator(m);
            Batch first = it.next();
            assertEquals(new Shape(32, 3, 8, 8), first.x().getShape());
            assertEquals(DataType.FLOAT32, first.x().getDataType());
            assertEquals(new Shape(32), first.y().getShape());
            assertEquals(DataType.INT64, first.y().getDataType());
            float[] x = first.x().toFloatArray();
            Normalization nz = Normalization.CIFAR10;
            for (int k : new int[] {0, 1, 63, 64, 130, 191, 32 * 192 - 1}) {
                int img = k / 192;
                int c = (k % 192) / 64;
                int p = k % 64;
                float expected = (set.pixel(img, c, p / 8, p % 8) / 255f - nz.mean()[c]) / nz.std()[c];
                assertEquals(expected, x[k], 1e-5f, "element " + k);
            }
            assertArrayEquals(Arrays.copyOf(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0}, 11),
                    Arrays.copyOf(first.y().toLongArray(), 11));
            it.next();
            Batch last = it.next();
            assertEquals(6, last.size());
            assertEquals(new Shape(6, 3, 8, 8), last.x().getShape());
            assertFalse(it.hasNext());
        }
        Batches dropped = new Batches(set, 32, false, Augment.NONE, 0, 0, Normalization.of(set), true);
        assertEquals(2, dropped.batchesPerEpoch());
    }

    @Test
    void normalizedWholeSetHasZeroMeanUnitStd() {
        ImageSet set = rgb(50, 2);
        Normalization own = Normalization.compute(set);
        Batches b = new Batches(set, 50, false, Augment.NONE, 0, 0, own, false);
        float[] x = new float[50 * 192];
        b.fill(0, x, new long[50]);
        double s = 0;
        double s2 = 0;
        for (float v : x) {
            s += v;
            s2 += v * v;
        }
        assertEquals(0, s / x.length, 1e-3);
        assertEquals(1, s2 / x.length, 1e-3);
    }

    @Test
    void shuffleIsAPermutationDeterministicPerSeedAndEpoch() {
        ImageSet set = rgb(200, 3);
        int[] a = new Batches(set, 16, true, Augment.NONE, 5, 0).order();
        int[] a2 = new Batches(set, 16, true, Augment.NONE, 5, 0).order();
        int[] e1 = new Batches(set, 16, true, Augment.NONE, 5, 1).order();
        int[] s6 = new Batches(set, 16, true, Augment.NONE, 6, 0).order();
        assertArrayEquals(a, a2);
        assertFalse(Arrays.equals(a, e1));
        assertFalse(Arrays.equals(a, s6));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        // every image once per epoch through the batches
        Batches b = new Batches(set, 16, true, Augment.NONE, 5, 0);
        Set<Long> seen = new HashSet<>();
        long[] y = new long[16];
        float[] x = new float[16 * 192];
        int total = 0;
        for (int i = 0; i < b.batchesPerEpoch(); i++) {
            total += b.fill(i, x, y);
        }
        assertEquals(200, total);
    }

    @Test
    void augmentationDeterministicPerSeedEpochAndDifferentAcrossEpochs() {
        ImageSet set = rgb(64, 4);
        Augment aug = Augment.standard(set);
        assertEquals(2, aug.padding()); // 8x8 < 32
        float[] a = fill(new Batches(set, 64, true, aug, 9, 3), 0);
        float[] a2 = fill(new Batches(set, 64, true, aug, 9, 3), 0);
        float[] b = fill(new Batches(set, 64, true, aug, 9, 4), 0);
        assertArrayEquals(a, a2);
        assertFalse(Arrays.equals(a, b));
        // with shuffling off the only difference between epochs is the augmentation
        float[] c0 = fill(new Batches(set, 64, false, aug, 9, 0), 0);
        float[] c1 = fill(new Batches(set, 64, false, aug, 9, 1), 0);
        assertFalse(Arrays.equals(c0, c1));
        // random access equals iteration
        Batches it = new Batches(set, 16, true, aug, 9, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            Iterator<Batch> iter = it.iterator(m);
            iter.next();
            float[] second = iter.next().x().toFloatArray();
            assertArrayEquals(second, it.batch(m, 1).x().toFloatArray());
        }
    }

    @Test
    void augmentationIsAShiftOrFlipOfTheImage() {
        // one 1x8x8 image with distinct pixels; every augmented copy must be the image shifted by
        // at most the padding (zeros outside), possibly mirrored
        byte[] px = new byte[64];
        for (int i = 0; i < 64; i++) {
            px[i] = (byte) (i + 1);
        }
        ImageSet set = new ImageSet("toy", 1, 8, 8, 1, px, new int[1]);
        Normalization raw = new Normalization(new float[] {0}, new float[] {1 / 255f});
        int flips = 0;
        Set<String> shifts = new HashSet<>();
        for (int epoch = 0; epoch < 200; epoch++) {
            Batches b = new Batches(set, 1, false, new Augment(2, true), 1, epoch, raw, false);
            float[] x = new float[64];
            b.fill(0, x, new long[1]);
            String found = null;
            for (int flip = 0; flip < 2 && found == null; flip++) {
                for (int dy = -2; dy <= 2 && found == null; dy++) {
                    for (int dx = -2; dx <= 2 && found == null; dx++) {
                        if (matches(x, dy, dx, flip == 1)) {
                            found = flip + ":" + dy + ":" + dx;
                            flips += flip;
                        }
                    }
                }
            }
            assertTrue(found != null, "epoch " + epoch + ": not a shift/flip: " + Arrays.toString(x));
            shifts.add(found);
        }
        assertTrue(flips > 60 && flips < 140, "flips " + flips);
        assertTrue(shifts.size() > 30, "distinct transforms " + shifts.size());
    }

    static boolean matches(float[] x, int dy, int dx, boolean flip) {
        for (int y = 0; y < 8; y++) {
            for (int xx = 0; xx < 8; xx++) {
                int sy = y + dy;
                int sx = (flip ? 7 - xx : xx) + dx;
                float want = sy < 0 || sy > 7 || sx < 0 || sx > 7 ? 0 : sy * 8 + sx + 1;
                if (Math.abs(x[y * 8 + xx] - want) > 1e-3) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void ownedIteratorClosesPreviousBatch() {
        ImageSet set = rgb(40, 5);
        int count = 0;
        Batch previous = null;
        for (Batch b : new Batches(set, 16, true, Augment.standard(set), 1, 0)) {
            if (previous != null) {
                assertTrue(previous.x().isReleased(), "previous batch still open");
            }
            assertEquals(b.size(), b.x().getShape().get(0));
            previous = b;
            count++;
        }
        assertEquals(3, count);
        assertTrue(previous.x().isReleased());
    }

    @Test
    void badArgumentsRefused() {
        ImageSet set = rgb(10, 6);
        assertThrows(HwnasException.class, () -> new Batches(set, 0, false, Augment.NONE, 0, 0));
        assertThrows(HwnasException.class, () -> new Batches(set, 4, false, new Augment(8, false), 0, 0));
        assertThrows(HwnasException.class, () -> new Batches(set, 4, false, Augment.NONE, 0, 0,
                Normalization.FASHION_MNIST, false));
        assertThrows(HwnasException.class, () -> new Batches(set, 4, false, Augment.NONE, 0, 0).batchSize(3));
    }

    static float[] fill(Batches b, int index) {
        float[] x = new float[b.batchSize() * b.set().imageBytes()];
        b.fill(index, x, new long[b.batchSize()]);
        return x;
    }
}
