package io.hwnas.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.HwnasException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExpectedLatencyTest {

    /** Softmax rows of random logits: gates as the search would give them. */
    static double[] gates(SplittableRandom r, int layers, int ops) {
        double[] g = new double[layers * ops];
        for (int l = 0; l < layers; l++) {
            double sum = 0;
            for (int k = 0; k < ops; k++) {
                g[l * ops + k] = Math.exp(r.nextGaussian());
                sum += g[l * ops + k];
            }
            for (int k = 0; k < ops; k++) {
                g[l * ops + k] /= sum;
            }
        }
        return g;
    }

    @Test
    void valueAndGradientMatchFiniteDifferences() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar-tiny");
        Lut lut = LutTest.synthetic(s);
        double[][] t = lut.tableMs(s);
        int layers = t.length;
        int ops = t[0].length;
        double[] flatT = new double[layers * ops];
        for (int l = 0; l < layers; l++) {
            System.arraycopy(t[l], 0, flatT, l * ops, ops);
        }
        double[] g = gates(new SplittableRandom(7), layers, ops);
        try (NDManager m = NDManager.newBaseManager()) {
            // the gradient flows through a softmax over logits too, as in the search
            NDArray logits = m.create(g, new Shape(layers, ops)).log();
            logits.setRequiresGradient(true);
            NDArray table = m.create(flatT, new Shape(layers, ops));
            double value;
            double[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray gate = logits.softmax(1);
                NDArray lat = ExpectedLatency.of(gate, table, lut.fixedMs());
                value = lat.getDouble();
                gc.backward(lat);
            }
            grad = logits.getGradient().toDoubleArray();
            assertEquals(f(logits.toDoubleArray(), flatT, layers, ops, lut.fixedMs()), value, 1e-9);
            double[] x = logits.toDoubleArray();
            double eps = 1e-6;
            for (int i = 0; i < x.length; i++) {
                double[] p = x.clone();
                double[] q = x.clone();
                p[i] += eps;
                q[i] -= eps;
                double fd = (f(p, flatT, layers, ops, lut.fixedMs()) - f(q, flatT, layers, ops, lut.fixedMs())) / (2 * eps);
                assertEquals(fd, grad[i], 1e-6, "d latency / d logit " + i);
            }
        }
    }

    /** Reference: fixed + Σ softmax(x) * t in plain Java. */
    static double f(double[] x, double[] t, int layers, int ops, double fixed) {
        double sum = fixed;
        for (int l = 0; l < layers; l++) {
            double z = 0;
            for (int k = 0; k < ops; k++) {
                z += Math.exp(x[l * ops + k]);
            }
            for (int k = 0; k < ops; k++) {
                sum += Math.exp(x[l * ops + k]) / z * t[l * ops + k];
            }
        }
        return sum;
    }

    @Test
    void oneHotGatesGiveTheLutPrediction() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        Lut lut = LutTest.synthetic(s);
        int[] idx = {0, 8, 3, 3, 7, 1, 5};
        float[] g = new float[idx.length * s.ops().size()];
        for (int l = 0; l < idx.length; l++) {
            g[l * s.ops().size() + idx[l]] = 1f;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray gates = m.create(g, new Shape(idx.length, s.ops().size()));
            NDArray table = ExpectedLatency.table(m, lut.tableMs(s));
            NDArray lat = ExpectedLatency.of(gates, table, lut.fixedMs());
            assertEquals(DataType.FLOAT32, lat.getDataType());
            assertEquals(LatencyModels.of(lut, s, "test").predictMs(Architecture.ofIndices(s, idx)), lat.getFloat(), 1e-4);
            // float32 gates against a float64 table: converted, same value
            NDArray lat64 = ExpectedLatency.of(gates, table.toType(DataType.FLOAT64, false), lut.fixedMs());
            assertEquals(lat.getFloat(), lat64.getFloat(), 1e-5);
            assertThrows(HwnasException.class,
                    () -> ExpectedLatency.of(gates.get("1:"), table, lut.fixedMs()));
        }
    }

    @Test
    void float32GradientIsTheTable() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        Lut lut = LutTest.synthetic(s);
        double[][] t = lut.tableMs(s);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray gates = m.ones(new Shape(t.length, t[0].length)).div(m.create((float) t[0].length));
            gates.setRequiresGradient(true);
            NDArray table = ExpectedLatency.table(m, t);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(ExpectedLatency.of(gates, table, lut.fixedMs()));
            }
            float[] grad = gates.getGradient().toFloatArray();
            for (int l = 0; l < t.length; l++) {
                for (int k = 0; k < t[0].length; k++) {
                    assertEquals(t[l][k], grad[l * t[0].length + k], 1e-5);
                }
            }
        }
    }
}
