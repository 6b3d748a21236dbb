package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Operations on genomes: one choice per gene ({@code 0 <= g[i] < cardinalities[i]}); for an
 * architecture a gene is a layer and a choice an index into {@code space.ops()}.
 */
final class Genes {
    private Genes() {}

    static int[] check(int[] cardinalities) {
        HwnasException.require(cardinalities != null && cardinalities.length > 0, "genes",
                cardinalities == null ? null : 0, "need at least one gene (layer)");
        for (int i = 0; i < cardinalities.length; i++) {
            HwnasException.require(cardinalities[i] >= 1, "choices[" + i + "]", cardinalities[i], "must be >= 1");
        }
        return cardinalities.clone();
    }

    static int[] uniform(int layers, int ops) {
        int[] c = new int[layers];
        java.util.Arrays.fill(c, ops);
        return c;
    }

    static int[] random(int[] card, SplittableRandom rnd) {
        int[] g = new int[card.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = rnd.nextInt(card[i]);
        }
        return g;
    }

    /** Each gene resampled uniformly (possibly to the same value) with probability {@code p}. */
    static int[] mutate(int[] parent, int[] card, double p, SplittableRandom rnd) {
        int[] g = parent.clone();
        for (int i = 0; i < g.length; i++) {
            if (rnd.nextDouble() < p) {
                g[i] = rnd.nextInt(card[i]);
            }
        }
        return g;
    }

    /** Each gene taken from either parent with probability 1/2. */
    static int[] crossover(int[] a, int[] b, SplittableRandom rnd) {
        int[] g = new int[a.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = rnd.nextBoolean() ? a[i] : b[i];
        }
        return g;
    }

    /**
     * Moves {@code g} into the feasible set of {@code violation} (0 when feasible, positive
     * otherwise) by coordinate descent: genes in random order, each set to the choice that lowers the
     * violation most, until feasible. Returns null if a full pass improves nothing (stuck).
     */
    static int[] repair(int[] start, int[] card, ToDoubleFunction<int[]> violation, SplittableRandom rnd) {
        int[] g = start.clone();
        double v = violation.applyAsDouble(g);
        int[] order = new int[g.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        while (v > 0) {
            shuffle(order, rnd);
            boolean improved = false;
            for (int i : order) {
                int keep = g[i];
                int bestChoice = keep;
                double best = v;
                for (int c = 0; c < card[i]; c++) {
                    if (c == keep) {
                        continue;
                    }
                    g[i] = c;
                    double w = violation.applyAsDouble(g);
                    if (w < best) {
                        best = w;
                        bestChoice = c;
                    }
                }
                g[i] = bestChoice;
                if (best < v) {
                    v = best;
                    improved = true;
                    if (v <= 0) {
                        break;
                    }
                }
            }
            if (!improved) {
                return null;
            }
        }
        return g;
    }

    static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
