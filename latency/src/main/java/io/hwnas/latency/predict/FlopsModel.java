package io.hwnas.latency.predict;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutEntry;
import io.hwnas.latency.LutModel;
import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import java.util.ArrayList;
import java.util.List;

/**
 * The analytical (roofline-style) predictor: latency = c0 + a·MACs + b·bytes + d·convs, summed
 * over the searchable layers, where per (layer, op) MACs come from {@link Costs#op}, bytes are the
 * memory traffic of its convolutions (input + output activations at the model's batch, plus the
 * weights, {@value #BYTES_PER_ELEMENT} bytes per element, fp32) and convs counts the convolutions
 * it runs (3 for an inverted-residual op, 4 where its layer has a projection shortcut, 1 for a projecting
 * skip, 0 for an identity), a per-kernel
 * overhead. The stem and head are the same in every architecture: the intercept absorbs them. The
 * four coefficients are fitted per device by non-negative least squares. The model is additive
 * over layers, so it is also a LUT (differentiable, exact range).
 */
public final class FlopsModel {
    /** Non-constant features per (layer, op): MACs (millions), bytes (MB), convolutions. */
    public static final int FEATURES = 3;
    public static final int BYTES_PER_ELEMENT = 4;

    private FlopsModel() {}

    @JsonPropertyOrder({"schema", "kind", "space", "device", "training_samples", "layers", "ops", "batch",
        "bytes_per_element", "intercept_ms", "ms_per_mmac", "ms_per_mb", "ms_per_conv", "train_rmse_ms"})
    public record File(int schema, String kind, String space, DeviceRecord device, int trainingSamples, int layers,
            List<String> ops, int batch, int bytesPerElement, double interceptMs, double msPerMmac, double msPerMb,
            double msPerConv, double trainRmseMs) {
        public File {
            Predictors.checkHeader(schema, kind, Predictors.FLOPS, device, trainingSamples, ops);
            Predictors.require(batch >= 1, "batch", batch, "must be >= 1");
            Predictors.require(bytesPerElement >= 1, "bytes_per_element", bytesPerElement, "must be >= 1");
            for (String[] c : new String[][] {{"intercept_ms"}, {"ms_per_mmac"}, {"ms_per_mb"}, {"ms_per_conv"}}) {
                double v = switch (c[0]) {
                    case "intercept_ms" -> interceptMs;
                    case "ms_per_mmac" -> msPerMmac;
                    case "ms_per_mb" -> msPerMb;
                    default -> msPerConv;
                };
                Predictors.require(Double.isFinite(v) && v >= 0, c[0], v, "must be a finite number >= 0");
            }
        }
    }

    /** [layer][op][feature]: MACs in millions, memory traffic in MB, convolutions, at {@code batch}. */
    public static double[][][] features(SearchSpace s, int batch) {
        double[][][] f = new double[s.layerCount()][s.ops().size()][];
        for (LayerSpec l : s.layers()) {
            for (int k = 0; k < s.ops().size(); k++) {
                OpSpec op = OpSpec.parse(s.ops().get(k));
                double macs = Costs.op(l, op).macs() * (double) batch;
                double elements;
                int convs;
                int cin = l.inChannels();
                int cout = l.outChannels();
                int hi = l.inHeight() * l.inWidth();
                int ho = l.outHeight() * l.outWidth();
                if (op.isSkip()) {
                    convs = l.needsProjection() ? 1 : 0;
                    elements = convs == 0 ? 0 : conv(cin, cout, 1, 1, hi, ho, batch);
                } else {
                    int mid = op.midChannels(cin);
                    convs = l.hasShortcut() ? 4 : 3;
                    elements = conv(cin, mid, 1, op.groups(), hi, hi, batch)
                            + conv(mid, mid, op.kernel(), mid, hi, ho, batch)
                            + conv(mid, cout, 1, op.groups(), ho, ho, batch)
                            + (l.hasShortcut() ? conv(cin, cout, 1, 1, hi, ho, batch) : 0);
                }
                f[l.index()][k] = new double[] {macs / 1e6, elements * BYTES_PER_ELEMENT / 1e6, convs};
            }
        }
        return f;
    }

    /** Elements a conv reads and writes: input and output activations (x batch) plus its weights. */
    private static double conv(int cin, int cout, int k, int groups, int hwIn, int hwOut, int batch) {
        return (double) batch * ((double) cin * hwIn + (double) cout * hwOut) + (double) cout * (cin / groups) * k * k;
    }

    static File fit(TrainingSet data) {
        SearchSpace s = data.space();
        double[][][] f = features(s, data.batch());
        int n = data.size();
        double[][] x = new double[n][FEATURES + 1];
        for (int i = 0; i < n; i++) {
            x[i][0] = 1;
            int[] a = data.archs()[i];
            for (int l = 0; l < a.length; l++) {
                for (int j = 0; j < FEATURES; j++) {
                    x[i][j + 1] += f[l][a[l]][j];
                }
            }
        }
        double[] w = LinearAlgebra.nnls(x, data.latencyMs());
        double rmse = Math.sqrt(LinearAlgebra.sse(x, data.latencyMs(), w) / n);
        DeviceRecord dev = Predictors.device(data, Predictors.FLOPS, "latency = c0 + a·MACs + b·bytes + d·convs,"
                + " non-negative least squares; bytes = fp32 input + output activations + weights per conv");
        return new File(io.hwnas.core.Json.SCHEMA, Predictors.FLOPS, s.id(), dev, n, s.layerCount(), s.ops(),
                data.batch(), BYTES_PER_ELEMENT, w[0], w[1], w[2], w[3], rmse);
    }

    /** The model as a LUT of {@code space}: entry = a·MACs + b·MB + d·convs, fixed = c0. */
    static LutModel model(File file, SearchSpace space, String source) {
        Predictors.checkEncoding(file.layers(), file.ops(), space);
        double[][][] f = features(space, file.batch());
        List<LutEntry> entries = new ArrayList<>();
        for (LayerSpec l : space.layers()) {
            for (int k = 0; k < space.ops().size(); k++) {
                double[] v = f[l.index()][k];
                double ms = file.msPerMmac() * v[0] + file.msPerMb() * v[1] + file.msPerConv() * v[2];
                entries.add(LutEntry.of(l.index(), l.name(), space.ops().get(k), ms));
            }
        }
        return LatencyModels.of(new Lut(file.space(), file.device(), file.interceptMs(), entries, null), space, source);
    }
}
