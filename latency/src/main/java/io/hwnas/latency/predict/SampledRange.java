package io.hwnas.latency.predict;

import io.hwnas.latency.LatencyModel.LatencyRange;
import io.hwnas.supernet.space.SearchSpace;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * The fastest and slowest latency under a non-additive model. Exact, by enumeration, when the
 * space has at most {@value #ENUMERATE_MAX} architectures. Otherwise an estimate (an inner bound:
 * the true extremes can lie beyond it): the minimum and maximum over {@value #SAMPLES} uniformly
 * random architectures (fixed seed), the {@code ops} architectures that use one op everywhere,
 * each then improved by coordinate descent (change one layer's op at a time while that lowers,
 * respectively raises, the prediction).
 */
final class SampledRange {
    static final long ENUMERATE_MAX = 200_000;
    static final int SAMPLES = 20_000;
    static final long SEED = 20_240_501L;

    private SampledRange() {}

    static LatencyRange of(SearchSpace s, ToDoubleFunction<int[]> predictMs) {
        int layers = s.layerCount();
        int k = s.ops().size();
        double total = Math.pow(k, layers);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        if (total <= ENUMERATE_MAX) {
            int[] a = new int[layers];
            for (long i = 0; i < (long) total; i++) {
                long r = i;
                for (int l = 0; l < layers; l++) {
                    a[l] = (int) (r % k);
                    r /= k;
                }
                double v = predictMs.applyAsDouble(a);
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            return new LatencyRange(lo, hi);
        }
        int[] argLo = null;
        int[] argHi = null;
        // the k one-op architectures, then SAMPLES random ones
        SplittableRandom r = new SplittableRandom(SEED);
        for (int i = 0; i < k + SAMPLES; i++) {
            int[] a = new int[layers];
            if (i < k) {
                java.util.Arrays.fill(a, i);
            } else {
                for (int l = 0; l < layers; l++) {
                    a[l] = r.nextInt(k);
                }
            }
            double v = predictMs.applyAsDouble(a);
            if (v < lo) {
                lo = v;
                argLo = a;
            }
            if (v > hi) {
                hi = v;
                argHi = a;
            }
        }
        return new LatencyRange(descend(argLo, lo, k, predictMs, -1), descend(argHi, hi, k, predictMs, 1));
    }

    /** Coordinate descent from {@code a}: sign -1 lowers the prediction, +1 raises it. */
    private static double descend(int[] start, double value, int k, ToDoubleFunction<int[]> predictMs, int sign) {
        int[] a = start.clone();
        double best = value;
        for (int sweep = 0; sweep < 50; sweep++) {
            boolean moved = false;
            for (int l = 0; l < a.length; l++) {
                int keep = a[l];
                int bestOp = keep;
                for (int o = 0; o < k; o++) {
                    if (o == keep) {
                        continue;
                    }
                    a[l] = o;
                    double v = predictMs.applyAsDouble(a);
                    if (sign * (v - best) > 0) {
                        best = v;
                        bestOp = o;
                    }
                }
                a[l] = bestOp;
                moved |= bestOp != keep;
            }
            if (!moved) {
                break;
            }
        }
        return best;
    }
}
