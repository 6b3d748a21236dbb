package io.hwnas.search.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** Small pieces shared by the training loops: accuracy, gradients, stable parameter keys (the loss is {@link io.hwnas.supernet.net.Losses}). */
public final class Nets {
    private Nets() {}

    /** Number of rows whose argmax equals the label. */
    public static long correct(NDArray logits, NDArray labels) {
        try (NDArray pred = logits.argMax(1); NDArray eq = pred.toType(DataType.INT64, false).eq(labels);
                NDArray s = eq.toType(DataType.INT64, false).sum()) {
            return s.getLong();
        }
    }

    /** Zeroes the gradients PyTorch accumulated on these parameters. */
    public static void zeroGrads(Collection<Parameter> params) {
        for (Parameter p : params) {
            NDArray a = p.getArray();
            if (a instanceof ai.djl.pytorch.engine.PtNDArray pt) {
                ai.djl.pytorch.jni.JniUtils.zeroGrad(pt); // in place, no allocation
            } else if (a.hasGradient()) {
                try (NDArray g = a.getGradient()) {
                    g.subi(g);
                }
            }
        }
    }

    /** Stable, hierarchical names of a block's parameters (by {@link Parameter#getId()}). */
    public static Map<String, String> keys(Block net) {
        Map<String, String> m = new HashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            m.put(p.getValue().getId(), p.getKey());
        }
        return m;
    }

    public static boolean finite(float v) {
        return Float.isFinite(v);
    }

    /** Sets PyTorch's intra-op threads (0 leaves the launcher's setting). */
    public static void applyThreads(int threads) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads > cores) {
            System.err.printf("hwnas: warning: %d PyTorch threads (the config's threads, or --threads) on this"
                    + " machine's %d cores: they take turns and training runs slower (0: the launcher's, all cores)%n",
                    threads, cores);
        }
        if (threads > 0) {
            try {
                ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
            } catch (RuntimeException | LinkageError e) {
                System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            }
        }
    }
}
