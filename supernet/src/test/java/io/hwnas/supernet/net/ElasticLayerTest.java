package io.hwnas.supernet.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.hwnas.supernet.TestNets;
import io.hwnas.supernet.net.ElasticLayer.Part;
import io.hwnas.supernet.net.ElasticLayer.ProjectBn;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.ops.ConvBn;
import io.hwnas.supernet.ops.OpBlock;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The elastic layer on real layers of fbnet-cifar-tiny: residual stride 1 (stage0, 8->8), channel
 * change (stage1, 8->12), stride 2 (stage2, 12->16), with both project-BN choices.
 */
class ElasticLayerTest {
    static final SearchSpace SPACE = SpaceRegistry.resolve("fbnet-cifar-tiny");
    /** The same layout with a projection shortcut in every layer that changes shape. */
    static final SearchSpace SHORTCUT = SpaceRegistry.resolve("fbnet-cifar-tiny-shortcut");
    static final String[] KINDS = {"residual", "channels", "stride2", "channels-shortcut", "stride2-shortcut"};

    static LayerSpec layer(int kind) {
        return kind < 3 ? SPACE.layers().get(kind) : SHORTCUT.layers().get(kind - 2);
    }

    /** The same layer on a smaller input (finite differences need many forwards). */
    static LayerSpec small(int kind) {
        return layer(kind).withInput(6, 6);
    }

