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
 * One weight step: cross-entropy of the soft Gumbel-softmax mixture ("soft", FBNet) or of one path
 * sampled from θ ("single-path"), SGD on the weights that ran. θ gets no gradient here.
 */
public final class WeightStep {
    private final Supernet net;
    private final Theta theta;
    private final Sgd sgd;
    private final Map<String, String> keys;
    private final boolean single;

    /** What one step did; when the loss was not finite, nothing was updated. */
    public record Result(float ce, long correct, int size) {
        public boolean finite() {
            return Float.isFinite(ce);
        }
    }

    public WeightStep(Supernet net, Theta theta, Sgd sgd, String sampling) {
        this.net = net;
        this.theta = theta;
        this.sgd = sgd;
        this.keys = Nets.keys(net);
        this.single = "single-path".equals(sampling);
    }

    /** One step on (x, y) with Gumbel noise {@code noise} at temperature τ and learning rate {@code lr}. */
    public Result run(NDManager sm, NDArray x, NDArray y, float[] noise, double tau, double lr) {
        int layers = net.layerCount();
        int ops = net.space().ops().size();
        List<Parameter> all = net.weights();
        Nets.zeroGrads(all);
        ParameterStore ps = new ParameterStore(sm, false);
        int[] path = null;
        NDArray gates = null;
        if (single) {
            path = Gumbel.hardSample(theta.flat(), noise, layers, ops);
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
}
