package io.hwnas.search.specialize;

import io.hwnas.core.Json;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.HwNasBenchImport;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutEntry;
import io.hwnas.latency.LutModel;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Spaces, LUTs and synthetic accuracy functions for the specialization tests. */
final class Fixtures {
    private Fixtures() {}

    /** fbnet-fmnist-tiny cut to 6 layers of 5 ops: 15,625 architectures, small enough to enumerate. */
    static SearchSpace small() {
        SearchSpace t = SpaceRegistry.get("fbnet-fmnist-tiny");
        return new SearchSpace(Json.SCHEMA, "test-small", "6 layers x 5 ops", t.input(), t.stem(),
                t.stages().subList(0, 6), t.head(), List.of("k3_e1", "k3_e3", "k5_e3", "k5_e6", "skip"));
    }

    static LutModel lut(SearchSpace s, double fixedMs, double[][] tableMs, String label) {
        List<LutEntry> e = new ArrayList<>();
        for (LayerSpec l : s.layers()) {
            for (int k = 0; k < s.ops().size(); k++) {
                e.add(LutEntry.of(l.index(), l.name(), s.ops().get(k), tableMs[l.index()][k]));
            }
        }
        DeviceRecord d = new DeviceRecord(label, DeviceRecord.Source.ESTIMATED, "test", 1, 1, "fp32", null, null,
                "2026-01-01T00:00:00Z", "synthetic");
        return LatencyModels.of(new Lut(s.id(), d, fixedMs, e, null), s, label);
    }

    /** The HW-NAS-Bench table of {@code device} for fbnet-cifar, from ../shared/data/latency. */
    static LutModel device(String device) {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar");
        Lut lut = HwNasBenchImport.fbnet(HwNasBenchImport.defaultCsv(), HwNasBenchImport.defaultBase(), device, s);
        return LatencyModels.of(lut, s, device);
    }

    /**
     * A synthetic problem over {@code layers × ops}: per (layer, op) a "capacity" c in [0, 1); accuracy
     * = Σ capacity + small pairwise terms between neighbouring layers (so not additive), latency =
     * 0.1 + 0.9 · capacity + noise (so accuracy costs latency).
     */
    static final class Problem implements AccuracyEstimator {
        final int layers;
        final int ops;
        final double[][] capacity;
        final double[][][] pair;
        final double[][] latencyMs;

        Problem(int layers, int ops, long seed) {
            this.layers = layers;
            this.ops = ops;
            SplittableRandom r = new SplittableRandom(seed);
            capacity = new double[layers][ops];
            latencyMs = new double[layers][ops];
            pair = new double[layers][ops][ops];
            for (int l = 0; l < layers; l++) {
                for (int k = 0; k < ops; k++) {
                    capacity[l][k] = r.nextDouble();
                    latencyMs[l][k] = 0.1 + 0.9 * capacity[l][k] + 0.3 * r.nextDouble();
                    for (int k2 = 0; k2 < ops; k2++) {
                        pair[l][k][k2] = 0.15 * (r.nextDouble() - 0.5);
                    }
                }
            }
        }

        @Override
        public double accuracy(int[] g) {
            double a = 0;
            for (int l = 0; l < layers; l++) {
                a += capacity[l][g[l]];
                if (l + 1 < layers) {
                    a += pair[l][g[l]][g[l + 1]];
                }
            }
            return a;
        }

        double latency(int[] g) {
            double s = 0;
            for (int l = 0; l < layers; l++) {
                s += latencyMs[l][g[l]];
            }
            return s;
        }

        /** Every genome, in lexicographic order. */
        List<int[]> all() {
            List<int[]> out = new ArrayList<>();
            int[] g = new int[layers];
            while (true) {
                out.add(g.clone());
                int l = layers - 1;
                while (l >= 0 && ++g[l] == ops) {
                    g[l] = 0;
                    l--;
                }
                if (l < 0) {
                    return out;
                }
            }
        }
    }

    /** An additive accuracy over a space's ops: per (layer, op) a random gain; deterministic in seed. */
    static AccuracyEstimator additive(int layers, int ops, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] g = new double[layers][ops];
        for (double[] row : g) {
            for (int k = 0; k < ops; k++) {
                row[k] = r.nextDouble();
            }
        }
        return a -> {
            double s = 0;
            for (int l = 0; l < layers; l++) {
                s += g[l][a[l]];
            }
            return s;
        };
    }
}