    static Stream<Arguments> kindsAndModes() {
        List<Arguments> out = new ArrayList<>();
        for (int kind = 0; kind < KINDS.length; kind++) {
            for (ProjectBn mode : ProjectBn.values()) {
                out.add(Arguments.of(KINDS[kind], kind, mode));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> kinds() {
        List<Arguments> out = new ArrayList<>();
        for (int kind = 0; kind < KINDS.length; kind++) {
            out.add(Arguments.of(KINDS[kind], kind));
        }
        return out.stream();
    }

    static Shape input(LayerSpec l, int batch) {
        return new Shape(batch, l.inChannels(), l.inHeight(), l.inWidth());
    }

    /** An initialized layer with non-trivial BN parameters/statistics and kernel transforms. */
    static ElasticLayer build(NDManager m, LayerSpec l, ProjectBn mode, DataType type, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        ElasticLayer e = new ElasticLayer(l, SPACE.ops(), mode);
        e.initialize(m, type, input(l, 1));
        randomize(e, seed);
        return e;
    }

    static void randomize(ElasticLayer e, long seed) {
        Random r = new Random(seed);
        TestNets.randomizeBn(e, seed); // the grouped ops' and skip's ConvBns
        for (Part p : parts(e)) {
            if (p.hasBn()) {
                fill(p.gamma(), r, 0.5, 1.5);
                fill(p.beta(), r, -0.3, 0.3);
                fill(p.runningMean(), r, -0.5, 0.5);
                fill(p.runningVar(), r, 0.5, 2.0);
            }
            if (p.transform() != null) { // identity + noise, so the transform matters
                double[] d = TestNets.data(p.transform().getArray());
                int k = (int) Math.round(Math.sqrt(d.length));
                for (int i = 0; i < d.length; i++) {
                    d[i] = (i / k == i % k ? 1 : 0) + 0.3 * (2 * r.nextDouble() - 1);
                }
                TestNets.setData(p.transform().getArray(), d);
            }
        }
    }

    static List<Part> parts(Block b) {
        List<Part> out = new ArrayList<>();
        if (b instanceof Part p) {
            out.add(p);
        }
        for (Pair<String, Block> c : b.getChildren()) {
            out.addAll(parts(c.getValue()));
        }
        return out;
    }

    static void fill(Parameter p, Random r, double lo, double hi) {
        double[] d = new double[(int) p.getArray().size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = lo + (hi - lo) * r.nextDouble();
        }
        TestNets.setData(p.getArray(), d);
    }

    static double[] gates(int n, long seed, double lo, double hi) {
        Random r = new Random(seed);
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = lo + (hi - lo) * r.nextDouble();
        }
        return g;
    }

    static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** Σ_k g_k·forward(x, k) over the nonzero gates. */
    static double[] gatedSum(ElasticLayer e, NDManager m, NDArray x, double[] g, boolean training) {
        NDArray sum = null;
        ParameterStore ps = new ParameterStore(m, false);
        for (int k = 0; k < g.length; k++) {
            if (g[k] == 0) {
                continue;
            }
            NDArray y = e.forward(ps, x, k, training).mul(g[k]);
            sum = sum == null ? y : sum.add(y);
        }
        return TestNets.data(sum);
    }

    static double[] mixed(ElasticLayer e, NDManager m, NDArray x, double[] g, boolean skipZeros, boolean training) {
        NDArray row = m.create(g);
        return TestNets.data(e.forwardMixed(new ParameterStore(m, false), x, row, floats(g), skipZeros, training));
    }

    static double maxDiff(double[] a, double[] b) {
        double mx = 0;
        for (int i = 0; i < a.length; i++) {
            mx = Math.max(mx, Math.abs(a[i] - b[i]));
        }
        return mx;
    }

    static double maxAbs(double[] a) {
        double mx = 0;
        for (double v : a) {
            mx = Math.max(mx, Math.abs(v));
        }
        return mx;
    }

    // ------------------------------------------------------------------ mixture

    /** PER_CHOICE: the mixture equals the gated sum of the ops, in training and eval mode, any gates. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void perChoiceMixtureIsExactInBothModes(String name, int kind) {
        LayerSpec l = layer(kind);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, ProjectBn.PER_CHOICE, DataType.FLOAT64, 1);
            NDArray x = TestNets.random(m, input(l, 3), DataType.FLOAT64, 2);
            for (boolean training : new boolean[] {true, false}) {
                for (long seed = 0; seed < 3; seed++) {
                    double[] g = gates(9, seed, -1, 1); // any real gates, negative ones too
                    double[] want = gatedSum(e, m, x, g, training);
                    assertArrayEquals(want, mixed(e, m, x, g, false, training), 1e-6, "training=" + training);
                    assertTrue(maxAbs(want) > 0.1);
                }
                // sparse gates, zero gates skipped: only the nonzero ops (and their channels) run
                double[] g = {0, 0.3, 0, 0.2, 0, 0, 0.5, 0, 0};
                assertArrayEquals(gatedSum(e, m, x, g, training), mixed(e, m, x, g, true, training), 1e-6);
                double[] one = {0, 0, 0, 0, 1, 0, 0, 0, 0}; // k5_e1 alone
                assertArrayEquals(gatedSum(e, m, x, one, training), mixed(e, m, x, one, true, training), 1e-6);
            }
        }
    }

    /** SHARED: exact in eval mode for any gates; in training mode exact when one dense gate is nonzero. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void sharedMixtureIsExactInEvalMode(String name, int kind) {
        LayerSpec l = layer(kind);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, ProjectBn.SHARED, DataType.FLOAT64, 1);
            NDArray x = TestNets.random(m, input(l, 3), DataType.FLOAT64, 2);
            for (long seed = 0; seed < 3; seed++) {
                double[] g = gates(9, seed, -1, 1);
                assertArrayEquals(gatedSum(e, m, x, g, false), mixed(e, m, x, g, false, false), 1e-6);
            }
            double[] g = {0, 0.3, 0, 0.2, 0, 0, 0.5, 0, 0};
            assertArrayEquals(gatedSum(e, m, x, g, false), mixed(e, m, x, g, true, false), 1e-6);
            // training mode, one dense op (k5_e3) plus the ops with their own blocks
            double[] g1 = {0, 0.2, 0, 0, 0, 0.1, 0.6, 0, 0.1};
            assertArrayEquals(gatedSum(e, m, x, g1, true), mixed(e, m, x, g1, false, true), 1e-6);
            // no dense gate at all (G = 0) without skipping: no NaN, just the other ops
            double[] g0 = {0, 0.5, 0, 0, 0, 0.3, 0, 0, 0.2};
            assertArrayEquals(gatedSum(e, m, x, g0, true), mixed(e, m, x, g0, false, true), 1e-6);
        }
    }

    /**
     * SHARED, training mode, general gates: the mixture is G·BN_batch(Σ_k g_k z_k / G) (z_k: dense op
     * k's project pre-activation, G: the dense gates' sum) plus the other ops, checked against that
     * formula built from extracted standalone ops; and it is not the gated sum of the ops.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void sharedTrainingMixtureIsBnOfTheAveragePreActivation(String name, int kind) {
        LayerSpec l = layer(kind);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, ProjectBn.SHARED, DataType.FLOAT64, 1);
            NDArray x = TestNets.random(m, input(l, 3), DataType.FLOAT64, 2);
            double[] g = gates(9, 4, 0.05, 1);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray zsum = null;
            double gsum = 0;
            NDArray rest = null;
            for (int k = 0; k < 9; k++) {
                if (!e.isShared(k)) {
                    NDArray y = e.forward(ps, x, k, true).mul(g[k]);
                    rest = rest == null ? y : rest.add(y);
                    continue;
                }
                OpBlock b = e.extract(k, m, DataType.FLOAT64);
                Map<String, Block> c = children(b);
                NDArray h = ((ConvBn) c.get("dw")).forward(ps, ((ConvBn) c.get("pw1")).forward(ps, x, true), true);
                NDArray z = Conv2d.conv2d(h, ((ConvBn) c.get("pw2")).weight().getArray(), null, new Shape(1, 1),
                        new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow().mul(g[k]);
                zsum = zsum == null ? z : zsum.add(z);
                gsum += g[k];
            }
            Part p = e.project();
            NDArray rm = p.runningMean().getArray().duplicate();
            NDArray rv = p.runningVar().getArray().duplicate();
            NDArray bn = BatchNorm.batchNorm(zsum.div(gsum), rm, rv, p.gamma().getArray(), p.beta().getArray(), -1,
                    0.9f, ConvBn.EPS, true).singletonOrThrow().mul(gsum);
            NDArray want = bn.add(rest);
            if (l.inChannels() == l.outChannels() && l.stride() == 1) {
                want = want.add(x.mul(gsum));
            }
            if (l.hasShortcut()) { // S(x) once per dense gate (the other ops' share of it is in their forward)
                want = want.add(e.forward(ps, x, SPACE.opIndex("skip"), true).mul(gsum));
            }
            double[] got = mixed(e, m, x, g, false, true);
            assertArrayEquals(TestNets.data(want), got, 1e-6);
            double diff = maxDiff(got, gatedSum(e, m, x, g, true));
            assertTrue(diff > 1e-3, "the training-mode mixture is not the gated sum of the ops: " + diff);
        }
    }

    /**
     * SUPERKERNEL with one kernel size's dense gates nonzero: SHARED's mixture, so the gated sum of the
     * ops in eval mode (any such gates) and in training mode (one dense gate).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void superkernelWithOneKernelSizeIsExactAsShared(String name, int kind) {
        LayerSpec l = layer(kind);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, ProjectBn.SUPERKERNEL, DataType.FLOAT64, 1);
            NDArray x = TestNets.random(m, input(l, 3), DataType.FLOAT64, 2);
            // k3_e1 k3_e1_g2 k3_e3 k3_e6 k5_e1 k5_e1_g2 k5_e3 k5_e6 skip
            double[] k5 = {0, 0.2, 0, 0, 0.3, 0.1, 0.4, 0.6, 0.2};
            double[] k3 = {0.5, 0, -0.3, 0.4, 0, 0.2, 0, 0, 0.1};
            for (double[] g : new double[][] {k5, k3}) {
                assertArrayEquals(gatedSum(e, m, x, g, false), mixed(e, m, x, g, false, false), 1e-6);
            }
            double[] one = {0, 0.2, 0, 0.7, 0, 0.1, 0, 0, 0.1}; // k3_e6 the only dense op
            assertArrayEquals(gatedSum(e, m, x, one, true), mixed(e, m, x, one, false, true), 1e-6);
            assertArrayEquals(gatedSum(e, m, x, one, true), mixed(e, m, x, one, true, true), 1e-6);
        }
    }

    /**
     * SUPERKERNEL, eval mode, gates g3 on k3_e6 and g5 on k5_e6 only: the mixture is G·op(x) where op
     * is the extracted k5_e6 with the depthwise kernel (g3·pad(W3) + g5·W5)/G (W3 the extracted k3_e6's
     * kernel, built here by hand), G = g3 + g5; and it is not the gated sum of the two ops.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void superkernelMixesTheKernelSizesInsideOneWeight(String name, int kind) {
        LayerSpec l = layer(kind);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, ProjectBn.SUPERKERNEL, DataType.FLOAT64, 1);
            NDArray x = TestNets.random(m, input(l, 3), DataType.FLOAT64, 2);
            double[] g = new double[9];
            double[] want = superkernelMix(e, m, x, "k3_e6", g);
            double[] got = mixed(e, m, x, g, false, false);
            assertArrayEquals(want, got, 1e-6);
            double diff = maxDiff(got, gatedSum(e, m, x, g, false));
            assertTrue(diff > 1e-3, "mixing inside the kernel is not the gated sum of the ops: " + diff);
        }
    }

    /**
     * SUPERKERNEL, eval mode, gates g3 on k3_e3 and g5 on k5_e6: per channel c the kernel is
     * (g3·pad(W3) + g5·W5)/(g3 + g5) on the first 3·Cin channels and W5 beyond, the mask g3 + g5 and g5.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void superkernelMixesPerChannel(String name, int kind) {
        LayerSpec l = layer(kind);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, ProjectBn.SUPERKERNEL, DataType.FLOAT64, 1);
            NDArray x = TestNets.random(m, input(l, 3), DataType.FLOAT64, 2);
            double[] g = new double[9];
            double[] want = superkernelMix(e, m, x, "k3_e3", g);
            assertArrayEquals(want, mixed(e, m, x, g, false, false), 1e-6);
        }
    }

    /**
     * SUPERKERNEL, training mode, gates on k3_e1 and k5_e3 only (the e6 ops at exactly 0, not skipped):
     * the channels beyond 3·Cin, which no nonzero dense gate reaches, leave the shared depthwise BN with
     * the running statistics the k5 kernel gives them (as a k5_e6 step does), not those of a zero kernel.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void superkernelChannelsWithoutGateKeepRealDepthwiseStatistics(String name, int kind) {
        LayerSpec l = layer(kind);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer mix = build(m, l, ProjectBn.SUPERKERNEL, DataType.FLOAT64, 1);
            ElasticLayer alone = build(m, l, ProjectBn.SUPERKERNEL, DataType.FLOAT64, 1);
            NDArray x = TestNets.random(m, input(l, 3), DataType.FLOAT64, 2);
            double[] g = new double[9];
            g[SPACE.ops().indexOf("k3_e1")] = 0.5;
            g[SPACE.ops().indexOf("k5_e3")] = 0.3;
            double[] before = TestNets.data(mix.dwBn(5).runningMean().getArray());
            mixed(mix, m, x, g, false, true);
            alone.forward(new ParameterStore(m, false), x, SPACE.ops().indexOf("k5_e6"), true);
            int from = 3 * l.inChannels();
            for (String stat : new String[] {"mean", "var"}) {
                double[] got = TestNets.data((stat.equals("mean") ? mix.dwBn(5).runningMean()
                        : mix.dwBn(5).runningVar()).getArray());
                double[] want = TestNets.data((stat.equals("mean") ? alone.dwBn(5).runningMean()
                        : alone.dwBn(5).runningVar()).getArray());
                double[] a = java.util.Arrays.copyOfRange(got, from, got.length);
                double[] b = java.util.Arrays.copyOfRange(want, from, want.length);
                assertArrayEquals(b, a, 1e-9, stat);
            }
            double[] after = TestNets.data(mix.dwBn(5).runningMean().getArray());
            assertTrue(maxDiff(java.util.Arrays.copyOfRange(before, from, before.length),
                    java.util.Arrays.copyOfRange(after, from, after.length)) > 1e-6, "the statistics moved");
        }
    }

    /**
     * SUPERKERNEL in a θ step (training mode, weights detached) convolves each kernel size at its own size
     * and mixes after the convolution: the same output, gate gradient and depthwise BN running statistics as
     * the mixed-weight convolution a weight step runs, for all gates nonzero, for the e6 gates at exactly 0
     * (channels no gate reaches) and for the k3 ops alone with zero gates skipped (the largest kernel not
     * running).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void superkernelThetaStepPerKernelSizeIsTheMixedWeightStep(String name, int kind) {
        LayerSpec l = layer(kind);
        double[] all = gates(9, 4, 0.05, 1);
        double[] noE6 = all.clone();
        noE6[SPACE.ops().indexOf("k3_e6")] = 0;
        noE6[SPACE.ops().indexOf("k5_e6")] = 0;
        double[] k3Only = new double[9];
        k3Only[SPACE.ops().indexOf("k3_e1")] = 0.4;
        k3Only[SPACE.ops().indexOf("k3_e3")] = 0.2;
        for (double[] g : List.of(all, noE6, k3Only)) {
            boolean skipZeros = g == k3Only;
            try (NDManager m = NDManager.newBaseManager()) {
                ElasticLayer attached = build(m, l, ProjectBn.SUPERKERNEL, DataType.FLOAT64, 1);
                ElasticLayer detached = build(m, l, ProjectBn.SUPERKERNEL, DataType.FLOAT64, 1);
                for (Parameter p : trainable(attached)) {
                    p.getArray().setRequiresGradient(true); // the mixed weight's path (a weight step)
                }
                NDArray x = TestNets.random(m, input(l, 3), DataType.FLOAT64, 2);
                List<double[]> runs = new ArrayList<>();
                for (ElasticLayer e : List.of(attached, detached)) {
                    long perKernel = ElasticLayer.PER_KERNEL_THETA_STEPS.get();
                    try (NDManager step = m.newSubManager()) {
                        NDArray row = step.create(g);
                        row.setRequiresGradient(true);
                        ParameterStore ps = e == attached ? new ParameterStore(step, false) : new DetachedWeights(step);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray y = e.forwardMixed(ps, x, row, floats(g), skipZeros, true);
                            runs.add(TestNets.data(y));
                            NDArray r = step.arange((float) y.size()).reshape(y.getShape()).toType(DataType.FLOAT64,
                                    false).mul(step.create(0.01)).sin();
                            gc.backward(y.mul(r).sum());
                        }
                        runs.add(TestNets.data(row.getGradient()));
                    }
                    // what the comparison compares: the mixed weight for the attached layer, per kernel size for the other
                    assertEquals(e == attached ? 0 : 1, ElasticLayer.PER_KERNEL_THETA_STEPS.get() - perKernel,
                            e == attached ? "attached" : "detached");
                    runs.add(TestNets.data(e.dwBn(5).runningMean().getArray()));
                    runs.add(TestNets.data(e.dwBn(5).runningVar().getArray()));
                }
                String[] what = {"output", "gate gradient", "running mean", "running var"};
                for (int i = 0; i < 4; i++) {
                    double[] want = runs.get(i);
                    double[] got = runs.get(4 + i);
                    assertEquals(want.length, got.length, what[i]);
                    assertTrue(maxDiff(want, got) <= 1e-10 * Math.max(1, maxAbs(want)), what[i] + " "
                            + java.util.Arrays.toString(g) + ": " + maxDiff(want, got));
                }
                assertTrue(maxAbs(runs.get(1)) > 1e-4, "gate gradients ~0: the comparison is vacuous");
            }
        }
    }

    /**
     * Sets the gates {@code g} to g3 = 0.3 on {@code k3op} and g5 = 0.5 on k5_e6 and returns what the
     * SUPERKERNEL mixture should give in eval mode, built by hand from the extracted k5_e6's blocks: on
     * the k3 op's n3 channels the kernel (g3·pad(W3) + g5·W5)/G and the mask G = g3 + g5, beyond them
     * W5 and g5; output G·pw2(mask·dw(pw1(x))/G) (+ G·x with a residual).
     */
    private static double[] superkernelMix(ElasticLayer e, NDManager m, NDArray x, String k3op, double[] g) {
        int k3 = SPACE.ops().indexOf(k3op);
        int k5 = SPACE.ops().indexOf("k5_e6");
        double g3 = 0.3;
        double g5 = 0.5;
        g[k3] = g3;
        g[k5] = g5;
        double[] w3 = TestNets.data(((ConvBn) children(e.extract(k3, m, DataType.FLOAT64)).get("dw")).weight()
                .getArray());
        Map<String, Block> c5 = children(e.extract(k5, m, DataType.FLOAT64));
        NDArray w5 = ((ConvBn) c5.get("dw")).weight().getArray();
        double[] wm = TestNets.data(w5);
        int n = wm.length / 25;
        int n3 = w3.length / 9;
        double[] mask = new double[n];
        for (int c = 0; c < n; c++) {
            mask[c] = c < n3 ? g3 + g5 : g5;
            for (int i = 0; i < 5 && c < n3; i++) {
                for (int j = 0; j < 5; j++) {
                    double v3 = i >= 1 && i <= 3 && j >= 1 && j <= 3 ? w3[c * 9 + (i - 1) * 3 + (j - 1)] : 0;
                    wm[c * 25 + i * 5 + j] = (g3 * v3 + g5 * wm[c * 25 + i * 5 + j]) / (g3 + g5);
                }
            }
        }
        TestNets.setData(w5, wm);
        ParameterStore ps = new ParameterStore(m, false);
        NDArray h = ((ConvBn) c5.get("dw")).forward(ps, ((ConvBn) c5.get("pw1")).forward(ps, x, false), false);
        double gs = g3 + g5;
        NDArray scaled = h.mul(m.create(mask).div(gs).reshape(1, n, 1, 1));
        NDArray want = ((ConvBn) c5.get("pw2")).forward(ps, scaled, false).mul(gs);
        LayerSpec l = e.layer();
        if (l.inChannels() == l.outChannels() && l.stride() == 1) {
            want = want.add(x.mul(gs));
        }
        if (l.hasShortcut()) { // the projection shortcut (skip's extracted block is it alone), gated by the dense gates
            want = want.add(((OpBlock) e.extract(SPACE.opIndex("skip"), m, DataType.FLOAT64)).forward(ps, x, false)
                    .mul(gs));
        }
        return TestNets.data(want);
    }

    static Map<String, Block> children(Block b) {
        Map<String, Block> out = new LinkedHashMap<>();
        for (Pair<String, Block> c : b.getChildren()) {
            out.put(BlockTree.childName(c.getKey()), c.getValue());
        }
        return out;
    }

    /**
     * PER_CHOICE, training mode: after one mixture every dense op's project BN running statistics are
     * those it gets when it runs alone.
     */
    @Test
    void perChoiceMixtureUpdatesEachOpsProjectStatistics() {
        LayerSpec l = layer(1);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer a = build(m, l, ProjectBn.PER_CHOICE, DataType.FLOAT64, 1);
            ElasticLayer b = build(m, l, ProjectBn.PER_CHOICE, DataType.FLOAT64, 1);
            NDArray x = TestNets.random(m, input(l, 3), DataType.FLOAT64, 2);
            mixed(a, m, x, gates(9, 1, 0.1, 1), false, true);
            ParameterStore ps = new ParameterStore(m, false);
            for (int k = 0; k < 9; k++) {
                if (!b.isShared(k)) {
                    continue;
                }
                double[] before = TestNets.data(b.projectBn(k).runningMean().getArray());
                b.forward(ps, x, k, true);
                double[] after = TestNets.data(b.projectBn(k).runningMean().getArray());
                assertFalse(java.util.Arrays.equals(before, after));
                assertArrayEquals(after, TestNets.data(a.projectBn(k).runningMean().getArray()), 1e-12);
                assertArrayEquals(TestNets.data(b.projectBn(k).runningVar().getArray()),
                        TestNets.data(a.projectBn(k).runningVar().getArray()), 1e-12);
            }
        }
    }

    // ------------------------------------------------------------------ gradients

    static Stream<Arguments> gradientCases() {
        List<Arguments> out = new ArrayList<>();
        for (int kind = 0; kind < KINDS.length; kind++) {
            for (ProjectBn mode : ProjectBn.values()) {
                out.add(Arguments.of(KINDS[kind] + " " + mode + " mixed", kind, mode, -1));
            }
            // forward(k) of the dense ops (the others are their own blocks: OpGradientTest's)
            for (int k = 0; k < SPACE.ops().size(); k++) {
                OpSpec op = OpSpec.parse(SPACE.ops().get(k));
                if (!op.isSkip() && op.groups() == 1) {
                    out.add(Arguments.of(KINDS[kind] + " " + op, kind, ProjectBn.PER_CHOICE, k));
                }
            }
        }
        return out.stream();
    }

    /**
     * Backward of {@code forwardMixed} (op -1; weights, input and the gate row) and of {@code forward(k)}
     * against central finite differences, float64, training mode, loss = sum(out·R).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("gradientCases")
    void backwardMatchesFiniteDifferences(String name, int kind, ProjectBn mode, int op) {
        LayerSpec l = small(kind);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, mode, DataType.FLOAT64, 3);
            Shape in = input(l, 2);
            NDArray x = TestNets.random(m, in, DataType.FLOAT64, 11);
            double[] gv = gates(9, 5, 0.05, 1);
            NDArray g = m.create(gv);
            Shape outShape = e.getOutputShapes(new Shape[] {in})[0];
            NDArray r = TestNets.random(m, outShape, DataType.FLOAT64, 13);

            List<NDArray> targets = new ArrayList<>();
            List<String> names = new ArrayList<>();
            targets.add(x);
            names.add("input");
            if (op < 0) {
                targets.add(g);
                names.add("gates");
            }
            // forward(k): what op k uses; the mixture: every shared tensor, and the first tensor of each op
            // with its own block (those blocks' backward is OpGradientTest's)
            List<Parameter> used = op < 0 ? trainable(e) : e.parameters(op);
            java.util.Set<String> ownSeen = new java.util.HashSet<>();
            for (Map.Entry<String, Parameter> p : BlockTree.parameters(e).entrySet()) {
                String owner = p.getKey().substring(0, p.getKey().indexOf('.'));
                boolean shared = List.of("expand", "dw5", "dw3", "project").contains(owner);
                if (used.contains(p.getValue()) && (op >= 0 || shared || ownSeen.add(owner))) {
                    targets.add(p.getValue().getArray());
                    names.add(p.getKey());
                }
            }
            for (NDArray t : targets) {
                t.setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(run(e, m, x, g, op).mul(r).sum());
            }
            double[][] analytic = new double[targets.size()][];
            for (int t = 0; t < targets.size(); t++) {
                analytic[t] = TestNets.data(targets.get(t).getGradient());
            }
            Random pick = new Random(5);
            double eps = 1e-6;
            double center = loss(e, m, x, g, r, op);
            int checked = 0;
            int kinks = 0;
            int sampled = 0;
            for (int t = 0; t < targets.size(); t++) {
                NDArray a = targets.get(t);
                double[] base = TestNets.data(a);
                int samples = Math.min(base.length, t == 0 ? 8 : 4);
                sampled += samples;
                for (int s = 0; s < samples; s++) {
                    int i = base.length <= samples ? s : pick.nextInt(base.length);
                    double[] v = base.clone();
                    v[i] = base[i] + eps;
                    TestNets.setData(a, v);
                    double plus = loss(e, m, x, g, r, op);
                    v[i] = base[i] - eps;
                    TestNets.setData(a, v);
                    double minus = loss(e, m, x, g, r, op);
                    TestNets.setData(a, base);
                    double numeric = (plus - minus) / (2 * eps);
                    double right = (plus - center) / eps;
                    double left = (center - minus) / eps;
                    if (Math.abs(right - left) > 1e-3 * Math.max(1, Math.abs(numeric))) {
                        kinks++; // a ReLU kink within eps: one-sided slopes disagree
                        continue;
                    }
                    assertEquals(numeric, analytic[t][i], 1e-5 * Math.max(1, Math.abs(numeric)),
                            names.get(t) + "[" + i + "] " + name);
                    checked++;
                }
            }
            assertTrue(kinks <= 3, kinks + " samples sat on a ReLU kink");
            assertTrue(checked >= Math.min(8, sampled - kinks), "checked " + checked);
            assertTrue(checked >= 0.9 * sampled - 3, "checked " + checked + " of " + sampled);
        }
    }

    static List<Parameter> trainable(Block b) {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : BlockTree.parameters(b).values()) {
            if (BlockTree.trainable(p)) {
                out.add(p);
            }
        }
        return out;
    }

    static NDArray run(ElasticLayer e, NDManager m, NDArray x, NDArray g, int op) {
        ParameterStore ps = new ParameterStore(m, false);
        return op < 0 ? e.forwardMixed(ps, x, g, null, false, true) : e.forward(ps, x, op, true);
    }

    static double loss(ElasticLayer e, NDManager m, NDArray x, NDArray g, NDArray r, int op) {
        try (NDManager sub = m.newSubManager()) {
            NDArray xs = x.duplicate();
            xs.attach(sub);
            try (NDArray l = run(e, sub, xs, g, op).mul(r).sum()) {
                return l.getDouble();
            }
        }
    }

    /** A k3_e1 op trains only its slice: the first Cin rows/columns, and only the centre of the 5x5 kernel. */
    @Test
    void gradientsReachOnlyTheSlice() {
        LayerSpec l = small(1);
        int cin = l.inChannels();
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, ProjectBn.PER_CHOICE, DataType.FLOAT64, 3);
            NDArray x = TestNets.random(m, input(l, 2), DataType.FLOAT64, 11);
            for (Parameter p : trainable(e)) {
                p.getArray().setRequiresGradient(true);
            }
            int k = SPACE.opIndex("k3_e1");
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(e.forward(new ParameterStore(m, false), x, k, true).sum());
            }
            NDArray we = e.expand().weight().getArray().getGradient();
            assertTrue(we.get(":" + cin).abs().sum().getDouble() > 0);
            assertEquals(0, we.get(cin + ":").abs().sum().getDouble());
            NDArray wp = e.project().weight().getArray().getGradient();
            assertTrue(wp.get(":, :" + cin).abs().sum().getDouble() > 0);
            assertEquals(0, wp.get(":, " + cin + ":").abs().sum().getDouble());
            NDArray wd = e.dw(5).weight().getArray().getGradient();
            assertTrue(wd.get(":" + cin + ", :, 1:4, 1:4").abs().sum().getDouble() > 0);
            double total = wd.abs().sum().getDouble();
            assertEquals(total, wd.get(":" + cin + ", :, 1:4, 1:4").abs().sum().getDouble(), 1e-12);
            assertTrue(e.dw(3).transform().getArray().getGradient().abs().sum().getDouble() > 0);
            assertEquals(0, e.dw(3).gamma().getArray().getGradient().get(cin + ":").abs().sum().getDouble());
        }
    }

    /** parameters(k) is exactly the set of trainable tensors forward(k) sends gradients to. */
    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("kindsAndModes")
    void parametersAreWhatTheOpTrains(String name, int kind, ProjectBn mode) {
        LayerSpec l = small(kind);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, mode, DataType.FLOAT32, 3);
            for (Parameter p : trainable(e)) {
                p.getArray().setRequiresGradient(true);
            }
            for (int k = 0; k < SPACE.ops().size(); k++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = TestNets.random(step, input(l, 2), DataType.FLOAT32, k);
                    x.setRequiresGradient(true); // an identity skip has no parameters
                    NDArray r = TestNets.random(step, e.getOutputShapes(new Shape[] {input(l, 2)})[0],
                            DataType.FLOAT32, 50 + k);
                    for (Parameter p : trainable(e)) {
                        TestNets.zeroGrad(p.getArray());
                    }
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(e.forward(new ParameterStore(step, false), x, k, true).mul(r).sum());
                    }
                    java.util.Set<Parameter> reached = new java.util.HashSet<>();
                    for (Parameter p : trainable(e)) {
                        if (p.getArray().getGradient().abs().sum().getFloat() > 0) {
                            reached.add(p);
                        }
                    }
                    assertEquals(new java.util.HashSet<>(e.parameters(k)), reached, SPACE.ops().get(k));
                }
            }
        }
    }

    /** At initialization the kernel transform is the identity: k3 kernels are the centres of the 5x5 ones. */
    @Test
    void k3KernelStartsAsTheCentreOfTheK5Kernel() {
        LayerSpec l = layer(1);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = new ElasticLayer(l, SPACE.ops());
            e.initialize(m, DataType.FLOAT32, input(l, 1));
            assertArrayEquals(m.eye(9).toFloatArray(), e.dw(3).transform().getArray().toFloatArray(), 0f);
            OpBlock k3 = e.extract(SPACE.opIndex("k3_e6"), m, DataType.FLOAT32);
            assertArrayEquals(e.dw(5).weight().getArray().get(":, :, 1:4, 1:4").toFloatArray(),
                    BlockTree.parameters(k3).get("dw.weight").getArray().toFloatArray(), 0f);
        }
    }

    // ------------------------------------------------------------------ extraction

    /** Every op of every layer kind: the extracted standalone block computes what the layer does. */
    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("kindsAndModes")
    void extractedOpsMatchTheLayer(String name, int kind, ProjectBn mode) {
        LayerSpec l = layer(kind);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, mode, DataType.FLOAT32, 7);
            NDArray x = TestNets.random(m, input(l, 4), DataType.FLOAT32, 8);
            ParameterStore ps = new ParameterStore(m, false);
            for (int k = 0; k < SPACE.ops().size(); k++) {
                String op = SPACE.ops().get(k);
                OpBlock b = e.extract(k, m, DataType.FLOAT32);
                assertEquals(opClass(l, op), b.getClass());
                for (boolean training : new boolean[] {false, true}) {
                    float[] want = e.forward(ps, x, k, training).toFloatArray();
                    float[] got = TestNets.forward(m, b, x, training).toFloatArray();
                    assertArrayEquals(want, got, 1e-5f, op + " training=" + training);
                }
            }
        }
    }

    private static Class<?> opClass(LayerSpec l, String op) {
        return io.hwnas.supernet.ops.Ops.op(l, OpSpec.parse(op)).getClass();
    }

    // ------------------------------------------------------------------ reordering

    /**
     * Reordering the middle channels by importance leaves the e6 ops (and the ops with their own
     * blocks) computing the same function, in both modes, and leaves the importances descending; the
     * smaller expansions now use the most important channels.
     */
    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("kindsAndModes")
    void reorderKeepsTheFullWidthFunction(String name, int kind, ProjectBn mode) {
        LayerSpec l = layer(kind);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, mode, DataType.FLOAT64, 9);
            // training-mode forwards must not move the running statistics the eval-mode ones use
            parts(e).forEach(p -> p.setMomentum(0f));
            BlockTree.convBns(e).forEach(c -> c.setMomentum(0f));
            NDArray x = TestNets.random(m, input(l, 3), DataType.FLOAT64, 10);
            ParameterStore ps = new ParameterStore(m, false);
            int n = SPACE.ops().size();
            double[][][] before = new double[2][n][];
            for (int t = 0; t < 2; t++) {
                for (int k = 0; k < n; k++) {
                    before[t][k] = TestNets.data(e.forward(ps, x, k, t == 1));
                }
            }
            float[] imp = e.channelImportance();
            double[] oldExpand = TestNets.data(e.expand().weight().getArray());
            int[] order = e.reorderChannels();
            float[] after = e.channelImportance();
            for (int i = 1; i < after.length; i++) {
                assertTrue(after[i - 1] >= after[i], "importance not descending at " + i);
            }
            for (int i = 0; i < order.length; i++) {
                assertEquals(imp[order[i]], after[i], 0f);
            }
            // the k*_e1 ops now use the old channels order[0..cin)
            double[] newExpand = TestNets.data(e.expand().weight().getArray());
            int cin = l.inChannels();
            for (int c = 0; c < cin; c++) {
                for (int i = 0; i < cin; i++) {
                    assertEquals(oldExpand[order[c] * cin + i], newExpand[c * cin + i], 0);
                }
            }
            boolean changed = false;
            for (int t = 0; t < 2; t++) {
                for (int k = 0; k < n; k++) {
                    String op = SPACE.ops().get(k);
                    double[] now = TestNets.data(e.forward(ps, x, k, t == 1));
                    if (!e.usesSharedWeights(k) || OpSpec.parse(op).expansion() == 6) {
                        assertArrayEquals(before[t][k], now, 1e-9, op + " training=" + (t == 1));
                    } else {
                        changed |= !java.util.Arrays.equals(before[t][k], now);
                    }
                }
            }
            assertTrue(changed, "smaller expansions use other channels after reordering");
        }
    }

    // ------------------------------------------------------------------ names, checkpoints, memory

    /** Parameter paths and shapes are the documented ones (they go into checkpoints). */
    @Test
    void parameterNamesAreStable() {
        LayerSpec l = layer(1); // 8 -> 12, stride 1: skip projects
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, ProjectBn.PER_CHOICE, DataType.FLOAT32, 1);
            Map<String, Shape> got = new LinkedHashMap<>();
            BlockTree.parameters(e).forEach((k, v) -> got.put(k, v.getArray().getShape()));
            Map<String, Shape> want = new LinkedHashMap<>();
            bn(want, "expand.", new Shape(48, 8, 1, 1), null, 48);
            bn(want, "dw5.", new Shape(48, 1, 5, 5), null, 48);
            bn(want, "dw3.", null, new Shape(9, 9), 48);
            want.put("project.weight", new Shape(12, 48, 1, 1));
            for (String op : new String[] {"k3_e1", "k3_e3", "k3_e6", "k5_e1", "k5_e3", "k5_e6"}) {
                bn(want, "project." + op + ".", null, null, 12);
            }
            for (String op : new String[] {"k3_e1_g2", "k5_e1_g2"}) { // grouped ops: block-diagonal shared weights, own BNs
                bn(want, "expand." + op + ".", null, null, 8);
                bn(want, "dw" + op.charAt(1) + "." + op + ".", null, null, 8);
                bn(want, "project." + op + ".", null, null, 12);
            }
            bn(want, "project.skip.", null, null, 12); // its conv is project · expand
            assertEquals(want, got);

            ElasticLayer s = build(m, layer(0), ProjectBn.SHARED, DataType.FLOAT32, 1); // 8 -> 8: identity skip
            List<String> names = new ArrayList<>(BlockTree.parameters(s).keySet());
            assertTrue(names.containsAll(List.of("project.weight", "project.gamma", "project.beta",
                    "project.runningMean", "project.runningVar")), names.toString());
            assertTrue(names.stream().noneMatch(p -> p.startsWith("skip")), names.toString());

            // with a projection shortcut: skip is that shortcut (no project.skip BN), every op adds it
            ElasticLayer sc = build(m, layer(3), ProjectBn.PER_CHOICE, DataType.FLOAT32, 1);
            Map<String, Shape> gotSc = new LinkedHashMap<>();
            BlockTree.parameters(sc).forEach((k, v) -> gotSc.put(k, v.getArray().getShape()));
            want.keySet().removeIf(k -> k.startsWith("project.skip."));
            bn(want, "shortcut.", new Shape(12, 8, 1, 1), null, 12);
            assertEquals(want, gotSc);
            assertTrue(sc.usesSharedWeights(SHORTCUT.opIndex("skip")));
        }
    }

    private static void bn(Map<String, Shape> out, String prefix, Shape weight, Shape transform, int c) {
        if (weight != null) {
            out.put(prefix + "weight", weight);
        }
        if (transform != null) {
            out.put(prefix + "transform", transform);
        }
        for (String p : new String[] {"gamma", "beta", "runningMean", "runningVar"}) {
            out.put(prefix + p, new Shape(c));
        }
    }

    /** DJL's saveParameters / loadParameters round trip (the checkpoint format) restores the layer. */
    @Test
    void saveLoadRoundTrip() throws Exception {
        LayerSpec l = layer(2);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer a = build(m, l, ProjectBn.PER_CHOICE, DataType.FLOAT32, 1);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream os = new DataOutputStream(bytes)) {
                a.saveParameters(os);
            }
            ElasticLayer b = build(m, l, ProjectBn.PER_CHOICE, DataType.FLOAT32, 2);
            b.loadParameters(m, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            NDArray x = TestNets.random(m, input(l, 2), DataType.FLOAT32, 3);
            float[] g = floats(gates(9, 1, 0, 1));
            ParameterStore ps = new ParameterStore(m, false);
            assertArrayEquals(a.forwardMixed(ps, x, m.create(g), g, false, false).toFloatArray(),
                    b.forwardMixed(ps, x, m.create(g), g, false, false).toFloatArray(), 0f);
        }
    }

    /**
     * Through {@link DetachedWeights} (a θ step) the mixture sends gradients to the gates only, and BN
     * running statistics (updated in place through slices of the detached tensors) still move.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ProjectBn.class)
    void detachedWeightsGiveGateGradientsOnly(ProjectBn mode) {
        LayerSpec l = small(1);
        try (NDManager m = NDManager.newBaseManager()) {
            ElasticLayer e = build(m, l, mode, DataType.FLOAT32, 1);
            for (Parameter p : trainable(e)) {
                p.getArray().setRequiresGradient(true);
            }
            double[] rmBefore = TestNets.data(e.dwBn(3).runningMean().getArray());
            try (NDManager step = m.newSubManager()) {
                NDArray x = TestNets.random(step, input(l, 2), DataType.FLOAT32, 1);
                NDArray g = step.create(floats(gates(9, 2, 0.1, 1)));
                g.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(e.forwardMixed(new DetachedWeights(step), x, g, null, false, true).sum());
                }
                assertTrue(g.getGradient().abs().sum().getFloat() > 0);
                for (Parameter p : trainable(e)) {
                    assertEquals(0f, p.getArray().getGradient().abs().sum().getFloat(), p.getName());
                }
            }
            assertFalse(java.util.Arrays.equals(rmBefore, TestNets.data(e.dwBn(3).runningMean().getArray())));
        }
    }

    /** Nothing a forward/backward derives from the parameters stays in the parameters' manager. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ProjectBn.class)
    void forwardLeavesNothingInTheParametersManager(ProjectBn mode) {
        for (int kind : new int[] {0, 1}) { // identity skip, projecting skip
            leavesNothing(mode, small(kind));
        }
    }

    private static void leavesNothing(ProjectBn mode, LayerSpec l) {
        try (NDManager m = NDManager.newBaseManager(); NDManager net = m.newSubManager()) {
            ElasticLayer e = build(net, l, mode, DataType.FLOAT32, 1);
            for (Parameter p : trainable(e)) {
                p.getArray().setRequiresGradient(true);
            }
            int before = net.getManagedArrays().size();
            for (boolean training : new boolean[] {true, false}) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = TestNets.random(step, input(l, 2), DataType.FLOAT32, 1);
                    NDArray g = step.create(floats(gates(9, 2, 0, 1)));
                    g.setRequiresGradient(true);
                    ParameterStore ps = new ParameterStore(step, false);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = e.forwardMixed(ps, x, g, null, false, training);
                        for (int k = 0; k < 9; k++) {
                            y = y.add(e.forward(ps, x, k, training));
                        }
                        gc.backward(y.sum());
                    }
                    float[] gv = {0, 1, 0, 0, 0, 0, 0.5f, 0, 0};
                    e.forwardMixed(ps, x, step.create(gv), gv, true, training);
                }
            }
            for (int k = 0; k < 9; k++) {
                e.extract(k, m, DataType.FLOAT32);
            }
            e.reorderChannels();
            assertEquals(before, net.getManagedArrays().size(), l.toString());
        }
    }
}
