package io.hwnas.supernet.space;

import static io.hwnas.core.HwnasException.require;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.util.Arrays;
import java.util.List;

/**
 * One concrete architecture of a space: one op name per searchable layer, in layer order. Its
 * canonical string form is the op names separated by single spaces (the form of the HELP data).
 */
public record Architecture(int schema, String space, List<String> ops) {

    public Architecture {
        Json.checkSchema(schema);
        require(space != null && !space.isBlank(), "space", space, "is required");
        require(ops != null && !ops.isEmpty(), "ops", ops, "needs one op per layer");
        ops = List.copyOf(ops);
        for (int i = 0; i < ops.size(); i++) {
            require(ops.get(i) != null, "ops[" + i + "]", null, "is missing");
        }
    }

    public Architecture(String space, List<String> ops) {
        this(Json.SCHEMA, space, ops);
    }

    /** Parses the canonical string form ("k3_e1 skip k5_e6 ...") and checks it against the space. */
    public static Architecture parse(SearchSpace space, String canonical) {
        require(canonical != null && !canonical.isBlank(), "arch", canonical, "is empty");
        Architecture a = new Architecture(space.id(), Arrays.asList(canonical.trim().split("[\\s,]+")));
        a.check(space);
        return a;
    }

    /** Refuses an architecture of another space, of the wrong length, or with an unknown op. */
    public Architecture check(SearchSpace s) {
        if (!space.equals(s.id())) {
            throw new HwnasException("architecture is for space \"" + space + "\", not \"" + s.id() + "\"");
        }
        if (ops.size() != s.layerCount()) {
            throw new HwnasException("architecture has " + ops.size() + " layers (field 'ops'); space " + s.id()
                    + " has " + s.layerCount());
        }
        for (int i = 0; i < ops.size(); i++) {
            if (!s.ops().contains(ops.get(i))) {
                throw new HwnasException("field 'ops[" + i + "]' = \"" + ops.get(i) + "\": unknown op for space "
                        + s.id() + "; candidates: " + String.join(" ", s.ops()));
            }
        }
        return this;
    }

    /** The op indices into {@code space.ops()}, layer by layer. */
    public int[] indices(SearchSpace s) {
        check(s);
        int[] idx = new int[ops.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = s.ops().indexOf(ops.get(i));
        }
        return idx;
    }

    public static Architecture ofIndices(SearchSpace s, int[] idx) {
        require(idx.length == s.layerCount(), "ops", idx.length, "must have " + s.layerCount() + " entries");
        String[] names = new String[idx.length];
        for (int i = 0; i < idx.length; i++) {
            names[i] = s.ops().get(idx[i]);
        }
        return new Architecture(s.id(), List.of(names));
    }

    /** The same op in every layer. */
    public static Architecture uniform(SearchSpace s, String op) {
        s.op(op);
        return new Architecture(s.id(), java.util.Collections.nCopies(s.layerCount(), op));
    }

    public String canonical() {
        return String.join(" ", ops);
    }

    @Override
    public String toString() {
        return canonical();
    }
}
