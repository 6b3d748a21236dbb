package io.hwnas.latency;

import static io.hwnas.supernet.util.HwnasException.require;

/**
 * How to time blocks: intra-op threads (0 = leave the engine's setting), batch size, untimed
 * warm-up runs and timed repeats per block, and the name the device record gets (null: derived).
 */
public record MeasureConfig(int threads, int batch, int warmup, int repeats, String deviceName) {
    public MeasureConfig {
        require(threads >= 0 && threads <= 1024, "threads", threads, "must be 0 (engine default) .. 1024");
        require(batch >= 1 && batch <= 4096, "batch", batch, "must be 1..4096");
        require(warmup >= 0 && warmup <= 100_000, "warmup", warmup, "must be 0..100000");
        require(repeats >= 1 && repeats <= 1_000_000, "repeats", repeats, "must be 1..1000000");
    }

    public static MeasureConfig defaults() {
        return new MeasureConfig(0, 1, 20, 100, null);
    }
}
