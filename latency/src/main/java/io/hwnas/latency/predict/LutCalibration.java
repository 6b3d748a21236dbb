package io.hwnas.latency.predict;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonValue;
import io.hwnas.core.HwnasException;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutEntry;
import io.hwnas.latency.LutModel;
import io.hwnas.supernet.space.SearchSpace;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Corrects a LUT with a few end-to-end measurements of whole architectures (calibration): a
 * per-op table measured in isolation misses what changes inside a network (caches, fusion,
 * dispatch overhead between ops), mostly as a shared offset or factor. Three corrections, each a
 * least-squares fit to the calibration architectures' measured latencies y_i and the table's
 * predictions p_i:
 *
 * <ul>
 *   <li>{@code offset}: p + b, b = mean(y - p) (added to the fixed part);
 *   <li>{@code scale}: a·p, a = Σ p·y / Σ p² (every entry and the fixed part times a);
 *   <li>{@code per-entry}: every entry and the fixed part re-fitted: minimize Σ_i (f + Σ_l
 *       t[l][a_il] - y_i)² + λ Σ_{l,k} (t[l][k] - t0[l][k])² with the measured table t0 as the
 *       prior, λ = {@value #PRIOR_WEIGHT} (one calibration architecture weighs as much as the prior
 *       of one entry; both terms are in ms², so λ has no unit) and the fixed part f free. With a
 *       few architectures this is about an offset plus small moves of the entries those
 *       architectures use; with many it recovers the table the networks actually follow (up to a
 *       constant per layer, which the prior pins).
 * </ul>
 *
 * The result is a normal LUT in the original table's gauge, whose device record (source
 * {@code estimated}: the numbers are a fit, not a measurement) notes the calibration.
 */
public final class LutCalibration {
    /** λ of the per-entry fit: weight of the measured table (prior) per entry against one architecture. */
    public static final double PRIOR_WEIGHT = 1.0;

    private LutCalibration() {}

    /** A correction. */
    public enum Method {
        OFFSET("offset", 1), SCALE("scale", 1), PER_ENTRY("per-entry", 10);

        private final String id;
        private final int minArchs;

        Method(String id, int minArchs) {
            this.id = id;
            this.minArchs = minArchs;
        }

        @JsonValue
        public String id() {
            return id;
        }

        /**
         * The fewest calibration architectures the method is fitted to: 1 for offset and scale (one
         * number each); 10 for per-entry (with fewer it is an offset fitted to noise).
         */
        public int minArchs() {
            return minArchs;
        }

        /** The method named {@code s} ({@code offset}, {@code scale}, {@code per-entry}); errors name {@code field}. */
        public static Method of(String s, String field) {
            for (Method m : values()) {
                if (m.id.equals(s)) {
                    return m;
                }
            }
            throw new HwnasException((field.startsWith("--") ? "option '" : "field '") + field + "' = \"" + s
                    + "\": unknown calibration method; known: offset, scale, per-entry");
        }
    }

    /**
     * A fitted correction.
     *
     * @param method the correction
     * @param archs calibration architectures it was fitted to
     * @param offsetMs ms added to the fixed part (offset, per-entry), else 0
     * @param scale factor of every value (scale), else 1
     * @param meanEntryChangeMs mean |change| of the entries (per-entry), else 0
     * @param rmseBeforeMs RMSE of the table on the calibration architectures
     * @param rmseAfterMs RMSE of the calibrated table on the calibration architectures
     * @param fastestMs the fastest architecture under the calibrated table: an offset larger than
     *     the fastest architecture's latency makes it negative, and such a table is not a latency
     *     model (it is scored, but cannot be written or used)
     * @param lut the calibrated table
     */
    public record Fit(Method method, int archs, double offsetMs, double scale, double meanEntryChangeMs,
            double rmseBeforeMs, double rmseAfterMs, double fastestMs, @JsonIgnore Lut lut) {

        /** Whether the calibrated table gives every architecture a positive latency. */
        @JsonIgnore
        public boolean usable() {
            return fastestMs > 0;
        }

        /** The calibrated table's latency of op indices {@code a} (computed even when not {@link #usable}). */
        public double predictMs(SearchSpace s, int[] a) {
            double[][] t = lut.tableMs(s);
            double sum = lut.fixedMs();
            for (int l = 0; l < a.length; l++) {
                sum += t[l][a[l]];
            }
            return sum;
        }
    }

