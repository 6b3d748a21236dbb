package io.hwnas.latency;

import ai.djl.ndarray.NDArray;
import io.hwnas.core.HwnasException;
import io.hwnas.supernet.space.SearchSpace;

/**
 * A {@link Lut} bound to its search space: the [layer][op] table in {@code space.ops()} order, the
 * fixed part, and the range, computed once. The file format ({@link Lut}) is data; binding it to a
 * space's op order is what makes it a {@link LatencyModel}. Linear in one-hot choices, so
 * differentiable (FBNet).
 */
public final class LutModel implements LatencyModel {
    private final Lut lut;
    private final SearchSpace space;
    private final String source;
    private final double[][] tableMs;
    private final double fixedMs;
    private final LatencyRange range;
    private final String sha256;

    LutModel(Lut lut, SearchSpace space, String source, String sha256) {
        this.lut = lut;
        this.sha256 = sha256;
        this.space = space;
        this.source = source;
        this.tableMs = lut.tableMs(space);
        this.fixedMs = lut.fixedMs();
        double lo = fixedMs;
        double hi = fixedMs;
        for (int l = 0; l < tableMs.length; l++) {
            double mn = Double.POSITIVE_INFINITY;
            double mx = Double.NEGATIVE_INFINITY;
            for (double v : tableMs[l]) {
                if (!Double.isFinite(v)) {
                    throw new HwnasException(source + ": LUT holds a non-finite latency (" + v + ") for layer " + l);
                }
                mn = Math.min(mn, v);
                mx = Math.max(mx, v);
            }
            lo += mn;
            hi += mx;
        }
        // a measured or imported table must give every architecture a positive time; a fitted one
        // (estimated) may extrapolate below zero at the extreme of the space and is used as it is
        // (the training loss refuses it through its unit check; hwnas latency never prints it), but
        // not when even the slowest architecture is not positive
        boolean fitted = lut.device().source() == DeviceRecord.Source.ESTIMATED;
        if (!Double.isFinite(hi) || !Double.isFinite(lo) || !((fitted ? hi : lo) > 0)) {
            throw new HwnasException(source + ": the fastest architecture of space " + space.id() + " would take "
                    + lo + " ms under this LUT (fixed_ms " + fixedMs + " plus each layer's smallest entry): a latency"
                    + " must be positive; the table is broken");
        }
        this.range = new LatencyRange(lo, hi);
    }

    /** The table as read. */
    public Lut lut() {
        return lut;
    }

    @Override
    public SearchSpace space() {
        return space;
    }

    @Override
    public String sha256() {
        return sha256;
    }

    @Override
    public DeviceRecord device() {
        return lut.device();
    }

    @Override
    public String source() {
        return source;
    }

    public double fixedMs() {
        return fixedMs;
    }

    /** A copy of the [layer][op] table in ms. */
    public double[][] tableMs() {
        double[][] t = new double[tableMs.length][];
        for (int l = 0; l < t.length; l++) {
            t[l] = tableMs[l].clone();
        }
        return t;
    }

    @Override
    public double predictMs(int[] ops) {
        if (ops.length != tableMs.length) {
            throw new HwnasException("architecture has " + ops.length + " layers; space " + space.id() + " has "
                    + tableMs.length);
        }
        double sum = fixedMs;
        for (int l = 0; l < ops.length; l++) {
            sum += tableMs[l][ops[l]];
        }
        return sum;
    }

    @Override
    public LatencyRange rangeMs() {
        return range;
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public NDArray expectedLatency(NDArray gates, double scale) {
        double[][] t = new double[tableMs.length][];
        for (int l = 0; l < t.length; l++) {
            t[l] = new double[tableMs[l].length];
            for (int k = 0; k < t[l].length; k++) {
                t[l][k] = tableMs[l][k] * scale;
            }
        }
        NDArray table = ExpectedLatency.table(gates.getManager(), t);
        return ExpectedLatency.of(gates, table, fixedMs * scale);
    }

    @Override
    public double expectedMs(float[][] probs) {
        double s = fixedMs;
        for (int l = 0; l < probs.length; l++) {
            for (int k = 0; k < probs[l].length; k++) {
                s += probs[l][k] * tableMs[l][k];
            }
        }
        return s;
    }
}
