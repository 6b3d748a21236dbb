package io.hwnas.search.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.net.Gumbel;
import io.hwnas.supernet.net.Losses;
import io.hwnas.supernet.net.Supernet;
import java.util.List;
import java.util.Map;

/**
 * One weight step: cross-entropy of the soft Gumbel-softmax mixture ("soft", FBNet), of one path
 * sampled from θ ("single-path"), or of the sandwich ("sandwich", OFA/BigNAS: the largest subnet,
 * the smallest and N uniformly random ones, each smaller one also distilled in place from the
 * largest's softened outputs), then SGD on the weights that ran. θ gets no gradient here.
 */
public final class WeightStep {
    private final Supernet net;
    private final Theta theta;
    private final Sgd sgd;
    private final Map<String, String> keys;
    private final String mode;
    private final int sandwichRandom;
    private final double kdWeight;
    private final int[] largest;
    private final int[] smallest;
    private final int[] smallestDense;
    /** Added to θ's logits for a dense-only sample: 0 for a dense op, -∞ for skip and grouped ops. */
    private final float[] denseBias;

    /** What one step did (the largest subnet's loss and accuracy for a sandwich); not finite: nothing updated. */
    public record Result(float ce, long correct, int size) {
        public boolean finite() {
            return Float.isFinite(ce);
        }
    }

    public WeightStep(Supernet net, Theta theta, Sgd sgd, String mode) {
        this(net, theta, sgd, mode, 0, 0);
    }

    public WeightStep(Supernet net, Theta theta, Sgd sgd, String mode, int sandwichRandom, double kdWeight) {
        this.net = net;
        this.theta = theta;
        this.sgd = sgd;
        this.keys = Nets.keys(net);
        this.mode = mode;
        this.sandwichRandom = sandwichRandom;
        this.kdWeight = kdWeight;
        this.largest = Supernet.largestPath(net.space());
        this.smallest = Supernet.smallestPath(net.space());
        this.smallestDense = Supernet.smallestDensePath(net.space());
        boolean[] d = Supernet.denseOps(net.space());
        int layers = net.layerCount();
        this.denseBias = new float[layers * d.length];
        for (int l = 0; l < layers; l++) {
            for (int k = 0; k < d.length; k++) {
                denseBias[l * d.length + k] = d[k] ? 0f : Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** How many Gumbel draws a step takes ([paths × layers × ops]). */
    public int noiseSize() {
        int n = net.layerCount() * net.space().ops().size();
        return "sandwich".equals(mode) ? n * Math.max(1, sandwichRandom) : n;
    }

    /** The subnets a sandwich step trains: largest, smallest, then one uniform sample per noise chunk. */
    public List<int[]> sandwich(float[] noise) {
        return sandwich(noise, false);
    }

    /**
     * The subnets a sandwich step trains: largest, smallest, then one uniform sample per noise chunk;
     * {@code denseOnly}: the smallest and the samples among the dense ops ({@link Supernet#denseOps}).
     */
    public List<int[]> sandwich(float[] noise, boolean denseOnly) {
        int layers = net.layerCount();
        int ops = net.space().ops().size();
        List<int[]> paths = new java.util.ArrayList<>();
        paths.add(largest);
        paths.add(denseOnly ? smallestDense : smallest);
        float[] zeros = denseOnly ? denseBias : new float[layers * ops];
        for (int i = 0; i < sandwichRandom; i++) {
            float[] chunk = java.util.Arrays.copyOfRange(noise, i * layers * ops, (i + 1) * layers * ops);
            paths.add(Gumbel.hardSample(zeros, chunk, layers, ops)); // argmax of pure Gumbel noise: uniform
        }
        return paths;
    }

    /** One step on (x, y) with Gumbel noise {@code noise} ({@link #noiseSize()}) at temperature τ and learning rate {@code lr}. */
    public Result run(NDManager sm, NDArray x, NDArray y, float[] noise, double tau, double lr) {
        return run(sm, x, y, noise, tau, lr, false);
    }

    /**
     * One step as {@link #run(NDManager, NDArray, NDArray, float[], double, double)}; {@code denseOnly}
     * (progressive shrinking's first stage): single-path and sandwich steps sample only the dense ops
     * ({@link Supernet#denseOps}); refused for soft steps, which run every op.
     */
    public Result run(NDManager sm, NDArray x, NDArray y, float[] noise, double tau, double lr, boolean denseOnly) {
        if ("sandwich".equals(mode)) {
            return sandwichStep(sm, x, y, noise, lr, denseOnly);
        }
        if (denseOnly && !"single-path".equals(mode)) {
            throw new IllegalArgumentException("dense-only steps need single-path or sandwich sampling, not " + mode);
        }
        boolean single = "single-path".equals(mode);
        int layers = net.layerCount();
        int ops = net.space().ops().size();
        List<Parameter> all = net.weights();
        Nets.zeroGrads(all);
        ParameterStore ps = new ParameterStore(sm, false);
        int[] path = null;
        NDArray gates = null;
        if (single) {
            float[] logits = theta.flat();
            if (denseOnly) {
                for (int i = 0; i < logits.length; i++) {
                    logits[i] += denseBias[i];
                }
            }
            path = Gumbel.hardSample(logits, noise, layers, ops);
        } else {
            NDArray g = sm.create(noise, new Shape(layers, ops));
            gates = Gumbel.softSample(theta.array(), g, sm.create((float) tau)).stopGradient();
        }
        float ce;
        long correct;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = single ? net.forwardPath(ps, x, path, true) : net.forwardMixed(ps, x, gates, true);
            NDArray loss = Losses.crossEntropy(logits, y);
            ce = loss.getFloat();
            if (!Float.isFinite(ce)) {
                return new Result(ce, 0, (int) x.getShape().get(0));
            }
            correct = Nets.correct(logits, y);
            gc.backward(loss);
        }
        sgd.update(single ? net.weights(path) : all, keys, lr);
        return new Result(ce, correct, (int) x.getShape().get(0));
    }

    private Result sandwichStep(NDManager sm, NDArray x, NDArray y, float[] noise, double lr, boolean denseOnly) {
        List<int[]> paths = sandwich(noise, denseOnly);
        Nets.zeroGrads(net.weights());
        ParameterStore ps = new ParameterStore(sm, false);
        NDArray kd = sm.create((float) kdWeight); // an NDArray scalar: mul(Number) loses its scalar before backward
        NDArray teacher = null;
        float ce0 = 0;
        long correct0 = 0;
        java.util.LinkedHashMap<String, Parameter> ran = new java.util.LinkedHashMap<>();
        for (int i = 0; i < paths.size(); i++) {
            int[] path = paths.get(i);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = net.forwardPath(ps, x, path, true);
                NDArray ce = Losses.crossEntropy(logits, y);
                NDArray loss = ce;
                if (i == 0) {
                    teacher = logits.softmax(1).stopGradient();
                    ce0 = ce.getFloat();
                    correct0 = Nets.correct(logits, y);
                } else if (kdWeight > 0) {
                    loss = ce.add(Losses.softCrossEntropy(logits, teacher).mul(kd));
                }
                float v = loss.getFloat();
                if (!Float.isFinite(v)) {
                    return new Result(v, 0, (int) x.getShape().get(0));
                }
                gc.backward(loss); // gradients accumulate over the sandwich's subnets
            }
            for (Parameter p : net.weights(path)) {
                ran.putIfAbsent(p.getId(), p);
            }
        }
        sgd.update(List.copyOf(ran.values()), keys, lr);
        return new Result(ce0, correct0, (int) x.getShape().get(0));
    }
}
