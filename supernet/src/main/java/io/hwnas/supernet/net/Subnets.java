package io.hwnas.supernet.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
     * A {@link FixedNet} for {@code a}, initialized in {@code m}: stem and head copied from the
     * supernet by name, each searchable layer's choice written by {@link SearchableLayer#extract}
     * (weights and BN running statistics). In eval mode its outputs equal
     * {@code net.forwardPath(ps, x, a.indices(space), false)}.
     */
    public static Block extract(Supernet net, Architecture a, NDManager m) {
        SearchSpace s = net.space();
        int[] path = a.indices(s);
        SequentialBlock fixed = FixedNet.build(s, a);
        fixed.initialize(m, net.dataType(), Supernet.inputShape(s, 1));
        Map<String, Block> children = new java.util.HashMap<>();
        for (ai.djl.util.Pair<String, Block> c : fixed.getChildren()) {
            children.put(BlockTree.childName(c.getKey()), c.getValue());
        }
        copyByName(BlockTree.parameters(net.stem()), children.get("stem"));
        copyByName(BlockTree.parameters(net.head()), children.get("head"));
        for (int l = 0; l < path.length; l++) {
            String name = s.layers().get(l).name() + "." + a.ops().get(l);
            net.layer(l).extract(path[l], children.get(name));
        }
        return fixed;
    }

    /** Copies every parameter of {@code target} from the parameter with the same path in {@code source}. */
    public static void copyByName(Map<String, Parameter> source, Block target) {
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
            InPlace.copy(from, to);
        }
    }
}
