package io.hwnas.supernet.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The memory layout of training-mode depthwise convolutions. libtorch's CPU depthwise convolution
 * computes its weight gradient far faster on a channels-last (NHWC-ordered) input than on the usual
 * NCHW one: a training step of the all-{@code k5_e6} {@code fbnet-fmnist-tiny} subnet takes less than half
 * the time on an AMD EPYC Zen 2 ({@code hwnas bench train --layout both}; README, "Speed and memory").
 *
 * <p>So in training mode on a CPU, when the depthwise weight takes a gradient, the convolution's input
 * is put into channels-last order (a view, no copy, when it already is). The result keeps that order,
 * and so does what follows it (BN, ReLU, the 1x1 convolutions, residual sums), so a network converts
 * about once per layer at most. Shapes, values (to float rounding) and gradients are those of the NCHW
 * computation; only the strides differ. Inference (evaluation, latency measurement, export) stays
 * NCHW, so measured latencies mean what they meant; so do forward passes and steps on detached
 * weights (BN recalibration, θ steps), which channels-last made slower while developing it: the weight
 * gradient is what it speeds up. Opt-in ({@code -Dhwnas.channels_last=true}; the launcher: {@code
 * HWNAS_CHANNELS_LAST=1}): one 10-epoch Fashion-MNIST preset run trained with it extracted every subnet
 * about 2 points lower than the same seed in NCHW, which one seed cannot tell from rounding noise.
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
     * {@code x} as the input of a convolution with weight {@code w} [out, in/groups, K, K] in
     * {@code groups} groups: see {@link #forDepthwise}, for a depthwise one (groups > 1, one input channel
     * per group) whose weight takes a gradient. {@code w} must be the parameter's value as the parameter
     * store gave it: an array derived from a parameter inside a GradientCollector reports no gradient in
     * DJL 0.35.1 ({@code hasGradient}).
     */
    public static NDArray forConv(NDArray x, NDArray w, int groups, boolean training) {
        return forDepthwise(x, training && groups > 1 && w.getShape().get(1) == 1 && w.hasGradient(), training);
    }

    /**
     * {@code x} as the input of a depthwise convolution whose weight trains ({@code trains}): in training
     * mode on a CPU, the same values in channels-last order; otherwise {@code x} itself.
     */
    public static NDArray forDepthwise(NDArray x, boolean trains, boolean training) {
        if (!trains || !training || x.getDevice().isGpu() || !channelsLast()) {
            return x;
        }
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) <= 1) {
            return x;
        }
        CONVERSIONS.incrementAndGet();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long wd = s.get(3);
        // NHWC view -> flattened per image: a view when x is already channels-last, else a copy in that
        // order (torch's reshape) -> back to an NCHW shape over channels-last strides
        return x.transpose(0, 2, 3, 1).reshape(n, h * wd * c).reshape(n, h, wd, c).transpose(0, 3, 1, 2);
    }
}
