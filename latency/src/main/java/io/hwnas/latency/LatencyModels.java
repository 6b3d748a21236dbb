package io.hwnas.latency;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.latency.predict.Predictors;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.Hashes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Reads latency-model files. A file with a {@code kind} field is a predictor
 * ({@link Predictors}: lut-fit, mlp, xgboost, flops); a plain LUT ({@link Lut}) has none.
 */
public final class LatencyModels {
    private LatencyModels() {}

    /**
     * Reads the model in {@code file} (read once) and binds it to {@code space}; a model of another
     * space, or one missing an entry, is refused with a message naming the file.
     */
    public static LatencyModel read(Path file, SearchSpace space) {
        return read(file, id -> space);
    }

    /**
     * Reads the model in {@code file} (read once), resolving the space it names (its "space" field)
     * with {@code resolve}, and binds it to that space.
     */
    public static LatencyModel read(Path file, Function<String, SearchSpace> resolve) {
        String text = Json.readText(file); // bounded, regular files only, UTF-8 checked
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            JsonNode tree = Json.parse(file.toString(), new String(bytes, StandardCharsets.UTF_8), JsonNode.class);
            if (tree == null || !tree.isObject()) {
                throw new HwnasException(file + ": not a latency model (a JSON object with \"space\" and a table)");
            }
            JsonNode id = tree.get("space");
            SearchSpace space = resolve.apply(id == null || !id.isTextual() ? null : id.asText());
            if (tree.has("kind")) {
                return Predictors.read(file, new String(bytes, StandardCharsets.UTF_8), tree, space);
            }
            Lut lut = Lut.fromTree(file.toString(), tree);
            lut.checkFingerprint(space).checkSpace(space);
            return new LutModel(lut, space, file.toString(), Hashes.sha256(bytes));
        } catch (HwnasException e) {
            throw e.getMessage().startsWith(file.toString()) ? e : HwnasException.inFile(file, e.getMessage());
        }
    }

    /** A LUT already in memory, bound to {@code space}. */
    public static LutModel of(Lut lut, SearchSpace space, String source) {
        lut.checkFingerprint(space).checkSpace(space);
        return new LutModel(lut, space, source, null);
    }
}
