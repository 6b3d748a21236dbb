package io.hwnas.tools;

import io.hwnas.tools.cli.Errors;
import java.io.PrintWriter;

/**
 * A second process for tests: reports an internal error through {@link Errors#report} once before
 * and once during the JVM's shutdown (from a shutdown hook, as a command's thread fails after a signal).
 */
public final class ShutdownReport {
    private ShutdownReport() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        out.println("before: " + Errors.report(new IllegalStateException("a bug"), out));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            int code = Errors.report(new IllegalStateException("Shutdown in progress"), out);
            out.println("during shutdown: " + code);
            out.flush();
        }));
        System.exit(0);
    }
}
