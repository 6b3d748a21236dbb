package io.hwnas.latency;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's ONNX Runtime environment; every use of ONNX Runtime in hwnas gets it here, never
 * from {@link OrtEnvironment#getEnvironment()} directly.
 *
 * <p>ONNX Runtime 1.29's Linux build starts Microsoft's 1DS telemetry when it creates its
 * environment (unless {@code ORT_DISABLE_TELEMETRY} is set in the process environment). The
 * telemetry reads {@code /proc/self/cmdline} and matches it with the {@code std::regex}
 * {@code "(.*)[ ]*.*[\n]*"}; libstdc++ matches recursively, a few hundred bytes of native stack per
 * character of the command line. On the JVM's main thread (1 MB stack) a command line longer than
 * about 4,000 characters, such as the launcher's {@code java -cp <80 absolute jar paths> ...},
 * overflows the stack inside {@code OrtEnvironment.createHandle}: the process dies of SIGSEGV
 * (exit 139) without a JVM crash log, since the JVM's signal handler has no stack left to run on.
 * The environment is therefore created once, on a thread of its own whose stack grows with the
 * length of the command line; later calls get the same instance on any thread. The launcher also
 * sets {@code ORT_DISABLE_TELEMETRY=1}, which skips the telemetry (and its files in /tmp and
 * ~/.cache/Microsoft) altogether.
 */
public final class OrtEnv {
    /** Stack of the creating thread: a base, plus per command-line byte (measured: ~250 B needed). */
    static final long BASE_STACK = 16L << 20;
    static final long STACK_PER_CMDLINE_BYTE = 1024;

    private static OrtEnvironment env;

    private OrtEnv() {}

    /** The environment (created on first use, see the class comment). */
    public static synchronized OrtEnvironment get() {
        if (env == null) {
            env = create();
        }
        return env;
    }

    /** The native stack the environment's creation may need in this process. */
    static long stackBytes() {
        long cmdline;
        try {
            cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline")).length;
        } catch (IOException | RuntimeException e) { // not Linux: no /proc, no 1DS telemetry on the command line
            cmdline = 0;
        }
        return BASE_STACK + STACK_PER_CMDLINE_BYTE * cmdline;
    }

    private static OrtEnvironment create() {
        OrtEnvironment[] made = new OrtEnvironment[1];
        Throwable[] failed = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                made[0] = OrtEnvironment.getEnvironment();
            } catch (Throwable e) { // rethrown on the calling thread
                failed[0] = e;
            }
        }, "onnxruntime-init", stackBytes());
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the native creation cannot be stopped: wait for it, keep the interrupt
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failed[0] instanceof RuntimeException e) {
            throw e;
        } else if (failed[0] instanceof Error e) {
            throw e;
        } else if (failed[0] != null) {
            throw new IllegalStateException("ONNX Runtime failed to start: " + failed[0].getMessage(), failed[0]);
        }
        return made[0];
    }
}
