package io.hwnas.supernet.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * SGD with momentum and (coupled) weight decay, PyTorch's semantics: d = g + wd*w; buf = d on the
 * first step of a parameter, else buf = momentum*buf + d; w -= lr*buf; then the gradient is zeroed
 * (PyTorch accumulates gradients). Only the parameters passed to {@link #step} (those that ran) are
 * touched, so a parameter that did not run keeps its momentum and gets no weight decay.
 *
 * <p>All arithmetic is in place on NDArrays with NDArray scalars created once (never
 * {@code mul(Number)}). On the PyTorch engine the update of one parameter is one native call
 * (DJL's fused sgdUpdate keeps {@code lr*buf} as its state, the same update for a constant lr; when
 * the lr changes the state is rescaled so the result stays PyTorch's).
 */
public final class SgdMomentum {
    private final NDManager manager;
    private final float momentum;
    private final float weightDecay;
    private float learningRate;
    private NDArray[] scalars; // lr, momentum, weight decay for stepPlain, created once
    private final Map<Parameter, NDArray> states = new IdentityHashMap<>();

    /** Momentum buffers live in {@code manager} (close it to free them). */
    public SgdMomentum(NDManager manager, float learningRate, float momentum, float weightDecay) {
        if (!(learningRate > 0f) || !(momentum >= 0f && momentum < 1f) || !(weightDecay >= 0f)) {
            throw new IllegalArgumentException("lr " + learningRate + ", momentum " + momentum + ", weight decay "
                    + weightDecay + ": need lr > 0, 0 <= momentum < 1, weight decay >= 0");
        }
        this.manager = manager;
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    public float learningRate() {
        return learningRate;
    }

    /** Changes the learning rate for the next steps (momentum buffers keep PyTorch's meaning). */
    public void setLearningRate(float lr) {
        if (!(lr > 0f)) {
            throw new IllegalArgumentException("learning rate must be positive: " + lr);
        }
        if (lr != learningRate && !states.isEmpty()) {
            try (NDArray ratio = manager.create(lr / learningRate)) {
                for (NDArray s : states.values()) {
                    s.muli(ratio);
                }
            }
        }
        learningRate = lr;
        if (scalars != null) {
            scalars[0].close();
            scalars[0] = manager.create(lr);
        }
    }

    /** One update of the given parameters from their gradients, which are then zeroed. */
    public void step(Collection<Parameter> ran) {
        for (Parameter p : ran) {
            NDArray w = p.getArray();
            NDArray state = states.get(p);
            if (state == null) {
                state = manager.zeros(w.getShape(), w.getDataType(), w.getDevice());
                states.put(p, state);
            }
            try (NDArray g = w.getGradient()) {
                w.getNDArrayInternal().sgdUpdate(new NDList(w, g, state), new NDList(w), learningRate, weightDecay,
                        1f, -1f, momentum, false);
            }
            zeroGradient(w);
        }
    }

    /**
     * The same update written as separate in-place NDArray ops (about 7 native calls per parameter
     * instead of 2); kept to compare with {@link #step}. Both keep lr*buf as the state.
     */
    public void stepPlain(Collection<Parameter> ran) {
        if (scalars == null) {
            scalars = new NDArray[] {manager.create(learningRate), manager.create(momentum),
                manager.create(weightDecay)};
        }
        NDArray lr = scalars[0];
        NDArray mom = scalars[1];
        NDArray wd = scalars[2];
        for (Parameter p : ran) {
            NDArray w = p.getArray();
            NDArray state = states.get(p);
            if (state == null) {
                state = manager.zeros(w.getShape(), w.getDataType(), w.getDevice());
                states.put(p, state);
            }
            try (NDArray g = w.getGradient(); NDArray decay = w.mul(wd)) {
                g.addi(decay).muli(lr); // g is zeroed below, so it can hold lr*(g + wd*w)
                state.muli(mom).addi(g);
                w.subi(state);
            }
            zeroGradient(w);
        }
    }

    /** Zeroes a parameter's gradient in place without allocating. */
    public static void zeroGradient(NDArray w) {
        if (w instanceof PtNDArray pt) {
            JniUtils.zeroGrad(pt);
        } else {
            try (NDArray g = w.getGradient()) {
                g.subi(g);
            }
        }
    }
}
