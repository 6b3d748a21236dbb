package io.hwnas.latency;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * How well predicted latencies agree with measured ones: mean absolute percentage error, its
 * maximum, the mean signed error (bias), root mean squared error, Kendall's τ-b and the share of
 * predictions within ±10 % of the measurement.
 */
public final class Agreement {
    private Agreement() {}

    /**
     * @param mapePct mean of |predicted - measured| / measured, in %
     * @param maxAbsErrorPct largest |predicted - measured| / measured, in %
     * @param biasPct mean of (predicted - measured) / measured, in %
     * @param rmseMs root mean squared error in ms
     * @param kendallTau Kendall's τ-b of predicted and measured (NaN for fewer than 2 rows)
     * @param within10Pct share of predictions within ±10 % of the measurement, in %
     */
    @JsonPropertyOrder({"n", "mapePct", "maxAbsErrorPct", "biasPct", "rmseMs", "kendallTau", "within10Pct"})
    public record Scores(int n, double mapePct, double maxAbsErrorPct, double biasPct, double rmseMs,
            double kendallTau, double within10Pct) {}

    /** Scores of predictions {@code predicted} against {@code measured} (same order, measured &gt; 0). */
    public static Scores of(double[] predicted, double[] measured) {
        if (predicted.length != measured.length || predicted.length == 0) {
            throw new IllegalArgumentException(predicted.length + " predictions vs " + measured.length
                    + " measurements");
        }
        int n = predicted.length;
        double ape = 0;
        double max = 0;
        double bias = 0;
        double se = 0;
        int within = 0;
        for (int i = 0; i < n; i++) {
            double rel = (predicted[i] - measured[i]) / measured[i];
            ape += Math.abs(rel);
            max = Math.max(max, Math.abs(rel));
            bias += rel;
            se += (predicted[i] - measured[i]) * (predicted[i] - measured[i]);
            within += Math.abs(rel) <= 0.10 ? 1 : 0;
        }
        return new Scores(n, 100 * ape / n, 100 * max, 100 * bias / n, Math.sqrt(se / n),
                kendallTauB(predicted, measured), 100.0 * within / n);
    }

    /**
     * Kendall's τ-b of {@code a} and {@code b}: ties in either count as neither concordant nor
     * discordant, and τ-b corrects for them (it equals τ-a when there are none). NaN for fewer
     * than 2 values, 0 when one side is constant. O(n²).
     */
    public static double kendallTauB(double[] a, double[] b) {
        int n = a.length;
        if (n < 2) {
            return Double.NaN;
        }
        long conc = 0;
        long disc = 0;
        long tieA = 0;
        long tieB = 0;
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