    /**
     * Fits {@code method} to the measured latencies {@code measuredMs} of the architectures
     * {@code archs} (op indices of {@code model}'s space). {@code how} describes the measurements
     * for the calibrated table's notes. Too few architectures, or a latency that is not a finite
     * positive number, is refused.
     */
    public static Fit fit(Method method, LutModel model, int[][] archs, double[] measuredMs, String how) {
        SearchSpace s = model.space();
        if (archs.length != measuredMs.length) {
            throw new IllegalArgumentException(archs.length + " architectures vs " + measuredMs.length + " latencies");
        }
        if (archs.length < method.minArchs()) {
            throw new HwnasException("calibration architectures: " + archs.length + "; the " + method.id()
                    + " calibration needs at least " + method.minArchs());
        }
        for (int i = 0; i < measuredMs.length; i++) {
            HwnasException.require(Double.isFinite(measuredMs[i]) && measuredMs[i] > 0,
                    "calibration latency[" + i + "]", measuredMs[i], "must be a finite number > 0 ms");
        }
        int n = archs.length;
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = model.predictMs(archs[i]);
        }
        double[][] t0 = model.tableMs();
        double f0 = model.fixedMs();
        double[][] t = new double[t0.length][];
        for (int l = 0; l < t.length; l++) {
            t[l] = t0[l].clone();
        }
        double f = f0;
        double offset = 0;
        double scale = 1;
        double change = 0;
        switch (method) {
            case OFFSET -> {
                for (int i = 0; i < n; i++) {
                    offset += measuredMs[i] - p[i];
                }
                offset /= n;
                f += offset;
            }
            case SCALE -> {
                double py = 0;
                double pp = 0;
                for (int i = 0; i < n; i++) {
                    py += p[i] * measuredMs[i];
                    pp += p[i] * p[i];
                }
                scale = py / pp;
                f *= scale;
                for (double[] row : t) {
                    for (int k = 0; k < row.length; k++) {
                        row[k] *= scale;
                    }
                }
            }
            case PER_ENTRY -> {
                double[] d = perEntry(s, archs, measuredMs, p);
                int k = s.ops().size();
                for (int l = 0; l < t.length; l++) {
                    for (int o = 0; o < k; o++) {
                        t[l][o] += d[l * k + o];
                        change += Math.abs(d[l * k + o]);
                    }
                }
                change /= t.length * k;
                offset = d[d.length - 1];
                f += offset;
            }
            default -> throw new IllegalStateException(method.toString());
        }
        double before = 0;
        double after = 0;
        for (int i = 0; i < n; i++) {
            double q = f;
            for (int l = 0; l < archs[i].length; l++) {
                q += t[l][archs[i][l]];
            }
            before += (p[i] - measuredMs[i]) * (p[i] - measuredMs[i]);
            after += (q - measuredMs[i]) * (q - measuredMs[i]);
        }
        String what = switch (method) {
            case OFFSET -> String.format(Locale.ROOT, "offset %+.6f ms added to the fixed part", offset);
            case SCALE -> String.format(Locale.ROOT, "every value times %.6f", scale);
            case PER_ENTRY -> String.format(Locale.ROOT, "every entry re-fitted by ridge least squares toward the"
                    + " measured table (prior weight %s), fixed part %+.6f ms, mean |entry change| %.6f ms",
                    PRIOR_WEIGHT, offset, change);
        };
        Lut lut = build(model, method, t, f, offset, scale, String.format(Locale.ROOT,
                "Calibrated (%s) from %d end-to-end measurements of whole architectures (%s): %s; RMSE on them %.6f ->"
                + " %.6f ms. Table before calibration: %s (%s).", method.id(), n, how, what, Math.sqrt(before / n),
                Math.sqrt(after / n), model.device().name(), model.device().date()));
        double fastest = f;
        for (double[] row : t) {
            fastest += java.util.Arrays.stream(row).min().orElseThrow();
        }
        return new Fit(method, n, offset, scale, change, Math.sqrt(before / n), Math.sqrt(after / n), fastest, lut);
    }

    /**
     * The per-entry fit on the residuals r = y - p: minimize Σ_i (g + Σ_l d[l][a_il] - r_i)² + λ
     * |d|², g free. Returns d (layers x ops, row-major) followed by g.
     */
    static double[] perEntry(SearchSpace s, int[][] archs, double[] y, double[] pred) {
        int layers = s.layerCount();
        int k = s.ops().size();
        int p = layers * k;
        int n = archs.length;
        double[][] g = new double[p][p];
        double[] xty = new double[p];
        double[] mean = new double[p];
        double rmean = 0;
        for (int i = 0; i < n; i++) {
            double r = y[i] - pred[i];
            rmean += r;
            for (int l = 0; l < layers; l++) {
                int c = l * k + archs[i][l];
                mean[c]++;
                xty[c] += r;
                for (int m = 0; m < layers; m++) {
                    g[c][m * k + archs[i][m]]++;
                }
            }
        }
        rmean /= n;
        for (int c = 0; c < p; c++) {
            mean[c] /= n;
        }
        double[] rhs = new double[p];
        for (int c = 0; c < p; c++) {
            rhs[c] = xty[c] - n * mean[c] * rmean;
            for (int h = 0; h < p; h++) {
                g[c][h] -= n * mean[c] * mean[h];
            }
            g[c][c] += PRIOR_WEIGHT;
        }
        double[] d = LinearAlgebra.solveSpd(g, rhs);
        if (d == null) {
            throw new IllegalStateException("calibration system not positive definite");
        }
        double off = rmean;
        for (int c = 0; c < p; c++) {
            off -= mean[c] * d[c];
        }
        double[] out = java.util.Arrays.copyOf(d, p + 1);
        out[p] = off;
        return out;
    }

    private static Lut build(LutModel model, Method method, double[][] t, double f, double offset, double scale,
            String notes) {
        SearchSpace s = model.space();
        Lut src = model.lut();
        List<LutEntry> entries = new ArrayList<>();
        for (LutEntry e : src.entries()) {
            double v = t[e.layer()][s.ops().indexOf(e.op())];
            double shift = v - e.medianMs();
            entries.add(method == Method.SCALE
                    ? new LutEntry(e.layer(), e.layerName(), e.op(), v, e.meanMs() * scale, e.stdMs() * scale, e.count())
                    : new LutEntry(e.layer(), e.layerName(), e.op(), v, e.meanMs() + shift, e.stdMs(), e.count()));
        }
        Map<String, Double> breakdown = null;
        if (src.fixedBreakdownMs() != null) {
            breakdown = new LinkedHashMap<>();
            for (Map.Entry<String, Double> c : src.fixedBreakdownMs().entrySet()) {
                breakdown.put(c.getKey(), method == Method.SCALE ? c.getValue() * scale : c.getValue());
            }
            if (method != Method.SCALE) {
                breakdown.merge("calibration_offset", offset, Double::sum);
                double sum = 0;
                for (double v : breakdown.values()) {
                    sum += v;
                }
                breakdown.merge("calibration_offset", f - sum, Double::sum); // rounding: the parts sum to fixed_ms
            }
        }
        DeviceRecord d = src.device();
        String before = d.notes() == null ? "" : " Notes of the measured table: " + d.notes();
        DeviceRecord rec = new DeviceRecord(d.name(), DeviceRecord.Source.ESTIMATED, d.runtime(), d.threads(),
                d.batch(), d.precision(), d.cpu(), d.host(),
                OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString(), notes + before);
        return new Lut(src.space(), rec, f, entries, breakdown).withSpace(s);
    }
}
