package io.hwnas.supernet.net;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;

/** Gumbel-softmax sampling of op choices, with noise that depends only on (seed, step). */
public final class Gumbel {
    private Gumbel() {}

    /** n standard Gumbel draws, -log(-log(u)) with u uniform in (0, 1), determined by (seed, step) alone. */
    public static float[] noise(long seed, long step, int n) {
        SplittableRandom r = new SplittableRandom(mix(seed) ^ mix(step + 0x9E3779B97F4A7C15L));
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            double u = ((r.nextLong() >>> 11) + 0.5) * 0x1.0p-53; // strictly inside (0, 1)
            g[i] = (float) -Math.log(-Math.log(u));
        }
        return g;
    }

    /**
     * softmax((θ + g) / τ) along the last axis; τ a scalar NDArray. Differentiable in θ. The result
     * and its intermediates belong to the noise's manager (a per-step one), not to θ's.
     */
    public static NDArray softSample(NDArray theta, NDArray noise, NDArray tau) {
        return noise.add(theta).div(tau).softmax(-1);
    }

    /** argmax(θ + g) per row of a [layers, ops] row-major matrix. */
    public static int[] hardSample(float[] thetaFlat, float[] noise, int layers, int ops) {
        if (thetaFlat.length != layers * ops || noise.length != layers * ops) {
            throw new IllegalArgumentException("theta and noise must hold " + layers + "x" + ops + " values");
        }
        int[] out = new int[layers];
        for (int l = 0; l < layers; l++) {
            int best = 0;
            float bestV = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < ops; k++) {
                float v = thetaFlat[l * ops + k] + noise[l * ops + k];
                if (v > bestV) {
                    bestV = v;
                    best = k;
                }
            }
            out[l] = best;
        }
        return out;
    }

    /** SplitMix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
