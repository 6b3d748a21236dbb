package io.hwnas.search.specialize;

import java.util.Arrays;

/** An op-index array as a hash key (copied, hash computed once). */
final class ArchKey {
    private final int[] ops;
    private final int hash;

    ArchKey(int[] ops) {
        this.ops = ops.clone();
        this.hash = Arrays.hashCode(this.ops);
    }

    int[] ops() {
        return ops.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArchKey k && k.hash == hash && Arrays.equals(k.ops, ops);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
