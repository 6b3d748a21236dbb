package io.hwnas.search.specialize;

import java.util.Arrays;

/** An op-index array as a hash key (copied, hash computed once). */
final class ArchKey {
    private final int[] ops;
    private final int hash;

    ArchKey(int[] ops) {
        this(ops.clone(), true);
    }

    private ArchKey(int[] ops, boolean owned) {
        this.ops = ops;
        this.hash = Arrays.hashCode(ops);
    }

    /** A key over {@code ops} without a copy, for a look-up only (not to be stored). */
    static ArchKey probe(int[] ops) {
        return new ArchKey(ops, false);
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
