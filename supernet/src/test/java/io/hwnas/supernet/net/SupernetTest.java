package io.hwnas.supernet.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.TestNets;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.InputSpec;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SupernetTest {
    /** fbnet-fmnist-tiny at 6x6 and quarter width: every op type and stride, fast enough for FD in float64. */
    static SearchSpace small() {
        return SpaceRegistry.get("fbnet-fmnist-tiny").scaled("grad-tiny", 0.25, 4, null, new InputSpec(1, 6, 6), 10);
    }

    static Shape input(SearchSpace s, int batch) {
        return new Shape(batch, s.input().channels(), s.input().height(), s.input().width());
    }

    /** Random architecture logits θ [layers, ops] (the search's state; here the test's), with gradient. */
    static NDArray randomTheta(SearchSpace s, NDManager m, DataType type, long seed) {
        Random r = new Random(seed);
        double[] t = new double[s.layerCount() * s.ops().size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextGaussian();
        }
        NDArray theta = m.create(t, new Shape(s.layerCount(), s.ops().size())).toType(type, false);
        theta.setRequiresGradient(true);
        return theta;
    }

    static int[] argmax(NDArray theta) {
        return argmax(theta.toType(DataType.FLOAT32, false).toFloatArray(), (int) theta.getShape().get(0),
                (int) theta.getShape().get(1));
    }

    static int[] argmax(float[] flat, int layers, int ops) {
        int[] out = new int[layers];
        for (int l = 0; l < layers; l++) {
            for (int k = 1; k < ops; k++) {
                if (flat[l * ops + k] > flat[l * ops + out[l]]) {
                    out[l] = k;
                }
            }
        }
        return out;
    }

    /** A float64 supernet of {@link #small()} with random BN and θ, Gumbel noise, τ, an input and a readout. */
    record Mixture(Supernet net, NDArray theta, NDArray noise, NDArray tau, NDArray x, NDArray r) {
        static Mixture of(NDManager m) {
            SearchSpace s = small();
            Engine.getInstance().setRandomSeed(3);
            Supernet net = new Supernet(s);
            net.initialize(m, DataType.FLOAT64, input(s, 2));
            TestNets.randomizeBn(net, 4);
            NDArray theta = randomTheta(s, m, DataType.FLOAT64, 5);
            int l = s.layerCount();
            int k = s.ops().size();
            NDArray noise = m.create(Gumbel.noise(9, 1, l * k), new Shape(l, k)).toType(DataType.FLOAT64, false);
            return new Mixture(net, theta, noise, m.create(0.7), TestNets.random(m, input(s, 2), DataType.FLOAT64, 6),
                    TestNets.random(m, new Shape(2, 10), DataType.FLOAT64, 7));
        }
    }

    @Test
    void thetaGradientThroughSoftGumbelMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            Mixture f = Mixture.of(m);
            Supernet net = f.net();
            NDArray theta = f.theta();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray gates = Gumbel.softSample(theta, f.noise(), f.tau());
                NDArray loss = net.forwardMixed(new ParameterStore(m, false), f.x(), gates, true).mul(f.r()).sum();
                gc.backward(loss);
            }
            double[] analytic = TestNets.data(theta.getGradient());
            double[] base = TestNets.data(theta);
            double eps = 1e-6;
            double center = loss(m, f);
            Random pick = new Random(8);
            int checked = 0;
            double maxAbs = 0;
            for (int n = 0; n < 14; n++) {
                int i = pick.nextInt(base.length);
                double[] v = base.clone();
                v[i] += eps;
                TestNets.setData(theta, v);
                double plus = loss(m, f);
                v[i] = base[i] - eps;
                TestNets.setData(theta, v);
                double minus = loss(m, f);
                TestNets.setData(theta, base);
                double numeric = (plus - minus) / (2 * eps);
                if (Math.abs((plus - center) / eps - (center - minus) / eps) > 1e-3 * Math.max(1, Math.abs(numeric))) {
                    continue; // a ReLU kink within eps
                }
                assertEquals(numeric, analytic[i], 1e-5 * Math.max(1, Math.abs(numeric)), "theta[" + i + "]");
                maxAbs = Math.max(maxAbs, Math.abs(numeric));
                checked++;
            }
            assertTrue(checked >= 10, "checked " + checked);
            assertTrue(maxAbs > 1e-4, "theta gradients are all ~0: the check is vacuous");
        }
    }

    @Test
    void detachedWeightsGiveTheSameThetaGradientAndNoWeightGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            Mixture f = Mixture.of(m);
            Supernet net = f.net();
            NDArray theta = f.theta();
            double[][] grads = new double[2][];
            for (int run = 0; run < 2; run++) {
                for (Parameter p : net.weights()) {
                    TestNets.zeroGrad(p.getArray());
                }
                TestNets.zeroGrad(theta);
                try (NDManager sm = m.newSubManager()) {
                    ParameterStore ps = run == 0 ? new ParameterStore(sm, false)
                            : new DetachedWeights(sm);
                    // eval mode: BN running statistics stay as they are between the two runs
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray gates = Gumbel.softSample(theta, f.noise(), f.tau());
                        gc.backward(net.forwardMixed(ps, f.x(), gates, false).mul(f.r()).sum());
                    }
                }
                grads[run] = TestNets.data(theta.getGradient());
                double weightGrad = 0;
                for (Parameter p : net.weights()) {
                    for (double v : TestNets.data(p.getArray().getGradient())) {
                        weightGrad = Math.max(weightGrad, Math.abs(v));
                    }
                }
                if (run == 0) {
                    assertTrue(weightGrad > 1e-6, "the plain store gives the weights gradients");
                } else {
                    assertEquals(0, weightGrad, 0, "detached weights must get no gradient");
                }
            }
            assertArrayEquals(grads[0], grads[1], 1e-12);
            assertTrue(java.util.Arrays.stream(grads[0]).map(Math::abs).max().orElse(0) > 1e-4);
        }
    }

    private static double loss(NDManager m, Mixture f) {
        try (NDManager sub = m.newSubManager()) {
            NDArray gates = Gumbel.softSample(f.theta(), f.noise(), f.tau());
            gates.attach(sub);
            NDArray y = f.net().forwardMixed(new ParameterStore(sub, false), f.x(), gates, true);
            try (NDArray l = y.mul(f.r()).sum()) {
                return l.getDouble();
            }
        }
    }

    @Test
    void oneHotGatesEqualTheSinglePath() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = new Supernet(s);
            net.initialize(m, DataType.FLOAT32, input(s, 2));
            TestNets.randomizeBn(net, 1);
            int[] path = argmax(randomTheta(s, m, DataType.FLOAT32, 2));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = TestNets.random(m, input(s, 2), DataType.FLOAT32, 3);
            float[] oneHot = new float[s.layerCount() * s.ops().size()];
            for (int l = 0; l < path.length; l++) {
                oneHot[l * s.ops().size() + path[l]] = 1f;
            }
            NDArray gates = m.create(oneHot, new Shape(s.layerCount(), s.ops().size()));
            float[] a = net.forwardPath(ps, x, path, false).toFloatArray();
            float[] b = net.forwardMixed(ps, x, gates, false).toFloatArray();
            float[] b2 = net.forwardMixed(ps, x, gates, false, true).toFloatArray();
            assertArrayEquals(a, b, 1e-6f);
            assertArrayEquals(a, b2, 0f);
            // a supernet has no architecture of its own
            assertThrows(UnsupportedOperationException.class, () -> net.forward(ps, new NDList(x), false));
            // another path gives other outputs (the comparison above can fail)
            int[] other = path.clone();
            other[0] = (other[0] + 1) % s.ops().size();
            float[] d = net.forwardPath(ps, x, other, false).toFloatArray();
            assertFalse(java.util.Arrays.equals(a, d));
        }
    }

    @Test
    void weightsOfTheSupernetAndOfAPath() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar-tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = new Supernet(s);
            net.initialize(m, DataType.FLOAT32, input(s, 1));
            // weights only: no architecture logits among the parameters
            for (var p : net.getParameters()) {
                assertFalse(p.getKey().contains("theta"), p.getKey());
            }
            long all = 0;
            for (LayerSpec l : s.layers()) {
                for (String op : s.ops()) {
                    all += Costs.op(l, OpSpec.parse(op)).params();
                }
            }
            all += Costs.fixed(s).params();
            assertEquals(all, count(net.weights()));

            Architecture a = FixedNetTest.randomArch(s, 9);
            int[] path = a.indices(s);
            List<Parameter> w = net.weights(path);
            assertEquals(Costs.architecture(s, a).params(), count(w));
            assertTrue(net.weights().containsAll(w));
        }
    }

    /** DJL's own save/load of the whole supernet (weights and BN statistics) round-trips. */
    @Test
    void supernetParametersRoundTripThroughDjlStreams() throws Exception {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = new Supernet(s);
            net.initialize(m, DataType.FLOAT32, input(s, 1));
            TestNets.randomizeBn(net, 1);
            var bytes = new java.io.ByteArrayOutputStream();
            net.saveParameters(new java.io.DataOutputStream(bytes));
            Supernet back = new Supernet(s);
            back.initialize(m, DataType.FLOAT32, input(s, 1));
            back.loadParameters(m, new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
            int[] path = argmax(randomTheta(s, m, DataType.FLOAT32, 2));
            NDArray x = TestNets.random(m, input(s, 2), DataType.FLOAT32, 3);
            ParameterStore ps = new ParameterStore(m, false);
            assertArrayEquals(net.forwardPath(ps, x, path, false).toFloatArray(),
                    back.forwardPath(ps, x, path, false).toFloatArray(), 0f);
        }
    }

    private static long count(List<Parameter> ps) {
        long n = 0;
        for (Parameter p : ps) {
            n += p.getShape().size();
        }
        return n;
    }

    @Test
    void gumbelNoiseIsDeterministicInSeedAndStep() {
        float[] a = Gumbel.noise(5, 17, 1000);
        assertArrayEquals(a, Gumbel.noise(5, 17, 1000));
        assertFalse(java.util.Arrays.equals(a, Gumbel.noise(5, 18, 1000)));
        assertFalse(java.util.Arrays.equals(a, Gumbel.noise(6, 17, 1000)));
        // standard Gumbel: mean = Euler-Mascheroni constant, variance = pi^2/6
        float[] big = Gumbel.noise(1, 0, 200_000);
        double mean = 0;
        for (float g : big) {
            mean += g;
        }
        mean /= big.length;
        double var = 0;
        for (float g : big) {
            var += (g - mean) * (g - mean);
        }
        var /= big.length;
        assertEquals(0.5772156649, mean, 0.01);
        assertEquals(Math.PI * Math.PI / 6, var, 0.03);
    }

    @Test
    void gumbelSamples() {
        float[] theta = {0, 1, 2, 5, 0, 0};
        float[] noise = {3, 0, 0, 0, 0, 0.5f};
        assertArrayEquals(new int[] {0, 0}, Gumbel.hardSample(theta, noise, 2, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray g = Gumbel.softSample(m.create(theta, new Shape(2, 3)), m.create(noise, new Shape(2, 3)),
                    m.create(2f));
            float[] got = g.toFloatArray();
            for (int l = 0; l < 2; l++) {
                double sum = 0;
                double[] e = new double[3];
                for (int k = 0; k < 3; k++) {
                    e[k] = Math.exp((theta[l * 3 + k] + noise[l * 3 + k]) / 2.0);
                    sum += e[k];
                }
                for (int k = 0; k < 3; k++) {
                    assertEquals(e[k] / sum, got[l * 3 + k], 1e-6);
                }
            }
            assertNotEquals(got[0], got[1]);
        }
    }
}
