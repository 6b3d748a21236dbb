package io.hwnas.tools.bench;

import io.hwnas.latency.HwNasBenchImport;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.Lut;
import io.hwnas.search.specialize.AccuracyEstimator;
import io.hwnas.search.specialize.Evolution;
import io.hwnas.search.specialize.EvolutionConfig;
import io.hwnas.search.specialize.MlpAccuracyPredictor;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH benchmarks of the specialization search on fbnet-cifar (22 layers x 9 ops) under the imported
 * HW-NAS-Bench raspi4 LUT: LUT evaluations per second ({@code LatencyModel.predictMs(int[])}, one
 * thread) and one evolution with OFA's settings (population 100, 500 generations) with OFA's MLP
 * accuracy predictor (3 x 400). Run by {@code hwnas bench search}, or {@code java -cp ...
 * org.openjdk.jmh.Main SearchBench}.
 */
public class SearchBench {
    /** Architectures cycled through by the LUT benchmark (a power of two). */
    static final int ARCHS = 4096;
    /** The evolution's latency budget under raspi4 (fastest 7.8 ms, slowest 79.2 ms). */
    static final double BUDGET_MS = 20;

    /** The raspi4 LUT and a fixed set of random architectures. */
    @State(Scope.Thread)
    public static class Lookup {
        LatencyModel lut;
        int[][] archs;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            SearchSpace s = SpaceRegistry.get("fbnet-cifar");
            lut = raspi4(s);
            archs = random(s, ARCHS, 1);
        }
    }

    /** The LUT and an MLP predictor trained (briefly) on pairs of a synthetic accuracy function. */
    @State(Scope.Benchmark)
    public static class Search {
        LatencyModel lut;
        MlpAccuracyPredictor predictor;

        @Setup(Level.Trial)
        public void setUp() {
            SearchSpace s = SpaceRegistry.get("fbnet-cifar");
            lut = raspi4(s);
            predictor = predictor(s);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public double lutEval(Lookup st) {
        int[] a = st.archs[st.next++ & (ARCHS - 1)];
        return st.lut.predictMs(a);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Evolution.Result evolution500(Search st) {
        return Evolution.underBudget(st.predictor, st.lut, BUDGET_MS, EvolutionConfig.ofa(0));
    }

    static LatencyModel raspi4(SearchSpace s) {
        Lut lut = HwNasBenchImport.fbnet(HwNasBenchImport.defaultCsv(), HwNasBenchImport.defaultBase(), "raspi4", s);
        return LatencyModels.of(lut, s, "hwnasbench:raspi4");
    }

    static int[][] random(SearchSpace s, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] out = new int[n][s.layerCount()];
        for (int[] a : out) {
            for (int l = 0; l < a.length; l++) {
                a[l] = r.nextInt(s.ops().size());
            }
        }
        return out;
    }

    /**
     * OFA's predictor size (3 x 400), trained for 5 epochs on 500 pairs of an additive synthetic
     * accuracy: inference cost does not depend on the fit, only on the size (and the ReLU zeros).
     */
    static MlpAccuracyPredictor predictor(SearchSpace s) {
        SplittableRandom r = new SplittableRandom(2);
        double[][] gain = new double[s.layerCount()][s.ops().size()];
        for (double[] row : gain) {
            for (int k = 0; k < row.length; k++) {
                row[k] = r.nextDouble();
            }
        }
        AccuracyEstimator truth = a -> {
            double acc = 0;
            for (int l = 0; l < a.length; l++) {
                acc += gain[l][a[l]];
            }
            return acc;
        };
        List<MlpAccuracyPredictor.Sample> data = new ArrayList<>();
        for (int[] a : random(s, 500, 3)) {
            data.add(new MlpAccuracyPredictor.Sample(a, truth.accuracy(a)));
        }
        return MlpAccuracyPredictor.train(data, MlpAccuracyPredictor.Encoding.of(s), "bench",
                MlpAccuracyPredictor.Config.ofa(4).withEpochs(5));
    }
}
