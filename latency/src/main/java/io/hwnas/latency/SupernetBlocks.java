package io.hwnas.latency;

import ai.djl.nn.Block;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.util.HwnasException;

/** The blocks a LUT is measured with: the supernet's own candidate ops, stem and head. */
public final class SupernetBlocks implements LutMeasurer.Blocks {
    public static final SupernetBlocks INSTANCE = new SupernetBlocks();

    private SupernetBlocks() {}

    @Override
    public Block op(LayerSpec layer, OpSpec op) {
        throw missing();
    }

    @Override
    public Block stem(SearchSpace s) {
        throw missing();
    }

    @Override
    public Block head(SearchSpace s) {
        throw missing();
    }

    private static HwnasException missing() {
        return new HwnasException("candidate-op blocks (io.hwnas.supernet.ops.Ops) are not in this build yet");
    }
}
