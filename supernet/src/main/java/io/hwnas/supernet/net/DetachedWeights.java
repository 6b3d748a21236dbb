package io.hwnas.supernet.net;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Set;

/**
 * A parameter store that hands out every parameter but the named ones detached from autograd
 * (PyTorch {@code detach()}: the same storage, no gradient). A θ step uses it so that backward
 * computes gradients for θ and the activations only, not for every candidate op's weights: about a
 * third less work per soft step. BatchNorm running statistics still update in place (same storage).
 * The detached handles belong to {@code manager} (the step's), so they are freed with it.
 */
public final class DetachedWeights extends ParameterStore {
    private final Set<String> keep;

    /** @param keepIds ids of the parameters that keep their gradient (e.g. θ) */
    public DetachedWeights(NDManager manager, Set<String> keepIds) {
        super(manager, false);
        this.keep = Set.copyOf(keepIds);
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        NDArray v = super.getValue(parameter, device, training);
        if (keep.contains(parameter.getId()) || !parameter.requiresGradient()) {
            return v;
        }
        NDArray d = v.stopGradient();
        d.attach(getManager());
        return d;
    }
}
