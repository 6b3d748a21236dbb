package io.hwnas.supernet.ops;

import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;

/** The registry of candidate-op, stem and head blocks built from a search space's plain data. */
public final class Ops {
    private Ops() {}

    /**
     * A fresh, uninitialized block for one candidate op in a layer: input [B, in, H, W], output
     * [B, out, outH, outW].
     */
    public static OpBlock op(LayerSpec layer, OpSpec op) {
        if (op.isSkip()) {
            return SkipOp.builder().setLayer(layer).build();
        }
        return InvertedResidual.builder().setLayer(layer).setOp(op).build();
    }

    /** The stem: KxK conv (padding K/2, the stem's stride) + BN + ReLU. */
    public static ConvBn stem(SearchSpace s) {
        return ConvBn.builder().setChannels(s.input().channels(), s.stem().channels())
                .optKernel(s.stem().kernel()).optStride(s.stem().stride()).build();
    }

    /** The head: 1x1 conv + BN + ReLU, global average pool, FC to the classes (logits). */
    public static Head head(SearchSpace s) {
        return Head.builder().setInChannels(s.lastChannels()).setChannels(s.head().channels())
                .setClasses(s.head().classes()).build();
    }
}
