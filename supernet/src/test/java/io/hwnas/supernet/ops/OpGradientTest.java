package io.hwnas.supernet.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.hwnas.supernet.TestNets;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backward of every op type against central finite differences, in float64, on tiny layers: with a
 * residual (4->4, stride 1), without (4->6, stride 1), and with stride 2 (4->4). Training mode (BN
 * with batch statistics), loss = sum(out * R) for a fixed random R.
 */
class OpGradientTest {
    static final String[] OPS = {"k3_e1", "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1", "k5_e1_g2", "k5_e3", "k5_e6",
        "skip"};
    static final LayerSpec[] LAYERS = {
        new LayerSpec(0, 0, 0, 4, 4, 1, 5, 5), new LayerSpec(0, 0, 0, 4, 6, 1, 5, 5),
        new LayerSpec(0, 0, 0, 4, 4, 2, 5, 5)};

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String op : OPS) {
            for (int l = 0; l < LAYERS.length; l++) {
                out.add(Arguments.of(op, l));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} layer{1}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(String opName, int layerIndex) {
        LayerSpec l = LAYERS[layerIndex];
        OpSpec op = OpSpec.parse(opName);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            Block b = Ops.op(l, op);
            Shape in = new Shape(2, l.inChannels(), l.inHeight(), l.inWidth());
            b.initialize(m, DataType.FLOAT64, in);
            TestNets.randomizeBn(b, 3);
            NDArray x = TestNets.random(m, in, DataType.FLOAT64, 11);
            Shape outShape = b.getOutputShapes(new Shape[] {in})[0];
            NDArray r = TestNets.random(m, outShape, DataType.FLOAT64, 13);

            List<NDArray> targets = new ArrayList<>();
            List<String> names = new ArrayList<>();
            targets.add(x);
            names.add("input");
            for (Map.Entry<String, Parameter> e : BlockTree.parameters(b).entrySet()) {
                if (BlockTree.trainable(e.getValue())) {
                    targets.add(e.getValue().getArray());
                    names.add(e.getKey());
                }
            }
            x.setRequiresGradient(true);
            double[][] analytic = new double[targets.size()][];
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = TestNets.forward(m, b, x, true).mul(r).sum();
                gc.backward(loss);
            }
            for (int t = 0; t < targets.size(); t++) {
                analytic[t] = TestNets.data(targets.get(t).getGradient());
            }
            Random pick = new Random(5);
            double eps = 1e-6;
            double center = loss(m, b, x, r);
            int checked = 0;
            int kinks = 0;
            for (int t = 0; t < targets.size(); t++) {
                NDArray a = targets.get(t);
                double[] base = TestNets.data(a);
                int samples = Math.min(base.length, 8);
                for (int s = 0; s < samples; s++) {
                    int i = base.length <= 8 ? s : pick.nextInt(base.length);
                    double[] v = base.clone();
                    v[i] = base[i] + eps;
                    TestNets.setData(a, v);
                    double plus = loss(m, b, x, r);
                    v[i] = base[i] - eps;
                    TestNets.setData(a, v);
                    double minus = loss(m, b, x, r);
                    TestNets.setData(a, base);
                    double numeric = (plus - minus) / (2 * eps);
                    double tol = 1e-5 * Math.max(1, Math.abs(numeric));
                    // a ReLU kink within eps of this point: one-sided slopes disagree; not a valid sample
                    double right = (plus - center) / eps;
                    double left = (center - minus) / eps;
                    if (Math.abs(right - left) > 1e-3 * Math.max(1, Math.abs(numeric))) {
                        kinks++;
                        continue;
                    }
                    assertEquals(numeric, analytic[t][i], tol, names.get(t) + "[" + i + "] of " + opName + " in "
                            + l.inChannels() + "->" + l.outChannels() + " s" + l.stride());
                    checked++;
                }
            }
            assertTrue(kinks <= 2, kinks + " samples sat on a ReLU kink");
            assertTrue(checked >= 8, "checked " + checked);
        }
    }

    private static double loss(NDManager m, Block b, NDArray x, NDArray r) {
        try (NDManager sub = m.newSubManager()) {
            NDArray y = TestNets.forward(sub, b, x, true);
            try (NDArray l = y.mul(r).sum()) {
                return l.getDouble();
            }
        }
    }
}
