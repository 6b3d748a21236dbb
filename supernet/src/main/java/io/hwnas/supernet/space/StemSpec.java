package io.hwnas.supernet.space;

import static io.hwnas.core.HwnasException.require;

/** The fixed first layer: KxK conv (padding K/2) to {@code channels}, BN, ReLU. */
public record StemSpec(int channels, int kernel, int stride) {
    public StemSpec {
        require(channels >= 1, "stem.channels", channels, "must be positive");
        require(kernel >= 1 && kernel % 2 == 1, "stem.kernel", kernel, "must be odd and positive");
        require(stride >= 1 && stride <= 4, "stem.stride", stride, "must be 1..4");
    }
}
