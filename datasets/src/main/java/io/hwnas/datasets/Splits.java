package io.hwnas.datasets;

import io.hwnas.core.HwnasException;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Deterministic, stratified train splits. */
public final class Splits {
    private Splits() {}

    /**
     * Splits {@code train} into a weight part holding {@code weightFraction} of every class
     * (rounded per class) and an architecture part holding the rest. Stratified: each class is
     * shuffled with a {@link SplittableRandom} seeded from {@code seed}, and its first
     * {@code round(weightFraction * count)} images go to the weight part. Both parts keep the
     * original image order. Same (set, fraction, seed), same split.
     */
    public static Split split(ImageSet train, double weightFraction, long seed) {
        int[][] parts = indices(train.labels(), train.classes(), weightFraction, seed);
        return new Split(train.subset(parts[0]), train.subset(parts[1]));
    }

    /** The indices behind {@link #split}: {@code [0]} weight part, {@code [1]} architecture part, both ascending. */
    public static int[][] indices(int[] labels, int classes, double weightFraction, long seed) {
        HwnasException.require(weightFraction > 0 && weightFraction < 1, "weight_fraction", weightFraction,
                "must be strictly between 0 and 1 (e.g. 0.8)");
        int[] counts = new int[classes];
        for (int l : labels) {
            counts[l]++;
        }
        int[][] byClass = new int[classes][];
        for (int c = 0; c < classes; c++) {
            byClass[c] = new int[counts[c]];
        }
        int[] fill = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            byClass[labels[i]][fill[labels[i]]++] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int[] w = new int[labels.length];
        int[] a = new int[labels.length];
        int nw = 0;
        int na = 0;
        for (int c = 0; c < classes; c++) {
            int[] idx = byClass[c];
            for (int i = idx.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
            int k = (int) Math.round(weightFraction * idx.length);
            for (int i = 0; i < idx.length; i++) {
                if (i < k) {
                    w[nw++] = idx[i];
                } else {
                    a[na++] = idx[i];
                }
            }
        }
        HwnasException.require(nw > 0 && na > 0, "weight_fraction", weightFraction,
                "leaves an empty part for a set of " + labels.length + " images (weights " + nw + ", arch " + na + "); use more"
                        + " images (train_subset, --train-subset) or another weight fraction");
        int[] wi = Arrays.copyOf(w, nw);
        int[] ai = Arrays.copyOf(a, na);
        Arrays.sort(wi);
        Arrays.sort(ai);
        return new int[][] {wi, ai};
    }
}
