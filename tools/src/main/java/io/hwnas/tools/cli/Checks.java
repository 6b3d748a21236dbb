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
}
