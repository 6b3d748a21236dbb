package io.hwnas.tools.bench;

import io.hwnas.search.train.Adam;
import io.hwnas.search.train.Nets;
import io.hwnas.search.train.Sgd;
import io.hwnas.search.train.Theta;
import io.hwnas.supernet.net.Losses;
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
import io.hwnas.supernet.net.FixedNet;
import io.hwnas.supernet.net.Gumbel;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.Progress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code hwnas bench train}: time of one training step (forward, backward, update) on random data
 * for the supernet with all paths (soft Gumbel mixture, gradient to θ and all weights), with one
 * sampled path (weights of that path only), and for a fixed subnet. Medians over the timed steps.
 */
public final class TrainBench {
    private TrainBench() {}

    public record Row(String mode, double medianMs, double imagesPerSecond) {}

    public record Result(int schema, String space, int batch, int threads, int steps, String fixedArch, List<Row> rows) {}

    public static Result run(SearchSpace space, int batch, int steps, int warmup, Architecture fixedArch,
            java.util.Set<String> modes, Progress progress) {
        Shape xs = Supernet.inputShape(space, batch);
        int layers = space.layerCount();
        int ops = space.ops().size();
        List<Row> rows = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            Supernet net = new Supernet(space);
            net.initialize(m, DataType.FLOAT32, xs);
            Map<String, String> keys = Nets.keys(net);
            Theta theta = new Theta(space, m);
            NDArray x = m.randomNormal(xs);
            long[] labels = new long[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = i % space.head().classes();
            }
            NDArray y = m.create(labels);
            try (Sgd sgd = new Sgd(m, 0.9, 1e-4); Adam adam = new Adam(m, 0.9, 0.999, 1e-8, 5e-4)) {
                float lr = 1e-3f;
                if (modes.contains("soft")) {
                progress.start("bench soft", warmup + steps);
                double soft = time(warmup, steps, progress, s -> {
                    try (NDManager sm = m.newSubManager()) {
                        x.tempAttach(sm);
                        Nets.zeroGrads(net.weights());
                        theta.zeroGrad();
                        NDArray g = sm.create(Gumbel.noise(1, s, layers * ops), new Shape(layers, ops));
                        NDArray tau = sm.create(1f);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray gates = Gumbel.softSample(theta.array(), g, tau);
                            NDArray logits = net.forwardMixed(new ParameterStore(sm, false), x, gates, true);
                            gc.backward(Losses.crossEntropy(logits, y));
                        }
                        adam.update(theta.array(), lr);
                        sgd.update(net.weights(), keys, lr);
                    }
                });
                progress.finish("");
                rows.add(new Row("supernet, all paths (soft)", soft, batch * 1000.0 / soft));
                }
                if (modes.contains("single")) {
                progress.start("bench single-path", warmup + steps);
                double single = time(warmup, steps, progress, s -> {
                    try (NDManager sm = m.newSubManager()) {
                        x.tempAttach(sm);
                        int[] path = Gumbel.hardSample(new float[layers * ops], Gumbel.noise(1, s, layers * ops),
                                layers, ops);
                        List<Parameter> ps = net.weights(path);
                        Nets.zeroGrads(ps);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray logits = net.forwardPath(new ParameterStore(sm, false), x, path, true);
                            gc.backward(Losses.crossEntropy(logits, y));
                        }
                        sgd.update(ps, keys, lr);
                    }
                });
                progress.finish("");
                rows.add(new Row("supernet, one sampled path", single, batch * 1000.0 / single));
                }
            }
            if (modes.contains("fixed")) {
            Block fixed = FixedNet.build(space, fixedArch);
            fixed.initialize(m, DataType.FLOAT32, xs);
            Map<String, String> fkeys = Nets.keys(fixed);
            List<Parameter> fparams = new ArrayList<>();
            for (var p : fixed.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    fparams.add(p.getValue());
                }
            }
            try (Sgd sgd = new Sgd(m, 0.9, 1e-4)) {
                progress.start("bench fixed subnet", warmup + steps);
                double f = time(warmup, steps, progress, s -> {
                    try (NDManager sm = m.newSubManager()) {
                        x.tempAttach(sm);
                        Nets.zeroGrads(fparams);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray logits = fixed.forward(new ParameterStore(sm, false), new NDList(x), true)
                                    .singletonOrThrow();
                            gc.backward(Losses.crossEntropy(logits, y));
                        }
                        sgd.update(fparams, fkeys, 1e-3);
                    }
                });
                progress.finish("");
                rows.add(new Row("fixed subnet (" + fixedArch.canonical() + ")", f, batch * 1000.0 / f));
            }
            }
        }
        int threads;
        try {
            threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        } catch (RuntimeException | LinkageError e) {
            threads = -1;
        }
        return new Result(io.hwnas.core.Json.SCHEMA, space.id(), batch, threads, steps, fixedArch.canonical(),
                rows);
    }

    interface Step {
        void run(int step);
    }

    private static double time(int warmup, int steps, Progress progress, Step step) {
        double[] t = new double[steps];
        for (int i = 0; i < warmup + steps; i++) {
            long t0 = System.nanoTime();
            step.run(i);
            long t1 = System.nanoTime();
            if (i >= warmup) {
                t[i - warmup] = (t1 - t0) / 1e6;
            }
            progress.update(i + 1, "");
        }
        Arrays.sort(t);
        return t[steps / 2];
    }
}
