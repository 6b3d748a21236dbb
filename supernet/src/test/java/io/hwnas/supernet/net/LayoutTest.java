package io.hwnas.supernet.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.TestNets;
import io.hwnas.supernet.ops.Layout;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Channels-last depthwise convolutions in training give the NCHW computation's values and gradients. */
class LayoutTest {
    @AfterEach
    void restore() {
        System.clearProperty(Layout.PROPERTY);
    }

    @Test
    void onlyTrainingDepthwiseConvolutionsSeeAChannelsLastCopy() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertSame(false, Layout.channelsLast(), "opt-in: NCHW unless asked");
            System.setProperty(Layout.PROPERTY, "true");
            NDArray x = TestNets.random(m, new Shape(2, 3, 4, 5), DataType.FLOAT32, 1);
            NDArray dw = m.ones(new Shape(3, 1, 3, 3));
            dw.setRequiresGradient(true);
            NDArray[] seen = new NDArray[1];
            java.util.function.UnaryOperator<NDArray> probe = in -> {
                seen[0] = in;
                return in.mul(m.create(2f));
            };
            long before = Layout.conversions();
            NDArray y = Layout.conv(x, dw, 3, true, probe);
            assertEquals(before + 1, Layout.conversions());
            assertTrue(seen[0] != x, "the convolution got a copy");
            assertEquals(x.getShape(), seen[0].getShape());
            assertArrayEquals(x.toFloatArray(), seen[0].toFloatArray(), 0f);
            assertEquals(x.getShape(), y.getShape());
            assertArrayEquals(x.mul(m.create(2f)).toFloatArray(), y.toFloatArray(), 0f);
            Layout.conv(x, dw, 3, false, probe);
            assertSame(x, seen[0], "inference stays NCHW");
            Layout.conv(x, dw.stopGradient(), 3, true, probe);
            assertSame(x, seen[0], "a detached weight stays NCHW");
            NDArray dense = m.ones(new Shape(3, 3, 1, 1));
            dense.setRequiresGradient(true);
            Layout.conv(x, dense, 1, true, probe);
            assertSame(x, seen[0], "not depthwise");
            System.setProperty(Layout.PROPERTY, "false");
            Layout.conv(x, dw, 3, true, probe);
            assertSame(x, seen[0], "turned off");
            assertEquals(before + 1, Layout.conversions());
        }
    }

    /** Output and every gradient of one training-mode forward/backward, under the layout asked for. */
    private static List<double[]> run(boolean channelsLast, List<Parameter> params, List<NDArray> extra,
            Function<ParameterStore, NDArray> forward, NDManager m) {
        System.setProperty(Layout.PROPERTY, Boolean.toString(channelsLast));
        for (Parameter p : params) {
            TestNets.zeroGrad(p.getArray());
        }
        for (NDArray a : extra) {
            TestNets.zeroGrad(a);
        }
        List<double[]> out = new ArrayList<>();
        long before = Layout.conversions();
        try (NDManager sm = m.newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = forward.apply(new ParameterStore(sm, false));
                out.add(TestNets.data(y));
                // a readout that weights every logit differently, so every gradient is exercised
                NDArray r = sm.arange((float) y.size()).reshape(y.getShape()).toType(y.getDataType(), false)
                        .mul(sm.create(0.01).toType(y.getDataType(), false)).sin();
                gc.backward(y.mul(r).sum());
            }
        }
        for (Parameter p : params) {
            if (p.requiresGradient()) {
                out.add(TestNets.data(p.getArray().getGradient()));
            }
        }
        for (NDArray a : extra) {
            out.add(TestNets.data(a.getGradient()));
        }
        long made = Layout.conversions() - before;
        // what the comparison compares: channels-last really ran (or did not)
        assertEquals(channelsLast, made > 0, "conversions to channels-last: " + made);
        return out;
    }

    private static void assertSameResults(List<double[]> nchw, List<double[]> cl, double tol) {
        assertEquals(nchw.size(), cl.size());
        double largest = 0;
        for (int i = 0; i < nchw.size(); i++) {
            double[] a = nchw.get(i);
            double[] b = cl.get(i);
            assertEquals(a.length, b.length);
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j], b[j], tol * Math.max(1, Math.abs(a[j])), "array " + i + " [" + j + "]");
                largest = Math.max(largest, Math.abs(a[j]));
            }
        }
        assertTrue(largest > 1e-3, "all outputs and gradients ~0: the comparison is vacuous");
    }

    /** Every supernet kind: the shared ones (the default and the two cheaper mixtures) and FBNet's per-op one. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"shared", "shared-masked", "shared-superkernel", "per-op"})
    void softMixtureAndPathsAreUnchanged(String kind) {
        SearchSpace s = SupernetTest.small();
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            Supernet net = new Supernet(s, Supernet.layers(kind));
            net.initialize(m, DataType.FLOAT64, SupernetTest.input(s, 3));
            TestNets.randomizeBn(net, 4);
            NDArray theta = SupernetTest.randomTheta(s, m, DataType.FLOAT64, 5);
            NDArray x = TestNets.random(m, SupernetTest.input(s, 3), DataType.FLOAT64, 6);
            int l = s.layerCount();
            int k = s.ops().size();
            NDArray noise = m.create(Gumbel.noise(9, 1, l * k), new Shape(l, k)).toType(DataType.FLOAT64, false);
            NDArray tau = m.create(0.7).toType(DataType.FLOAT64, false);
            List<Parameter> params = net.weights();
            Function<ParameterStore, NDArray> soft = ps -> net.forwardMixed(ps, x,
                    Gumbel.softSample(theta, noise, tau), true);
            assertSameResults(run(false, params, List.of(theta), soft, m), run(true, params, List.of(theta), soft, m),
                    1e-9);
            // θ's step: weights detached, so no depthwise weight gradient to speed up: NCHW
            System.setProperty(Layout.PROPERTY, "true");
            long before = Layout.conversions();
            try (NDManager sm = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(net.forwardMixed(new DetachedWeights(sm), x, Gumbel.softSample(theta, noise, tau), true)
                        .sum());
            }
            assertEquals(before, Layout.conversions(), "a step on detached weights stays NCHW");
            // the largest path uses the depthwise weight whole; k3_e3 a slice of it through the 5x5 -> 3x3 transform
            for (int[] path : List.of(Supernet.largestPath(s), Architecture.uniform(s, "k3_e3").indices(s),
                    SupernetTest.argmax(theta))) {
                Function<ParameterStore, NDArray> single = ps -> net.forwardPath(ps, x, path, true);
                assertSameResults(run(false, params, List.of(), single, m), run(true, params, List.of(), single, m),
                        1e-9);
            }
            // all k3_e3: one depthwise convolution per layer, each on a weight derived from the shared (or own) one
            int[] k3e3 = Architecture.uniform(s, "k3_e3").indices(s);
            long b = Layout.conversions();
            try (NDManager sm = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(net.forwardPath(new ParameterStore(sm, false), x, k3e3, true).sum());
            }
            assertEquals(s.layerCount(), Layout.conversions() - b, "one conversion per depthwise convolution");
        }
    }

    @Test
    void fixedLargestSubnetInFloat32IsUnchanged() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            SequentialBlock net = FixedNet.build(s, Architecture.ofIndices(s, Supernet.largestPath(s)));
            net.initialize(m, DataType.FLOAT32, SupernetTest.input(s, 8));
            NDArray x = TestNets.random(m, SupernetTest.input(s, 8), DataType.FLOAT32, 6);
            List<Parameter> params = net.getParameters().values();
            Function<ParameterStore, NDArray> f = ps -> net.forward(ps, new ai.djl.ndarray.NDList(x), true)
                    .singletonOrThrow();
            // float32: other summation orders, amplified by BN over 8 images (float64 above: asserted to 1e-9,
            // agreed to about 1e-12 when written)
            assertSameResults(run(false, params, List.of(), f, m), run(true, params, List.of(), f, m), 1e-2);
            // BN recalibration is a forward pass only: NCHW, as inference
            long b = Layout.conversions();
            BnRecalibration.recalibrate(net, List.of(x));
            assertEquals(b, Layout.conversions(), "BN recalibration stays NCHW");
        }
    }
}
