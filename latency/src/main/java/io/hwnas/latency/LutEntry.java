package io.hwnas.latency;

import static io.hwnas.core.HwnasException.require;

/**
 * The latency of one candidate op in one searchable layer. {@code medianMs} is the value an
 * architecture's latency sums; mean, standard deviation and the number of timed runs describe the
 * spread ({@code count} 0 and {@code stdMs} 0 for imported values, which come without one).
 *
 * @param layer 0-based index of the searchable layer
 * @param layerName the layer's stable name, {@code stage{i}.block{j}}
 * @param op candidate op name
 */
public record LutEntry(int layer, String layerName, String op, double medianMs, double meanMs, double stdMs,
        int count) {

    public LutEntry {
        require(layer >= 0, "entries[].layer", layer, "must be >= 0");
        require(layerName != null && !layerName.isBlank(), "entries[].layer_name", layerName, "is required");
        require(op != null && !op.isBlank(), "entries[].op", op, "is required");
        require(Double.isFinite(medianMs), "entries[].median_ms", medianMs, "must be a finite number (layer " + layer
                + ", op " + op + ")");
        require(Double.isFinite(meanMs), "entries[].mean_ms", meanMs, "must be a finite number (layer " + layer
                + ", op " + op + ")");
        require(Double.isFinite(stdMs) && stdMs >= 0, "entries[].std_ms", stdMs, "must be finite and >= 0 (layer "
                + layer + ", op " + op + ")");
        require(count >= 0, "entries[].count", count, "must be >= 0");
    }

    /** An entry with a single known value (imported tables): mean = median, no spread, count 0. */
    public static LutEntry of(int layer, String layerName, String op, double ms) {
        return new LutEntry(layer, layerName, op, ms, ms, 0, 0);
    }
}
