package io.hwnas.latency;

import java.util.Arrays;

/** Summary of repeated timings of one block: median, mean, sample standard deviation, count (ms). */
public record Timing(double medianMs, double meanMs, double stdMs, int count) {

    public static Timing of(double[] ms) {
        if (ms.length == 0) {
            throw new IllegalArgumentException("no timings");
        }
        double[] s = ms.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        double mean = 0;
        for (double v : s) {
            mean += v;
        }
        mean /= n;
        double var = 0;
        for (double v : s) {
            var += (v - mean) * (v - mean);
        }
        double std = n > 1 ? Math.sqrt(var / (n - 1)) : 0;
        return new Timing(median, mean, std, n);
    }

    public LutEntry entry(int layer, String layerName, String op) {
        return new LutEntry(layer, layerName, op, medianMs, meanMs, stdMs, count);
    }
}
