package io.hwnas.search.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.hwnas.datasets.Augment;
import io.hwnas.datasets.Batch;
import io.hwnas.datasets.Batches;
import io.hwnas.datasets.ImageSet;
import io.hwnas.datasets.Normalization;
import java.util.function.BiFunction;

/** The one accuracy loop: a network in eval mode over a whole image set, batches of 256, in order. */
public final class Accuracy {
    public static final int BATCH = 256;

    private Accuracy() {}

    /** {correct, total} of {@code forward} (logits of a batch) on {@code set} normalized by {@code norm}. */
    public static long[] counts(ImageSet set, Normalization norm, long seed, NDManager parent,
            BiFunction<ParameterStore, NDArray, NDArray> forward) {
        Batches bs = new Batches(set, BATCH, false, Augment.NONE, seed, 0, norm, false);
        long correct = 0;
        long n = 0;
        for (int i = 0; i < bs.batchesPerEpoch(); i++) {
            try (NDManager sm = parent.newSubManager(); Batch b = bs.batch(sm, i)) {
                NDArray logits = forward.apply(new ParameterStore(sm, false), b.x());
                correct += Nets.correct(logits, b.y());
                n += b.size();
            }
        }
        return new long[] {correct, n};
    }

    /**
     * The share of {@code set} that {@code forward} classifies right, in percent (NaN for an empty set):
     * 100·correct/total computed in that order, so that a share with a short decimal form prints as one
     * (50.25, where (201/400)·100 gives 50.24999999999999).
     */
    public static double percent(ImageSet set, Normalization norm, long seed, NDManager parent,
            BiFunction<ParameterStore, NDArray, NDArray> forward) {
        long[] c = counts(set, norm, seed, parent, forward);
        return c[1] == 0 ? Double.NaN : 100.0 * c[0] / c[1];
    }

    /** {correct, total} of a plain network (a subnet) on a set normalized by its own statistics. */
    public static long[] counts(Block net, ImageSet set, NDManager parent) {
        return counts(set, Normalization.of(set), 0, parent,
                (ps, x) -> net.forward(ps, new NDList(x), false).singletonOrThrow());
    }
}
