package io.hwnas.search.specialize;

/**
 * An estimate of the accuracy of an architecture, given as op indices into {@code space.ops()}
 * (one per layer): OFA's accuracy predictor ({@link MlpAccuracyPredictor}) or the supernet itself
 * (inherited weights, BN recalibrated). The searches in this package call it tens of thousands of
 * times; they call {@link #accuracies} with one generation at a time so that an implementation can
 * batch. Implementations must be deterministic (same ops, same value): the searches cache values.
 */
@FunctionalInterface
public interface AccuracyEstimator {

    /** The estimated accuracy of the architecture {@code ops} (higher is better; any scale). */
    double accuracy(int[] ops);

    /** The estimates of several architectures; by default one {@link #accuracy} call each. */
    default double[] accuracies(int[][] ops) {
        double[] out = new double[ops.length];
        for (int i = 0; i < ops.length; i++) {
            out[i] = accuracy(ops[i]);
        }
        return out;
    }
}
