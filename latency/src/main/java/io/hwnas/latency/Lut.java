package io.hwnas.latency;

import static io.hwnas.core.HwnasException.require;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A latency lookup table of one search space on one device: the fixed parts every architecture
 * shares (stem + head) and one entry per (searchable layer, candidate op). An architecture's
 * latency is {@code fixedMs + Σ_layers entry(layer, chosen op).medianMs} ({@link LutModel}, the table
 * bound to its space, computes it).
 *
 * <p>Entries may be relative: an imported HW-NAS-Bench table stores each op as a delta against
 * {@code k3_e1} and the whole all-{@code k3_e1} network as the fixed part, so some entries are
 * negative; sums are exact all the same (see {@code device.notes}).
 *
 * @param schema file format version (1)
 * @param space id of the search space the table is for
 * @param device where the numbers come from
 * @param fixedMs latency of the parts every architecture shares
 * @param fixedBreakdownMs the fixed part by component (e.g. stem, head), summing to fixedMs; may be null
 * @param entries one per (layer, op), any order
 * @param spaceSha256 {@link SearchSpace#sha256} of the space the table was made for; null in tables
 *     written before it was recorded (accepted, the space is then known by its id alone)
 */
@JsonPropertyOrder({"schema", "space", "spaceSha256", "device", "fixedMs", "fixedBreakdownMs", "entries"})
public record Lut(int schema, String space, DeviceRecord device, double fixedMs, List<LutEntry> entries,
        Map<String, Double> fixedBreakdownMs,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        String spaceSha256) {

    /** No latency hwnas handles is above this: 10^6 ms (17 minutes) for one op is a broken table. */
    public static final double ABSURD_MS = 1e6;

    public Lut {
        Json.checkSchema(schema);
        require(space != null && !space.isBlank(), "space", space, "is required");
        require(device != null, "device", null, "is required");
        require(Double.isFinite(fixedMs), "fixed_ms", fixedMs, "must be a finite number");
        require(Math.abs(fixedMs) <= ABSURD_MS, "fixed_ms", fixedMs, "is absurd (more than " + ABSURD_MS + " ms)");
        require(spaceSha256 == null || spaceSha256.matches("[0-9a-f]{64}"), "space_sha256", spaceSha256,
                "must be 64 lower-case hex digits");
        boolean measured = device.source() == DeviceRecord.Source.MEASURED;
        require(!measured || fixedMs >= 0, "fixed_ms", fixedMs, "a measured latency cannot be negative");
        require(entries != null && !entries.isEmpty(), "entries", entries, "needs one entry per (layer, op)");
        for (int i = 0; i < entries.size(); i++) { // before List.copyOf, which throws on a null without naming it
            require(entries.get(i) != null, "entries[" + i + "]", null, "is missing");
        }
        entries = List.copyOf(entries);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            LutEntry e = entries.get(i);
            require(e != null, "entries[" + i + "]", null, "is missing");
            String which = " (layer " + e.layer() + " " + e.layerName() + ", op " + e.op() + ")";
            require(Math.abs(e.medianMs()) <= ABSURD_MS, "entries[" + i + "].median_ms", e.medianMs(),
                    "is absurd (more than " + ABSURD_MS + " ms)" + which);
            require(!measured || e.medianMs() >= 0, "entries[" + i + "].median_ms", e.medianMs(),
                    "a measured latency cannot be negative" + which);
            Integer prev = seen.put(e.layer() + "/" + e.op(), i);
            if (prev != null) {
                throw new HwnasException("field 'entries[" + i + "]': duplicate entry for layer " + e.layer() + " ("
                        + e.layerName() + "), op " + e.op() + " (also entries[" + prev + "])");
            }
        }
        if (fixedBreakdownMs != null) {
            double sum = 0;
            for (Map.Entry<String, Double> p : fixedBreakdownMs.entrySet()) {
                require(p.getValue() != null && Double.isFinite(p.getValue()), "fixed_breakdown_ms." + p.getKey(),
                        p.getValue(), "must be a finite number");
                sum += p.getValue();
            }
            require(Math.abs(sum - fixedMs) <= 1e-9 * Math.max(1, Math.abs(fixedMs)), "fixed_breakdown_ms",
                    fixedBreakdownMs, "must sum to fixed_ms = " + fixedMs + " (sums to " + sum + ")");
            fixedBreakdownMs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fixedBreakdownMs));
        }
    }

    public Lut(String space, DeviceRecord device, double fixedMs, List<LutEntry> entries,
            Map<String, Double> fixedBreakdownMs) {
        this(Json.SCHEMA, space, device, fixedMs, entries, fixedBreakdownMs, null);
    }

    /** This table, recording the fingerprint of the space it was made for. */
    public Lut withSpace(SearchSpace s) {
        checkSpace(s);
        return new Lut(schema, space, device, fixedMs, entries, fixedBreakdownMs, s.sha256());
    }

    /** Reads and validates a LUT file; errors name the file, the field and the value. */
    public static Lut read(Path file) {
        return fromTree(file.toString(), Json.readTree(file));
    }

    /** A LUT from a parsed JSON tree (errors name {@code source}). */
    public static Lut fromTree(String source, com.fasterxml.jackson.databind.JsonNode n) {
        if (n != null && n.has("kind") && n.get("kind").isTextual()
                && io.hwnas.latency.predict.Predictors.KINDS.contains(n.get("kind").asText())) {
            // a predictor file (LatencyModels reads those)
            throw new HwnasException(source + ": is a fitted latency model (kind " + n.get("kind").asText() + ", from"
                    + " hwnas latency fit), not a LUT table of measured or imported entries; this command needs a table"
                    + " (hwnas lut measure / import / transfer); hwnas latency --lut reads either");
        }
        String other = otherKind(n);
        if (other != null) {
            throw new HwnasException(source + ": is " + other + ", not a LUT (a table with \"entries\")");
        }
        if (n instanceof com.fasterxml.jackson.databind.node.ObjectNode o && !o.has("space_sha256")) {
            o = o.deepCopy();
            o.putNull("space_sha256"); // tables from before the fingerprint was recorded
            n = o;
        }
        try {
            return Json.mapper().treeToValue(n, Lut.class);
        } catch (java.io.IOException | RuntimeException e) {
            throw Json.describe(source, e, n);
        }
    }

    /**
     * What another of hwnas's JSON files {@code n} is, when it is plainly one (a training config, an
     * architecture, a search space, a specialization summary, a subnet's record) and holds no table; else null.
     */
    static String otherKind(com.fasterxml.jackson.databind.JsonNode n) {
        if (n == null || !n.isObject() || n.has("entries")) {
            return null;
        }
        if (n.has("dataset") || n.has("epochs") || n.has("warmup_epochs")) {
            return "a training config (it has \"dataset\" or \"epochs\"; its \"lut\" names the LUT)";
        }
        if (n.has("stages") || n.has("stem")) {
            return "a search space (it has \"stages\")";
        }
        if (n.has("ops")) {
            return "an architecture (it has \"ops\")";
        }
        if (n.has("run_dir") && n.has("kind")) {
            return "a subnet's record (origin.json; its \"lut\" names the LUT)";
        }
        if (n.has("targets") && n.has("method")) {
            return "a specialization summary (summary.json; each target's \"model\" names its latency model)";
        }
        return null;
    }

    /**
     * Reads a LUT file and checks that it covers every (layer, op) of {@code s}, and was made for
     * {@code s}. To predict, bind it to its space: {@link LatencyModels#read} (or
     * {@link LatencyModels#of}) gives a {@link LutModel}.
     */
    public static Lut read(Path file, SearchSpace s) {
        Lut lut = read(file);
        try {
            return lut.checkFingerprint(s).checkSpace(s);
        } catch (HwnasException e) {
            throw HwnasException.inFile(file, e.getMessage());
        }
    }

    /**
     * Refuses a table whose recorded space fingerprint differs from {@code s}'s: a space file that
     * reuses the id but has other channels, strides or ops, or a LUT whose {@code space} field was
     * edited (its fingerprint is then that of another registered space, which the message names).
     * A table whose fingerprint agrees with its own {@code space} field but that is used with another
     * space id is simply of another space. Tables without a fingerprint pass. Callers prefix the
     * LUT's file name.
     */
    public Lut checkFingerprint(SearchSpace s) {
        if (spaceSha256 == null || spaceSha256.equals(s.sha256())) {
            return this;
        }
        String recorded = "field 'space_sha256' = \"" + spaceSha256.substring(0, 12) + "...\"";
        String owner = io.hwnas.supernet.space.SpaceRegistry.IDS.stream()
                .filter(id -> io.hwnas.supernet.space.SpaceRegistry.get(id).sha256().equals(spaceSha256))
                .findFirst().orElse(null);
        if (owner != null && !owner.equals(space)) { // the fingerprint and the 'space' field disagree
            throw new HwnasException(recorded + ": this LUT's entries were made for space " + owner + " (that is its"
                    + " fingerprint), but its 'space' field says " + space + (space.equals(s.id()) ? ""
                    : " and it is used with space " + s.id()) + "; was the 'space' field edited? Set it back to \""
                    + owner + "\", or measure a LUT for space " + s.id());
        }
        if (!space.equals(s.id())) {
            throw otherSpace(s);
        }
        throw new HwnasException(recorded + ": does not match space " + s.id() + " (fingerprint "
                + s.sha256().substring(0, 12) + "...) it is used with: the LUT was made for another space with"
                + " the id " + space + " (other channels, strides or ops), or its 'space_sha256' field was edited;"
                + " measure a LUT for this space (hwnas lut measure)");
    }

    /** A table of another space id: says which, and how to get one for {@code s}. */
    private HwnasException otherSpace(SearchSpace s) {
        String arg = io.hwnas.supernet.space.SpaceRegistry.IDS.contains(s.id()) ? s.id() : "SPACE.json";
        return new HwnasException("field 'space' = \"" + space + "\": this LUT is for space " + space
                + ", it is used with space " + s.id() + ": measure (hwnas lut measure --space " + arg
                + ") or transfer (hwnas lut transfer --space " + arg + ") a table for it");
    }

    /** Writes the table atomically (temporary file, then rename). */
    public void write(Path file) {
        Json.writeFile(file, this);
    }

    /**
     * Refuses a table of another space, one missing any (layer, op) entry, or one with entries
     * for layers or ops the space does not have; the message names the layer and the op.
     */
    public Lut checkSpace(SearchSpace s) {
        if (!space.equals(s.id())) {
            throw otherSpace(s);
        }
        List<LayerSpec> layers = s.layers();
        boolean[][] have = new boolean[layers.size()][s.ops().size()];
        for (int i = 0; i < entries.size(); i++) {
            LutEntry e = entries.get(i);
            if (e.layer() >= layers.size()) {
                throw new HwnasException("field 'entries[" + i + "].layer' = " + e.layer() + ": space " + s.id()
                        + " has layers 0.." + (layers.size() - 1));
            }
            LayerSpec l = layers.get(e.layer());
            if (!l.name().equals(e.layerName())) {
                throw new HwnasException("field 'entries[" + i + "].layer_name' = \"" + e.layerName() + "\": layer "
                        + e.layer() + " of space " + s.id() + " is " + l.name());
            }
            int k = s.ops().indexOf(e.op());
            if (k < 0) {
                throw new HwnasException("field 'entries[" + i + "].op' = \"" + e.op() + "\": not a candidate op of space "
                        + s.id() + " (" + String.join(" ", s.ops()) + ")");
            }
            have[e.layer()][k] = true;
        }
        for (LayerSpec l : layers) {
            for (int k = 0; k < s.ops().size(); k++) {
                if (!have[l.index()][k]) {
                    throw new HwnasException("field 'entries': missing entry for layer " + l.index() + " (" + l.name()
                            + "), op " + s.ops().get(k));
                }
            }
        }
        return this;
    }

    /** [layer][op] in {@code s.ops()} order: the values an architecture's latency sums. */
    public double[][] tableMs(SearchSpace s) {
        checkSpace(s);
        double[][] t = new double[s.layerCount()][s.ops().size()];
        for (LutEntry e : entries) {
            t[e.layer()][s.ops().indexOf(e.op())] = e.medianMs();
        }
        return t;
    }

    /** The entry of one (layer, op), or an error naming both. */
    public LutEntry entry(int layer, String op) {
        for (LutEntry e : entries) {
            if (e.layer() == layer && e.op().equals(op)) {
                return e;
            }
        }
        throw new HwnasException("LUT of space " + space + " has no entry for layer " + layer + ", op " + op);
    }

}
