package io.hwnas.supernet.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import io.hwnas.supernet.TestNets;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.ops.ConvBn;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Recalibrated running statistics equal the average over batches of each batch's statistics,
 * computed here in plain Java for the stem BN and the first op's first BN (whose input depends on
 * the stem BN normalising with batch statistics).
 */
class BnRecalibrationTest {
    @Test
    void runningStatisticsAreTheAverageOfBatchStatistics() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        List<String> ops = new ArrayList<>(Architecture.uniform(s, "k3_e3").ops());
        ops.set(0, "k3_e1");
        Architecture a = new Architecture(s.id(), ops);
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock net = FixedNet.build(s, a);
            int h = s.input().height();
            int w = s.input().width();
            net.initialize(m, DataType.FLOAT32, new Shape(1, 1, h, w));
            TestNets.randomizeBn(net, 7);
            List<ConvBn> bns = BlockTree.convBns(net);
            ConvBn stem = bns.get(0);
            ConvBn pw1 = bns.get(1);
            assertEquals(1, pw1.kernel());
            int batches = 3;
            int b = 4;
            List<NDArray> data = new ArrayList<>();
            for (int i = 0; i < batches; i++) {
                data.add(TestNets.random(m, new Shape(b, 1, h, w), DataType.FLOAT32, 100 + i).add(m.create(0.7f)));
            }
            float[] ws = stem.weight().getArray().toFloatArray();
            float[] gamma = stem.gamma().getArray().toFloatArray();
            float[] beta = stem.beta().getArray().toFloatArray();
            float[] wp = pw1.weight().getArray().toFloatArray();
            int c = stem.outChannels();
            double[] mean0 = new double[c];
            double[] var0 = new double[c];
            double[] mean1 = new double[c];
            double[] var1 = new double[c];
            for (NDArray x : data) {
                float[] xs = x.toFloatArray();
                double[][][][] conv = new double[b][c][h][w];
                for (int n = 0; n < b; n++) {
                    for (int o = 0; o < c; o++) {
                        for (int i = 0; i < h; i++) {
                            for (int j = 0; j < w; j++) {
                                double sum = 0;
                                for (int di = -1; di <= 1; di++) {
                                    for (int dj = -1; dj <= 1; dj++) {
                                        int ii = i + di;
                                        int jj = j + dj;
                                        if (ii >= 0 && ii < h && jj >= 0 && jj < w) {
                                            sum += ws[o * 9 + (di + 1) * 3 + dj + 1] * xs[(n * h + ii) * w + jj];
                                        }
                                    }
                                }
                                conv[n][o][i][j] = sum;
                            }
                        }
                    }
                }
                double[][] st = stats(conv, b, c, h, w);
                // stem output in training mode: BN with batch statistics (biased variance), then ReLU
                double[][][][] act = new double[b][c][h][w];
                for (int n = 0; n < b; n++) {
                    for (int o = 0; o < c; o++) {
                        double sd = Math.sqrt(st[2][o] + ConvBn.EPS);
                        for (int i = 0; i < h; i++) {
                            for (int j = 0; j < w; j++) {
                                act[n][o][i][j] = Math.max(0, (conv[n][o][i][j] - st[0][o]) / sd * gamma[o] + beta[o]);
                            }
                        }
                    }
                }
                double[][][][] p = new double[b][c][h][w];
                for (int n = 0; n < b; n++) {
                    for (int o = 0; o < c; o++) {
                        for (int i = 0; i < h; i++) {
                            for (int j = 0; j < w; j++) {
                                double sum = 0;
                                for (int q = 0; q < c; q++) {
                                    sum += wp[o * c + q] * act[n][q][i][j];
                                }
                                p[n][o][i][j] = sum;
                            }
                        }
                    }
                }
                double[][] st1 = stats(p, b, c, h, w);
                for (int o = 0; o < c; o++) {
                    mean0[o] += st[0][o] / batches;
                    var0[o] += st[1][o] / batches;
                    mean1[o] += st1[0][o] / batches;
                    var1[o] += st1[1][o] / batches;
                }
            }
            float before = stem.momentum();
            BnRecalibration.recalibrate(net, data);
            assertEquals(before, stem.momentum());
            assertClose(mean0, stem.runningMean().getArray().toFloatArray(), "stem mean");
            assertClose(var0, stem.runningVar().getArray().toFloatArray(), "stem var");
            assertClose(mean1, pw1.runningMean().getArray().toFloatArray(), "pw1 mean");
            assertClose(var1, pw1.runningVar().getArray().toFloatArray(), "pw1 var");
            // recalibrating again on the same data changes nothing (the old statistics do not leak in)
            float[] again = stem.runningVar().getArray().toFloatArray();
            BnRecalibration.recalibrate(net, data);
            assertArrayEquals(again, stem.runningVar().getArray().toFloatArray(), 1e-6f);
        }
    }

    /** Recalibrating a supernet path gives the statistics of recalibrating the extracted network; others stay. */
    @Test
    void supernetPathRecalibrationMatchesTheExtractedNetwork() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = new Supernet(s);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
            TestNets.randomizeBn(net, 3);
            Architecture a = FixedNetTest.randomArch(s, 4);
            int[] path = a.indices(s);
            int other = (path[2] + 1) % s.ops().size();
            ConvBn untouched = BlockTree.convBns(((MixedLayer) net.layer(2)).op(other)).get(0);
            float[] untouchedBefore = untouched.runningMean().getArray().toFloatArray();
            List<NDArray> data = List.of(TestNets.random(m, new Shape(3, 1, 28, 28), DataType.FLOAT32, 1),
                    TestNets.random(m, new Shape(5, 1, 28, 28), DataType.FLOAT32, 2));
            var sub = Subnets.extract(net, a, m);
            BnRecalibration.recalibrate(sub, data);
            BnRecalibration.recalibrate(net, path, data);
            var want = BlockTree.parameters(sub);
            var got = BlockTree.parameters(net);
            int compared = 0;
            for (var e : want.entrySet()) {
                if (e.getKey().endsWith("runningMean") || e.getKey().endsWith("runningVar")) {
                    assertArrayEquals(e.getValue().getArray().toFloatArray(), got.get(e.getKey()).getArray().toFloatArray(),
                            1e-5f, e.getKey());
                    compared++;
                }
            }
            assertEquals(2 * BlockTree.convBns(sub).size(), compared);
            assertArrayEquals(untouchedBefore, untouched.runningMean().getArray().toFloatArray(), 0f);
        }
    }

    /** Per channel: mean, unbiased variance, biased variance. */
    private static double[][] stats(double[][][][] t, int b, int c, int h, int w) {
        double[][] out = new double[3][c];
        long n = (long) b * h * w;
        for (int o = 0; o < c; o++) {
            double sum = 0;
            for (int i = 0; i < b; i++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        sum += t[i][o][y][x];
                    }
                }
            }
            double mean = sum / n;
            double ss = 0;
            for (int i = 0; i < b; i++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        ss += (t[i][o][y][x] - mean) * (t[i][o][y][x] - mean);
                    }
                }
            }
            out[0][o] = mean;
            out[1][o] = ss / (n - 1);
            out[2][o] = ss / n;
        }
        return out;
    }

    private static void assertClose(double[] want, float[] got, String what) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), what + "[" + i + "]");
        }
    }
}
