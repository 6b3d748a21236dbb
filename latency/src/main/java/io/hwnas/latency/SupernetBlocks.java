package io.hwnas.latency;

import ai.djl.nn.Block;
import io.hwnas.supernet.ops.Ops;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;

/** The blocks a LUT is measured with: the supernet's own candidate ops, stem and head ({@link Ops}). */
public final class SupernetBlocks implements LutMeasurer.Blocks {
    public static final SupernetBlocks INSTANCE = new SupernetBlocks();

    private SupernetBlocks() {}

    @Override
    public Block op(LayerSpec layer, OpSpec op) {
        return Ops.op(layer, op);
    }

    @Override
    public Block stem(SearchSpace s) {
        return Ops.stem(s);
    }

    @Override
    public Block head(SearchSpace s) {
        return Ops.head(s);
    }
}
