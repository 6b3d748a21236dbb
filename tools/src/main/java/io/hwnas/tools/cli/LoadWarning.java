package io.hwnas.tools.cli;

import io.hwnas.core.MachineLoad;
import io.hwnas.latency.MeasureConfig;

/** The warning a latency measurement prints when other processes loaded the machine while it ran. */
final class LoadWarning {
    private LoadWarning() {}

    /**
     * The warning for a measurement {@code what} taken under load {@code r} with {@code clock} and
     * {@code threads}, or null when the machine was quiet (or its load is unknown).
     */
    static String of(String what, MachineLoad.Reading r, MeasureConfig.Clock clock, int threads) {
        return of(what, r, clock, threads, true);
    }

    /**
     * As {@link #of(String, MachineLoad.Reading, MeasureConfig.Clock, int)}; {@code clockOptions}: whether the
     * command has {@code --threads} and {@code --clock} to suggest (eval times wall-clock only).
     */
    static String of(String what, MachineLoad.Reading r, MeasureConfig.Clock clock, int threads, boolean clockOptions) {
        if (!r.busy()) {
            return null;
        }
        String head = "hwnas: warning: busy machine: " + r.describe() + " while " + what + " ran. ";
        if (clock == MeasureConfig.Clock.CPU) {
            return head + "The cpu clock counts this thread's own CPU time, which other processes hardly change (they"
                    + " still share caches and memory bandwidth); for idle-machine wall times measure again when"
                    + " the machine is quiet.";
        }
        String wall = head + "Wall-clock times taken now are likely too high, most for small ops. Measure again when"
                + " the machine is quiet";
        if (!clockOptions) {
            return wall + ".";
        }
        return wall + ", or use --threads 1 --clock cpu (a thread's CPU time is hardly changed by other"
                + " processes)" + (threads == 1 ? "." : "; multi-threaded timings cannot be corrected this way.");
    }

    /** Prints {@link #of}'s warning to stderr, if any. */
    static void print(String what, MachineLoad.Reading r, MeasureConfig.Clock clock, int threads) {
        String w = of(what, r, clock, threads);
        if (w != null) {
            System.err.println(w);
        }
    }

    /** The reading a record or result stored ({@code null}: unknown). */
    static MachineLoad.Reading stored(Double otherCores, double seconds) {
        return new MachineLoad.Reading(otherCores == null ? Double.NaN : otherCores,
                Runtime.getRuntime().availableProcessors(), seconds);
    }
}
