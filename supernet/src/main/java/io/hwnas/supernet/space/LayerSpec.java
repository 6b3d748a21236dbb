package io.hwnas.supernet.space;

/**
 * One searchable layer in canonical flat form, with everything an op needs to be built, costed or
 * measured: a stable name ({@code stage{i}.block{j}}, 0-based), channel counts, stride, the input's
 * spatial size, and whether its space gives shape-changing layers a projection shortcut
 * ({@link SearchSpace#SHORTCUT_PROJECTION}; {@link #hasShortcut()}).
 */
public record LayerSpec(int index, int stage, int block, int inChannels, int outChannels, int stride,
        int inHeight, int inWidth,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT)
        boolean projectionShortcut) {

    /** A layer of a space without projection shortcuts (FBNet's ops as written). */
    public LayerSpec(int index, int stage, int block, int inChannels, int outChannels, int stride, int inHeight,
            int inWidth) {
        this(index, stage, block, inChannels, outChannels, stride, inHeight, inWidth, false);
    }

    public String name() {
        return "stage" + stage + ".block" + block;
    }

    public int outHeight() {
        return SearchSpace.convOut(inHeight, stride);
    }

    public int outWidth() {
        return SearchSpace.convOut(inWidth, stride);
    }

    /** Whether {@code skip} must project (1x1 conv) rather than pass its input through. */
    public boolean needsProjection() {
        return stride != 1 || inChannels != outChannels;
    }

    /**
     * Whether every op of this layer carries the projection shortcut S(x) = BN(conv1x1(x), layer stride),
     * no ReLU: a {@code kK_eE} op computes S(x) + op(x) (ResNet's downsampling block) and {@code skip}
     * is S(x) alone. Only in a space with {@code "shortcut": "projection"}, and only where the layer
     * changes shape (elsewhere the ops keep FBNet's identity residual and {@code skip} is the identity).
     */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean hasShortcut() {
        return projectionShortcut && needsProjection();
    }

    /** This layer with another input size (same channels, stride and shortcut). */
    public LayerSpec withInput(int height, int width) {
        return new LayerSpec(index, stage, block, inChannels, outChannels, stride, height, width, projectionShortcut);
    }
}
