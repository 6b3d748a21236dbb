package io.hwnas.supernet.space;

import static io.hwnas.core.HwnasException.require;

/** The fixed last part: 1x1 conv to {@code channels}, BN, ReLU, global average pool, FC to {@code classes}. */
public record HeadSpec(int channels, int classes) {
    public HeadSpec {
        require(channels >= 1, "head.channels", channels, "must be positive");
        require(classes >= 2, "head.classes", classes, "must be at least 2");
    }
}
