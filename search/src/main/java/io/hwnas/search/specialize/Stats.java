package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.Agreement;

/** Rank and error statistics for predictors. */
public final class Stats {
    private Stats() {}

    /** Root mean squared error of {@code predicted} against {@code actual}. */
    public static double rmse(double[] predicted, double[] actual) {
        sameLength(predicted, actual);
        double s = 0;
        for (int i = 0; i < actual.length; i++) {
            double e = predicted[i] - actual[i];
            s += e * e;
        }
        return Math.sqrt(s / actual.length);
    }

    /**
     * Kendall's τ-b between two rankings ({@link Agreement#kendallTauB}): (concordant − discordant)
     * pairs over the square root of the product of the pairs untied in each; 0 when either side is
     * constant or there is one value. O(n²).
     */
    public static double kendallTau(double[] a, double[] b) {
        sameLength(a, b);
        return a.length < 2 ? 0 : Agreement.kendallTauB(a, b);
    }

    private static void sameLength(double[] a, double[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new HwnasException("need two non-empty series of one length; got " + a.length + " and " + b.length);
        }
    }
}
