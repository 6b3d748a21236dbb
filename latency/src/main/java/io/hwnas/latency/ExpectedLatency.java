package io.hwnas.latency;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.hwnas.core.HwnasException;

/**
 * The differentiable latency of a relaxed architecture (FBNet): with gates g[l,k] (each row sums
 * to 1, e.g. a Gumbel-softmax sample), the expected latency is {@code fixedMs + Σ_l Σ_k g[l,k] *
 * table[l,k]}. Its gradient with respect to the gates is the table itself.
 */
public final class ExpectedLatency {
    private ExpectedLatency() {}

    /**
     * {@code fixedMs + Σ gates * tableMs} as a scalar NDArray of the gates' data type,
     * differentiable in {@code gates}.
     * Uses only NDArray-NDArray products (never {@code mul(Number)}, whose scalar PyTorch frees
     * before backward) and {@code add(Number)}, which is safe.
     *
     * @param gates [layers, ops]
     * @param tableMs [layers, ops] (converted to the gates' data type if it differs); keep it open
     *     until backward has run: the product's gradient reads it
     * @param fixedMs the latency every architecture shares
     */
    public static NDArray of(NDArray gates, NDArray tableMs, double fixedMs) {
        if (!gates.getShape().equals(tableMs.getShape())) {
            throw new HwnasException("expected latency: gates of shape " + gates.getShape()
                    + " do not match the LUT table of shape " + tableMs.getShape() + " ([layers, ops])");
        }
        NDArray table = tableMs.getDataType() == gates.getDataType() ? tableMs
                : tableMs.toType(gates.getDataType(), false);
        // intermediates stay in their manager (the caller's per-step sub-manager) until backward
        // the constant in the gates' type, so a float32 search keeps float32 (a double would promote)
        Number fixed = gates.getDataType() == ai.djl.ndarray.types.DataType.FLOAT64 ? (Number) fixedMs
                : (Number) (float) fixedMs;
        return gates.mul(table).sum().add(fixed);
    }

    /** The LUT table of a space as a float32 NDArray [layers, ops] in {@code manager}. */
    public static NDArray table(NDManager manager, double[][] tableMs) {
        int layers = tableMs.length;
        int ops = tableMs[0].length;
        float[] flat = new float[layers * ops];
        for (int l = 0; l < layers; l++) {
            for (int k = 0; k < ops; k++) {
                flat[l * ops + k] = (float) tableMs[l][k];
            }
        }
        return manager.create(flat, new ai.djl.ndarray.types.Shape(layers, ops));
    }
}
