package io.hwnas.tools.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.net.ElasticLayer;
import io.hwnas.supernet.ops.OpBlock;
import io.hwnas.supernet.ops.Ops;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.List;

/**
 * Where a single-path step on the shared supernet loses time against the plain subnet: per searchable
 * layer and per op, one training-mode forward + backward (random batch, loss = sum of the output) of
 * the op's own block ({@link Ops#op}) and of the elastic layer's {@code forward(k)} (sliced shared
 * weights), interleaved, medians of wall and process CPU time. Prints per op the two times summed over
 * the layers and their ratio.
 *
 * <p>Args: [space] [batch] [rounds] [warm-up rounds] [threads] [project BN: per-choice|shared];
 * defaults fbnet-fmnist-tiny 64 30 5 2 per-choice. Run it on a quiet machine.
 */
public final class SinglePathBench {
    private SinglePathBench() {}

    public static void main(String[] args) {
        String spaceId = args.length > 0 ? args[0] : "fbnet-fmnist-tiny";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        ElasticLayer.ProjectBn pbn = args.length > 5 && args[5].equals("shared") ? ElasticLayer.ProjectBn.SHARED
                : ElasticLayer.ProjectBn.PER_CHOICE;
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        SearchSpace space = SpaceRegistry.resolve(spaceId);
        List<String> ops = space.ops();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        System.out.printf("%s, batch %d, %d rounds (+%d warm-up), %d threads, project BN %s; fwd+bwd, training mode;"
                + " median ms summed over the layers (wall / process CPU)%n", space.id(), batch, rounds, warmup,
                threads, pbn);
        double[][] sum = new double[ops.size()][4];
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(0);
            for (LayerSpec l : space.layers()) {
                Shape in = new Shape(batch, l.inChannels(), l.inHeight(), l.inWidth());
                try (NDManager lm = m.newSubManager()) {
                    ElasticLayer el = new ElasticLayer(l, ops, pbn);
                    el.initialize(lm, DataType.FLOAT32, in);
                    OpBlock[] fixed = new OpBlock[ops.size()];
                    for (int k = 0; k < ops.size(); k++) {
                        fixed[k] = Ops.op(l, OpSpec.parse(ops.get(k)));
                        fixed[k].initialize(lm, DataType.FLOAT32, in);
                    }
                    NDArray x = lm.randomNormal(in);
                    double[][][] t = new double[ops.size()][4][rounds];
                    for (int r = 0; r < warmup + rounds; r++) {
                        for (int k = 0; k < ops.size(); k++) {
                            for (int v = 0; v < 2; v++) {
                                long c0 = os.getProcessCpuTime();
                                double w = step(lm, x, v == 0 ? fixed[k] : null, el, k);
                                if (r >= warmup) {
                                    t[k][2 * v][r - warmup] = w;
                                    t[k][2 * v + 1][r - warmup] = (os.getProcessCpuTime() - c0) / 1e6;
                                }
                            }
                        }
                    }
                    for (int k = 0; k < ops.size(); k++) {
                        for (int c = 0; c < 4; c++) {
                            sum[k][c] += TrainBench.median(t[k][c]);
                        }
                    }
                }
            }
        }
        System.out.printf("%-10s %18s %18s %7s%n", "op", "own block", "elastic forward(k)", "ratio");
        double[] all = new double[4];
        for (int k = 0; k < ops.size(); k++) {
            System.out.printf("%-10s %8.2f (%7.2f) %8.2f (%7.2f) %7.2f%n", ops.get(k), sum[k][0], sum[k][1], sum[k][2],
                    sum[k][3], sum[k][2] / sum[k][0]);
            for (int c = 0; c < 4; c++) {
                all[c] += sum[k][c];
            }
        }
        System.out.printf("%-10s %8.2f (%7.2f) %8.2f (%7.2f) %7.2f%n", "all ops", all[0], all[1], all[2], all[3],
                all[2] / all[0]);
    }

    /** One fwd+bwd in a step manager; {@code op} alone when given, else {@code el.forward(k)}; wall ms. */
    private static double step(NDManager m, NDArray x, OpBlock op, ElasticLayer el, int k) {
        long t0 = System.nanoTime();
        try (NDManager step = m.newSubManager()) {
            NDArray xs = x.duplicate();
            xs.attach(step);
            xs.setRequiresGradient(true);
            ParameterStore ps = new ParameterStore(step, false);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = op != null ? op.forward(ps, xs, true) : el.forward(ps, xs, k, true);
                gc.backward(y.sum());
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }
}
