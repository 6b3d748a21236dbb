package io.hwnas.supernet.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import java.util.Map;

/** Extraction of standalone networks from a supernet: config first, then weights copied by name. */
public final class Subnets {
    private Subnets() {}

    /**
     * A {@link FixedNet} for {@code a}, initialized in {@code m} with copies of the supernet's weights
     * and BN running statistics (matched by parameter path). In eval mode its outputs equal
     * {@code net.forwardPath(ps, x, a.indices(space), false)}.
     */
    public static Block extract(Supernet net, Architecture a, NDManager m) {
        SearchSpace s = net.space();
        a.check(s);
        if (net.theta().getArray() == null) {
            throw new IllegalStateException("the supernet is not initialized");
        }
        SequentialBlock fixed = FixedNet.build(s, a);
        DataType type = net.theta().getArray().getDataType();
        fixed.initialize(m, type, new Shape(1, s.input().channels(), s.input().height(), s.input().width()));
        copyByName(BlockTree.parameters(net), fixed);
        return fixed;
    }

    /** Copies every parameter of {@code target} from the parameter with the same path in {@code source}. */
    static void copyByName(Map<String, Parameter> source, Block target) {
        for (Map.Entry<String, Parameter> e : BlockTree.parameters(target).entrySet()) {
            Parameter src = source.get(e.getKey());
            if (src == null || src.getArray() == null) {
                throw new IllegalStateException("no source parameter " + e.getKey());
            }
            NDArray from = src.getArray();
            NDArray to = e.getValue().getArray();
            if (!from.getShape().equals(to.getShape()) || from.getDataType() != to.getDataType()) {
                throw new IllegalStateException("parameter " + e.getKey() + ": source " + from.getShape() + " "
                        + from.getDataType() + ", target " + to.getShape() + " " + to.getDataType());
            }
            from.copyTo(to);
        }
    }
}
