package io.hwnas.datasets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.HwnasException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * One epoch of mini-batches over an {@link ImageSet}. The order (if {@code shuffle}) depends on
 * (seed, epoch) only, the augmentation of batch {@code b} on (seed, epoch, b) only, so a resumed
 * run (or a random-access {@link #batch(NDManager, int)}) sees exactly the same data.
 *
 * <p>Each batch is filled in Java into one float[] and handed to DJL with a single
 * {@code manager.create(...)}; pixels are normalized through a 256-entry lookup table per channel.
 *
 * <p>Memory: {@link #iterator(NDManager)} creates the arrays in the given manager (close each
 * {@link Batch} or the manager); the plain {@link #iterator()} owns its memory and closes a batch
 * as soon as the next one is requested (or the iteration ends): use each batch inside the loop body only.
 */
public final class Batches implements Iterable<Batch> {
    private static final long SHUFFLE_SALT = 0x5DEECE66DL;
    private static final long AUGMENT_SALT = 0x9E3779B97F4A7C15L;

    private final ImageSet set;
    private final int batchSize;
    private final boolean shuffle;
    private final Augment augment;
    private final long seed;
    private final int epoch;
    private final Normalization normalization;
    private final boolean dropLast;
    private final float[][] table;
    private final int[] order;

    /** Normalization from {@link Normalization#of(ImageSet)}; the last, smaller batch is kept. */
    public Batches(ImageSet set, int batchSize, boolean shuffle, Augment augment, long seed, int epoch) {
        this(set, batchSize, shuffle, augment, seed, epoch, Normalization.of(set), false);
    }

    public Batches(ImageSet set, int batchSize, boolean shuffle, Augment augment, long seed, int epoch,
            Normalization normalization, boolean dropLast) {
        HwnasException.require(set != null, "set", null, "must not be null");
        HwnasException.require(batchSize > 0, "batch_size", batchSize, "must be positive");
        HwnasException.require(epoch >= 0, "epoch", epoch, "must be >= 0");
        HwnasException.require(normalization.channels() == set.channels(), "normalization.channels",
                normalization.channels(), "must equal the set's channels " + set.channels());
        HwnasException.require(augment != null, "augment", null, "must not be null (use Augment.NONE)");
        HwnasException.require(augment.padding() < Math.min(set.height(), set.width()), "augment.padding",
                augment.padding(), "must be smaller than the image (" + set.height() + "x" + set.width() + ")");
        this.set = set;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.augment = augment;
        this.seed = seed;
        this.epoch = epoch;
        this.normalization = normalization;
        this.dropLast = dropLast;
        this.table = normalization.table();
        this.order = order(set.size(), shuffle, seed, epoch);
    }

    /** The same batches for another epoch. */
    public Batches epoch(int newEpoch) {
        return new Batches(set, batchSize, shuffle, augment, seed, newEpoch, normalization, dropLast);
    }

    public int batchesPerEpoch() {
        return dropLast ? set.size() / batchSize : (set.size() + batchSize - 1) / batchSize;
    }

    public ImageSet set() {
        return set;
    }

    public int batchSize() {
        return batchSize;
    }

    public Normalization normalization() {
        return normalization;
    }

    /** Size of batch {@code index}. */
    public int batchSize(int index) {
        checkIndex(index);
        return Math.min(batchSize, set.size() - index * batchSize);
    }

    /** The image indices of this epoch, in the order batches take them. */
    public int[] order() {
        return order.clone();
    }

    /**
     * Fills {@code x} (at least size*C*H*W floats) and {@code y} (at least size longs) with batch
     * {@code index}; returns its size. The pure-Java core of {@link #batch}.
     */
    public int fill(int index, float[] x, long[] y) {
        int n = batchSize(index);
        int c = set.channels();
        int h = set.height();
        int w = set.width();
        int plane = h * w;
        int img = c * plane;
        byte[] px = set.pixels();
        int[] labels = set.labels();
        int start = index * batchSize;
        SplittableRandom rng = augment.isNone() ? null : new SplittableRandom(mix(mix(seed ^ AUGMENT_SALT, epoch), index));
        int pad = augment.padding();
        for (int i = 0; i < n; i++) {
            int src = order[start + i];
            y[i] = labels[src];
            int so = src * img;
            int dOff = i * img;
            if (rng == null) {
                for (int ch = 0; ch < c; ch++) {
                    float[] t = table[ch];
                    int s = so + ch * plane;
                    int d = dOff + ch * plane;
                    for (int k = 0; k < plane; k++) {
                        x[d + k] = t[px[s + k] & 0xFF];
                    }
                }
                continue;
            }
            int dy = pad == 0 ? 0 : rng.nextInt(2 * pad + 1) - pad;
            int dx = pad == 0 ? 0 : rng.nextInt(2 * pad + 1) - pad;
            boolean flip = augment.flip() && rng.nextBoolean();
            for (int ch = 0; ch < c; ch++) {
                float[] t = table[ch];
                float zero = t[0];
                int s = so + ch * plane;
                int d = dOff + ch * plane;
                for (int yy = 0; yy < h; yy++) {
                    int sy = yy + dy;
                    int row = d + yy * w;
                    if (sy < 0 || sy >= h) {
                        java.util.Arrays.fill(x, row, row + w, zero);
                        continue;
                    }
                    int srow = s + sy * w;
                    for (int xx = 0; xx < w; xx++) {
                        int sx = (flip ? w - 1 - xx : xx) + dx;
                        x[row + xx] = sx < 0 || sx >= w ? zero : t[px[srow + sx] & 0xFF];
                    }
                }
            }
        }
        return n;
    }

    /** Batch {@code index} of this epoch, created in {@code manager}. */
    public Batch batch(NDManager manager, int index) {
        int n = batchSize(index);
        return create(manager, index, new float[n * set.imageBytes()], new long[n]);
    }

    private Batch create(NDManager manager, int index, float[] xb, long[] yb) {
        int n = fill(index, xb, yb);
        float[] xs = xb.length == n * set.imageBytes() ? xb : java.util.Arrays.copyOf(xb, n * set.imageBytes());
        long[] ys = yb.length == n ? yb : java.util.Arrays.copyOf(yb, n);
        NDArray x = manager.create(xs, new Shape(n, set.channels(), set.height(), set.width()));
        NDArray y = manager.create(ys, new Shape(n));
        return new Batch(x, y, n);
    }

    /** Batches created in {@code manager}; the caller closes them (or the manager). */
    public Iterator<Batch> iterator(NDManager manager) {
        return new It(manager, false);
    }

    /**
     * Batches in memory owned by the iterator: each batch is closed when the next is requested
     * and the last when {@code hasNext()} returns false. Prefer {@link #iterator(NDManager)}.
     */
    @Override
    public Iterator<Batch> iterator() {
        return new It(null, true);
    }

    private final class It implements Iterator<Batch> {
        private final boolean owns;
        private NDManager manager;
        private NDManager current;
        private final float[] xb = new float[batchSize * set.imageBytes()];
        private final long[] yb = new long[batchSize];
        private int next;

        It(NDManager manager, boolean owns) {
            this.manager = manager;
            this.owns = owns;
        }

        @Override
        public boolean hasNext() {
            boolean more = next < batchesPerEpoch();
            if (!more && owns) {
                release();
            }
            return more;
        }

        @Override
        public Batch next() {
            if (next >= batchesPerEpoch()) {
                throw new NoSuchElementException("epoch has " + batchesPerEpoch() + " batches");
            }
            NDManager target = manager;
            if (owns) {
                if (current != null) {
                    current.close();
                }
                if (manager == null) {
                    manager = NDManager.newBaseManager();
                }
                current = manager.newSubManager();
                target = current;
            }
            return create(target, next++, xb, yb);
        }

        private void release() {
            if (current != null) {
                current.close();
                current = null;
            }
            if (manager != null) {
                manager.close();
                manager = null;
            }
        }
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= batchesPerEpoch()) {
            throw new HwnasException("field 'batch_index' = " + index + ": must be in [0, " + batchesPerEpoch() + ")");
        }
    }

    static int[] order(int n, boolean shuffle, long seed, int epoch) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(mix(seed ^ SHUFFLE_SALT, epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = o[i];
                o[i] = o[j];
                o[j] = t;
            }
        }
        return o;
    }

    /** SplitMix64 finalizer of {@code a} combined with {@code b}: a well-mixed seed from two numbers. */
    static long mix(long a, long b) {
        long z = a + 0x9E3779B97F4A7C15L * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
