package io.hwnas.search.train;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Ctrl-C (SIGINT) and {@code kill} (SIGTERM) during training: the JVM runs its shutdown hooks and
 * then exits with 130/143. Without this, it exited while a training step was inside PyTorch, and
 * the engine's teardown sometimes crashed natively (SIGSEGV in {@code torchBackward}). This hook,
 * registered for the life of a training run, sets a flag that the loop checks before every step
 * and then waits until the training thread has written a checkpoint at that step boundary and
 * closed its arrays ({@link #exitNow}); only then does the JVM exit. The training thread never
 * returns after that: the JVM is exiting, so it must not start new native work.
 */
final class ShutdownStop implements AutoCloseable {
    /** The longest a shutdown waits for the current step and the checkpoint. */
    static final long WAIT_SECONDS = 300;

    private final Thread hook;
    private boolean requested;
    private boolean finished;
    /** Whether training steps have begun (before that a stop keeps nothing new: no step, no checkpoint). */
    private boolean stepping;
    /** Whether this process continues an earlier run (a stop before its steps leaves it at its last checkpoint). */
    private boolean resuming;

    private ShutdownStop() {
        this.hook = new Thread(this::onShutdown, "hwnas-training-shutdown");
    }

    /** Registers the hook; a JVM already shutting down counts as a stop request. */
    static ShutdownStop install() {
        ShutdownStop s = new ShutdownStop();
        try {
            Runtime.getRuntime().addShutdownHook(s.hook);
        } catch (IllegalStateException e) {
            s.requested = true;
        }
        return s;
    }

    /** From now on a stop finishes the current step and writes a checkpoint. */
    synchronized void stepping() {
        stepping = true;
    }

    /** A continued run, before its steps begin: a stop leaves it at its last checkpoint. */
    synchronized void resuming() {
        resuming = true;
    }

    /** Whether the JVM is shutting down (a signal): stop at the next step boundary. */
    synchronized boolean requested() {
        return requested;
    }

    /** The user's stopper, and a stop before any step once the JVM is shutting down. */
    TrainingRun.Stopper and(TrainingRun.Stopper user) {
        return new TrainingRun.Stopper() {
            @Override
            public boolean stop(TrainState justSaved) {
                return user.stop(justSaved);
            }

            @Override
            public boolean stopNow() {
                return requested() || user.stopNow();
            }

            @Override
            public String continueCommand(java.nio.file.Path runDir) {
                return user.continueCommand(runDir);
            }
        };
    }

    private void onShutdown() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        synchronized (this) {
            requested = true;
            if (!finished) {
                System.err.println();
                System.err.println(stepping ? "hwnas: stopping: finishing the current training step and writing a"
                        + " checkpoint..." : resuming ? "hwnas: stopping before training resumed: the run stays at its"
                        + " last checkpoint" : "hwnas: stopping before the first training step (nothing trained yet)...");
                System.err.flush();
            }
            while (!finished) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    System.err.println("hwnas: the training step did not end within " + WAIT_SECONDS + " s; exiting");
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** The run has released the engine's arrays: the JVM may exit now. */
    synchronized void finished() {
        finished = true;
        notifyAll();
    }

    /** Lets a waiting shutdown go on and never returns (the JVM is exiting). */
    void exitNow() {
        finished();
        while (true) {
            LockSupport.park(this);
        }
    }

    @Override
    public void close() {
        finished();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs and returns at once
        }
    }
}
