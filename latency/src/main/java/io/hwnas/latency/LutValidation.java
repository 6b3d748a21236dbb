package io.hwnas.latency;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.pytorch.jni.JniUtils;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Checks a LUT against end-to-end measurements: random architectures of the space are built as
 * whole networks (stem, one op per layer, head), timed like the LUT's entries, and compared with
 * the LUT's prediction.
 */
public final class LutValidation {
    private LutValidation() {}

    /** One architecture: predicted and measured latency, and the error of the prediction in %. */
    public record Row(String arch, double predictedMs, double measuredMs, double errorPct) {}

    /**
     * @param meanAbsErrorPct mean of |predicted - measured| / measured, in %
     * @param kendallTau rank agreement of predicted and measured latency (1 = same order)
     */
    public record Result(String space, String device, int archs, long seed, double meanAbsErrorPct,
            double maxAbsErrorPct, double meanBiasPct, double kendallTau, List<Row> rows, Double otherLoadCores) {

        public Result(String space, String device, int archs, long seed, double meanAbsErrorPct,
                double maxAbsErrorPct, double meanBiasPct, double kendallTau, List<Row> rows) {
            this(space, device, archs, seed, meanAbsErrorPct, maxAbsErrorPct, meanBiasPct, kendallTau, rows, null);
        }

        /** This result with the load other processes put on the machine while it was measured. */
        public Result withLoad(io.hwnas.core.MachineLoad.Reading r) {
            return new Result(space, device, archs, seed, meanAbsErrorPct, maxAbsErrorPct, meanBiasPct, kendallTau,
                    rows, r.recorded());
        }
    }

    /** Uniformly random architectures of {@code s} from {@code seed}. */
    public static List<Architecture> randomArchs(SearchSpace s, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Architecture> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] idx = new int[s.layerCount()];
            for (int l = 0; l < idx.length; l++) {
                idx[l] = r.nextInt(s.ops().size());
            }
            out.add(Architecture.ofIndices(s, idx));
        }
        return out;
    }

    /** The whole network of an architecture, from the same blocks the LUT was measured with. */
    public static SequentialBlock network(SearchSpace s, Architecture a, LutMeasurer.Blocks blocks) {
        SequentialBlock net = new SequentialBlock();
        net.add(blocks.stem(s));
        List<LayerSpec> layers = s.layers();
        for (int i = 0; i < layers.size(); i++) {
            net.add(blocks.op(layers.get(i), OpSpec.parse(a.ops().get(i))));
        }
        net.add(blocks.head(s));
        return net;
    }

    /** Validates any latency model of {@code s} against whole networks timed here. */
    public static Result validate(LatencyModel lut, LutMeasurer.Blocks blocks, MeasureConfig cfg, int archs,
            long seed, Progress progress) {
        SearchSpace s = lut.space();
        List<Architecture> as = randomArchs(s, archs, seed);
        io.hwnas.core.MachineLoad load = io.hwnas.core.MachineLoad.start();
        Timing[] t = timeNetworks(s, as, blocks, cfg, progress, "validate " + s.id());
        io.hwnas.core.MachineLoad.Reading r = load.stop();
        return compare(s, lut, as, seed, t, progress).withLoad(r);
    }

    /**
     * Times the whole networks of {@code as} with DJL in interleaved rounds ({@link
     * LutMeasurer#timeAll}: warm-up, then timed rounds that run every network once; median kept),
     * with {@code cfg}'s threads, batch and clock. Calls {@code progress.start/update}, not finish.
     */
    public static Timing[] timeNetworks(SearchSpace s, List<Architecture> as, LutMeasurer.Blocks blocks,
            MeasureConfig cfg, Progress progress, String task) {
        Device dev = LutMeasurer.device();
        int before = JniUtils.getNumThreads();
        if (cfg.threads() > 0) {
            JniUtils.setNumThreads(cfg.threads());
        }
        try {
            List<ai.djl.nn.Block> nets = new ArrayList<>();
            List<Shape> shapes = new ArrayList<>();
            Shape in = io.hwnas.supernet.net.Supernet.inputShape(s, cfg.batch());
            for (Architecture a : as) {
                nets.add(network(s, a, blocks));
                shapes.add(in);
            }
            try (NDManager base = NDManager.newBaseManager(dev)) {
                return LutMeasurer.timeAll(nets, shapes, base, cfg.warmup(), cfg.repeats(), cfg.clock(), progress,
                        task);
            }
        } finally {
            JniUtils.setNumThreads(before);
        }
    }

    /** The result of timings {@code t} of architectures {@code as} (in order) against the LUT's predictions. */
    public static Result compare(SearchSpace s, LatencyModel lut, List<Architecture> as, long seed, Timing[] t,
            Progress progress) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < as.size(); i++) {
            double pred = lut.predictMs(as.get(i).indices(s));
            double meas = t[i].medianMs();
            rows.add(new Row(as.get(i).canonical(), pred, meas, (pred - meas) / meas * 100));
        }
        double mae = 0;
        double max = 0;
        double bias = 0;
        for (Row r : rows) {
            mae += Math.abs(r.errorPct());
            max = Math.max(max, Math.abs(r.errorPct()));
            bias += r.errorPct();
        }
        mae /= rows.size();
        bias /= rows.size();
        double tau = kendallTau(rows);
        progress.finish(String.format("mean |error| %.1f%%, bias %+.1f%%, Kendall tau %.2f", mae, bias, tau));
        return new Result(s.id(), lut.device().name(), as.size(), seed, mae, max, bias, tau, List.copyOf(rows));
    }

    /** Kendall's τ-b between predicted and measured latency (τ-a when nothing ties; NaN for fewer than 2 rows). */
    static double kendallTau(List<Row> rows) {
        double[] p = new double[rows.size()];
        double[] m = new double[rows.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = rows.get(i).predictedMs();
            m[i] = rows.get(i).measuredMs();
        }
        return Agreement.kendallTauB(p, m);
    }
}
