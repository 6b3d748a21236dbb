package io.hwnas.tools.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.net.FixedNet;
import io.hwnas.supernet.net.Losses;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.search.train.Nets;
import io.hwnas.search.train.Sgd;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import java.util.ArrayList;
import java.util.List;

/**
 * Times one training step of a {@link FixedNet} on DJL/PyTorch the way a training loop runs it: a
 * sub-manager per step, forward in training mode under a {@link GradientCollector}, softmax
 * cross-entropy, backward, and an SGD-momentum update (lr 0.01, momentum 0.9, weight decay 4e-5,
 * PyTorch semantics) of the parameters that ran. The same as {@code tools/bench/pytorch_step.py}.
 */
public final class JavaStep implements AutoCloseable {
    /** What one timed step does. */
    public enum Mode {
        /** forward + cross-entropy, graph recorded, no backward. */
        FORWARD,
        /** forward + cross-entropy + backward. */
        FWDBWD,
        /** forward + cross-entropy + backward + SGD-momentum update (and gradients zeroed). */
        STEP
    }

    private final NDManager manager;
    private final SequentialBlock net;
    private final NDArray x;
    private final NDArray y;
    private final List<Parameter> trainable = new ArrayList<>();
    private final Sgd sgd;
    private final java.util.Map<String, String> keys;

    public JavaStep(SearchSpace space, Architecture arch, int batch) {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(0);
        Shape in = new Shape(batch, space.input().channels(), space.input().height(), space.input().width());
        net = FixedNet.build(space, arch);
        net.initialize(manager, DataType.FLOAT32, in);
        for (Parameter p : BlockTree.parameters(net).values()) {
            if (BlockTree.trainable(p)) {
                trainable.add(p);
            }
        }
        x = manager.randomNormal(in);
        y = manager.randomInteger(0, space.head().classes(), new Shape(batch), DataType.INT64);
        sgd = new Sgd(manager, 0.9, 4e-5);
        keys = Nets.keys(net);
    }

    /** One step in the given mode; returns its wall time in ms. */
    public double step(Mode mode) {
        long t0 = System.nanoTime();
        try (NDManager step = manager.newSubManager()) {
            // a training loop creates each batch in the step's manager; ops attach their results to the
            // manager of their input, so the batch must live there for the step's arrays to be freed
            NDArray xs = x.duplicate();
            xs.attach(step);
            ParameterStore ps = new ParameterStore(step, false);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = net.forward(ps, new NDList(xs), true).singletonOrThrow();
                NDArray loss = Losses.crossEntropy(logits, y);
                if (mode != Mode.FORWARD) {
                    gc.backward(loss);
                }
            }
            if (mode == Mode.STEP) {
                sgd.update(trainable, keys, 0.01);
                Nets.zeroGrads(trainable);
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    /**
     * Runs {@code warmup} untimed then {@code steps} timed steps; returns {wall ms[], process CPU
     * ms[]} per timed step.
     */
    public double[][] measure(Mode mode, int warmup, int steps) {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        double[] wall = new double[steps];
        double[] cpu = new double[steps];
        for (int i = 0; i < warmup + steps; i++) {
            long c0 = os.getProcessCpuTime();
            double t = step(mode);
            long c1 = os.getProcessCpuTime();
            if (i >= warmup) {
                wall[i - warmup] = t;
                cpu[i - warmup] = (c1 - c0) / 1e6;
            }
        }
        return new double[][] {wall, cpu};
    }

    @Override
    public void close() {
        sgd.close();
        manager.close();
    }
}
