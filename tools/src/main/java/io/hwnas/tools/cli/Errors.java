package io.hwnas.tools.cli;

import io.hwnas.core.HwnasException;
import picocli.CommandLine;

/**
 * Turns exceptions into exit codes: a user error ({@link HwnasException}) prints its message
 * alone, exit 2; anything else is a bug in hwnas: stack trace, exit 1.
 */
public final class Errors implements CommandLine.IExecutionExceptionHandler {
    public static final int USER_ERROR = 2;
    public static final int INTERNAL_ERROR = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        Throwable t = ex;
        while (t != null && !(t instanceof HwnasException)) {
            t = t.getCause();
        }
        if (t != null) {
            cl.getErr().println("hwnas: error: " + t.getMessage());
            cl.getErr().flush();
            return USER_ERROR;
        }
        cl.getErr().println("hwnas: internal error (please report): " + ex);
        ex.printStackTrace(cl.getErr());
        cl.getErr().flush();
        return INTERNAL_ERROR;
    }
}
