package io.hwnas.search.train;

import io.hwnas.latency.Lut;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.HwnasException;

/**
 * The LUT as the loss sees it: the [layer][op] table and fixed part in ms, and the unit LAT is
 * expressed in inside {@code log LAT} (ms or µs), chosen so that log LAT &gt; 0 for every
 * architecture. Since LAT = fixed + Σ_l Σ_k m[l,k]·table[l][k] with each row of m on the simplex,
 * LAT is never below the fastest architecture's latency, so checking that one suffices.
 *
 * @param unit "ms", "0.1ms", "0.01ms" or "us"
 * @param scale factor from ms to the unit (1, 10, 100 or 1000)
 */
public record LatencyTerm(String source, double[][] tableMs, double fixedMs, String unit, double scale,
        double fastestMs, double slowestMs) {

    public static LatencyTerm of(String source, Lut lut, SearchSpace space, String unitSetting) {
        lut.checkSpace(space);
        double[][] t = lut.tableMs(space);
        double lo = lut.fixedMs();
        double hi = lut.fixedMs();
        for (double[] row : t) {
            double mn = Double.POSITIVE_INFINITY;
            double mx = Double.NEGATIVE_INFINITY;
            for (double v : row) {
                if (!Double.isFinite(v)) {
                    throw new HwnasException(source + ": LUT holds a non-finite latency (" + v + ")");
                }
                mn = Math.min(mn, v);
                mx = Math.max(mx, v);
            }
            lo += mn;
            hi += mx;
        }
        String unit = unitSetting;
        double scale;
        if ("auto".equals(unit)) {
            // the smallest power-of-ten unit (ms, 0.1 ms, 0.01 ms, us) in which the fastest
            // architecture has log LAT >= 1, as FBNet's ms did for its phone (LAT ~ 20-30 ms)
            scale = 1;
            while (lo * scale < Math.E && scale < 1000) {
                scale *= 10;
            }
            unit = unitName(scale);
        } else {
            scale = "ms".equals(unit) ? 1 : 1000;
        }
        if (!(lo * scale > 1)) {
            throw new HwnasException(source + ": the fastest architecture of space " + space.id() + " takes "
                    + String.format("%.6g", lo) + " ms under this LUT, so log LAT would be <= 0 with LAT in " + unit
                    + " (the latency loss CE·α·(log LAT)^β needs LAT > 1)."
                    + ("ms".equals(unit) ? " Set \"latency_unit\": \"auto\" or \"us\"." : " The LUT's latencies"
                    + " are too small or negative: check it (fixed_ms and the per-op entries) or use another LUT."));
        }
        return new LatencyTerm(source, t, lut.fixedMs(), unit, scale, lo, hi);
    }

    static String unitName(double scale) {
        return scale == 1 ? "ms" : scale == 10 ? "0.1ms" : scale == 100 ? "0.01ms" : "us";
    }

    /** LUT latency of one architecture in ms. */
    public double ms(int[] ops) {
        double s = fixedMs;
        for (int l = 0; l < ops.length; l++) {
            s += tableMs[l][ops[l]];
        }
        return s;
    }

    public double ms(SearchSpace space, Architecture a) {
        return ms(a.indices(space));
    }

    /** Σ p·table + fixed for per-layer probabilities p (e.g. softmax θ), in ms. */
    public double expectedMs(float[][] probs) {
        double s = fixedMs;
        for (int l = 0; l < probs.length; l++) {
            for (int k = 0; k < probs[l].length; k++) {
                s += probs[l][k] * tableMs[l][k];
            }
        }
        return s;
    }

    /** The table in the loss's unit. */
    public double[][] tableInUnit() {
        double[][] t = new double[tableMs.length][];
        for (int l = 0; l < t.length; l++) {
            t[l] = new double[tableMs[l].length];
            for (int k = 0; k < t[l].length; k++) {
                t[l][k] = tableMs[l][k] * scale;
            }
        }
        return t;
    }

    public double fixedInUnit() {
        return fixedMs * scale;
    }
}
