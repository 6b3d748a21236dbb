package io.hwnas.supernet.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import io.hwnas.supernet.TestNets;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FixedNetTest {
    static Stream<String> ids() {
        return SpaceRegistry.all().stream().map(SearchSpace::id);
    }

    static Architecture randomArch(SearchSpace s, long seed) {
        Random r = new Random(seed);
        int[] idx = new int[s.layerCount()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = r.nextInt(s.ops().size());
        }
        return Architecture.ofIndices(s, idx);
    }

    @ParameterizedTest
    @MethodSource("ids")
    void namesShapesAndParameterCount(String id) {
        SearchSpace s = SpaceRegistry.get(id);
        Architecture a = randomArch(s, 42);
        SequentialBlock net = FixedNet.build(s, a);
        List<String> names = new ArrayList<>();
        for (Pair<String, ai.djl.nn.Block> c : net.getChildren()) {
            names.add(BlockTree.childName(c.getKey()));
        }
        List<String> want = new ArrayList<>();
        want.add("stem");
        List<LayerSpec> layers = s.layers();
        for (int i = 0; i < layers.size(); i++) {
            want.add(layers.get(i).name() + "." + a.ops().get(i));
        }
        want.add("head");
        assertEquals(want, names);

        Shape in = new Shape(2, s.input().channels(), s.input().height(), s.input().width());
        assertEquals(new Shape(2, s.head().classes()), net.getOutputShapes(new Shape[] {in})[0]);
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m, DataType.FLOAT32, in);
            assertEquals(Costs.architecture(s, a).params(), TestNets.trainableCount(net));
            if (s.input().height() <= 32) {
                NDArray y = TestNets.forward(m, net, TestNets.random(m, in, DataType.FLOAT32, 1), false);
                assertEquals(new Shape(2, s.head().classes()), y.getShape());
            }
        }
    }
}
