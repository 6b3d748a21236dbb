package io.hwnas.supernet.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import io.hwnas.core.HwnasException;

/**
 * The fixed head: 1x1 conv + BN + ReLU ("conv"), global average pool, flatten, fully connected
 * layer with bias ("fcWeight" [classes, channels], "fcBias" [classes]). Output: logits [B, classes].
 */
public final class Head extends AbstractBlock implements OpBlock {
    private static final int[] LAST = {2};
    private final ConvBn conv;
    private final int channels;
    private final int classes;
    private final Parameter fcWeight;
    private final Parameter fcBias;

    private Head(Builder b) {
        channels = b.channels;
        classes = b.classes;
        conv = addChildBlock("conv", ConvBn.builder().setChannels(b.inChannels, b.channels).build());
        fcWeight = addParameter(Parameter.builder().setName("fcWeight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(classes, channels)).optInitializer(new NormalInitializer(0.01f)).build());
        fcBias = addParameter(Parameter.builder().setName("fcBias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(classes)).optInitializer(Initializer.ZEROS).build());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Global average pool over H and W, then the FC layer. */
    public static NDArray poolFc(NDArray x, NDArray weight, NDArray bias) {
        Shape s = x.getShape();
        NDArray pooled = x.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).mean(LAST);
        return Linear.linear(pooled, weight, bias).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray y = conv.forward(ps, x, training);
        return poolFc(y, ps.getValue(fcWeight, x.getDevice(), training), ps.getValue(fcBias, x.getDevice(), training));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        conv.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
    }

    public static final class Builder {
        private int inChannels;
        private int channels;
        private int classes;

        private Builder() {}

        public Builder setInChannels(int inChannels) {
            this.inChannels = inChannels;
            return this;
        }

        public Builder setChannels(int channels) {
            this.channels = channels;
            return this;
        }

        public Builder setClasses(int classes) {
            this.classes = classes;
            return this;
        }

        public Head build() {
            HwnasException.require(inChannels >= 1, "head.in_channels", inChannels, "must be positive");
            HwnasException.require(channels >= 1, "head.channels", channels, "must be positive");
            HwnasException.require(classes >= 1, "head.classes", classes, "must be positive");
            return new Head(this);
        }
    }
}
