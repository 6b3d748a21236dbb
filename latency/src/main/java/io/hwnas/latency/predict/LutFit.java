package io.hwnas.latency.predict;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutEntry;
import io.hwnas.latency.LutModel;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import java.util.ArrayList;
import java.util.List;

/**
 * A LUT fitted by least squares to (architecture, latency) pairs: latency = fixed + Σ_l
 * t[l][op_l], i.e. a linear model on the one-hot (layer, op) design with a free intercept (the
 * fixed part). The table is only determined up to a constant per layer (moved into the fixed
 * part), so the fit is ridge-regularized lightly (λ = {@value #RIDGE} on the one-hot columns, the
 * intercept unpenalized): it is then defined with fewer samples than entries, and with thousands
 * of samples the penalty's bias is negligible (a noise-free additive latency is recovered to
 * about 1e-5 relative). The stored table is put in a readable gauge: each layer's cheapest op is
 * 0 and the fixed part is the fastest architecture. It is a LUT, so it is differentiable.
 */
public final class LutFit {
    /** Ridge penalty on the one-hot coefficients (ms² per unit of squared coefficient). */
    public static final double RIDGE = 1e-3;

    private LutFit() {}

    /** The file form: the LUT's fields plus the kind and the fit's facts. */
    @JsonPropertyOrder({"schema", "kind", "space", "device", "training_samples", "ridge", "train_rmse_ms", "fixed_ms",
        "entries"})
    public record File(int schema, String kind, String space, DeviceRecord device, int trainingSamples, double ridge,
            double trainRmseMs, double fixedMs, List<LutEntry> entries) {
        public File {
            Predictors.checkHeader(schema, kind, Predictors.LUT_FIT, device, trainingSamples);
            Predictors.require(ridge >= 0, "ridge", ridge, "must be >= 0");
        }

        /** The table as a plain LUT. */
        public Lut lut() {
            return new Lut(space, device, fixedMs, entries, null);
        }
    }

    static File fit(TrainingSet data) {
        SearchSpace s = data.space();
        int layers = s.layerCount();
        int k = s.ops().size();
        int p = layers * k;
        int n = data.size();
        double[][] g = new double[p][p];
        double[] xty = new double[p];
        double[] mean = new double[p];
        double ymean = 0;
        for (int i = 0; i < n; i++) {
            int[] a = data.archs()[i];
            double y = data.latencyMs()[i];
            ymean += y;
            for (int l = 0; l < layers; l++) {
                int f = l * k + a[l];
                mean[f]++;
                xty[f] += y;
                for (int m = 0; m < layers; m++) {
                    g[f][m * k + a[m]]++;
                }
            }
        }
        ymean /= n;
        for (int f = 0; f < p; f++) {
            mean[f] /= n;
        }
        // centred normal equations (intercept unpenalized) + ridge
        double[] rhs = new double[p];
        for (int f = 0; f < p; f++) {
            rhs[f] = xty[f] - n * mean[f] * ymean;
            for (int h = 0; h < p; h++) {
                g[f][h] -= n * mean[f] * mean[h];
            }
            g[f][f] += RIDGE;
        }
        double[] w = LinearAlgebra.solveSpd(g, rhs);
        if (w == null) {
            throw new IllegalStateException("ridge system not positive definite");
        }
        double fixed = ymean;
        for (int f = 0; f < p; f++) {
            fixed -= mean[f] * w[f];
        }
        double[][] t = new double[layers][k];
        for (int l = 0; l < layers; l++) {
            double min = Double.POSITIVE_INFINITY;
            for (int o = 0; o < k; o++) {
                t[l][o] = w[l * k + o];
                min = Math.min(min, t[l][o]);
            }
            for (int o = 0; o < k; o++) {
                t[l][o] -= min;
            }
            fixed += min;
        }
        double sse = 0;
        for (int i = 0; i < n; i++) {
            double pred = fixed;
            int[] ops = data.archs()[i];
            for (int l = 0; l < ops.length; l++) {
                pred += t[l][ops[l]];
            }
            double d = pred - data.latencyMs()[i];
            sse += d * d;
        }
        List<LutEntry> entries = new ArrayList<>();
        for (LayerSpec l : s.layers()) {
            for (int o = 0; o < k; o++) {
                entries.add(LutEntry.of(l.index(), l.name(), s.ops().get(o), t[l.index()][o]));
            }
        }
        DeviceRecord dev = Predictors.device(data, Predictors.LUT_FIT, "least squares on the one-hot (layer, op) design,"
                + " ridge " + RIDGE + "; entries are extra ms over the layer's cheapest op, fixed_ms the fastest"
                + " architecture");
        return new File(io.hwnas.core.Json.SCHEMA, Predictors.LUT_FIT, s.id(), dev, n, RIDGE, Math.sqrt(sse / n), fixed,
                entries);
    }

    static LutModel model(File f, SearchSpace space, String source) {
        return LatencyModels.of(f.lut(), space, source);
    }
}
