package io.hwnas.supernet.space;

import static io.hwnas.core.HwnasException.require;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A search space as plain data (FBNet-builder style): the input, a fixed stem, stages of
 * searchable layers, a fixed head, and the candidate ops every searchable layer chooses from.
 * {@link #layers()} expands the stages into the canonical flat list of layers.
 */
public record SearchSpace(int schema, String id, String description, InputSpec input, StemSpec stem,
        List<StageSpec> stages, HeadSpec head, List<String> ops,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        String shortcut) {

    /**
     * {@code "shortcut": "projection"}: every layer that changes shape gives its ops a 1x1 projection
     * shortcut (see {@link LayerSpec#hasShortcut()}), so that {@code skip} there is a part of every op
     * and elastic depth trains like stochastic depth. Absent (or {@code "none"}): FBNet's ops as written.
     */
    public static final String SHORTCUT_PROJECTION = "projection";

    /** The stored fields; {@link #fromJson} fills in {@code shortcut}, which files written before it lack. */
    private record Stored(int schema, String id, String description, InputSpec input, StemSpec stem,
            List<StageSpec> stages, HeadSpec head, List<String> ops, String shortcut) {}

    /** Reads a space; {@code shortcut} (added later, optional) may be missing: FBNet's ops as written. */
    @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
    static SearchSpace fromJson(com.fasterxml.jackson.databind.JsonNode n) throws java.io.IOException {
        if (n == null || !n.isObject()) {
            throw new HwnasException("a search space must be a JSON object (schema, id, input, stem, stages, head, ops),"
                    + " got " + (n == null ? "nothing" : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) n;
        if (!o.has("shortcut")) {
            o = o.deepCopy();
            o.putNull("shortcut");
        }
        Stored f = Json.mapper().treeToValue(o, Stored.class);
        return new SearchSpace(f.schema, f.id, f.description, f.input, f.stem, f.stages, f.head, f.ops, f.shortcut);
    }

    /** A space without projection shortcuts (FBNet's ops as written). */
    public SearchSpace(int schema, String id, String description, InputSpec input, StemSpec stem,
            List<StageSpec> stages, HeadSpec head, List<String> ops) {
        this(schema, id, description, input, stem, stages, head, ops, null);
    }

    public SearchSpace {
        require(shortcut == null || shortcut.equals("none") || shortcut.equals(SHORTCUT_PROJECTION), "shortcut",
                shortcut, "must be \"projection\" or \"none\""); // the message quotes a text value itself
        shortcut = SHORTCUT_PROJECTION.equals(shortcut) ? shortcut : null; // "none" is the default: not written
        boolean projection = shortcut != null;
        Json.checkSchema(schema);
        require(id != null && id.matches("[a-z0-9][a-z0-9._-]*"), "id", id,
                "must be lower-case letters, digits, '.', '_' or '-'");
        description = description == null ? "" : description;
        require(input != null, "input", null, "is required");
        require(stem != null, "stem", null, "is required");
        require(head != null, "head", null, "is required");
        require(stages != null && !stages.isEmpty(), "stages", stages, "needs at least one stage");
        require(ops != null && !ops.isEmpty(), "ops", ops, "needs at least one candidate op");
        stages = List.copyOf(stages);
        ops = List.copyOf(ops);
        Set<String> seen = new HashSet<>();
        for (String op : ops) {
            OpSpec.parse(op);
            require(seen.add(op), "ops", op, "is listed twice");
        }
        int h = convOut(input.height(), stem.stride());
        int w = convOut(input.width(), stem.stride());
        for (int s = 0; s < stages.size(); s++) {
            h = convOut(h, stages.get(s).stride());
            w = convOut(w, stages.get(s).stride());
        }
        require(h >= 1 && w >= 1, "stages", stages.size(), "downsample the input below 1x1");
        // every candidate op must fit every layer (groups divide the channels), and the largest
        // architecture's MACs and parameters must stay countable (below 2^53): never negative or wrapped
        double total = countable(() -> Costs.convBn(input.channels(), stem.channels(), stem.kernel(), 1,
                convOut(input.height(), stem.stride()), convOut(input.width(), stem.stride())), "stem.channels",
                stem.channels(), "the stem");
        for (LayerSpec layer : expand(input, stem, stages, projection)) {
            double most = 0;
            // blame the larger of the layer's channel counts: its own stage's, or where its input comes from
            boolean fromInput = layer.inChannels() > layer.outChannels();
            int st = fromInput && layer.block() == 0 ? layer.stage() - 1 : layer.stage();
            String field = st < 0 ? "stem.channels" : "stages[" + st + "].channels";
            int value = st < 0 ? stem.channels() : stages.get(st).channels();
            for (String op : ops) {
                OpSpec o = OpSpec.parse(op);
                most = Math.max(most, countable(() -> {
                    o.checkFits(layer);
                    return Costs.op(layer, o);
                }, field, value, "layer " + layer.name() + " with op " + op));
            }
            total += most;
        }
        int lastChannels = stages.get(stages.size() - 1).channels();
        List<LayerSpec> flat = expand(input, stem, stages, projection);
        LayerSpec last = flat.get(flat.size() - 1);
        total += countable(() -> Costs.convBn(lastChannels, head.channels(), 1, 1, last.outHeight(), last.outWidth())
                .plus(new Costs.Cost(Math.multiplyExact((long) head.channels(), head.classes()), 0)), "head.channels",
                head.channels(), "the head (with " + head.classes() + " classes)");
        require(total < Costs.MAX_COUNT, "stages", stages.size() + " stages",
                "the largest architecture needs " + String.format("%.3g", total) + " multiply-accumulates or"
                        + " parameters, more than 2^53; channel counts this large are not a network hwnas can build");
    }

    /** The larger of a part's MACs and params; refused naming {@code field} when it overflows or passes 2^53. */
    private static double countable(java.util.function.Supplier<Costs.Cost> cost, String field, int value, String what) {
        Costs.Cost c;
        try {
            c = cost.get();
        } catch (ArithmeticException e) {
            c = null;
        }
        if (c == null || c.macs() >= Costs.MAX_COUNT || c.params() >= Costs.MAX_COUNT) {
            throw new HwnasException("field '" + field + "' = " + value + ": " + what + " would need more than 2^53"
                    + " multiply-accumulates or parameters; channel counts this large are not a network hwnas can build");
        }
        return Math.max(c.macs(), c.params());
    }

    /**
     * A fingerprint of what the space builds: the SHA-256 (hex) of its canonical JSON (compact, keys
     * sorted, the free-text description left out). Two spaces with the same fingerprint build the
     * same networks; a LUT records the fingerprint of the space it was measured for.
     */
    public String sha256() {
        com.fasterxml.jackson.databind.node.ObjectNode n = Json.mapper().valueToTree(this);
        n.remove("description");
        try {
            String canonical = Json.mapper().copy()
                    .disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writeValueAsString(Json.mapper().treeToValue(n, java.util.TreeMap.class));
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint space " + id, e);
        }
    }

    /**
     * What differs in what the two spaces build (the description left out), field by field in file
     * order, as {@code "stages[3].channels 32 -> 40"} (this space's value first); at most {@code max}.
     */
    public List<String> differences(SearchSpace other, int max) {
        com.fasterxml.jackson.databind.node.ObjectNode a = Json.mapper().valueToTree(this);
        com.fasterxml.jackson.databind.node.ObjectNode b = Json.mapper().valueToTree(other);
        a.remove("description");
        b.remove("description");
        List<String> out = new ArrayList<>();
        differences("", a, b, out, max);
        return out;
    }

    private static void differences(String path, com.fasterxml.jackson.databind.JsonNode a,
            com.fasterxml.jackson.databind.JsonNode b, List<String> out, int max) {
        if (out.size() >= max || a.equals(b)) {
            return;
        }
        if (a.isObject() && b.isObject()) {
            Set<String> names = new java.util.LinkedHashSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                com.fasterxml.jackson.databind.JsonNode x = a.path(n);
                com.fasterxml.jackson.databind.JsonNode y = b.path(n);
                differences(path.isEmpty() ? n : path + "." + n, x, y, out, max);
            }
        } else if (a.isArray() && b.isArray() && (a.size() == b.size() || !a.get(0).isValueNode())) {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                differences(path + "[" + i + "]", a.get(i), b.get(i), out, max);
            }
            if (a.size() != b.size() && out.size() < max) {
                out.add(path + " " + a.size() + " -> " + b.size() + " entries");
            }
        } else {
            out.add(path + " " + a + " -> " + b);
        }
    }

    /** Output size of a conv with padding k/2 and the given stride: ceil(n / stride). */
    public static int convOut(int n, int stride) {
        return (n - 1) / stride + 1;
    }

    /** The canonical flat list of searchable layers. */
    @JsonIgnore
    public List<LayerSpec> layers() {
        return expand(input, stem, stages, shortcut != null);
    }

    /** Whether the shape-changing layers' ops carry a projection shortcut ({@code "shortcut": "projection"}). */
    @JsonIgnore
    public boolean projectionShortcut() {
        return shortcut != null;
    }

    static List<LayerSpec> expand(InputSpec input, StemSpec stem, List<StageSpec> stages, boolean shortcut) {
        List<LayerSpec> out = new ArrayList<>();
        int c = stem.channels();
        int h = convOut(input.height(), stem.stride());
        int w = convOut(input.width(), stem.stride());
        for (int s = 0; s < stages.size(); s++) {
            StageSpec st = stages.get(s);
            for (int b = 0; b < st.layers(); b++) {
                int stride = b == 0 ? st.stride() : 1;
                out.add(new LayerSpec(out.size(), s, b, c, st.channels(), stride, h, w, shortcut));
                c = st.channels();
                h = convOut(h, stride);
                w = convOut(w, stride);
            }
        }
        return List.copyOf(out);
    }

    @JsonIgnore
    public int layerCount() {
        int n = 0;
        for (StageSpec s : stages) {
            n += s.layers();
        }
        return n;
    }

    /** Spatial size of the head's input (after the last stage). */
    @JsonIgnore
    public int[] headInputSize() {
        List<LayerSpec> ls = layers();
        LayerSpec last = ls.get(ls.size() - 1);
        return new int[] {last.outHeight(), last.outWidth()};
    }

    @JsonIgnore
    public int lastChannels() {
        return stages.get(stages.size() - 1).channels();
    }

    /** The op with this name if it is a candidate of this space, or a clear error. */
    public OpSpec op(String name) {
        if (!ops.contains(name)) {
            throw new HwnasException("unknown op \"" + name + "\" for space " + id + "; candidates: "
                    + String.join(" ", ops));
        }
        return OpSpec.parse(name);
    }

    public int opIndex(String name) {
        int i = ops.indexOf(name);
        if (i < 0) {
            op(name); // throws with the message
        }
        return i;
    }

    /**
     * A scaled copy for CPU-size runs: channels times {@code widthMultiplier} (rounded to a
     * multiple of {@code divisor}, never below it), {@code layersPerStage} when given, another input.
     */
    public SearchSpace scaled(String newId, double widthMultiplier, int divisor, List<Integer> layersPerStage,
            InputSpec newInput, int classes) {
        require(widthMultiplier > 0, "width_multiplier", widthMultiplier, "must be positive");
        require(layersPerStage == null || layersPerStage.size() == stages.size(), "layers_per_stage",
                layersPerStage, "must give one count per stage (" + stages.size() + ")");
        List<StageSpec> st = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            StageSpec s = stages.get(i);
            int layers = layersPerStage == null ? s.layers() : layersPerStage.get(i);
            st.add(new StageSpec(layers, round(s.channels() * widthMultiplier, divisor), s.stride()));
        }
        return new SearchSpace(Json.SCHEMA, newId, description + " (scaled x" + widthMultiplier + ")",
                newInput == null ? input : newInput,
                new StemSpec(round(stem.channels() * widthMultiplier, divisor), stem.kernel(), stem.stride()),
                st, new HeadSpec(round(head.channels() * widthMultiplier, divisor), classes), ops, shortcut);
    }

    private static int round(double c, int divisor) {
        return Math.max(divisor, (int) Math.round(c / divisor) * divisor);
    }
}
