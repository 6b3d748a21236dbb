package io.hwnas.supernet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.hwnas.supernet.TestNets;
import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OpsTest {

    static Stream<Arguments> spaces() {
        return SpaceRegistry.all().stream().map(s -> Arguments.of(s.id()));
    }

    /** Output shape of every op in every layer: a real forward (batch 2) where cheap, shapes elsewhere. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("spaces")
    void everyOpHasTheLayersOutputShape(String id) {
        SearchSpace s = SpaceRegistry.get(id);
        boolean real = s.input().height() <= 32;
        try (NDManager m = NDManager.newBaseManager()) {
            for (LayerSpec l : s.layers()) {
                Shape in = new Shape(2, l.inChannels(), l.inHeight(), l.inWidth());
                Shape want = new Shape(2, l.outChannels(), l.outHeight(), l.outWidth());
                NDArray x = real ? TestNets.random(m, in, DataType.FLOAT32, l.index()) : null;
                for (String name : s.ops()) {
                    Block op = Ops.op(l, OpSpec.parse(name));
                    assertEquals(want, op.getOutputShapes(new Shape[] {in})[0], l.name() + " " + name);
                    if (real) {
                        try (NDManager sub = m.newSubManager()) {
                            op.initialize(sub, DataType.FLOAT32, in);
                            for (boolean training : new boolean[] {true, false}) {
                                NDArray y = TestNets.forward(sub, op, x, training);
                                assertEquals(want, y.getShape(), l.name() + " " + name + " training=" + training);
                            }
                        }
                    }
                }
            }
        }
    }

    /** DJL's trainable parameter count of every op, the stem and the head equals the cost model's. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("spaces")
    void parameterCountsMatchTheCostModel(String id) {
        SearchSpace s = SpaceRegistry.get(id);
        try (NDManager m = NDManager.newBaseManager()) {
            for (LayerSpec l : s.layers()) {
                Shape in = new Shape(1, l.inChannels(), l.inHeight(), l.inWidth());
                for (String name : s.ops()) {
                    OpSpec op = OpSpec.parse(name);
                    Block b = Ops.op(l, op);
                    try (NDManager sub = m.newSubManager()) {
                        b.initialize(sub, DataType.FLOAT32, in);
                        assertEquals(Costs.op(l, op).params(), TestNets.trainableCount(b), l.name() + " " + name);
                    }
                }
            }
            Block stem = Ops.stem(s);
            stem.initialize(m, DataType.FLOAT32, new Shape(1, s.input().channels(), s.input().height(),
                    s.input().width()));
            assertEquals(Costs.stem(s).params(), TestNets.trainableCount(stem), "stem");
            int[] hw = s.headInputSize();
            Block head = Ops.head(s);
            head.initialize(m, DataType.FLOAT32, new Shape(1, s.lastChannels(), hw[0], hw[1]));
            assertEquals(Costs.head(s).params(), TestNets.trainableCount(head), "head");
        }
    }

    @org.junit.jupiter.api.Test
    void identitySkipPassesInputThroughAndHasNoParameters() {
        LayerSpec l = new LayerSpec(0, 0, 0, 4, 4, 1, 5, 5);
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = Ops.op(l, OpSpec.parse("skip"));
            b.initialize(m, DataType.FLOAT32, new Shape(2, 4, 5, 5));
            assertTrue(b.getParameters().isEmpty());
            NDArray x = TestNets.random(m, new Shape(2, 4, 5, 5), DataType.FLOAT32, 1);
            assertArrayEquals(x.toFloatArray(), TestNets.forward(m, b, x, true).toFloatArray());
        }
    }

    @org.junit.jupiter.api.Test
    void channelShuffleInterleavesGroups() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(6f).reshape(1, 6, 1, 1);
            // groups 2: [0 1 2 | 3 4 5] -> [0 3 1 4 2 5]
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5},
                    InvertedResidual.channelShuffle(x, 2).toFloatArray());
        }
    }
}
