package io.hwnas.tools.cli;

import io.hwnas.core.HwnasException;

/** Range checks of numeric options, done before any work: the message names the option and the value. */
final class Checks {
    private Checks() {}

    /** The space {@code option} names (a registered id or a space file); an unknown id is refused naming the option. */
    static io.hwnas.supernet.space.SearchSpace space(String option, String value) {
        try {
            return io.hwnas.supernet.space.SpaceRegistry.resolve(value);
        } catch (io.hwnas.core.HwnasException e) {
            if (e.getMessage().startsWith("unknown search space")) {
                throw new io.hwnas.core.HwnasException("option '" + option + "' = \"" + value + "\": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** {@code value >= min}, else "option '--name' = value: must be >= min (meaning)". */
    static int atLeast(String option, long value, long min, String meaning) {
        if (value < min) {
            throw new HwnasException("option '" + option + "' = " + value + ": must be >= " + min + meaning(meaning));
        }
        return (int) value;
    }

    /** A finite {@code value >= min} (or {@code > min} when {@code strict}), else "option '--name' = value: must be ...". */
    static double atLeast(String option, double value, double min, boolean strict) {
        if (!Double.isFinite(value) || value < min || (strict && value == min)) {
            throw new HwnasException("option '" + option + "' = " + value + ": must be " + (strict ? "> " : ">= ")
                    + min);
        }
        return value;
    }

    /** A {@code value} strictly between lo and hi, else "option '--name' = value: must be in (lo, hi) (meaning)". */
    static double inOpenRange(String option, double value, double lo, double hi, String meaning) {
        if (!(value > lo && value < hi)) {
            throw new HwnasException("option '" + option + "' = " + value + ": must be in (" + plain(lo) + ", "
                    + plain(hi) + ")" + meaning(meaning));
        }
        return value;
    }

    /** " (meaning)", or nothing without one. */
    private static String meaning(String meaning) {
        return meaning == null || meaning.isEmpty() ? "" : " (" + meaning + ")";
    }

    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /**
     * Timing options: the cpu clock times one thread, so it needs {@code threads} 1 ({@code from} says where
     * the count came from when --threads was not given); more threads than cores is warned about, since
     * the threads then take turns and the times describe no device.
     */
    static void timing(io.hwnas.latency.MeasureConfig.Clock clock, int threads, String from) {
        if (clock == io.hwnas.latency.MeasureConfig.Clock.CPU && threads != 1) {
            throw new io.hwnas.core.HwnasException("option '--clock cpu' needs --threads 1 (the cpu clock times one"
                    + " thread; " + (threads == 0 ? "without --threads all cores are used" : from + " gives "
                    + threads + " threads") + ")");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads > cores) {
            System.err.printf("hwnas: warning: %d threads on this machine's %d cores take turns: the times measured"
                    + " then describe no device; give --threads %d or fewer%n", threads, cores, cores);
        }
    }
}
