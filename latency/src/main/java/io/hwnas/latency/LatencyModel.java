package io.hwnas.latency;

import ai.djl.ndarray.NDArray;
import io.hwnas.core.HwnasException;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;

/**
 * A predictor of the latency of an architecture of one search space on one device (OFA's
 * efficiency model, FBNet's LUT). A {@link Lut} bound to its space ({@link LutModel}) is one;
 * learned and analytical predictors are others. Training, evaluation, specialization and the
 * command line depend on this interface only.
 *
 * <p>The hot path is {@link #predictMs(int[])} over op indices into {@code space().ops()}: search
 * calls it millions of times. A model whose latency is linear in one-hot op choices (a LUT) is
 * {@link #differentiable()}: it also gives the expected latency of relaxed choices (gates), which
 * the FBNet latency loss needs.
 */
public interface LatencyModel {

    /** The space the model predicts; architectures of another space are refused. */
    SearchSpace space();

    /** Where the numbers come from (device, conditions, measured / imported / estimated). */
    DeviceRecord device();

    /** A short description of where the model was read from (a file path), for messages. */
    String source();

    /** sha256 of the file the model was read from, or null for a model made in memory. */
    default String sha256() {
        return null;
    }

    /** Predicted latency in ms of the architecture with op indices {@code ops} (one per layer). */
    double predictMs(int[] ops);

    /** Predicted latency in ms of {@code a} (checked against the space). */
    default double predictMs(Architecture a) {
        return predictMs(a.indices(space()));
    }

    /** The fastest and the slowest architecture's latency under this model. */
    LatencyRange rangeMs();

    /**
     * What this model is, for messages to users (never a Java class name): "LUT" for a table (a LUT,
     * or a lut-fit or flops model, which are tables), e.g. "xgboost predictor" for a fitted model.
     */
    default String kindName() {
        return "LUT";
    }

    /** Whether {@link #expectedLatency} is available (latency linear in one-hot choices). */
    default boolean differentiable() {
        return false;
    }

    /**
     * The expected latency of relaxed choices, {@code scale · (fixed + Σ_l Σ_k gates[l,k] ·
     * table[l,k])}, as a scalar NDArray of the gates' type, differentiable in {@code gates}
     * ([layers, ops], each row on the simplex). {@code scale} converts ms to the loss's unit (see
     * {@link #lossUnit}). Intermediates live in the gates' manager (a per-step one).
     */
    default NDArray expectedLatency(NDArray gates, double scale) {
        throw new HwnasException(source() + ": this latency model (" + kindName()
                + ") is not differentiable; the FBNet latency loss needs a LUT-like model");
    }

    /** Σ_l Σ_k p[l][k] · table[l][k] + fixed in ms for per-layer probabilities p (e.g. softmax θ). */
    default double expectedMs(float[][] probs) {
        throw new HwnasException(source() + ": this latency model (" + kindName()
                + ") is not differentiable: no expected latency of op probabilities");
    }

    /**
     * The unit LAT is expressed in inside the loss's {@code log LAT}, chosen (setting "auto"), forced
     * ("ms", "us") or a fraction of the fastest architecture's latency ("fastest/N"), so that log LAT &gt; 0
     * for every architecture; a model under which the loss would be undefined is refused with a message
     * naming its source.
     */
    default LatencyUnit lossUnit(String setting) {
        return LatencyUnit.choose(rangeMs().fastestMs(), setting, source(), space().id());
    }

    /** The fastest and slowest latency over all architectures of a space, in ms. */
    record LatencyRange(double fastestMs, double slowestMs) {}
}
