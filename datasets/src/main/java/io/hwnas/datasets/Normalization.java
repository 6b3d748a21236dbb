package io.hwnas.datasets;

import io.hwnas.core.HwnasException;

/**
 * Per-channel mean and standard deviation on the [0, 1] pixel scale: a pixel p (0..255) becomes
 * {@code (p / 255 - mean[c]) / std[c]}.
 *
 * <p>Constants: {@link #FASHION_MNIST} and {@link #CIFAR10} were computed over the full training
 * sets (population std over all pixels of all images) with {@link #compute}; the tests recompute
 * them from the real data and check them. For CIFAR-10 the values are those of the original
 * binary release (the widely quoted 0.4914/0.4822/0.4465, 0.2470/0.2435/0.2616); the
 * JPEG-recompressed copy in shared/data gives 0.4913/0.4821/0.4465, 0.2452/0.2428/0.2606
 * (RealCifar10SlowTest), within 0.002.
 */
public record Normalization(float[] mean, float[] std) {
    public static final Normalization FASHION_MNIST = new Normalization(new float[] {0.2860f}, new float[] {0.3530f});
    public static final Normalization CIFAR10 = new Normalization(new float[] {0.4914f, 0.4822f, 0.4465f},
            new float[] {0.2470f, 0.2435f, 0.2616f});

    public Normalization {
        HwnasException.require(mean != null && std != null && mean.length == std.length && mean.length > 0,
                "mean/std", mean == null ? null : mean.length, "need one mean and one std per channel");
        for (int c = 0; c < std.length; c++) {
            HwnasException.require(std[c] > 0, "std[" + c + "]", std[c], "must be positive");
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** The constants for a known dataset name, else statistics computed from {@code set} itself. */
    public static Normalization of(ImageSet set) {
        Normalization known = forName(set.name());
        if (known != null && known.mean.length == set.channels()) {
            return known;
        }
        return compute(set);
    }

    /** The constants for {@code fashion-mnist} or {@code cifar10}; null for any other name. */
    public static Normalization forName(String name) {
        return switch (name) {
            case Datasets.FASHION_MNIST -> FASHION_MNIST;
            case Datasets.CIFAR10 -> CIFAR10;
            default -> null;
        };
    }

    /** Per-channel mean and population std of all pixels of {@code set}, on the [0, 1] scale. */
    public static Normalization compute(ImageSet set) {
        int c = set.channels();
        int plane = set.height() * set.width();
        long[][] hist = new long[c][256];
        byte[] px = set.pixels();
        for (int i = 0; i < set.size(); i++) {
            for (int ch = 0; ch < c; ch++) {
                long[] h = hist[ch];
                int off = (i * c + ch) * plane;
                for (int k = 0; k < plane; k++) {
                    h[px[off + k] & 0xFF]++;
                }
            }
        }
        float[] mean = new float[c];
        float[] std = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double n = 0;
            double s = 0;
            double s2 = 0;
            for (int v = 0; v < 256; v++) {
                double x = v / 255.0;
                n += hist[ch][v];
                s += hist[ch][v] * x;
                s2 += hist[ch][v] * x * x;
            }
            double m = n == 0 ? 0 : s / n;
            double var = n == 0 ? 1 : Math.max(s2 / n - m * m, 0);
            mean[ch] = (float) m;
            std[ch] = var > 0 ? (float) Math.sqrt(var) : 1f;
        }
        return new Normalization(mean, std);
    }

    public int channels() {
        return mean.length;
    }

    /** Lookup table [channel][pixel value 0..255] of normalized floats. */
    public float[][] table() {
        float[][] t = new float[mean.length][256];
        for (int c = 0; c < mean.length; c++) {
            for (int v = 0; v < 256; v++) {
                t[c][v] = (float) ((v / 255.0 - mean[c]) / std[c]);
            }
        }
        return t;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + java.util.Arrays.toString(mean) + ", std=" + java.util.Arrays.toString(std) + "]";
    }
}
