package io.hwnas.latency.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.hwnas.core.HwnasException;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.LutModel;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each predictor against a synthetic additive latency of the fbnet-cifar space (22 layers x 9 ops). */
class PredictorsTest {
    static SearchSpace space;
    static double[][] table;
    static final double FIXED = 2.0;
    static TrainingSet train;
    static int[][] test;

    @TempDir
    static Path dir;

    @BeforeAll
    static void data() {
        space = SpaceRegistry.get("fbnet-cifar");
        SplittableRandom r = new SplittableRandom(7);
        table = new double[space.layerCount()][space.ops().size()];
        for (double[] row : table) {
            for (int k = 0; k < row.length; k++) {
                row[k] = 0.02 + 0.3 * r.nextDouble();
            }
        }
        train = synthetic(2000, 11, PredictorsTest::additive);
        test = synthetic(500, 12, PredictorsTest::additive).archs();
    }

    static double additive(int[] a) {
        double s = FIXED;
        for (int l = 0; l < a.length; l++) {
            s += table[l][a[l]];
        }
        return s;
    }

    static TrainingSet synthetic(int n, long seed, java.util.function.ToDoubleFunction<int[]> f) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] a = new int[n][space.layerCount()];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < a[i].length; l++) {
                a[i][l] = r.nextInt(space.ops().size());
            }
            y[i] = f.applyAsDouble(a[i]);
        }
        return new TrainingSet(space, a, y, "synthetic", 1, "synthetic additive latency");
    }

    static double mapePct(LatencyModel m, int[][] archs, java.util.function.ToDoubleFunction<int[]> truth) {
        double s = 0;
        for (int[] a : archs) {
            double t = truth.applyAsDouble(a);
            s += Math.abs(m.predictMs(a) - t) / t;
        }
        return 100 * s / archs.length;
    }

    @Test
    void lutFitRecoversTheTableExactlyWithoutNoise() {
        Fitted f = Predictors.fit(Predictors.LUT_FIT, train, 1);
        LutModel m = assertInstanceOf(LutModel.class, f.model());
        assertTrue(m.differentiable());
        assertEquals(DeviceRecord.Source.ESTIMATED, m.device().source());
        double[][] got = m.tableMs();
        // the table is defined up to a constant per layer: compare each layer relative to its cheapest op
        double fixed = FIXED;
        for (int l = 0; l < table.length; l++) {
            double min = java.util.Arrays.stream(table[l]).min().orElseThrow();
            fixed += min;
            for (int k = 0; k < table[l].length; k++) {
                assertEquals(table[l][k] - min, got[l][k], 1e-4, "layer " + l + " op " + k);
            }
        }
        assertEquals(fixed, m.fixedMs(), 1e-3);
        for (int[] a : test) {
            assertEquals(additive(a), m.predictMs(a), 1e-3);
        }
        assertEquals(fixed, m.rangeMs().fastestMs(), 1e-3);
    }

    @Test
    void lutFitIsDefinedWithFewSamples() {
        Fitted f = Predictors.fit(Predictors.LUT_FIT, train.subset(new int[] {0, 1, 2}), 1);
        for (int i = 0; i < 3; i++) {
            assertEquals(train.latencyMs()[i], f.model().predictMs(train.archs()[i]), 0.05);
        }
        assertTrue(Double.isFinite(f.model().predictMs(test[0])));
    }

    @Test
    void mlpFitsAnAdditiveLatency() {
        Fitted f = Predictors.fit(Predictors.MLP, train, 3);
        double mape = mapePct(f.model(), test, PredictorsTest::additive);
        assertTrue(mape < 3, "MLP held-out MAPE " + mape + " %");
        assertFalse(f.model().differentiable());
        HwnasException e = assertThrows(HwnasException.class, () -> {
            try (NDManager mgr = NDManager.newBaseManager()) {
                f.model().expectedLatency(mgr.ones(new ai.djl.ndarray.types.Shape(22, 9)), 1);
            }
        });
        assertTrue(e.getMessage().contains("not differentiable"), e.getMessage());
        // the model is named as users know it (its kind), never by a Java class
        assertTrue(e.getMessage().contains("(mlp predictor)") && !e.getMessage().contains("MlpModel"), e.getMessage());
    }

    @Test
    void xgboostFitsAnAdditiveLatency() {
        Fitted f = Predictors.fit(Predictors.XGBOOST, train, 3);
        double mape = mapePct(f.model(), test, PredictorsTest::additive);
        assertTrue(mape < 4, "XGBoost held-out MAPE " + mape + " %");
        assertFalse(f.model().differentiable());
        XgbModel x = (XgbModel) f.model();
        double[] batch = x.predictMs(test);
        for (int i = 0; i < 20; i++) {
            assertEquals(batch[i], x.predictMs(test[i]), 1e-5 * batch[i]);
        }
        HwnasException e = assertThrows(HwnasException.class, () -> x.expectedMs(new float[22][9]));
        assertTrue(e.getMessage().contains("(xgboost predictor)") && !e.getMessage().contains("XgbModel"),
                e.getMessage());
    }

    @Test
    void flopsRecoversItsCoefficients() {
        double[][][] feat = FlopsModel.features(space, 1);
        double c0 = 0.7;
        double a = 0.004;
        double b = 0.02;
        double d = 0.003;
        TrainingSet t = synthetic(300, 5, ops -> {
            double s = c0;
            for (int l = 0; l < ops.length; l++) {
                double[] v = feat[l][ops[l]];
                s += a * v[0] + b * v[1] + d * v[2];
            }
            return s;
        });
        Fitted f = Predictors.fit(Predictors.FLOPS, t, 0);
        FlopsModel.File file = (FlopsModel.File) f.file();
        assertEquals(c0, file.interceptMs(), 1e-6);
        assertEquals(a, file.msPerMmac(), 1e-8);
        assertEquals(b, file.msPerMb(), 1e-8);
        assertEquals(d, file.msPerConv(), 1e-8);
        assertTrue(f.model().differentiable());
        for (int i = 0; i < 10; i++) {
            assertEquals(t.latencyMs()[i], f.model().predictMs(t.archs()[i]), 1e-6);
        }
        // an additive latency it cannot express exactly: fitted, coefficients non-negative
        Fitted g = Predictors.fit(Predictors.FLOPS, train, 0);
        FlopsModel.File gf = (FlopsModel.File) g.file();
        assertTrue(gf.interceptMs() >= 0 && gf.msPerMmac() >= 0 && gf.msPerMb() >= 0 && gf.msPerConv() >= 0);
        assertTrue(mapePct(g.model(), test, PredictorsTest::additive) < 25);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lut-fit", "mlp", "xgboost", "flops"})
    void fileRoundTripThroughLatencyModelsRead(String kind) throws Exception {
        TrainingSet small = train.subset(TrainingSet.permutation(train.size(), 1)).subset(range(300));
        Fitted f = Predictors.fit(kind, small, 9);
        Path p = dir.resolve(kind + ".json");
        f.write(p);
        String text = Files.readString(p);
        assertTrue(text.contains("\"schema\" : 1") && text.contains("\"kind\" : \"" + kind + "\"")
                && text.contains("\"training_samples\" : 300") && text.contains("\"source\" : \"estimated\""), text);
        LatencyModel back = LatencyModels.read(p, space);
        assertEquals(p.toString(), back.source());
        assertEquals(kind.equals("lut-fit") || kind.equals("flops"), back.differentiable());
        for (int[] a : test) {
            assertEquals(f.model().predictMs(a), back.predictMs(a), 1e-9 * f.model().predictMs(a));
        }
        assertEquals(f.model().device(), back.device());
        LatencyModel.LatencyRange r = back.rangeMs();
        assertTrue(r.fastestMs() > 0 && r.fastestMs() < r.slowestMs(), r.toString());
        for (int[] a : test) {
            double v = back.predictMs(a);
            assertTrue(v >= r.fastestMs() - 1e-9 && v <= r.slowestMs() + 1e-9);
        }
        // another space's model is refused, naming the file and both spaces
        HwnasException e = assertThrows(HwnasException.class,
                () -> LatencyModels.read(p, SpaceRegistry.get("fbnet-cifar-tiny")));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("fbnet-cifar-tiny")
                && e.getMessage().contains("'space'"), e.getMessage());
    }

    @Test
    void sameSeedSameModel() {
        TrainingSet small = train.subset(range(100));
        for (String kind : new String[] {"mlp", "xgboost"}) {
            Fitted a = Predictors.fit(kind, small, 4);
            Fitted b = Predictors.fit(kind, small, 4);
            for (int[] x : test) {
                assertEquals(a.model().predictMs(x), b.model().predictMs(x), 0.0, kind);
            }
        }
    }

    @Test
    void tooFewSamplesAreRefused() {
        for (String kind : Predictors.KINDS) {
            int min = Predictors.minSamples(kind);
            HwnasException e = assertThrows(HwnasException.class,
                    () -> Predictors.fit(kind, train.subset(range(min - 1)), 0));
            assertTrue(e.getMessage().contains("needs at least " + min) && e.getMessage().contains("synthetic"),
                    e.getMessage());
        }
    }

    @Test
    void readRefusesUnknownKindAndBrokenFiles() throws Exception {
        Fitted f = Predictors.fit(Predictors.LUT_FIT, train.subset(range(50)), 0);
        Path p = dir.resolve("kind.json");
        f.write(p);
        Path bad = dir.resolve("bad-kind.json");
        Files.writeString(bad, Files.readString(p).replace("\"kind\" : \"lut-fit\"", "\"kind\" : \"forest\""));
        HwnasException e = assertThrows(HwnasException.class, () -> LatencyModels.read(bad, space));
        assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains("'kind'")
                && e.getMessage().contains("forest") && e.getMessage().contains("xgboost"), e.getMessage());
        Fitted m = Predictors.fit(Predictors.MLP, train.subset(range(20)), 0);
        Path mp = dir.resolve("mlp-bad.json");
        m.write(mp);
        Path trunc = dir.resolve("mlp-ops.json");
        Files.writeString(trunc, Files.readString(mp).replace("\"k5_e6\"", "\"k7_e6\""));
        e = assertThrows(HwnasException.class, () -> LatencyModels.read(trunc, space));
        assertTrue(e.getMessage().startsWith(trunc.toString()) && e.getMessage().contains("'ops'"), e.getMessage());
    }

    @Test
    void csvErrorsNameFileLineAndField() throws Exception {
        Path csv = dir.resolve("data.csv");
        String a0 = Architecture.ofIndices(space, train.archs()[0]).canonical();
        String a1 = Architecture.ofIndices(space, train.archs()[1]).canonical();
        Files.writeString(csv, "id,arch,cpu_ms\n0," + a0 + ",3.5\n1," + a1 + ",4.25\n");
        TrainingSet t = TrainingSet.readCsv(csv, "cpu_ms", space);
        assertEquals(2, t.size());
        assertArrayEquals(train.archs()[1], t.archs()[1]);
        assertEquals("cpu", t.device());
        HwnasException e = assertThrows(HwnasException.class, () -> TrainingSet.readCsv(csv, "gpu_ms", space));
        assertTrue(e.getMessage().startsWith(csv.toString()) && e.getMessage().contains("gpu_ms"), e.getMessage());
        Files.writeString(csv, "id,arch,cpu_ms\n0," + a0 + ",3.5\n1," + a1 + ",fast\n");
        e = assertThrows(HwnasException.class, () -> TrainingSet.readCsv(csv, "cpu_ms", space));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("'cpu_ms'")
                && e.getMessage().contains("fast"), e.getMessage());
        Files.writeString(csv, "id,arch,cpu_ms\n0,k3_e1 skip,3.5\n");
        e = assertThrows(HwnasException.class, () -> TrainingSet.readCsv(csv, "cpu_ms", space));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("'arch'")
                && e.getMessage().contains("fbnet-cifar"), e.getMessage());
        Files.writeString(csv, "id,net,cpu_ms\n0,x,3.5\n");
        e = assertThrows(HwnasException.class, () -> TrainingSet.readCsv(csv, "cpu_ms", space));
        assertTrue(e.getMessage().contains("no 'arch' column"), e.getMessage());
    }

    @Test
    void batchAndDeviceFromColumnName() {
        assertEquals(32, TrainingSet.batchOfColumn("titan_rtx_32_ms"));
        assertEquals(1, TrainingSet.batchOfColumn("gold_6226_ms"));
        assertEquals("titan_rtx_32", TrainingSet.deviceOfColumn("titan_rtx_32_ms"));
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
