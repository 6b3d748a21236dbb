package io.hwnas.core;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The one door through which a command changes a user's folders ({@link AtomicFiles}, the CLI's folder checks and
 * clean-ups), so that a Ctrl-C's shutdown hook can shut it: the JVM's other threads go on running while the hooks
 * run, and a hook that looked at an output folder and then said what it holds would otherwise race a write or a
 * clean-up still under way. {@link #shut} waits for the change in progress and blocks every later one until the JVM
 * has exited; what the hook then sees stays true.
 */
public final class FileGate {
    private static final Gate PROCESS = new Gate();

    private FileGate() {}

    /** One change to the file system. */
    @FunctionalInterface
    public interface Change<T> {
        T run() throws IOException;
    }

    /** Runs {@code change} unless the gate is shut, else blocks until the JVM exits. Reentrant. */
    public static <T> T pass(Change<T> change) throws IOException {
        return PROCESS.pass(change);
    }

    /**
     * Shuts the gate for good, once the change under way has finished: for a shutdown hook only (the thread that shut
     * it still passes; no other thread ever does again). True when this thread holds it shut; false when another
     * hook already does (whose clean-up this one must then skip: its own would wait forever) or when the change under
     * way has not finished within a minute (a write to a hung file system: the gate stays open, and the hook should
     * neither clean up nor wait). Never call it while a hook waits for another thread to write (a training run's
     * checkpoint on a signal).
     */
    public static boolean shut() {
        return PROCESS.shut(60_000);
    }

    /** The process's gate is one of these; a test makes its own. */
    static final class Gate {
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private final AtomicReference<Thread> shutter = new AtomicReference<>();

        <T> T pass(Change<T> change) throws IOException {
            lock.readLock().lock();
            try {
                return change.run();
            } finally {
                lock.readLock().unlock();
            }
        }

        boolean shut(long timeoutMillis) {
            Thread me = Thread.currentThread();
            if (!shutter.compareAndSet(null, me)) {
                return shutter.get() == me;
            }
            try {
                if (lock.writeLock().tryLock(timeoutMillis, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            shutter.set(null);
            return false;
        }
    }
}
