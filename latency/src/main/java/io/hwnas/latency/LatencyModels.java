package io.hwnas.latency;

import io.hwnas.core.HwnasException;
import io.hwnas.supernet.space.SearchSpace;
import java.nio.file.Path;

/** Reads latency-model files: today LUTs ({@link Lut}); learned predictors register here. */
public final class LatencyModels {
    private LatencyModels() {}

    /**
     * Reads the model in {@code file} (read once) and binds it to {@code space}; a model of another
     * space, or one missing an entry, is refused with a message naming the file.
     */
    public static LatencyModel read(Path file, SearchSpace space) {
        Lut lut = Lut.read(file, space);
        try {
            return new LutModel(lut, space, file.toString());
        } catch (HwnasException e) {
            throw e.getMessage().startsWith(file.toString()) ? e : HwnasException.inFile(file, e.getMessage());
        }
    }

    /** A LUT already in memory, bound to {@code space}. */
    public static LutModel of(Lut lut, SearchSpace space, String source) {
        lut.checkSpace(space).checkFingerprint(space);
        return new LutModel(lut, space, source);
    }
}
