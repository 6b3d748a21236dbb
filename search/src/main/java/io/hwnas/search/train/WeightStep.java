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
    private final double labelSmoothing;
    private final int[] largest;
    private final int[] smallest;
    private final int[] smallestDense;
    /** Added to θ's logits for a dense-only sample: 0 for a dense op, -∞ for skip and grouped ops. */
    private final float[] denseBias;
    /** Uniform-depth sampling ({@link Paths#DEPTH}, and the sandwich's random subnets): noise per path grows by layers + 1. */
    private final boolean depthUniform;
    private final int skip;

    /**
     * How a single-path step picks its path (and a sandwich step its random subnets):
     * <ul>
     *   <li>{@code THETA}: a single path sampled from θ (uniform per op while θ is zero); the
     *       sandwich's random subnets uniform per op, or with a uniform depth when the step was built
     *       with {@code depthUniform};</li>
     *   <li>{@code DENSE}: progressive shrinking's first stage: only the dense ops
     *       ({@link Supernet#denseOps}); the sandwich's smallest is the smallest dense subnet;</li>
     *   <li>{@code DEPTH}: a uniform depth (the step must be built with {@code depthUniform}): a skip rate
     *       r ~ U(0, 1) per path, each layer a {@code skip} with probability r, else uniform over the
     *       other ops; the number of skipped layers is then uniform over 0..layers (OFA samples depth
     *       uniformly), where per-op sampling skips a layer with probability 1/ops and almost never
     *       trains the shallow subnets a latency loss picks;</li>
     *   <li>{@code UNIFORM}: uniform per op whatever θ holds (as {@code THETA} while θ is zero), for
     *       weight steps after the warm-up that should not follow θ; the sandwich's subnets as with
     *       {@code THETA}.</li>
     * </ul>
     */
    public enum Paths { THETA, DENSE, DEPTH, UNIFORM }

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
        this(net, theta, sgd, mode, sandwichRandom, kdWeight, false);
    }

    public WeightStep(Supernet net, Theta theta, Sgd sgd, String mode, int sandwichRandom, double kdWeight,
            boolean depthUniform) {
        this(net, theta, sgd, mode, sandwichRandom, kdWeight, depthUniform, 0);
    }

    /** @param labelSmoothing ε of the weight loss's label smoothing ({@link Losses#smoothed}); 0: plain cross-entropy */
    public WeightStep(Supernet net, Theta theta, Sgd sgd, String mode, int sandwichRandom, double kdWeight,
            boolean depthUniform, double labelSmoothing) {
        this.labelSmoothing = labelSmoothing;
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
        this.depthUniform = depthUniform;
        this.skip = net.space().ops().indexOf(io.hwnas.supernet.space.OpSpec.SKIP);
        if (depthUniform && skip < 0) {
            throw new IllegalArgumentException("uniform depth needs a skip op in space " + net.space().id());
        }
    }

    /** The weight loss from a step's plain cross-entropy: label-smoothed when the step was built with an ε. */
    private NDArray smoothed(NDManager sm, NDArray logits, NDArray ce) {
        return labelSmoothing > 0 ? Losses.smoothed(logits, ce, sm.create((float) labelSmoothing)) : ce;
    }

    /** How many Gumbel draws a step takes: paths × (layers × ops, plus layers + 1 for a uniform depth). */
    public int noiseSize() {
        int n = pathNoise();
        return "sandwich".equals(mode) ? n * Math.max(1, sandwichRandom) : n;
    }

    private int pathNoise() {
        int layers = net.layerCount();
        return layers * net.space().ops().size() + (depthUniform ? layers + 1 : 0);
    }

    /**
     * A path of uniform depth from one path's noise (see {@link Paths#DEPTH}): the Gumbel draws after
     * the layers × ops block become uniforms through the Gumbel CDF exp(-exp(-g)): one per layer
     * (skip or not) and the skip rate; the op of a kept layer is the argmax of its Gumbel draws over
     * the other ops (uniform).
     */
    int[] depthPath(float[] chunk) {
        int layers = net.layerCount();
        int ops = net.space().ops().size();
        double rate = uniform(chunk[layers * ops + layers]);
        int[] path = new int[layers];
        for (int l = 0; l < layers; l++) {
            if (uniform(chunk[layers * ops + l]) < rate) {
                path[l] = skip;
                continue;
            }
            int best = -1;
            for (int k = 0; k < ops; k++) {
                if (k != skip && (best < 0 || chunk[l * ops + k] > chunk[l * ops + best])) {
                    best = k;
                }
            }
            path[l] = best;
        }
        return path;
    }

    private static double uniform(float gumbel) {
        return Math.exp(-Math.exp(-gumbel));
    }

    /** The path a single-path step with this noise trains, picked as {@code paths} says. */
    int[] singlePath(float[] noise, Paths paths) {
        if (paths == Paths.DEPTH) {
            return depthPath(noise);
        }
        int layers = net.layerCount();
        int ops = net.space().ops().size();
        float[] logits = paths == Paths.UNIFORM ? new float[layers * ops] : theta.flat();
        if (paths == Paths.DENSE) {
            for (int i = 0; i < logits.length; i++) {
                logits[i] += denseBias[i];
            }
        }
        return Gumbel.hardSample(logits, java.util.Arrays.copyOf(noise, layers * ops), layers, ops);
    }

    /** The subnets a sandwich step trains: largest, smallest, then one uniform sample per noise chunk. */
    public List<int[]> sandwich(float[] noise) {
        return sandwich(noise, false);
    }

    /**
     * The subnets a sandwich step trains: largest, smallest, then one random subnet per noise chunk
     * (uniform per op, or of uniform depth when the step was built with {@code depthUniform});
     * {@link Paths#DENSE}: the smallest and the random subnets among the dense ops ({@link Supernet#denseOps}).
     */
    public List<int[]> sandwich(float[] noise, Paths paths) {
        return sandwich(noise, paths == Paths.DENSE);
    }

    private List<int[]> sandwich(float[] noise, boolean denseOnly) {
        int layers = net.layerCount();
        int ops = net.space().ops().size();
        List<int[]> paths = new java.util.ArrayList<>();
        paths.add(largest);
        paths.add(denseOnly ? smallestDense : smallest);
        float[] zeros = denseOnly ? denseBias : new float[layers * ops];
        int n = pathNoise();
        for (int i = 0; i < sandwichRandom; i++) {
            float[] chunk = java.util.Arrays.copyOfRange(noise, i * n, (i + 1) * n);
            paths.add(depthUniform && !denseOnly ? depthPath(chunk) // a uniform depth
                    : Gumbel.hardSample(zeros, java.util.Arrays.copyOf(chunk, layers * ops), layers, ops)); // uniform per op
        }
        return paths;
    }

    /** One step on (x, y) with Gumbel noise {@code noise} ({@link #noiseSize()}) at temperature τ and learning rate {@code lr}. */
    public Result run(NDManager sm, NDArray x, NDArray y, float[] noise, double tau, double lr) {
        return run(sm, x, y, noise, tau, lr, Paths.THETA);
    }

    /**
     * One step as {@link #run(NDManager, NDArray, NDArray, float[], double, double)} with its paths
     * picked as {@code paths} says; {@link Paths#DENSE}, {@link Paths#DEPTH} and {@link Paths#UNIFORM}
     * are refused for soft steps, which run every op, and {@code DEPTH} for a step not built with a uniform depth.
     */
    public Result run(NDManager sm, NDArray x, NDArray y, float[] noise, double tau, double lr, Paths paths) {
        if (paths == Paths.DEPTH && !depthUniform) {
            throw new IllegalArgumentException("uniform-depth paths need a step built with depthUniform");
        }
        if ("sandwich".equals(mode)) {
            return sandwichStep(sm, x, y, noise, lr, paths == Paths.DENSE);
        }
        if (paths != Paths.THETA && !"single-path".equals(mode)) {
            throw new IllegalArgumentException(paths + " paths need single-path or sandwich sampling, not " + mode);
        }
        boolean single = "single-path".equals(mode);
        return step(sm, x, y, single ? singlePath(noise, paths) : null, noise, tau, lr);
    }

    /**
     * The path a single-path weight step with global index {@code step} trains instead of a sampled
     * one when every {@code every}-th step and the step after it train the bounds (the sandwich rule's
     * largest and smallest subnet, without its cost per step): the largest, the smallest (the smallest
     * dense one while {@code paths} is {@link Paths#DENSE}), or null for a sampled path.
     */
    public int[] boundPath(long step, int every, Paths paths) {
        if (every < 2 || !"single-path".equals(mode)) {
            return null;
        }
        long r = step % every;
        if (r == 0) {
            return largest.clone();
        }
        return r == 1 ? (paths == Paths.DENSE ? smallestDense : smallest).clone() : null;
    }

    /** One single-path step on the given path (as {@link #boundPath} gives). */
    public Result runPath(NDManager sm, NDArray x, NDArray y, int[] path, double lr) {
        if (!"single-path".equals(mode)) {
            throw new IllegalArgumentException("a given path needs single-path sampling, not " + mode);
        }
        return step(sm, x, y, path.clone(), null, 0, lr);
    }

    /** A step on {@code path} (single-path), or on the soft mixture of {@code noise} at τ when the path is null. */
    private Result step(NDManager sm, NDArray x, NDArray y, int[] path, float[] noise, double tau, double lr) {
        boolean single = path != null;
        int layers = net.layerCount();
        int ops = net.space().ops().size();
        // a single path zeroes and updates only its own tensors: the others take no gradient, and each is
        // zeroed again before a step that updates it
        List<Parameter> ran = single ? net.weights(path) : net.weights();
        Nets.zeroGrads(ran);
        ParameterStore ps = new ParameterStore(sm, false);
        NDArray gates = null;
        if (!single) {
            NDArray g = sm.create(noise, new Shape(layers, ops));
            gates = Gumbel.softSample(theta.array(), g, sm.create((float) tau)).stopGradient();
        }
        float ce;
        long correct;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = single ? net.forwardPath(ps, x, path, true) : net.forwardMixed(ps, x, gates, true);
            NDArray plain = Losses.crossEntropy(logits, y);
            NDArray loss = smoothed(sm, logits, plain);
            ce = plain.getFloat();
            float v = loss == plain ? ce : loss.getFloat();
            if (!Float.isFinite(v)) {
                return new Result(v, 0, (int) x.getShape().get(0));
            }
            correct = Nets.correct(logits, y);
            gc.backward(loss);
        }
        sgd.update(ran, keys, lr);
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
                NDArray loss = smoothed(sm, logits, ce);
                if (i == 0) {
                    teacher = logits.softmax(1).stopGradient();
                    ce0 = ce.getFloat();
                    correct0 = Nets.correct(logits, y);
                } else if (kdWeight > 0) {
                    loss = loss.add(Losses.softCrossEntropy(logits, teacher).mul(kd));
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
