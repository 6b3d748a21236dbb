package io.hwnas.supernet.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;

/**
 * FBNet's {@code kK_eE[_gG]} op: 1x1 conv (groups G) to E*Cin + BN + ReLU ("pw1"), channel shuffle
 * when G&gt;1, KxK depthwise conv with the layer's stride + BN + ReLU ("dw"), 1x1 conv (groups G) to
 * Cout + BN ("pw2"), plus the input when Cin == Cout and stride 1, or plus the projection shortcut
 * 1x1 conv (layer stride) + BN, no ReLU ("short"), where the layer has one ({@link LayerSpec#hasShortcut()}).
 */
public final class InvertedResidual extends AbstractBlock implements OpBlock {
    private final ConvBn pw1;
    private final ConvBn dw;
    private final ConvBn pw2;
    private final int groups;
    private final boolean residual;
    private final ConvBn shortcut;

    private InvertedResidual(Builder b) {
        int cin = b.layer.inChannels();
        int cout = b.layer.outChannels();
        int mid = b.op.midChannels(cin);
        groups = b.op.groups();
        residual = b.op.hasResidual(b.layer);
        pw1 = addChildBlock("pw1", ConvBn.builder().setChannels(cin, mid).optGroups(groups).build());
        dw = addChildBlock("dw", ConvBn.builder().setChannels(mid, mid).optKernel(b.op.kernel())
                .optStride(b.layer.stride()).optGroups(mid).build());
        pw2 = addChildBlock("pw2", ConvBn.builder().setChannels(mid, cout).optGroups(groups).optRelu(false).build());
        shortcut = b.layer.hasShortcut() ? addChildBlock("short", shortcutOf(b.layer)) : null;
    }

    /** The projection shortcut of a layer that has one: 1x1 conv with the layer's stride + BN, no ReLU. */
    public static ConvBn shortcutOf(LayerSpec layer) {
        return ConvBn.builder().setChannels(layer.inChannels(), layer.outChannels()).optStride(layer.stride())
                .optRelu(false).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Channel shuffle of ShuffleNet: [B, G*C', H, W] -> view [B, G, C', H, W] -> swap -> [B, C'*G, H, W]. */
    public static NDArray channelShuffle(NDArray x, int groups) {
        Shape s = x.getShape();
        long c = s.get(1);
        return x.reshape(s.get(0), groups, c / groups, s.get(2), s.get(3)).swapAxes(1, 2).reshape(s);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray y = pw1.forward(ps, x, training);
        if (groups > 1) {
            y = channelShuffle(y, groups);
        }
        y = dw.forward(ps, y, training);
        y = pw2.forward(ps, y, training);
        return residual ? y.add(x) : shortcut != null ? y.add(shortcut.forward(ps, x, training)) : y;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        pw1.initialize(manager, dataType, inputShapes);
        Shape[] s = pw1.getOutputShapes(inputShapes);
        dw.initialize(manager, dataType, s);
        s = dw.getOutputShapes(s);
        pw2.initialize(manager, dataType, s);
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return pw2.getOutputShapes(dw.getOutputShapes(pw1.getOutputShapes(inputShapes)));
    }

    public boolean hasResidual() {
        return residual;
    }

    /** Whether the op adds the layer's projection shortcut ({@link LayerSpec#hasShortcut()}). */
    public boolean hasShortcut() {
        return shortcut != null;
    }

    public static final class Builder {
        private LayerSpec layer;
        private OpSpec op;

        private Builder() {}

        public Builder setLayer(LayerSpec layer) {
            this.layer = layer;
            return this;
        }

        public Builder setOp(OpSpec op) {
            this.op = op;
            return this;
        }

        public InvertedResidual build() {
            if (layer == null || op == null || op.isSkip()) {
                throw new IllegalArgumentException("InvertedResidual needs a layer and a kK_eE[_gG] op");
            }
            op.checkFits(layer);
            return new InvertedResidual(this);
        }
    }
}
