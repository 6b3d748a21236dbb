package io.hwnas.supernet.net;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.TestNets;
import io.hwnas.supernet.ops.Layout;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Float32 training gradients of the real space, NCHW and channels-last, each against the same network in
 * float64 (NCHW): both are rounding away from it, of the same size (measured when written, overall relative
 * error over all weight gradients: all k5_e6 7.1e-4 NCHW and 1.6e-4 channels-last, all k3_e3 1.8e-4 and
 * 1.9e-3). A kernel that computed something else would be far off.
 */
class LayoutFloat64ReferenceTest {
    static double[][] grads(Supernet net, NDManager m, NDArray x, int[] path, boolean cl) {
        System.setProperty(Layout.PROPERTY, Boolean.toString(cl));
        List<Parameter> ps = net.weights(path);
        for (Parameter p : ps) TestNets.zeroGrad(p.getArray());
        try (NDManager sm = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = net.forwardPath(new ParameterStore(sm, false), x, path, true);
            NDArray r = sm.arange((float) y.size()).reshape(y.getShape()).mul(sm.create(0.01f)).sin().toType(y.getDataType(), false);
            gc.backward(y.mul(r).sum());
        }
        double[][] g = new double[ps.size()][];
        for (int i = 0; i < ps.size(); i++) g[i] = TestNets.data(ps.get(i).getArray().getGradient());
        System.clearProperty(Layout.PROPERTY);
        return g;
    }

    @Test
    void bothLayoutsAreWithinFloat32RoundingOfFloat64() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        for (String arch : List.of("k5_e6", "k3_e3")) {
            try (NDManager m = NDManager.newBaseManager()) {
                Engine.getInstance().setRandomSeed(3);
                Supernet n32 = new Supernet(s, Supernet.layers("shared"));
                n32.initialize(m, DataType.FLOAT32, SupernetTest.input(s, 32));
                Supernet n64 = new Supernet(s, Supernet.layers("shared"));
                n64.initialize(m, DataType.FLOAT64, SupernetTest.input(s, 32));
                List<Parameter> a = n32.weights(), b = n64.weights();
                for (int i = 0; i < a.size(); i++) TestNets.setData(b.get(i).getArray(), TestNets.data(a.get(i).getArray()));
                NDArray x = TestNets.random(m, SupernetTest.input(s, 32), DataType.FLOAT32, 6);
                int[] path = Architecture.uniform(s, arch).indices(s);
                double[][] ref = grads(n64, m, x.toType(DataType.FLOAT64, false), path, false);
                double[][] nchw = grads(n32, m, x, path, false);
                double[][] cl = grads(n32, m, x, path, true);
                List<Parameter> ps = n32.weights(path);
                double sn = 0, sc = 0, sr = 0;
                for (int i = 0; i < ps.size(); i++) {
                    double dn = 0, dc = 0, nr = 0;
                    for (int j = 0; j < ref[i].length; j++) {
                        dn += Math.pow(nchw[i][j] - ref[i][j], 2); dc += Math.pow(cl[i][j] - ref[i][j], 2); nr += ref[i][j] * ref[i][j];
                    }
                    sn += dn; sc += dc; sr += nr;
                }
                org.junit.jupiter.api.Assertions.assertTrue(Math.sqrt(sn / sr) < 1e-2, arch + " NCHW: " + Math.sqrt(sn / sr));
                org.junit.jupiter.api.Assertions.assertTrue(Math.sqrt(sc / sr) < 1e-2, arch + " channels-last: "
                        + Math.sqrt(sc / sr));
                org.junit.jupiter.api.Assertions.assertTrue(sr > 1e-6, "gradients ~0: the comparison is vacuous");
            }
        }
    }
}
