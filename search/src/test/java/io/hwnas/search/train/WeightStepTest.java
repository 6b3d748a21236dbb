package io.hwnas.search.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    /**
     * Progressive shrinking's first stage: single-path and sandwich samples use only the dense ops
     * (every dense op still shows up), the sandwich's smallest is all k3_e1, and the step trains
     * only the sampled path's weights; later stages sample every op again.
     */
    @Test
    void denseOnlyStepsSampleOnlyDenseOps() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        boolean[] dense = Supernet.denseOps(s);
        assertEquals(List.of("k3_e1", "k3_e3", "k3_e6", "k5_e1", "k5_e3", "k5_e6"),
                java.util.stream.IntStream.range(0, dense.length).filter(k -> dense[k]).mapToObj(k -> s.ops().get(k))
                        .toList());
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = new Supernet(s);
            net.initialize(m, DataType.FLOAT32, Supernet.inputShape(s, 2));
            WeightStep sw = new WeightStep(net, new Theta(s, m), new Sgd(m, 0.9, 0), "sandwich", 4, 1.0);
            int[][] counts = new int[s.layerCount()][s.ops().size()];
            for (int k = 0; k < 100; k++) {
                List<int[]> ps = sw.sandwich(Gumbel.noise(5, k, sw.noiseSize()), WeightStep.Paths.DENSE);
                assertEquals(Architecture.uniform(s, "k3_e1"), Architecture.ofIndices(s, ps.get(1)));
                for (int[] p : ps.subList(2, ps.size())) {
                    for (int l = 0; l < p.length; l++) {
                        counts[l][p[l]]++;
                    }
                }
            }
            for (int[] row : counts) {
                for (int k = 0; k < row.length; k++) {
                    assertTrue(dense[k] ? row[k] > 0 : row[k] == 0, s.ops().get(k) + ": " + row[k]);
                }
            }
            assertTrue(java.util.Arrays.stream(sw.sandwich(Gumbel.noise(5, 0, sw.noiseSize()), WeightStep.Paths.THETA).get(1))
                    .anyMatch(k -> !dense[k]), "without the stage the smallest uses skip / grouped ops");

            // a single-path step: only the dense path's weights change
            WeightStep one = new WeightStep(net, new Theta(s, m), new Sgd(m, 0.0, 0), "single-path");
            NDArray x = m.randomNormal(Supernet.inputShape(s, 4));
            NDArray y = m.create(new long[] {0, 1, 2, 3});
            java.util.Map<String, float[]> before = new java.util.HashMap<>();
            for (var p : net.weights()) {
                before.put(p.getId(), p.getArray().toFloatArray());
            }
            for (int k = 0; k < 6; k++) {
                try (NDManager sm = m.newSubManager()) {
                    one.run(sm, x, y, Gumbel.noise(7, k, one.noiseSize()), 5.0, 0.01, WeightStep.Paths.DENSE);
                }
            }
            java.util.Map<String, String> keys = Nets.keys(net);
            int own = 0;
            for (var p : net.weights()) {
                String key = keys.get(p.getId());
                if (key.contains("_g2") || key.contains(".skip")) {
                    own++;
                    assertArrayEquals(before.get(p.getId()), p.getArray().toFloatArray(), 0f, key);
                }
            }
            assertTrue(own > 0, "the grouped ops and the projecting skips have parameters of their own");
            boolean changed = false;
            for (var p : net.weights()) {
                changed |= !java.util.Arrays.equals(before.get(p.getId()), p.getArray().toFloatArray());
            }
            assertTrue(changed, "the dense paths trained");
        }
    }

    /**
     * bounds_every: every N-th step trains the largest subnet and the next the smallest (the smallest
     * dense one in the dense-only stage), the other steps a sampled path; a step on a given path trains
     * that path's weights only; sandwich and soft steps have no bound steps of their own.
     */
    @Test
    void boundStepsTrainTheLargestThenTheSmallest() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = new Supernet(s);
            net.initialize(m, DataType.FLOAT32, Supernet.inputShape(s, 2));
            WeightStep one = new WeightStep(net, new Theta(s, m), new Sgd(m, 0.0, 0), "single-path", 0, 0, true);
            int[] largest = Supernet.largestPath(s);
            for (long step = 0; step < 24; step++) {
                int[] b = one.boundPath(step, 8, WeightStep.Paths.DEPTH);
                if (step % 8 == 0) {
                    assertArrayEquals(largest, b, "step " + step);
                } else if (step % 8 == 1) {
                    assertArrayEquals(Supernet.smallestPath(s), b, "step " + step);
                } else {
                    assertEquals(null, b, "step " + step);
                }
            }
            assertArrayEquals(Supernet.smallestDensePath(s), one.boundPath(9, 8, WeightStep.Paths.DENSE));
            assertEquals(null, one.boundPath(0, 0, WeightStep.Paths.DEPTH), "0: never");
            WeightStep sw = new WeightStep(net, new Theta(s, m), new Sgd(m, 0.0, 0), "sandwich", 2, 1.0);
            assertEquals(null, sw.boundPath(0, 8, WeightStep.Paths.THETA), "a sandwich trains its bounds every step");
            assertThrows(IllegalArgumentException.class, () -> sw.runPath(m, null, null, largest, 0.1));

            // a step on the smallest path changes its weights and nothing of the largest path's own
            int[] small = Supernet.smallestPath(s);
            java.util.Set<String> smallIds = new HashSet<>();
            net.weights(small).forEach(p -> smallIds.add(p.getId()));
            java.util.Map<String, float[]> before = new java.util.HashMap<>();
            for (var p : net.weights()) {
                before.put(p.getId(), p.getArray().toFloatArray());
            }
            NDArray x = m.randomNormal(Supernet.inputShape(s, 4));
            NDArray y = m.create(new long[] {0, 1, 2, 3});
            try (NDManager sm = m.newSubManager()) {
                assertTrue(one.runPath(sm, x, y, small, 0.1).finite());
            }
            int changed = 0;
            for (var p : net.weights()) {
                boolean same = java.util.Arrays.equals(before.get(p.getId()), p.getArray().toFloatArray());
                if (!smallIds.contains(p.getId())) {
                    assertTrue(same, "not on the smallest path: " + p.getName());
                } else if (!same) {
                    changed++;
                }
            }
            assertTrue(changed > 0, "the smallest path trained");
        }
    }

    /**
     * Uniform depth: over many paths the number of skipped layers is uniform over 0..layers (per-op
     * sampling makes 4 or more skips out of 7 rare), and a kept layer's op is uniform over the others;
     * the sandwich's random subnets follow it; a step without it refuses DEPTH paths.
     */
    @Test
    void uniformDepthSpreadsTheNumberOfSkippedLayers() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        int layers = s.layerCount();
        int skip = s.ops().indexOf("skip");
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = new Supernet(s);
            net.initialize(m, DataType.FLOAT32, Supernet.inputShape(s, 2));
            WeightStep w = new WeightStep(net, new Theta(s, m), new Sgd(m, 0.9, 0), "single-path", 0, 0, true);
            assertEquals(layers * s.ops().size() + layers + 1, w.noiseSize());
            int draws = 8000;
            int[] skips = new int[layers + 1];
            int[] ops = new int[s.ops().size()];
            for (int k = 0; k < draws; k++) {
                int[] p = w.depthPath(Gumbel.noise(11, k, w.noiseSize()));
                int n = 0;
                for (int op : p) {
                    n += op == skip ? 1 : 0;
                    ops[op]++;
                }
                skips[n]++;
            }
            double expected = (double) draws / (layers + 1);
            for (int n = 0; n <= layers; n++) {
                assertTrue(Math.abs(skips[n] - expected) < 0.15 * expected, n + " skips: " + skips[n] + " vs " + expected);
            }
            int kept = draws * layers - ops[skip];
            for (int k = 0; k < ops.length; k++) {
                if (k != skip) {
                    double e = kept / (ops.length - 1.0);
                    assertTrue(Math.abs(ops[k] - e) < 0.1 * e, s.ops().get(k) + ": " + ops[k] + " vs " + e);
                }
            }
            // the old per-op rule: 4 or more skips in 7 layers about 0.4 % of the time
            WeightStep perOp = new WeightStep(net, new Theta(s, m), new Sgd(m, 0.9, 0), "single-path");
            int deep = 0;
            for (int k = 0; k < draws; k++) {
                int[] p = Gumbel.hardSample(new float[layers * s.ops().size()], Gumbel.noise(11, k, perOp.noiseSize()),
                        layers, s.ops().size());
                deep += java.util.Arrays.stream(p).filter(op -> op == skip).count() >= 4 ? 1 : 0;
            }
            assertTrue(deep < 0.01 * draws, "per-op: " + deep);
            assertTrue(skips[4] + skips[5] + skips[6] + skips[7] > 0.4 * draws, "uniform depth: 4+ skips often");

            WeightStep sw = new WeightStep(net, new Theta(s, m), new Sgd(m, 0.9, 0), "sandwich", 3, 1.0, true);
            assertEquals(3 * (layers * s.ops().size() + layers + 1), sw.noiseSize());
            float[] noise = Gumbel.noise(2, 3, sw.noiseSize());
            List<int[]> ps = sw.sandwich(noise, WeightStep.Paths.THETA);
            int per = layers * s.ops().size() + layers + 1;
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(w.depthPath(java.util.Arrays.copyOfRange(noise, i * per, (i + 1) * per)), ps.get(2 + i));
            }
            NDArray x = m.randomNormal(Supernet.inputShape(s, 2));
            NDArray y = m.create(new long[] {0, 1});
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> perOp.run(m, x, y, Gumbel.noise(1, 1, perOp.noiseSize()), 5, 0.01, WeightStep.Paths.DEPTH));
            assertTrue(e.getMessage().contains("depthUniform"), e.getMessage());
        }
    }

    /** UNIFORM single paths ignore θ (THETA follows it); both draw from the same noise. */
    @Test
    void uniformPathsIgnoreTheta() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        int layers = s.layerCount();
        int ops = s.ops().size();
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = new Supernet(s);
            Theta theta = new Theta(s, m);
            float[] t = new float[layers * ops];
            for (int l = 0; l < layers; l++) {
                t[l * ops + 2] = 50f; // θ all but certain of op 2 in every layer
            }
            theta.array().set(t);
            WeightStep w = new WeightStep(net, theta, new Sgd(m, 0.9, 0), "single-path");
            int[][] counts = new int[layers][ops];
            int draws = 900;
            for (int k = 0; k < draws; k++) {
                float[] noise = Gumbel.noise(4, k, w.noiseSize());
                assertArrayEquals(new int[] {2, 2, 2, 2, 2, 2, 2}, w.singlePath(noise, WeightStep.Paths.THETA));
                int[] p = w.singlePath(noise, WeightStep.Paths.UNIFORM);
                for (int l = 0; l < layers; l++) {
                    counts[l][p[l]]++;
                }
            }
            double expected = (double) draws / ops;
            for (int[] row : counts) {
                for (int c : row) {
                    assertTrue(Math.abs(c - expected) < 0.3 * expected, "count " + c + " vs " + expected);
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
