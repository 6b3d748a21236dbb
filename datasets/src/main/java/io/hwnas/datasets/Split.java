package io.hwnas.datasets;

/**
 * The training set cut in two for FBNet's two optimisation levels: {@code weights} trains the
 * supernet's weights, {@code arch} (held out from weight training) trains the architecture
 * logits θ. See {@link Splits#split}.
 */
public record Split(ImageSet weights, ImageSet arch) {
    public Split {
        io.hwnas.core.HwnasException.require(weights != null && arch != null, "split", null,
                "both parts must be present");
    }
}
