package io.hwnas.latency;

import io.hwnas.core.HwnasException;
import io.hwnas.supernet.space.SearchSpace;
import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.Hashes;
import io.hwnas.core.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/** Reads latency-model files: today LUTs ({@link Lut}); learned predictors register here. */
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
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new HwnasException(file + ": no such file");
        } catch (IOException e) {
            throw new HwnasException(file + ": cannot read: " + e.getMessage(), e);
        }
        try {
            JsonNode tree = Json.parse(file.toString(), new String(bytes, StandardCharsets.UTF_8), JsonNode.class);
            if (tree == null || !tree.isObject()) {
                throw new HwnasException(file + ": not a latency model (a JSON object with \"space\" and a table)");
            }
            JsonNode id = tree.get("space");
            SearchSpace space = resolve.apply(id == null || !id.isTextual() ? null : id.asText());
            Lut lut = treeTo(file, tree, Lut.class);
            lut.checkSpace(space);
            return new LutModel(lut, space, file.toString(), Hashes.sha256(bytes));
        } catch (HwnasException e) {
            throw e.getMessage().startsWith(file.toString()) ? e : HwnasException.inFile(file, e.getMessage());
        }
    }

    static <T> T treeTo(Path file, JsonNode tree, Class<T> type) {
        try {
            return Json.mapper().treeToValue(tree, type);
        } catch (IOException | RuntimeException e) {
            throw Json.describe(file.toString(), e);
        }
    }

    /** A LUT already in memory, bound to {@code space}. */
    public static LutModel of(Lut lut, SearchSpace space, String source) {
        lut.checkSpace(space);
        return new LutModel(lut, space, source, null);
    }
}
