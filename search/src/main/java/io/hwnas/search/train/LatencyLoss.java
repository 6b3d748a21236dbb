package io.hwnas.search.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.hwnas.core.HwnasException;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyUnit;

/**
 * The FBNet latency term of the θ loss: LAT is the model's expected latency of relaxed choices
 * (the Gumbel sample of the forward pass, or softmax(θ)) in the loss's unit, and the loss is
 * {@code CE · α · (log LAT)^β} ("multiplicative", FBNet) or {@code CE + α · (log LAT)^β}
 * ("additive"); α = 0 is plain cross-entropy (LAT is still computed, for the metrics).
 *
 * @param model the target's latency model (differentiable: a LUT)
 * @param unit LAT's unit inside the log (log LAT &gt; 0 for every architecture)
 * @param expectation "sample" (the forward pass's gates) or "softmax" (softmax(θ))
 */
public record LatencyLoss(LatencyModel model, LatencyUnit unit, double alpha, double beta, String form,
        String expectation) {

    public LatencyLoss {
        if (!model.differentiable()) {
            throw new HwnasException(model.source() + ": a " + model.getClass().getSimpleName() + " is not"
                    + " differentiable; the FBNet latency loss needs a LUT-like model (field 'lut')");
        }
    }

    /** The loss of a config for {@code model}, or null when there is no model. */
    public static LatencyLoss of(TrainConfig cfg, LatencyModel model) {
        if (model == null) {
            return null;
        }
        return new LatencyLoss(model, model.lossUnit(cfg.latencyUnit()), cfg.alpha(), cfg.beta(), cfg.latencyLoss(),
                cfg.latencyExpectation());
    }

    /** LAT in the loss's unit for the step's gates (or softmax(θ)); intermediates in {@code sm}. */
    public NDArray latency(NDArray gates, NDArray theta, NDManager sm) {
        NDArray g = gates;
        if ("softmax".equals(expectation)) {
            g = theta.softmax(-1);
            g.attach(sm);
        }
        return model.expectedLatency(g, unit.scale());
    }

    /** LAT in ms from LAT in the loss's unit. */
    public float ms(NDArray lat) {
        return (float) (lat.getFloat() / unit.scale());
    }

    /**
     * The θ loss from the cross-entropy and LAT. NDArray scalars, kept in {@code sm} until backward
     * ({@code mul/pow(Number)} lose theirs in DJL).
     */
    public NDArray loss(NDArray ce, NDArray lat, NDManager sm) {
        if (!(alpha > 0)) {
            return ce;
        }
        NDArray a = sm.create((float) alpha);
        NDArray b = sm.create((float) beta);
        NDArray term = lat.log().pow(b);
        return "additive".equals(form) ? ce.add(term.mul(a)) : ce.mul(a).mul(term);
    }
}
