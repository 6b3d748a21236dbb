package io.hwnas.supernet.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import io.hwnas.core.HwnasException;

/**
 * A KxK convolution without bias (padding K/2, stride, groups), BatchNorm with its own
 * gamma/beta/running statistics, and an optional ReLU. The BN momentum is PyTorch's convention
 * (the weight of the new batch, default 0.1) and can be changed for recalibration.
 *
 * <p>Parameters: {@code weight} [out, in/groups, K, K], {@code gamma}, {@code beta} [out] (trained),
 * {@code runningMean}, {@code runningVar} [out] (not trained).
 */
public final class ConvBn extends AbstractBlock implements OpBlock {
    public static final float DEFAULT_MOMENTUM = 0.1f;
    public static final float EPS = 1e-5f;

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int groups;
    private final boolean relu;
    private final Shape strideShape;
    private final Shape padShape;
    private final Shape dilationShape;
    private float momentum = DEFAULT_MOMENTUM;

    private final Parameter weight;
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;

    private ConvBn(Builder b) {
        inChannels = b.inChannels;
        outChannels = b.outChannels;
        kernel = b.kernel;
        stride = b.stride;
        groups = b.groups;
        relu = b.relu;
        strideShape = new Shape(stride, stride);
        padShape = new Shape(kernel / 2, kernel / 2);
        dilationShape = new Shape(1, 1);
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(outChannels, inChannels / groups, kernel, kernel))
                .optInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                        XavierInitializer.FactorType.OUT, 2))
                .build());
        gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(outChannels)).optInitializer(Initializer.ONES).build());
        beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                .optShape(new Shape(outChannels)).optInitializer(Initializer.ZEROS).build());
        runningMean = addParameter(Parameter.builder().setName("runningMean").setType(Parameter.Type.RUNNING_MEAN)
                .optShape(new Shape(outChannels)).optInitializer(Initializer.ZEROS).optRequiresGrad(false).build());
        runningVar = addParameter(Parameter.builder().setName("runningVar").setType(Parameter.Type.RUNNING_VAR)
                .optShape(new Shape(outChannels)).optInitializer(Initializer.ONES).optRequiresGrad(false).build());
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The functional form: conv (no bias) + batch norm (+ ReLU). In training mode BN normalises with
     * the batch statistics and updates the running ones in place with {@code momentum} (PyTorch
     * convention: weight of the new batch).
     */
    public static NDArray convBn(NDArray x, NDArray weight, NDArray gamma, NDArray beta, NDArray runningMean,
            NDArray runningVar, Shape stride, Shape padding, Shape dilation, int groups, boolean relu,
            boolean training, float momentum) {
        NDArray y = Layout.conv(x, weight, groups, training, in -> Conv2d.conv2d(in, weight, null, stride, padding,
                dilation, groups).singletonOrThrow());
        // DJL passes (1 - momentum) to torch; axis -1 selects torch's native channel axis 1 without a swap
        y = BatchNorm.batchNorm(y, runningMean, runningVar, gamma, beta, -1, 1f - momentum, EPS, training)
                .singletonOrThrow();
        return relu ? y.getNDArrayInternal().relu() : y;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    /** Forward on one array (no NDList wrapping). */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        var device = x.getDevice();
        return convBn(x, ps.getValue(weight, device, training), ps.getValue(gamma, device, training),
                ps.getValue(beta, device, training), ps.getValue(runningMean, device, training),
                ps.getValue(runningVar, device, training), strideShape, padShape, dilationShape, groups, relu,
                training, momentum);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long h = (in.get(2) - 1) / stride + 1;
        long w = (in.get(3) - 1) / stride + 1;
        return new Shape[] {new Shape(in.get(0), outChannels, h, w)};
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (in.dimension() != 4 || in.get(1) != inChannels) {
            throw new IllegalArgumentException("ConvBn expects [B, " + inChannels + ", H, W], got " + in);
        }
    }

    /** BN momentum, PyTorch convention (weight of the new batch). */
    public float momentum() {
        return momentum;
    }

    public void setMomentum(float momentum) {
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("momentum must be in [0, 1]: " + momentum);
        }
        this.momentum = momentum;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }

    public Parameter runningMean() {
        return runningMean;
    }

    public Parameter runningVar() {
        return runningVar;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int groups() {
        return groups;
    }

    public boolean relu() {
        return relu;
    }

    @Override
    public String toString() {
        return "ConvBn(" + inChannels + "->" + outChannels + ", k" + kernel + ", s" + stride + ", g" + groups
                + (relu ? ", relu" : "") + ")";
    }

    public static final class Builder {
        private int inChannels;
        private int outChannels;
        private int kernel = 1;
        private int stride = 1;
        private int groups = 1;
        private boolean relu = true;

        private Builder() {}

        public Builder setChannels(int in, int out) {
            this.inChannels = in;
            this.outChannels = out;
            return this;
        }

        public Builder optKernel(int kernel) {
            this.kernel = kernel;
            return this;
        }

        public Builder optStride(int stride) {
            this.stride = stride;
            return this;
        }

        public Builder optGroups(int groups) {
            this.groups = groups;
            return this;
        }

        public Builder optRelu(boolean relu) {
            this.relu = relu;
            return this;
        }

        public ConvBn build() {
            HwnasException.require(inChannels >= 1 && outChannels >= 1, "channels", inChannels + "->" + outChannels,
                    "must be positive (setChannels is required)");
            HwnasException.require(kernel >= 1 && kernel % 2 == 1, "kernel", kernel, "must be odd and positive");
            HwnasException.require(stride >= 1, "stride", stride, "must be positive");
            HwnasException.require(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0, "groups",
                    groups, "must divide " + inChannels + " and " + outChannels);
            return new ConvBn(this);
        }
    }
}
