package io.hwnas.supernet.space;

import static io.hwnas.core.HwnasException.require;

/** The network's input: channels, height and width (one image, no batch dimension). */
public record InputSpec(int channels, int height, int width) {
    public InputSpec {
        require(channels >= 1 && channels <= 64, "input.channels", channels, "must be 1..64");
        require(height >= 1 && height <= 4096, "input.height", height, "must be 1..4096");
        require(width >= 1 && width <= 4096, "input.width", width, "must be 1..4096");
    }
}
