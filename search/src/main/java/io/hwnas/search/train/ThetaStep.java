package io.hwnas.search.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.net.DetachedWeights;
import io.hwnas.supernet.net.Gumbel;
import io.hwnas.supernet.net.Losses;
import io.hwnas.supernet.net.Supernet;

/**
 * One θ step (FBNet): the soft Gumbel-softmax mixture of every op on frozen (detached) weights,
 * loss = cross-entropy with the latency term ({@link LatencyLoss}), Adam on θ. Training calls it in
 * its θ passes; specialization calls it on a trained supernet with another target's latency model.
 * The weights get no gradient; BN running statistics still update (training-mode forward).
 */
public final class ThetaStep {
    private final Supernet net;
    private final Theta theta;
    private final LatencyLoss latency;
    private final Adam adam;

    /** What one step did; when the loss was not finite, nothing was updated. */
    public record Result(float loss, float ce, long correct, int size, float latencyMs) {
        public boolean finite() {
            return Float.isFinite(loss);
        }
    }

    /** @param latency the latency term, or null for plain cross-entropy */
    public ThetaStep(Supernet net, Theta theta, LatencyLoss latency, Adam adam) {
        this.net = net;
        this.theta = theta;
        this.latency = latency;
        this.adam = adam;
    }

    /**
     * One step on the batch (x, y) with Gumbel noise {@code noise} ([layers * ops]) at temperature
     * τ and Adam learning rate {@code lr}. Every array it makes lives in {@code sm} (the step's).
     */
    public Result run(NDManager sm, NDArray x, NDArray y, float[] noise, double tau, double lr) {
        int layers = net.layerCount();
        int ops = net.space().ops().size();
        theta.zeroGrad();
        NDArray g = sm.create(noise, new Shape(layers, ops));
        NDArray tauNd = sm.create((float) tau);
        // weights detached: backward computes θ's gradient (and the activations'), not the weights'
        ParameterStore ps = new DetachedWeights(sm);
        float lossV;
        float ceV;
        float latMs = Float.NaN;
        long correct;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray th = theta.array();
            NDArray gates = Gumbel.softSample(th, g, tauNd);
            NDArray logits = net.forwardMixed(ps, x, gates, true);
            NDArray ce = Losses.crossEntropy(logits, y);
            NDArray loss = ce;
            if (latency != null) {
                NDArray lat = latency.latency(gates, th, sm);
                latMs = latency.ms(lat);
                loss = latency.loss(ce, lat, sm);
            }
            lossV = loss.getFloat();
            ceV = ce.getFloat();
            if (!Float.isFinite(lossV)) {
                return new Result(lossV, ceV, 0, (int) x.getShape().get(0), latMs);
            }
            correct = Nets.correct(logits, y);
            gc.backward(loss);
        }
        adam.update(theta.array(), lr);
        return new Result(lossV, ceV, correct, (int) x.getShape().get(0), latMs);
    }
}
