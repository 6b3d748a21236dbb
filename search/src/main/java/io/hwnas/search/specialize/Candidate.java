package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;
import java.util.Arrays;

/**
 * One architecture found by a search: op indices into {@code space.ops()} (one per layer), its
 * estimated accuracy and its predicted latency under each latency model of the search, in the order
 * the models were given.
 */
public record Candidate(int[] ops, double accuracy, double[] latenciesMs) {
    public Candidate {
        HwnasException.require(ops != null && ops.length > 0, "ops", ops == null ? null : "[]", "must be non-empty");
        HwnasException.require(latenciesMs != null, "latencies_ms", null, "must be given");
        ops = ops.clone();
        latenciesMs = latenciesMs.clone();
    }

    @Override
    public int[] ops() {
        return ops.clone();
    }

    @Override
    public double[] latenciesMs() {
        return latenciesMs.clone();
    }

    /** The latency under the first (or only) latency model. */
    public double latencyMs() {
        HwnasException.require(latenciesMs.length > 0, "latencies_ms", "[]", "no latency model in this search");
        return latenciesMs[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Candidate c && Arrays.equals(ops, c.ops) && Double.compare(accuracy, c.accuracy) == 0
                && Arrays.equals(latenciesMs, c.latenciesMs);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ops) + Arrays.hashCode(latenciesMs);
    }

    @Override
    public String toString() {
        return "Candidate" + Arrays.toString(ops) + " acc " + accuracy + " lat " + Arrays.toString(latenciesMs);
    }
}
