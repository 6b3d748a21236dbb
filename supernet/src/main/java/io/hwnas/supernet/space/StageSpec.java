package io.hwnas.supernet.space;

import static io.hwnas.core.HwnasException.require;

/**
 * A stage of searchable layers: {@code layers} layers with {@code channels} outputs each; the
 * first layer has stride {@code stride}, the others stride 1.
 */
public record StageSpec(int layers, int channels, int stride) {
    public StageSpec {
        require(layers >= 1 && layers <= 64, "stages[].layers", layers, "must be 1..64");
        require(channels >= 1, "stages[].channels", channels, "must be positive");
        require(stride == 1 || stride == 2, "stages[].stride", stride, "must be 1 or 2");
    }
}
