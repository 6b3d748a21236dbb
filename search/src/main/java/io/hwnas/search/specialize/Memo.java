package io.hwnas.search.specialize;

import java.util.HashMap;
import java.util.Map;

/**
 * An {@link AccuracyEstimator} that remembers every value it computed (estimators are deterministic),
 * so a search never pays twice for one architecture; batches pass only the unseen ones on.
 */
final class Memo implements AccuracyEstimator {
    private final AccuracyEstimator inner;
    private final Map<ArchKey, Double> seen = new HashMap<>();
    private long computed;

    Memo(AccuracyEstimator inner) {
        this.inner = inner;
    }

    static Memo of(AccuracyEstimator e) {
        return e instanceof Memo m ? m : new Memo(e);
    }

    /** How many architectures were passed to the wrapped estimator. */
    long computed() {
        return computed;
    }

    @Override
    public double accuracy(int[] ops) {
        ArchKey k = new ArchKey(ops);
        Double v = seen.get(k);
        if (v == null) {
            v = inner.accuracy(ops);
            computed++;
            seen.put(k, v);
        }
        return v;
    }

    @Override
    public double[] accuracies(int[][] ops) {
        double[] out = new double[ops.length];
        ArchKey[] keys = new ArchKey[ops.length];
        int[] missing = new int[ops.length];
        int n = 0;
        Map<ArchKey, Integer> firstMissing = new HashMap<>();
        for (int i = 0; i < ops.length; i++) {
            keys[i] = new ArchKey(ops[i]);
            Double v = seen.get(keys[i]);
            if (v != null) {
                out[i] = v;
            } else if (firstMissing.putIfAbsent(keys[i], n) == null) {
                missing[n++] = i;
            }
        }
        if (n > 0) {
            int[][] batch = new int[n][];
            for (int j = 0; j < n; j++) {
                batch[j] = ops[missing[j]];
            }
            double[] got = inner.accuracies(batch);
            computed += n;
            for (int j = 0; j < n; j++) {
                seen.put(keys[missing[j]], got[j]);
            }
            for (int i = 0; i < ops.length; i++) {
                Integer j = firstMissing.get(keys[i]);
                if (j != null) {
                    out[i] = got[j];
                }
            }
        }
        return out;
    }
}
