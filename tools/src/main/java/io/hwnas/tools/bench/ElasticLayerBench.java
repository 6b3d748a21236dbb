package io.hwnas.tools.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.net.ElasticLayer;
import io.hwnas.supernet.net.MixedLayer;
import io.hwnas.supernet.net.SearchableLayer;
import io.hwnas.supernet.ops.OpBlock;
import io.hwnas.supernet.ops.Ops;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * Times, per searchable layer, one training-mode forward + backward (batch of random inputs, loss =
 * sum of the output, gates = softmax of a θ row that takes gradients, as in a soft FBNet step) of:
 * the per-op soft mixture ({@link MixedLayer#forwardMixed}, all ops), the elastic layer's mixture
 * ({@link ElasticLayer#forwardMixed}, all three project-BN choices), the fixed {@code k5_e6} op alone, the
 * elastic layer's {@code k5_e6} alone ({@code forward(k)}, sliced weights: the single-path cost), and
 * the grouped ops' part of the mixture (their own blocks, gated). Variants run interleaved, one step
 * each per round; medians (wall, and process CPU time, steadier on a busy machine) are printed with
 * the wall-time ratios.
 *
 * <p>Args: [space] [batch] [rounds] [warmup rounds] [threads]; defaults fbnet-cifar-tiny 64 30 5 2.
 * Run it on a quiet machine: the ratios are what matters.
 */
public final class ElasticLayerBench {
    private ElasticLayerBench() {}

    private static final String[] NAMES = {"mixed 9 ops", "el/per-choice", "el/shared", "k5_e6 alone",
        "el k5_e6", "g2 ops", "el/superkernel"};

    public static void main(String[] args) {
        String spaceId = args.length > 0 ? args[0] : "fbnet-cifar-tiny";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        SearchSpace space = SpaceRegistry.resolve(spaceId);
        List<String> ops = space.ops();
        int k5e6 = ops.indexOf("k5_e6");
        System.out.printf("%s, batch %d, %d rounds (+%d warm-up), %d threads; fwd+bwd, training mode; median wall ms"
                + " (median process CPU ms)%n", space.id(), batch, rounds, warmup, threads);
        System.out.printf("%-14s %-10s", "layer", "in->out s");
        for (String n : NAMES) {
            System.out.printf(" %17s", n);
        }
        System.out.printf("   wall ratios: mixed, per-choice, shared, superkernel to k5_e6; mixed to per-choice, shared%n");
        double[][] totals = new double[2][NAMES.length];
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(0);
            for (LayerSpec l : space.layers()) {
                Shape in = new Shape(batch, l.inChannels(), l.inHeight(), l.inWidth());
                try (NDManager lm = m.newSubManager()) {
                    MixedLayer mixed = new MixedLayer(l, ops);
                    ElasticLayer perChoice = new ElasticLayer(l, ops, ElasticLayer.ProjectBn.PER_CHOICE);
                    ElasticLayer shared = new ElasticLayer(l, ops, ElasticLayer.ProjectBn.SHARED);
                    ElasticLayer superkernel = new ElasticLayer(l, ops, ElasticLayer.ProjectBn.SUPERKERNEL);
                    OpBlock fixed = Ops.op(l, OpSpec.parse("k5_e6"));
                    for (Block b : new Block[] {mixed, perChoice, shared, fixed, superkernel}) {
                        b.initialize(lm, DataType.FLOAT32, in);
                    }
                    List<Integer> grouped = new ArrayList<>();
                    for (int k = 0; k < ops.size(); k++) {
                        OpSpec op = OpSpec.parse(ops.get(k));
                        if (!op.isSkip() && op.groups() > 1) {
                            grouped.add(k);
                        }
                    }
                    NDArray x = lm.randomNormal(in);
                    NDArray theta = lm.zeros(new Shape(ops.size()));
                    theta.setRequiresGradient(true);
                    double[][][] ms = new double[2][NAMES.length][rounds];
                    for (int r = 0; r < warmup + rounds; r++) {
                        for (int v = 0; v < NAMES.length; v++) {
                            long c0 = os.getProcessCpuTime();
                            double t = switch (v) {
                                case 0 -> step(lm, x, theta, mixed, null, null);
                                case 1 -> step(lm, x, theta, perChoice, null, null);
                                case 2 -> step(lm, x, theta, shared, null, null);
                                case 3 -> step(lm, x, theta, null, fixed, null);
                                case 4 -> k5e6 < 0 ? 0 : step(lm, x, theta, perChoice, null, List.of(k5e6));
                                case 5 -> grouped.isEmpty() ? 0 : step(lm, x, theta, mixed, null, grouped);
                                default -> step(lm, x, theta, superkernel, null, null);
                            };
                            if (r >= warmup) {
                                ms[0][v][r - warmup] = t;
                                ms[1][v][r - warmup] = (os.getProcessCpuTime() - c0) / 1e6;
                            }
                        }
                    }
                    double[][] med = new double[2][NAMES.length];
                    for (int w = 0; w < 2; w++) {
                        for (int v = 0; v < NAMES.length; v++) {
                            med[w][v] = TrainBench.median(ms[w][v]);
                            totals[w][v] += med[w][v];
                        }
                    }
                    print(l.name(), l.inChannels() + "->" + l.outChannels() + " s" + l.stride(), med);
                }
            }
        }
        print("all layers", "", totals);
    }

    private static void print(String name, String shape, double[][] med) {
        System.out.printf("%-14s %-10s", name, shape);
        for (int v = 0; v < NAMES.length; v++) {
            System.out.printf(" %8.2f (%6.1f)", med[0][v], med[1][v]);
        }
        double[] w = med[0];
        System.out.printf("   %.2f %.2f %.2f %.2f; %.2f %.2f%n", w[0] / w[3], w[1] / w[3], w[2] / w[3], w[6] / w[3],
                w[0] / w[1], w[0] / w[2]);
    }

    /**
     * One fwd+bwd in a step manager; returns wall ms. {@code layer} with {@code only} == null: its
     * mixture; with {@code only}: the gated sum of those ops alone (each {@code forward(k)}); else
     * {@code op} alone.
     */
    private static double step(NDManager m, NDArray x, NDArray theta, SearchableLayer layer, OpBlock op,
            List<Integer> only) {
        long t0 = System.nanoTime();
        try (NDManager step = m.newSubManager()) {
            NDArray xs = x.duplicate();
            xs.attach(step);
            ParameterStore ps = new ParameterStore(step, false);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y;
                if (layer == null) {
                    y = op.forward(ps, xs, true);
                } else {
                    NDArray gates = theta.softmax(0);
                    gates.attach(step);
                    if (only == null) {
                        y = layer.forwardMixed(ps, xs, gates, null, false, true);
                    } else {
                        y = null;
                        for (int k : only) {
                            NDArray g = gates.get(k);
                            NDArray yk = layer.forward(ps, xs, k, true).mul(g);
                            y = y == null ? yk : y.add(yk);
                        }
                    }
                }
                gc.backward(y.sum());
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }
}
