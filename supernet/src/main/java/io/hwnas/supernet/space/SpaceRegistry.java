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
            "fbnet-cifar", "fbnet-cifar10", "fbnet-imagenet", "fbnet-cifar-tiny", "fbnet-fmnist-tiny",
            "fbnet-cifar-tiny-shortcut", "fbnet-fmnist-tiny-shortcut", "fbnet-fmnist-tiny-stem2",
            "fbnet-fmnist-small-stem2");

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

    /**
     * A space read from a file may reuse a registered id only when it builds the same networks
     * (same {@link SearchSpace#sha256}): otherwise LUTs, runs and subnets of the registered space
     * would silently be taken for it.
     */
    public static SearchSpace checkIdentity(Object file, SearchSpace s) {
        if (IDS.contains(s.id()) && !s.sha256().equals(get(s.id()).sha256())) {
            throw HwnasException.inFile(file, "field 'id' = \"" + s.id() + "\": the id of a registered space, but this"
                    + " space differs from it (" + difference(s, get(s.id())) + "); give your space its own id");
        }
        return s;
    }

    private static String difference(SearchSpace a, SearchSpace b) {
        if (!a.input().equals(b.input())) {
            return "input " + json(a.input()) + " vs " + json(b.input());
        }
        if (!a.stem().equals(b.stem())) {
            return "stem " + json(a.stem()) + " vs " + json(b.stem());
        }
        for (int i = 0; i < Math.min(a.stages().size(), b.stages().size()); i++) {
            if (!a.stages().get(i).equals(b.stages().get(i))) {
                return "stages[" + i + "] " + json(a.stages().get(i)) + " vs " + json(b.stages().get(i));
            }
        }
        if (a.stages().size() != b.stages().size()) {
            return a.stages().size() + " stages vs " + b.stages().size();
        }
        if (!a.head().equals(b.head())) {
            return "head " + json(a.head()) + " vs " + json(b.head());
        }
        if (a.projectionShortcut() != b.projectionShortcut()) {
            return "shortcut " + (a.shortcut() == null ? "none" : a.shortcut()) + " vs "
                    + (b.shortcut() == null ? "none" : b.shortcut());
        }
        return "ops " + a.ops() + " vs " + b.ops();
    }

    /** A part of a space as compact JSON, as the user wrote it. */
    private static String json(Object part) {
        try {
            return Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(part);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return String.valueOf(part);
        }
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
            return checkIdentity(p, Json.read(p, SearchSpace.class));
        }
        return get(idOrFile); // unknown id: the message lists the registered ones
    }
}
