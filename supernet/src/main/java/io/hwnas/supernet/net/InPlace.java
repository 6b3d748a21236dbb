package io.hwnas.supernet.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;

/** In-place writes into existing arrays (parameters, BN statistics, θ). */
public final class InPlace {
    private static final NDIndex ALL = new NDIndex("...");

    private InPlace() {}

    /**
     * Copies {@code src}'s values into {@code dst} (same shape; converted to {@code dst}'s type), on the
     * device, as an index assignment. {@code NDArray.copyTo} goes through a host buffer and DJL's JNI
     * {@code set}, whose no-grad guard makes libtorch print a deprecation warning (AutoNonVariableTypeMode)
     * on the first call in a process.
     */
    public static void copy(NDArray src, NDArray dst) {
        if (!src.getShape().equals(dst.getShape())) {
            throw new IllegalArgumentException("copy: source " + src.getShape() + ", target " + dst.getShape());
        }
        // libtorch refuses an in-place write into a leaf that requires a gradient while autograd records (inside
        // a GradientCollector): the copy is no step of any graph, so it runs with recording off
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            if (src.getDataType() == dst.getDataType()) {
                dst.set(ALL, src);
                return;
            }
            try (NDArray converted = src.toType(dst.getDataType(), true)) {
                dst.set(ALL, converted);
            }
        } finally {
            JniUtils.setGradMode(recording);
        }
    }
}
