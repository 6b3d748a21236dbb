package io.hwnas.supernet.space;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registered search spaces, loaded from JSON resources under {@code /io/hwnas/spaces/}, plus
 * user files: {@link #resolve(String)} takes a registered id or a path to a space JSON file.
 */
public final class SpaceRegistry {
    /** Registered ids, in the order they are listed. */
    public static final List<String> IDS = List.of(
            "fbnet-cifar", "fbnet-imagenet", "fbnet-cifar-tiny", "fbnet-fmnist-tiny");

    private static final Map<String, SearchSpace> CACHE = new LinkedHashMap<>();

    private SpaceRegistry() {}

    public static synchronized SearchSpace get(String id) {
        SearchSpace s = CACHE.get(id);
        if (s != null) {
            return s;
        }
        if (!IDS.contains(id)) {
            throw new HwnasException("unknown search space \"" + id + "\"; registered: " + String.join(", ", IDS)
                    + " (or give a path to a space JSON file)");
        }
        String res = "/io/hwnas/spaces/" + id + ".json";
        InputStream in = SpaceRegistry.class.getResourceAsStream(res);
        if (in == null) {
            throw new IllegalStateException("registered space resource missing: " + res);
        }
        s = Json.read(res, in, SearchSpace.class);
        if (!s.id().equals(id)) {
            throw new IllegalStateException(res + " declares id " + s.id());
        }
        CACHE.put(id, s);
        return s;
    }

    public static List<SearchSpace> all() {
        return IDS.stream().map(SpaceRegistry::get).toList();
    }

    /** A registered id, or a path to a JSON file holding a space. */
    public static SearchSpace resolve(String idOrFile) {
        if (IDS.contains(idOrFile)) {
            return get(idOrFile);
        }
        Path p = Path.of(idOrFile);
        if (Files.isRegularFile(p) || idOrFile.endsWith(".json")) {
            return Json.read(p, SearchSpace.class);
        }
        return get(idOrFile); // unknown id: the message lists the registered ones
    }
}
