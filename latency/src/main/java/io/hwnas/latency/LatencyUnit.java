package io.hwnas.latency;

import io.hwnas.core.HwnasException;

/**
 * The unit LAT is expressed in inside the FBNet loss's {@code log LAT}: ms, 0.1 ms, 0.01 ms or µs,
 * or a fraction of the fastest architecture's latency ({@code "fastest/N"}). Since LAT = fixed +
 * Σ_l Σ_k m[l,k]·table[l][k] with each row of m on the simplex, LAT is never below the fastest
 * architecture's latency, so checking that one suffices.
 *
 * <p>The unit sets the trade-off: the latency term's share of θ's gradient goes as β / log LAT. With a
 * power-of-ten unit that share jumps where a machine's speed crosses a power of ten (for one space's
 * LUT, "auto" chose 0.01 ms on an Intel Xeon VM, where the fastest network took 0.24 ms, and 0.1 ms
 * on an AMD Zen 2 VM, where it took 0.43 ms: about twice the pressure there). With {@code "fastest/N"} log LAT =
 * log N + log(LAT / fastest): a machine uniformly faster or slower gets the same loss.
 *
 * @param name "ms", "0.1ms", "0.01ms", "us" or "fastest/N"
 * @param scale factor from ms to the unit (1, 10, 100, 1000, or N / the fastest architecture's ms)
 */
public record LatencyUnit(String name, double scale) {

    /**
     * The relative setting: {@code fastest/N}, N a plain decimal number written one way only (no leading zero, no
     * trailing zero after the point), so that settings equal as text are equal as numbers: a stored run's
     * {@code fastest/4} and a requested {@code fastest/4.0} would otherwise differ.
     */
    private static final java.util.regex.Pattern RELATIVE = java.util.regex.Pattern.compile(
            "fastest/((?:0|[1-9][0-9]*)(?:\\.[0-9]*[1-9])?)");

    /** What a {@code latency_unit} setting must be, for messages. */
    public static final String SETTINGS = "ms, us, auto or fastest/N (1 < N <= 1e6, a plain decimal without"
            + " leading or trailing zeros: LAT in units of the fastest architecture's latency / N, e.g. fastest/4)";

    /** N of a {@code fastest/N} setting as written (in range or not), or null for any other setting. */
    private static Double relativeN(String setting) {
        java.util.regex.Matcher m = setting == null ? null : RELATIVE.matcher(setting);
        return m != null && m.matches() ? Double.valueOf(m.group(1)) : null;
    }

    private static boolean inRange(double n) {
        return n > 1 && n <= 1e6;
    }

    /** Whether {@code setting} is a valid {@code latency_unit} (the latency model aside). */
    public static boolean valid(String setting) {
        Double n = relativeN(setting);
        return n != null ? inRange(n) : "ms".equals(setting) || "us".equals(setting) || "auto".equals(setting);
    }

    /**
     * "auto": the smallest power-of-ten unit (ms, 0.1 ms, 0.01 ms, µs) in which the fastest
     * architecture has log LAT &gt;= 1, as FBNet's ms did for its phone (LAT ~ 20-30 ms); "ms" and
     * "us" force one; "fastest/N": the fastest architecture's latency / N, so the fastest has
     * log LAT = log N whatever the machine's speed. Refuses a unit in which log LAT would be &lt;= 0.
     */
    public static LatencyUnit choose(double fastestMs, String setting, String source, String spaceId) {
        String unit = setting;
        double scale;
        Double n = relativeN(unit);
        if (n != null) {
            if (!inRange(n)) {
                throw new HwnasException(source + ": field 'latency_unit' = \"" + setting + "\": N must be above 1"
                        + " (so that log LAT > 0) and at most 1e6");
            }
            if (!(fastestMs > 0) || !Double.isFinite(fastestMs)) {
                throw new HwnasException(source + ": the fastest architecture of space " + spaceId + " takes "
                        + String.format("%.6g", fastestMs) + " ms under this latency model, so latency_unit \"" + unit
                        + "\" (a fraction of it) is undefined: check the model (fixed_ms and the per-op entries) or"
                        + " set \"latency_unit\": \"auto\"");
            }
            return new LatencyUnit(unit, n / fastestMs);
        }
        if ("auto".equals(unit)) {
            scale = 1;
            while (fastestMs * scale < Math.E && scale < 1000) {
                scale *= 10;
            }
            unit = name(scale);
        } else if ("ms".equals(unit) || "us".equals(unit)) {
            scale = "ms".equals(unit) ? 1 : 1000;
        } else {
            throw new HwnasException("field 'latency_unit' = \"" + setting + "\": must be " + SETTINGS);
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
