package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;

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
     * Kendall's τ-b between two rankings: (concordant − discordant) pairs over the square root of the
     * product of the pairs untied in each; 0 when either side is constant. O(n²).
     */
    public static double kendallTau(double[] a, double[] b) {
        sameLength(a, b);
        long concordant = 0;
        long discordant = 0;
        long tiedA = 0;
        long tiedB = 0;
        long pairs = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = i + 1; j < a.length; j++) {
                int sa = Double.compare(a[i], a[j]);
                int sb = Double.compare(b[i], b[j]);
                pairs++;
                if (sa == 0) {
                    tiedA++;
                }
                if (sb == 0) {
                    tiedB++;
                }
                if (sa != 0 && sb != 0) {
                    if (sa == sb) {
                        concordant++;
                    } else {
                        discordant++;
                    }
                }
            }
        }
        double denom = Math.sqrt((double) (pairs - tiedA) * (pairs - tiedB));
        return denom == 0 ? 0 : (concordant - discordant) / denom;
    }

    private static void sameLength(double[] a, double[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new HwnasException("need two non-empty series of one length; got " + a.length + " and " + b.length);
        }
    }
}
