package io.hwnas.supernet.net;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import io.hwnas.supernet.ops.Ops;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import java.util.List;

/**
 * A plain standalone network for one architecture: "stem", one "stage{i}.block{j}.{op}" block per
 * searchable layer (an identity skip is still a block), "head". Output: logits [B, classes].
 */
public final class FixedNet {
    private FixedNet() {}

    public static SequentialBlock build(SearchSpace s, Architecture a) {
        a.check(s);
        Named net = new Named();
        net.add("stem", Ops.stem(s));
        List<LayerSpec> layers = s.layers();
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            String op = a.ops().get(i);
            net.add(l.name() + "." + op, Ops.op(l, OpSpec.parse(op)));
        }
        net.add("head", Ops.head(s));
        return net;
    }

    /** A SequentialBlock whose children carry stable names. */
    static final class Named extends SequentialBlock {
        Named add(String name, Block b) {
            addChildBlock(name, b);
            return this;
        }
    }
}
