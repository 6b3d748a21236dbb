package io.hwnas.tools.cli;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.Lut;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --lut FILE [--space SPACE]}: a latency model file and, when the space it names is not
 * registered, the space's JSON file. Shared by every command that predicts from a model.
 */
public final class LutOptions {
    @Option(names = "--lut", required = true, paramLabel = "FILE", description = "Latency model file: a LUT, or a fitted predictor (hwnas latency fit).")
    Path file;

    @Option(names = "--space", paramLabel = "SPACE",
            description = "Space JSON file (or id) when the model's space is not registered.")
    String space;

    /** The model in {@link #file}, bound to its space (the file read once). */
    public LatencyModel model() {
        return LatencyModels.read(file, id -> resolve(id, file, space));
    }

    /** The space a model file names ({@code spaceId}), or the one {@code --space} gives. */
    static SearchSpace resolve(String spaceId, Path file, String spaceOption) {
        if (spaceOption != null) {
            return Checks.space("--space", spaceOption);
        }
        if (spaceId != null && SpaceRegistry.IDS.contains(spaceId)) {
            return SpaceRegistry.get(spaceId);
        }
        throw HwnasException.inFile(file, "field 'space' = " + (spaceId == null ? "null" : "\"" + spaceId + "\"")
                + " is not a registered space; give its JSON file with --space FILE");
    }

    /** A LUT file and its space (checked to cover every (layer, op), and to be the space it was made for). */
    static SearchSpace spaceOf(Lut lut, Path file, String spaceOption) {
        SearchSpace s = resolve(lut.space(), file, spaceOption);
        try {
            lut.checkFingerprint(s).checkSpace(s);
        } catch (HwnasException e) {
            throw HwnasException.inFile(file, e.getMessage());
        }
        return s;
    }
}
