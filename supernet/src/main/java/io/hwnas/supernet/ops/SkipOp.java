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

/**
 * FBNet's {@code skip}: the identity when the layer keeps stride 1 and its channel count, else a
 * 1x1 conv (with the layer's stride) + BN + ReLU ("proj"); in a layer with a projection shortcut
 * ({@link LayerSpec#hasShortcut()}) that shortcut alone, without the ReLU.
 */
public final class SkipOp extends AbstractBlock implements OpBlock {
    private final ConvBn proj;
    private final int outChannels;

    private SkipOp(LayerSpec layer) {
        outChannels = layer.outChannels();
        proj = layer.hasShortcut() ? addChildBlock("proj", InvertedResidual.shortcutOf(layer))
                : layer.needsProjection()
                ? addChildBlock("proj", ConvBn.builder().setChannels(layer.inChannels(), layer.outChannels())
                        .optStride(layer.stride()).build())
                : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean isIdentity() {
        return proj == null;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return proj == null ? x : proj.forward(ps, x, training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        if (proj != null) {
            proj.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return proj == null ? new Shape[] {inputShapes[0]} : proj.getOutputShapes(inputShapes);
    }

    public static final class Builder {
        private LayerSpec layer;

        private Builder() {}

        public Builder setLayer(LayerSpec layer) {
            this.layer = layer;
            return this;
        }

        public SkipOp build() {
            if (layer == null) {
                throw new IllegalArgumentException("SkipOp needs a layer");
            }
            return new SkipOp(layer);
        }
    }
}
