package io.hwnas.experiments.estimators;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.SharedData;
import io.hwnas.experiments.plot.Charts;
import io.hwnas.latency.Agreement;
import io.hwnas.latency.HelpData;
import io.hwnas.latency.HwNasBenchImport;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.Lut;
import io.hwnas.latency.predict.Fitted;
import io.hwnas.latency.predict.Predictors;
import io.hwnas.latency.predict.TrainingSet;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Part (b) of the survey's Figure 3 on real device data: how well latency estimators predict
 * whole-network latency of the FBNet space, and what they cost. On the HELP file (5,000 FBNet
 * architectures, one latency column per device) the rows are shuffled with the seed; the first
 * 4,000 are the training pool, the last 1,000 the test set. Each method is fitted to the first N
 * rows of the pool (nested subsets, N in {@code sizes}) and scored on the test set; the imported
 * HW-NAS-Bench LUT is scored as is where the device has one.
 *
 * <p>Search speed-up: a fixed-budget evolutionary search that queries latency {@code Q} times
 * (default 10,000: population 100 x 100 generations). Measuring costs Q x the device's mean
 * measured latency per architecture (a lower bound: one timed run each, no warm-up, repeats or
 * deployment); with a predictor it costs the preparation (N measurements at the same mean latency,
 * plus the fit's seconds) plus Q x the predictor's query time. "query-only" leaves preparation out.
 */
public final class LatencyEstimators {
    private LatencyEstimators() {}

    public static final List<String> DEFAULT_DEVICES = List.of("gold_6226_ms", "2080ti_1_ms", "pixel2_ms", "pixel3_ms");
    public static final List<Integer> DEFAULT_SIZES = List.of(10, 100, 1000, 4000);
    public static final List<String> METHODS = List.of("lut-fit", "mlp", "xgboost", "flops");

    /**
     * @param data the HELP CSV
     * @param devices latency columns to study
     * @param sizes training-sample counts (each at most {@code pool})
     * @param pool rows that may be trained on; the rest after them (up to {@code test}) are the test set
     * @param seed shuffle and model seed
     * @param searchQueries latency queries of the fixed-budget search
     */
    public record Config(Path data, List<String> devices, List<Integer> sizes, int pool, int test, long seed,
            int searchQueries) {
        public Config {
            HwnasException.require(devices != null && !devices.isEmpty(), "devices", devices, "is required");
            HwnasException.require(sizes != null && !sizes.isEmpty(), "sizes", sizes, "is required");
            for (int n : sizes) {
                HwnasException.require(n >= 1 && n <= pool, "sizes", sizes, "must be in 1.." + pool);
            }
            HwnasException.require(test >= 2, "test", test, "must be >= 2");
            HwnasException.require(searchQueries >= 1, "search_queries", searchQueries, "must be >= 1");
        }

        public static Config defaults() {
            return new Config(SharedData.data(HelpData.DEFAULT), DEFAULT_DEVICES, DEFAULT_SIZES, 4000, 1000, 1, 10_000);
        }
    }

    /** One (device, method, training size) result. */
    public record Row(String device, String method, int trainingSamples, int measurements, double fitSeconds,
            double mapePct, double rmseMs, double kendallTau, double within10Pct, double queryMicros,
            double searchSpeedupQueryOnly, double searchSpeedup) {}

    public record DeviceInfo(String column, double meanTestMs, double minTestMs, double maxTestMs) {}

    public record Result(int schema, String data, String space, int pool, int test, long seed, int searchQueries,
            String command, List<DeviceInfo> devices, List<Row> rows) {}

    public static Result run(Config c, Path out, Consumer<String> log) {
        SearchSpace space = SpaceRegistry.get("fbnet-cifar");
        HelpData help = HelpData.read(c.data());
        HwnasException.require(c.pool() + c.test() <= help.size(), "pool + test", c.pool() + c.test(),
                "must be at most the " + help.size() + " rows of " + c.data());
        int[][] archs = new int[help.size()][];
        for (int i = 0; i < archs.length; i++) {
            archs[i] = help.arch(i, space).indices(space);
        }
        for (String col : c.devices()) { // every column checked before the first is fitted
            help.column(col);
            TrainingSet.deviceOfColumn(col);
        }
        int[] perm = TrainingSet.permutation(help.size(), c.seed());
        int[][] testArchs = new int[c.test()][];
        for (int i = 0; i < c.test(); i++) {
            testArchs[i] = archs[perm[c.pool() + i]];
        }
        List<Row> rows = new ArrayList<>();
        List<DeviceInfo> infos = new ArrayList<>();
        for (String col : c.devices()) {
            double[] y = help.column(col);
            double[] testY = new double[c.test()];
            for (int i = 0; i < c.test(); i++) {
                testY[i] = y[perm[c.pool() + i]];
            }
            double mean = Arrays.stream(testY).average().orElseThrow();
            infos.add(new DeviceInfo(col, mean, Arrays.stream(testY).min().orElseThrow(),
                    Arrays.stream(testY).max().orElseThrow()));
            int[][] poolArchs = new int[c.pool()][];
            double[] poolY = new double[c.pool()];
            for (int i = 0; i < c.pool(); i++) {
                poolArchs[i] = archs[perm[i]];
                poolY[i] = y[perm[i]];
            }
            TrainingSet pool = new TrainingSet(space, poolArchs, poolY, TrainingSet.deviceOfColumn(col),
                    TrainingSet.batchOfColumn(col), c.data().getFileName() + " column " + col);
            String dev = TrainingSet.deviceOfColumn(col);
            if (HwNasBenchImport.DEVICES.contains(dev)) {
                Lut lut = HwNasBenchImport.fbnet(HwNasBenchImport.defaultCsv(), HwNasBenchImport.defaultBase(), dev,
                        space);
                LatencyModel m = LatencyModels.of(lut, space, "imported " + dev);
                int entries = lut.entries().size();
                // preparation: one op measurement per table entry, each about a layer's share of a network
                rows.add(score(col, "imported-lut", m, 0, entries, 0, testArchs, testY, mean,
                        entries * mean / space.layerCount(), c.searchQueries()));
                log.accept(last(rows));
            }
            for (int n : c.sizes()) {
                TrainingSet t = pool.subset(range(n));
                for (String method : METHODS) {
                    Fitted f = Predictors.fit(method, t, c.seed());
                    rows.add(score(col, method, f.model(), n, n, f.fitSeconds(), testArchs, testY, mean,
                            n * mean, c.searchQueries()));
                    log.accept(last(rows));
                }
            }
        }
        String cmd = "hwnas experiment latency-estimators -o " + out;
        Result r = new Result(Json.SCHEMA, shown(c.data()), space.id(), c.pool(), c.test(), c.seed(),
                c.searchQueries(), cmd, infos, rows);
        write(r, out);
        return r;
    }

    private static String last(List<Row> rows) {
        Row w = rows.get(rows.size() - 1);
        return String.format(Locale.ROOT, "%-14s %-12s n=%-5d MAPE %6.2f %%  tau %.3f  fit %.2f s  query %.2f us",
                w.device(), w.method(), w.trainingSamples(), w.mapePct(), w.kendallTau(), w.fitSeconds(),
                w.queryMicros());
    }

    static Row score(String device, String method, LatencyModel m, int n, int measurements, double fitSeconds,
            int[][] testArchs, double[] testY, double meanMs, double prepMs, int queries) {
        double[] p = Estimation.predictions(m, testArchs);
        Estimation.Evaluation e = Estimation.evaluate(p, testY, queryMicros(m, testArchs), meanMs, prepMs, fitSeconds,
                queries);
        Agreement.Scores a = e.scores();
        return new Row(device, method, n, measurements, fitSeconds, a.mapePct(), a.rmseMs(), a.kendallTau(),
                a.within10Pct(), e.queryMicros(), e.searchSpeedupQueryOnly(), e.searchSpeedup());
    }

    /** µs per single-architecture prediction: warm-up, then passes over the test set for at least 0.2 s. */
    static double queryMicros(LatencyModel m, int[][] archs) {
        double sink = 0;
        for (int[] a : archs) {
            sink += m.predictMs(a);
        }
        long count = 0;
        long t0 = System.nanoTime();
        long elapsed;
        do {
            for (int[] a : archs) {
                sink += m.predictMs(a);
            }
            count += archs.length;
            elapsed = System.nanoTime() - t0;
        } while (elapsed < 200_000_000L);
        if (sink == 42) {
            System.out.print("");
        }
        return elapsed / 1e3 / count;
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    static String shown(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path shared = SharedData.root().toAbsolutePath().normalize();
        return abs.startsWith(shared) ? "shared/" + shared.relativize(abs) : p.toString();
    }

    static void write(Result r, Path out) {
        Estimation.write(out, r, () -> csv(r), () -> markdown(r), () -> {
            for (DeviceInfo d : r.devices()) {
                String dev = TrainingSet.deviceOfColumn(d.column());
                Charts.xy(out.resolve("mape-" + dev + ".png"), dev + ": test MAPE vs training samples",
                        "log10(training samples)", "MAPE on 1,000 test architectures (%)", series(r, d, true));
                Charts.xy(out.resolve("kendall-" + dev + ".png"), dev + ": Kendall tau vs training samples",
                        "log10(training samples)", "Kendall tau-b on the test architectures", series(r, d, false));
            }
        });
    }

    private static List<Charts.Series> series(Result r, DeviceInfo d, boolean mape) {
        List<Charts.Series> s = Estimation.curves(r.rows(), METHODS, w -> w.device().equals(d.column()), Row::method,
                Row::trainingSamples, w -> mape ? w.mapePct() : w.kendallTau());
        r.rows().stream().filter(w -> w.device().equals(d.column()) && w.method().equals("imported-lut")).findFirst()
                .ifPresent(w -> {
                    double v = mape ? w.mapePct() : w.kendallTau();
                    s.add(new Charts.Series("imported LUT", new double[] {0, 4}, new double[] {v, v}, true));
                });
        return s;
    }

    static String csv(Result r) {
        StringBuilder sb = new StringBuilder("device,method,training_samples,measurements,fit_seconds,mape_pct,rmse_ms,"
                + "kendall_tau,within10_pct,query_us,search_speedup_query_only,search_speedup\n");
        for (Row w : r.rows()) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.4f,%.4f,%.6f,%.4f,%.2f,%.4f,%.1f,%.1f%n", w.device(),
                    w.method(), w.trainingSamples(), w.measurements(), w.fitSeconds(), w.mapePct(), w.rmseMs(),
                    w.kendallTau(), w.within10Pct(), w.queryMicros(), w.searchSpeedupQueryOnly(), w.searchSpeedup()));
        }
        return sb.toString();
    }

    public static String markdown(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "# Latency estimators on real device data (survey Figure 3, part b)%n%n"
                + "Data `%s` (space %s): rows shuffled with seed %d, training pool %d, test %d architectures. Fitted"
                + " on the first N rows of the pool. Search speed-up: a search of %,d latency queries measured on the"
                + " device (query x mean measured latency, one run per query: a lower bound) vs with the estimator"
                + " (preparation: N measurements at the mean latency + fit time, plus queries x query time);"
                + " \"query only\" leaves the preparation out. Query time: one architecture per call, this machine"
                + " (shared and loaded while it ran).%n%nCommand: `%s`%n", r.data(), r.space(), r.seed(), r.pool(),
                r.test(), r.searchQueries(), r.command()));
        for (DeviceInfo d : r.devices()) {
            sb.append(String.format(Locale.ROOT, "%n## %s (test latency %.3f-%.3f ms, mean %.3f)%n%n", d.column(),
                    d.minTestMs(), d.maxTestMs(), d.meanTestMs()));
            sb.append("| method | N | measurements | fit s | MAPE % | RMSE ms | Kendall τ | within ±10 % | query µs |"
                    + " speed-up (query only) | speed-up (with preparation) |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (Row w : r.rows()) {
                if (!w.device().equals(d.column())) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.4f | %.3f | %.1f %% | %.2f |"
                        + " %.3g | %.3g |%n", w.method(), w.trainingSamples() == 0 ? "-" : String.valueOf(
                        w.trainingSamples()), w.measurements(), w.fitSeconds(), w.mapePct(), w.rmseMs(), w.kendallTau(),
                        w.within10Pct(), w.queryMicros(), w.searchSpeedupQueryOnly(), w.searchSpeedup()));
            }
            sb.append('\n');
            for (int n : r.rows().stream().filter(w -> w.device().equals(d.column()) && w.trainingSamples() > 0)
                    .map(Row::trainingSamples).distinct().toList()) {
                Row best = r.rows().stream().filter(w -> w.device().equals(d.column()) && w.trainingSamples() == n)
                        .min(java.util.Comparator.comparingDouble(Row::mapePct)).orElseThrow();
                sb.append(String.format(Locale.ROOT, "- N = %d: lowest MAPE %s (%.2f %%)%n", n, best.method(),
                        best.mapePct()));
            }
        }
        sb.append("\nPlots: `mape-<device>.png`, `kendall-<device>.png` (x: log10 of the training samples).\n");
        return sb.toString();
    }
}
