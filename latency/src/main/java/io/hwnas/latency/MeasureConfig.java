package io.hwnas.latency;

import static io.hwnas.core.HwnasException.require;

/**
 * How to time blocks: intra-op threads (0 = leave the engine's setting), batch size, untimed
 * warm-up runs and timed repeats per block, the name the device record gets (null: derived), and
 * the clock.
 */
public record MeasureConfig(int threads, int batch, int warmup, int repeats, String deviceName, Clock clock) {

    /**
     * {@code WALL}: elapsed time (the latency). {@code CPU}: the calling thread's CPU time, for one
     * intra-op thread on a CPU only (PyTorch then runs every op on the calling thread): it leaves
     * out time the process spends descheduled, so it stays usable on a machine loaded by other
     * work, but it is a proxy for an unloaded machine's latency, not a latency.
     */
    public enum Clock { WALL, CPU }

    public MeasureConfig(int threads, int batch, int warmup, int repeats, String deviceName) {
        this(threads, batch, warmup, repeats, deviceName, Clock.WALL);
    }

    public MeasureConfig {
        require(clock != null, "clock", null, "must be wall or cpu");
        require(clock != Clock.CPU || threads == 1, "threads", threads,
                "must be 1 with the cpu clock (thread CPU time would miss the other threads' work)");
        require(threads >= 0 && threads <= 1024, "threads", threads, "must be 0 (engine default) .. 1024");
        require(batch >= 1 && batch <= 4096, "batch", batch, "must be 1..4096");
        require(warmup >= 0 && warmup <= 100_000, "warmup", warmup, "must be 0..100000");
        require(repeats >= 1 && repeats <= 1_000_000, "repeats", repeats, "must be 1..1000000");
    }

    public static MeasureConfig defaults() {
        return new MeasureConfig(0, 1, 20, 100, null);
    }
}
