package io.hwnas.latency;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Progress;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The timing protocol every runtime shares ({@link LutMeasurer#timeAll}, {@link OrtLutMeasurer#timeAll}):
 * {@code warmup} untimed rounds, then {@code repeats} timed rounds that each run every item once,
 * in order, with the wall or the thread-CPU clock; each item's timings become a {@link Timing}
 * (median kept). Also what a LUT measurement makes of the timings of stem, ops and head.
 */
final class InterleavedRounds {
    private InterleavedRounds() {}

    /** Runs item {@code b} once and returns the clock's nanoseconds spent in the timed span. */
    @FunctionalInterface
    interface Run<E extends Exception> {
        long nanos(int b, LongSupplier clock) throws E;
    }

    /**
     * The clock of {@code clock}: thread CPU time or {@link System#nanoTime}. The CPU clock needs
     * a JVM that reports thread CPU time and {@code cpuClockUsable}; else an error {@code needs}.
     */
    static LongSupplier clock(MeasureConfig.Clock clock, boolean cpuClockUsable, String needs) {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        boolean cpuClock = clock == MeasureConfig.Clock.CPU;
        if (cpuClock && (!cpuClockUsable || !bean.isCurrentThreadCpuTimeSupported())) {
            throw new HwnasException(needs);
        }
        return cpuClock ? bean::getCurrentThreadCpuTime : System::nanoTime;
    }

    /**
     * Times {@code n} items in interleaved rounds. Calls {@code progress.start/update} (about 5 times a
     * second; the last round always), not finish; {@code what} names the items in the update.
     */
    static <E extends Exception> Timing[] time(int n, int warmup, int repeats, LongSupplier clock, Progress progress,
            String task, String what, Run<E> run) throws E {
        double[][] ms = new double[n][repeats];
        progress.start(task, (long) warmup + repeats);
        long lastUpdate = 0;
        for (int r = 0; r < warmup + repeats; r++) {
            for (int b = 0; b < n; b++) {
                long nanos = run.nanos(b, clock);
                if (r >= warmup) {
                    ms[b][r - warmup] = nanos / 1e6;
                }
            }
            long now = System.nanoTime();
            if (now - lastUpdate > 200_000_000L || r == warmup + repeats - 1) {
                lastUpdate = now;
                progress.update(r + 1, r < warmup ? "warm-up" : "timed rounds, " + n + " " + what + " each");
            }
        }
        Timing[] out = new Timing[n];
        for (int b = 0; b < n; b++) {
            out[b] = Timing.of(ms[b]);
        }
        return out;
    }

    /**
     * Input shapes of a LUT measurement at {@code batch}, in the order it times them: the stem, every
     * op of every searchable layer (layer by layer), the head.
     */
    static List<long[]> lutInputs(SearchSpace s, int batch) {
        List<long[]> shapes = new ArrayList<>();
        shapes.add(new long[] {batch, s.input().channels(), s.input().height(), s.input().width()});
        for (LayerSpec l : s.layers()) {
            for (int k = 0; k < s.ops().size(); k++) {
                shapes.add(new long[] {batch, l.inChannels(), l.inHeight(), l.inWidth()});
            }
        }
        int[] hw = s.headInputSize();
        shapes.add(new long[] {batch, s.lastChannels(), hw[0], hw[1]});
        return shapes;
    }

    /** The LUT of timings in {@link #lutInputs}' order (stem, ops, head); finishes {@code progress}. */
    static Lut lut(SearchSpace s, Timing[] t, DeviceRecord record, Progress progress) {
        List<LutEntry> entries = new ArrayList<>();
        int i = 1;
        for (LayerSpec l : s.layers()) {
            for (String op : s.ops()) {
                entries.add(t[i++].entry(l.index(), l.name(), op));
            }
        }
        Map<String, Double> fixed = new LinkedHashMap<>();
        fixed.put("stem", t[0].medianMs());
        fixed.put("head", t[t.length - 1].medianMs());
        double fixedMs = t[0].medianMs() + t[t.length - 1].medianMs();
        progress.finish(String.format("%d entries, fixed %.3f ms", entries.size(), fixedMs));
        return new Lut(s.id(), record, fixedMs, entries, fixed).withSpace(s);
    }
}
