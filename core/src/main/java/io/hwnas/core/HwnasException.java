package io.hwnas.core;

/**
 * An error caused by the user's input (a file, a flag, a config value). The command line prints
 * its message without a stack trace and exits with a non-zero code. Messages name the file, the
 * field and the offending value wherever they are known.
 */
public class HwnasException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HwnasException(String message) {
        super(message);
    }

    public HwnasException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Prefixes the message with the file it concerns: {@code "<file>: <message>"}. */
    public static HwnasException inFile(Object file, String message) {
        return new HwnasException(file + ": " + message);
    }

    /**
     * Throws an {@link HwnasException} naming {@code field} and {@code value} unless {@code ok}; a
     * command-line option ({@code field} starting with '-', e.g. "--batch") is called an option.
     */
    public static void require(boolean ok, String field, Object value, String expectation) {
        if (!ok) {
            throw new HwnasException((field.startsWith("-") ? "option '" : "field '") + field + "' = " + show(value)
                    + ": " + expectation);
        }
    }

    static String show(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
