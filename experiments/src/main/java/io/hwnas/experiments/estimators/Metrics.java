package io.hwnas.experiments.estimators;

/** Rank agreement between predictions and measurements. */
final class Metrics {
    private Metrics() {}

    /**
     * Kendall's τ-b of {@code a} and {@code b} (ties in either count as neither concordant nor
     * discordant; τ-b corrects for them, which matters for whole-ms phone latencies). O(n²).
     */
    static double kendallTauB(double[] a, double[] b) {
        long conc = 0;
        long disc = 0;
        long tieA = 0;
        long tieB = 0;
        int n = a.length;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double da = Math.signum(a[i] - a[j]);
                double db = Math.signum(b[i] - b[j]);
                if (da == 0 && db == 0) {
                    continue;
                } else if (da == 0) {
                    tieA++;
                } else if (db == 0) {
                    tieB++;
                } else if (da == db) {
                    conc++;
                } else {
                    disc++;
                }
            }
        }
        double denom = Math.sqrt((double) (conc + disc + tieA) * (conc + disc + tieB));
        return denom == 0 ? 0 : (conc - disc) / denom;
    }
}
