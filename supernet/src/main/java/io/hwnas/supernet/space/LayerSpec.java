package io.hwnas.supernet.space;

/**
 * One searchable layer in canonical flat form, with everything an op needs to be built, costed or
 * measured: a stable name ({@code stage{i}.block{j}}, 0-based), channel counts, stride and the
 * input's spatial size.
 */
public record LayerSpec(int index, int stage, int block, int inChannels, int outChannels, int stride,
        int inHeight, int inWidth) {

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
}
