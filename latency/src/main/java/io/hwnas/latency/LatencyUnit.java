package io.hwnas.latency;

import io.hwnas.core.HwnasException;

/**
 * The unit LAT is expressed in inside the FBNet loss's {@code log LAT}: ms, 0.1 ms, 0.01 ms or µs.
 * Since LAT = fixed + Σ_l Σ_k m[l,k]·table[l][k] with each row of m on the simplex, LAT is never
 * below the fastest architecture's latency, so checking that one suffices.
 *
 * @param name "ms", "0.1ms", "0.01ms" or "us"
 * @param scale factor from ms to the unit (1, 10, 100 or 1000)
 */
public record LatencyUnit(String name, double scale) {

    /**
     * "auto": the smallest power-of-ten unit (ms, 0.1 ms, 0.01 ms, µs) in which the fastest
     * architecture has log LAT &gt;= 1, as FBNet's ms did for its phone (LAT ~ 20-30 ms); "ms" and
     * "us" force one. Refuses a unit in which log LAT would be &lt;= 0.
     */
    public static LatencyUnit choose(double fastestMs, String setting, String source, String spaceId) {
        String unit = setting;
        double scale;
        if ("auto".equals(unit)) {
            scale = 1;
            while (fastestMs * scale < Math.E && scale < 1000) {
                scale *= 10;
            }
            unit = name(scale);
        } else if ("ms".equals(unit) || "us".equals(unit)) {
            scale = "ms".equals(unit) ? 1 : 1000;
        } else {
            throw new HwnasException("field 'latency_unit' = \"" + setting + "\": must be ms, us or auto");
        }
        if (!(fastestMs * scale > 1)) {
            throw new HwnasException(source + ": the fastest architecture of space " + spaceId + " takes "
                    + String.format("%.6g", fastestMs) + " ms under this latency model, so log LAT would be <= 0 with"
                    + " LAT in " + unit + " (the latency loss CE·α·(log LAT)^β needs LAT > 1)."
                    + ("ms".equals(unit) ? " Set \"latency_unit\": \"auto\" or \"us\"." : " Its latencies are too"
                    + " small or negative: check it (fixed_ms and the per-op entries) or use another model."));
        }
        return new LatencyUnit(unit, scale);
    }

    static String name(double scale) {
        return scale == 1 ? "ms" : scale == 10 ? "0.1ms" : scale == 100 ? "0.01ms" : "us";
    }
}
