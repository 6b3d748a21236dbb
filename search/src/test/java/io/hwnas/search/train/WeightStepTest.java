package io.hwnas.search.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.hwnas.supernet.net.Gumbel;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WeightStepTest {
    @Test
    void sandwichIsLargestSmallestAndUniformRandomSubnets() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar-tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = new Supernet(s);
            net.initialize(m, DataType.FLOAT32, Supernet.inputShape(s, 2));
            WeightStep w = new WeightStep(net, new Theta(s, m), new Sgd(m, 0.9, 0), "sandwich", 3, 1.0);
            assertEquals(3 * s.layerCount() * s.ops().size(), w.noiseSize());
            List<int[]> paths = w.sandwich(Gumbel.noise(1, 2, w.noiseSize()));
            assertEquals(5, paths.size());
            assertEquals(Architecture.uniform(s, "k5_e6"), Architecture.ofIndices(s, paths.get(0)));
            Architecture small = Architecture.ofIndices(s, paths.get(1));
            for (int l = 0; l < s.layerCount(); l++) {
                // skip where it is the identity, else the cheapest op
                assertTrue(small.ops().get(l).equals("skip") || small.ops().get(l).startsWith("k3_e1"), small.toString());
            }
            Set<String> random = new HashSet<>();
            for (int i = 2; i < 5; i++) {
                random.add(Architecture.ofIndices(s, paths.get(i)).canonical());
            }
            assertEquals(3, random.size(), "three distinct random subnets");
            // uniform: over many draws every op shows up in every layer about equally often
            int[][] counts = new int[s.layerCount()][s.ops().size()];
            WeightStep many = new WeightStep(net, new Theta(s, m), new Sgd(m, 0.9, 0), "sandwich", 16, 1.0);
            for (int k = 0; k < 200; k++) {
                List<int[]> ps = many.sandwich(Gumbel.noise(3, k, many.noiseSize()));
                for (int[] p : ps.subList(2, ps.size())) {
                    for (int l = 0; l < p.length; l++) {
                        counts[l][p[l]]++;
                    }
                }
            }
            double expected = 200.0 * 16 / s.ops().size();
            for (int[] row : counts) {
                for (int c : row) {
                    assertTrue(Math.abs(c - expected) < 0.25 * expected, "count " + c + " vs " + expected);
                }
            }
        }
    }

    /** The sandwich step sums its subnets' gradients: PyTorch accumulates over separate backward passes. */
    @Test
    void gradientsAccumulateOverSeparateBackwardPasses() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1, 2, 3}, new Shape(3));
            w.setRequiresGradient(true);
            for (int i = 0; i < 2; i++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(w.mul(w).sum());
                }
            }
            assertArrayEquals(new float[] {4, 8, 12}, w.getGradient().toFloatArray(), 1e-6f);
        }
    }
}
