package io.hwnas.supernet.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.function.UnaryOperator;

/**
 * The memory layout of training-mode depthwise convolutions. libtorch's CPU depthwise convolution
 * computes its weight gradient far faster on a channels-last (NHWC-ordered) input than on the usual
 * NCHW one: a training step of the all-{@code k5_e6} {@code fbnet-fmnist-tiny} subnet takes about half
 * the time on an AMD EPYC Zen 2 ({@code hwnas bench train --layout both}; README, "Speed and memory").
 *
 * <p>So in training mode on a CPU, when the depthwise weight takes a gradient, the convolution runs on a
 * channels-last copy of its input and its result is copied back into NCHW order: everything else (BN,
 * ReLU, the 1x1 convolutions, residual sums) runs in NCHW as before. Shapes, values (to float rounding)
 * and gradients are those of the NCHW computation; the float32 gradients are as close to float64 as
 * NCHW's, parameter by parameter (LayoutFloat64ReferenceTest). Inference (evaluation, latency
 * measurement, export) stays NCHW, so measured latencies mean what they meant; so do forward passes and
 * steps on detached weights (BN recalibration, θ steps), which compute no weight gradient. Opt-in
 * ({@code -Dhwnas.channels_last=true}; the launcher: {@code HWNAS_CHANNELS_LAST=1}): four 10-epoch
 * Fashion-MNIST preset runs trained with it extracted their subnets about 1.6 points lower on average than
 * five NCHW runs (83.12 against 84.70 %), for a cause not found
 * (experiments/results/channels-last/README.md, "Why it stays opt-in").
 */
public final class Layout {
    /** System property: {@code true} turns channels-last training on (default false: NCHW). */
    public static final String PROPERTY = "hwnas.channels_last";
    /** The layouts' names, as recorded (provenance.json) and asked for (bench train --layout). */
    public static final String NCHW = "nchw";
    public static final String CHANNELS_LAST = "channels-last";
    public static final java.util.List<String> NAMES = java.util.List.of(NCHW, CHANNELS_LAST);

    private Layout() {}

    /**
     * Whether training-mode depthwise convolutions on a CPU run channels-last (the property, read on each
     * call: false unless set to true; opt-in until its effect on accuracy is settled, see the README).
     *
     * @throws io.hwnas.core.HwnasException when the property holds neither true nor false
     */
    public static boolean channelsLast() {
        String v = System.getProperty(PROPERTY, "false").trim();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new io.hwnas.core.HwnasException("system property " + PROPERTY + " = '" + v + "': must be true or false"
                + " (the launcher sets it from HWNAS_CHANNELS_LAST=1 or 0)");
    }

    /**
     * The layout training's depthwise convolutions take on {@code gpu} or a CPU: "channels-last" or
     * "nchw" (on a GPU always "nchw": nothing is converted there).
     */
    public static String name(boolean gpu) {
        return !gpu && channelsLast() ? CHANNELS_LAST : NCHW;
    }

    private static final java.util.concurrent.atomic.AtomicLong CONVERSIONS = new java.util.concurrent.atomic.AtomicLong();

    /** Inputs put into channels-last order so far (for tests: training converts, θ steps do not). */
    public static long conversions() {
        return CONVERSIONS.get();
    }

    /**
     * {@code conv} applied to {@code x}, a convolution with weight {@code w} [out, in/groups, K, K] in
     * {@code groups} groups: see {@link #depthwise}, for a depthwise one (groups > 1, one input channel
     * per group) whose weight takes a gradient. {@code w} must be the parameter's value as the parameter
     * store gave it: an array derived from a parameter inside a GradientCollector reports no gradient in
     * DJL 0.35.1 ({@code hasGradient}).
     */
    public static NDArray conv(NDArray x, NDArray w, int groups, boolean training, UnaryOperator<NDArray> conv) {
        return depthwise(x, training && groups > 1 && w.getShape().get(1) == 1 && w.hasGradient(), conv);
    }

    /**
     * {@code conv}, a depthwise convolution, applied to {@code x}: when its weight trains ({@code trains},
     * which implies training mode) on a CPU, to the same values in channels-last order, with its result put back into
     * NCHW order; otherwise to {@code x} itself. Only the convolution runs channels-last: with libtorch
     * 2.7.1's channels-last BatchNorm, ReLU and 1x1 convolutions as well, some float32 gradients were far
     * further from float64 than NCHW's (a BN scale 15x, the head conv of all k3_e3 4,000x;
     * LayoutFloat64ReferenceTest).
     */
    public static NDArray depthwise(NDArray x, boolean trains, UnaryOperator<NDArray> conv) {
        if (!trains || x.getDevice().isGpu() || !channelsLast()) {
            return conv.apply(x);
        }
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) <= 1) {
            return conv.apply(x);
        }
        CONVERSIONS.incrementAndGet();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long wd = s.get(3);
        // NHWC view -> flattened per image: a copy in that order (torch's reshape of a non-contiguous view)
        // -> back to an NCHW shape over channels-last strides
        NDArray y = conv.apply(x.transpose(0, 2, 3, 1).reshape(n, h * wd * c).reshape(n, h, wd, c)
                .transpose(0, 3, 1, 2));
        Shape t = y.getShape();
        // the result, channels-last strided like its input, copied into NCHW order (torch's reshape again)
        NDArray back = y.reshape(t.get(0), t.get(1) * t.get(2) * t.get(3)).reshape(t);
        // nothing needs the channels-last result any more (the convolution's backward keeps its input and
        // weight, the copy nothing): freed now rather than with the step, one activation less per layer
        y.close();
        return back;
    }
}
