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
 * <p>Inside the log, LAT is {@code unit.scale() · LAT_ms + shift}: training uses the config's unit (a
 * power of ten, or a fraction of the fastest architecture's latency) and no shift (FBNet's form). {@link #anyRange} keeps that form when the model's fastest
 * architecture takes at least e µs and otherwise (a table whose all-skip network sums to about
 * 0 ms, like HW-NAS-Bench's fpga one) normalises LAT to the model's range,
 * {@code e · (1 + (LAT - fastest) / (slowest - fastest))}, so log LAT runs from 1 to 1 + log 2 over
 * the space whatever its scale.
 *
 * @param model the target's latency model (differentiable: a LUT)
 * @param unit LAT's unit inside the log (log LAT &gt; 0 for every architecture)
 * @param expectation "sample" (the forward pass's gates) or "softmax" (softmax(θ))
 * @param shift added to LAT in the unit before the log (0: FBNet's form)
 */
public record LatencyLoss(LatencyModel model, LatencyUnit unit, double alpha, double beta, String form,
        String expectation, double shift) {

    /** The unit name of the range-normalised form of {@link #anyRange}. */
    public static final String RANGE_UNIT = "range";

    public LatencyLoss {
        if (!model.differentiable()) {
            throw new HwnasException(model.source() + ": the " + model.kindName() + " is not"
                    + " differentiable; the FBNet latency loss needs a LUT-like model (field 'lut')");
        }
        HwnasException.require(Double.isFinite(shift), "shift", shift, "must be finite");
    }

    /** FBNet's form: LAT in {@code unit}, no shift. */
    public LatencyLoss(LatencyModel model, LatencyUnit unit, double alpha, double beta, String form,
            String expectation) {
        this(model, unit, alpha, beta, form, expectation, 0);
    }

    /**
     * A latency term defined for any model range: FBNet's {@code log LAT} with the automatic unit
     * when the fastest architecture takes at least e µs (then log LAT &gt;= 1 in that unit),
     * otherwise LAT normalised to the model's range (unit {@link #RANGE_UNIT}): {@code e · (1 +
     * (LAT - fastest) / (slowest - fastest))}, which is e for the fastest architecture (log 1) and
     * 2e for the slowest. A model whose architectures all take the same time gets a constant term.
     */
    public static LatencyLoss anyRange(LatencyModel model, double alpha, double beta, String form,
            String expectation) {
        double fastest = model.rangeMs().fastestMs();
        if (fastest * 1000 >= Math.E) {
            return new LatencyLoss(model, model.lossUnit("auto"), alpha, beta, form, expectation, 0);
        }
        double range = model.rangeMs().slowestMs() - fastest;
        double scale = range > 0 ? Math.E / range : 0;
        return new LatencyLoss(model, new LatencyUnit(RANGE_UNIT, scale), alpha, beta, form, expectation,
                Math.E - scale * fastest);
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
        NDArray lat = model.expectedLatency(g, unit.scale());
        return shift == 0 ? lat : lat.add((float) shift); // add(Number) keeps its scalar through backward
    }

    /** LAT in ms from LAT in the loss's unit (NaN for a constant range-normalised term). */
    public float ms(NDArray lat) {
        return (float) ((lat.getFloat() - shift) / unit.scale());
    }

    /** LAT in the loss's unit for a latency in ms (what the log sees). */
    public double inUnit(double ms) {
        return unit.scale() * ms + shift;
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
