package io.hwnas.tools.cli;

/**
 * What a Ctrl-C or {@code kill} says while a command works outside a training loop (whose own
 * handler writes a checkpoint and names the command that continues it): there the JVM exits at
 * once with 130/143, and without this the user learns nothing of what was kept. Registered for
 * the duration of a try-with-resources block.
 */
final class Interrupted implements AutoCloseable {
    private final Thread hook;

    private Interrupted(String message) {
        this.hook = new Thread(() -> {
            System.err.println();
            System.err.println("hwnas: interrupted: " + message);
            System.err.flush();
        }, "hwnas-interrupted");
    }

    /** From now until {@link #close}, an interruption prints {@code message} (what was kept, how to go on). */
    static Interrupted say(String message) {
        Interrupted i = new Interrupted(message);
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
