package io.hwnas.datasets;

import ai.djl.ndarray.NDArray;

/**
 * One mini-batch: {@code x} float32 [B, C, H, W] normalized, {@code y} int64 [B] labels,
 * {@code size} = B (the last batch of an epoch may be smaller unless dropped).
 */
public record Batch(NDArray x, NDArray y, int size) implements AutoCloseable {
    /** Closes both arrays. */
    @Override
    public void close() {
        x.close();
        y.close();
    }
}
