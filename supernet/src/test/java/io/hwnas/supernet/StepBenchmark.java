package io.hwnas.supernet;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import io.hwnas.supernet.net.FixedNet;
import io.hwnas.supernet.net.Gumbel;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Not a test: ms per training step (forward + softmax cross-entropy + backward, batch 64) for a
 * FixedNet, Supernet.forwardPath and Supernet.forwardMixed on fbnet-fmnist-tiny, plus the process
 * RSS to show memory does not grow. Run with -Dai.djl.pytorch.num_threads=2 (see the report).
 * Args: [steps] [warmup] [space].
 */
public final class StepBenchmark {
    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        SearchSpace s = SpaceRegistry.get(args.length > 2 ? args[2] : "fbnet-fmnist-tiny");
        Architecture a = Architecture.parse(s, "k3_e6 k3_e1 k5_e3 k3_e6 skip k5_e6 k3_e3");
        int b = 64;
        Shape in = new Shape(b, s.input().channels(), s.input().height(), s.input().width());
        Loss ce = Loss.softmaxCrossEntropyLoss();
        Engine.getInstance().setRandomSeed(1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(in);
            NDArray y = m.randomInteger(0, s.head().classes(), new Shape(b), DataType.INT64);

            Block fixed = FixedNet.build(s, a);
            fixed.initialize(m, DataType.FLOAT32, in);
            run("FixedNet", m, steps, warmup, (ps, xs) -> fixed.forward(ps, new NDList(xs), true).singletonOrThrow(),
                    x, y, ce, null);

            Supernet net = new Supernet(s);
            net.initialize(m, DataType.FLOAT32, in);
            int[] path = a.indices(s);
            run("Supernet.forwardPath", m, steps, warmup, (ps, xs) -> net.forwardPath(ps, xs, path, true), x, y, ce,
                    null);
            NDArray tau = m.create(1f);
            int n = s.layerCount() * s.ops().size();
            run("Supernet.forwardMixed", m, Math.max(4, steps / 4), Math.max(2, warmup / 4), (ps, xs) -> {
                NDArray noise = ps.getManager().create(Gumbel.noise(7, 0, n), new Shape(s.layerCount(), s.ops().size()));
                NDArray gates = Gumbel.softSample(net.theta().getArray(), noise, tau);
                return net.forwardMixed(ps, xs, gates, true);
            }, x, y, ce, net.theta());
        }
    }

    private static void run(String name, NDManager m, int steps, int warmup,
            BiFunction<ParameterStore, NDArray, NDArray> forward, NDArray x, NDArray y, Loss ce, Parameter probe) {
        double[] ms = new double[steps];
        double[] cpu = new double[steps];
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        long rssAfterWarmup = 0;
        for (int i = 0; i < warmup + steps; i++) {
            if (i == warmup) {
                rssAfterWarmup = rssKb();
            }
            long t0 = System.nanoTime();
            long c0 = os.getProcessCpuTime();
            try (NDManager step = m.newSubManager()) {
                NDArray xs = x.duplicate();
                xs.attach(step);
                NDArray ys = y.duplicate();
                ys.attach(step);
                ParameterStore ps = new ParameterStore(step, false);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = forward.apply(ps, xs);
                    NDArray loss = ce.evaluate(new NDList(ys), new NDList(logits));
                    gc.backward(loss);
                }
                if (probe != null) {
                    try (NDArray g = probe.getArray().getGradient()) {
                        if (g.abs().sum().getFloat() == 0f) {
                            throw new IllegalStateException("no gradient reached " + probe.getName());
                        }
                    }
                }
            }
            if (i >= warmup) {
                ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
                cpu[i - warmup] = (os.getProcessCpuTime() - c0) / 1e6;
            }
        }
        long rssEnd = rssKb();
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double[] cs = cpu.clone();
        Arrays.sort(cs);
        System.out.printf("%-22s wall median %7.1f ms  p10 %7.1f  p90 %7.1f | process CPU median %7.1f ms"
                + "  (%d steps)  RSS %d -> %d MB%n", name, sorted[steps / 2], sorted[steps / 10],
                sorted[steps * 9 / 10], cs[steps / 2], steps, rssAfterWarmup / 1024, rssEnd / 1024);
    }

    private static long rssKb() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
            for (String l : lines) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
