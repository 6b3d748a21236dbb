package io.hwnas.tools.cli;

import io.hwnas.core.HwnasException;

/** Range checks of numeric options, done before any work: the message names the option and the value. */
final class Checks {
    private Checks() {}

    /** {@code value >= min}, else "option '--name' = value: must be >= min (meaning)". */
    static int atLeast(String option, long value, long min, String meaning) {
        if (value < min) {
            throw new HwnasException("option '" + option + "' = " + value + ": must be >= " + min
                    + (meaning == null || meaning.isEmpty() ? "" : " (" + meaning + ")"));
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
}
