package io.hwnas.tools.cli;

/**
 * What a Ctrl-C or {@code kill} says while a command works outside a training loop (whose own
 * handler writes a checkpoint and names the command that continues it): there the JVM exits at
 * once with 130/143, and without this the user learns nothing of what was kept. Registered for
 * the duration of a try-with-resources block.
 */
final class Interrupted implements AutoCloseable {
    private final Thread hook;

    private Interrupted(java.util.function.Supplier<String> message, Runnable cleanup, boolean shutFiles) {
        this.hook = new Thread(() -> {
            // the command's own thread runs on: what is said below must stay true. A gate another hook holds, or a
            // write that does not end, leaves the folder as it is (a clean-up then would wait, or race the write)
            if (!shutFiles || io.hwnas.core.FileGate.shut()) {
                try {
                    cleanup.run();
                } catch (RuntimeException e) {
                    // the message still says what to do
                }
            }
            System.err.println();
            System.err.println("hwnas: interrupted: " + message.get());
            System.err.flush();
        }, "hwnas-interrupted");
    }

    private Interrupted(String message) {
        this(() -> message, () -> {}, false);
    }

    /**
     * An interruption while a command makes a subnet in {@code out}: the folders that did not exist when this was
     * registered are removed while empty, then the message says what is left there. Registered before the output
     * check (which creates the folder), so no moment leaves an empty folder behind.
     */
    static Interrupted subnet(java.nio.file.Path out, String rerun) {
        Runnable cleanup = Outputs.removeIfCreatedAndEmpty(out);
        boolean hadFiles = java.nio.file.Files.isDirectory(out) && !Outputs.isEmpty(out);
        return register(new Interrupted(() -> !java.nio.file.Files.exists(out) ? "no subnet was written (" + out
                + " was not kept); run " + rerun + " again" : Outputs.isEmpty(out) ? "no subnet was written to " + out
                + "; run " + rerun + " again" : hadFiles ? out + " holds what it held before, unless the new subnet was"
                + " being written (then it may be incomplete); run " + rerun + " again (with --force if it refuses the"
                + " folder)" : out + " may hold an incomplete subnet; run " + rerun + " again to write it (with --force if"
                + " it refuses the folder)", cleanup, true));
    }

    /** From now until {@link #close}, an interruption runs {@code cleanup}, then prints what {@code message} says. */
    static Interrupted cleaning(Runnable cleanup, java.util.function.Supplier<String> message) {
        return register(new Interrupted(message, cleanup, true));
    }

    /** From now until {@link #close}, an interruption prints {@code message} (what was kept, how to go on). */
    static Interrupted say(String message) {
        return register(new Interrupted(message));
    }

    private static Interrupted register(Interrupted i) {
        try {
            Runtime.getRuntime().addShutdownHook(i.hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        return i;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the message is printed
        }
    }
}
