package io.hwnas.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How busy the machine is with other processes: the CPU time all processes used between two
 * readings of {@code /proc/stat}, minus this process's own CPU time ({@code /proc/self/stat}),
 * divided by the elapsed time. A result of 1.0 means other processes kept one core busy on
 * average. Linux only; elsewhere every reading is {@link #UNKNOWN}.
 */
public final class MachineLoad {
    /**
     * Other processes' average load, in cores, above which latency measured now is not the idle
     * machine's: a quarter of a core is enough to stall PyTorch's OpenMP threads now and then.
     */
    public static final double BUSY_CORES = 0.25;

    /** A reading over an interval. {@code otherCores} is NaN when unknown. */
    public record Reading(double otherCores, int cores, double seconds) {
        public boolean known() {
            return !Double.isNaN(otherCores);
        }

        /** Other processes' load in cores, rounded to 0.001 for records; null when unknown. */
        public Double recorded() {
            return known() ? Math.round(otherCores * 1000) / 1000.0 : null;
        }

        public boolean busy() {
            return known() && otherCores >= BUSY_CORES;
        }

        /** For messages: "other processes kept 0.93 of 2 cores busy over 12 s". */
        public String describe() {
            if (!known()) {
                return "the load of other processes is unknown on this system";
            }
            return String.format(Locale.ROOT, "other processes kept %.2f of %d cores busy", otherCores, cores)
                    + (seconds > 0 ? String.format(Locale.ROOT, " over %.0f s", seconds) : "");
        }
    }

    public static final Reading UNKNOWN = new Reading(Double.NaN, Runtime.getRuntime().availableProcessors(), 0);

    private final long[] all;
    private final long self;
    private final long t0;

    private MachineLoad(long[] all, long self, long t0) {
        this.all = all;
        this.self = self;
        this.t0 = t0;
    }

    /** Starts an interval now. */
    public static MachineLoad start() {
        return new MachineLoad(systemTicks(), selfTicks(), System.nanoTime());
    }

    /** Other processes' load since {@link #start}. */
    public Reading stop() {
        long[] a2 = systemTicks();
        long s2 = selfTicks();
        double secs = (System.nanoTime() - t0) / 1e9;
        int cores = Runtime.getRuntime().availableProcessors();
        if (all == null || a2 == null || self < 0 || s2 < 0 || secs <= 0) {
            return new Reading(Double.NaN, cores, secs);
        }
        long totalTicks = a2[0] - all[0];
        long busyTicks = a2[1] - all[1];
        long selfTicks = s2 - self;
        if (totalTicks <= 0) {
            return new Reading(Double.NaN, cores, secs);
        }
        // /proc/stat counts every CPU of the host: scale to the cores this JVM may use
        int cpusInStat = Math.max(1, (int) Math.round(totalTicks / (secs * TICKS_PER_SECOND)));
        double otherShare = Math.max(0, busyTicks - selfTicks) / (double) totalTicks; // of all CPUs' time
        return new Reading(otherShare * cpusInStat, cores, secs);
    }

    /** Samples for {@code millis} and returns other processes' load (this process is mostly asleep). */
    public static Reading sample(long millis) {
        MachineLoad m = start();
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return m.stop();
    }

    /** USER_HZ: the unit of /proc/stat and /proc/self/stat (100 on every Linux this runs on). */
    private static final double TICKS_PER_SECOND = 100;

    /** {total, busy} ticks of all CPUs (busy = total - idle - iowait), or null. */
    private static long[] systemTicks() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total, total - idle};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** utime + stime of this process (and its finished waited-for children: none here), or -1. */
    private static long selfTicks() {
        try {
            String s = Files.readString(Path.of("/proc/self/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the whole line
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
