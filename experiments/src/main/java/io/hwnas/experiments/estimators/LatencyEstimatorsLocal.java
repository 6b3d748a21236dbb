package io.hwnas.experiments.estimators;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import io.hwnas.experiments.plot.Charts;
import io.hwnas.latency.Agreement;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutEntry;
import io.hwnas.latency.LutModel;
import io.hwnas.latency.MeasureConfig;
import io.hwnas.latency.MeasureRuntime;
import io.hwnas.latency.Timing;
import io.hwnas.latency.predict.CalibratedValidation;
import io.hwnas.latency.predict.Fitted;
import io.hwnas.latency.predict.LutCalibration;
import io.hwnas.latency.predict.Predictors;
import io.hwnas.latency.predict.TrainingSet;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Part (a) of the survey's Figure 3 on this machine: latency estimators of one space against
 * whole networks timed here, on DJL/PyTorch and on ONNX Runtime. For each runtime: a LUT is
 * measured (per-op, the LUT protocol), {@code archs} distinct random architectures are timed end to
 * end (warm-up, interleaved rounds in chunks, median), the last {@code test} of them are the test
 * set and the first N of the rest (N in {@code sizes}) train: the measured LUT as is, the measured
 * LUT calibrated on the N architectures (offset, scale, per-entry), and the lut-fit, mlp, xgboost
 * and flops predictors fitted to them. Scores and costs as in part (b) ({@link LatencyEstimators}):
 * preparation counts measurements (LUT: one per block, i.e. entries + stem + head; end to end: one
 * per architecture) and real seconds here (measuring, pro rata per architecture, plus fitting);
 * the search speed-up uses part (b)'s definition (one run per measurement, at the test set's mean
 * latency; a LUT's preparation is one run of each block).
 */
public final class LatencyEstimatorsLocal {
    private LatencyEstimatorsLocal() {}

    public static final String LUT = "measured-lut";
    public static final List<String> CALIBRATED = List.of("lut+offset", "lut+scale", "lut+per-entry");

    /**
     * @param space the space (registered id or file), resolved by the caller
     * @param archs distinct random architectures timed end to end per runtime
     * @param test how many of them (the last) are the test set
     * @param sizes training sizes, each at most archs - test
     * @param warmup untimed rounds of the end-to-end timing
     * @param repeats timed rounds of the end-to-end timing
     * @param lutWarmup untimed rounds of the LUT measurement
     * @param lutRepeats timed rounds of the LUT measurement
     * @param threads intra-op threads (1 for the cpu clock)
     * @param clock wall or cpu
     * @param runtimes djl and/or onnxruntime
     * @param chunk networks timed together in one interleaved set (memory stays flat)
     * @param methods predictor kinds to fit ({@link LatencyEstimators#METHODS} or a subset)
     */
    public record Config(SearchSpace space, int archs, int test, List<Integer> sizes, int warmup, int repeats,
            int lutWarmup, int lutRepeats, int threads, MeasureConfig.Clock clock, List<MeasureRuntime> runtimes,
            long seed, int searchQueries, int chunk, List<String> methods) {
        public Config {
            HwnasException.require(space != null, "space", null, "is required");
            HwnasException.require(test >= 2, "test", test, "must be >= 2");
            HwnasException.require(archs > test && archs <= 100_000, "archs", archs, "must be more than test (" + test
                    + ") and at most 100000");
            HwnasException.require(sizes != null && !sizes.isEmpty(), "sizes", sizes, "is required");
            for (int n : sizes) {
                HwnasException.require(n >= 1 && n <= archs - test, "sizes", sizes, "must each be 1.." + (archs - test)
                        + " (archs - test)");
            }
            HwnasException.require(warmup >= 0 && lutWarmup >= 0, "warmup", Math.min(warmup, lutWarmup),
                    "must be >= 0");
            HwnasException.require(repeats >= 1 && lutRepeats >= 1, "repeats", Math.min(repeats, lutRepeats),
                    "must be >= 1");
            HwnasException.require(runtimes != null && !runtimes.isEmpty(), "runtimes", runtimes, "is required");
            HwnasException.require(chunk >= 1, "chunk", chunk, "must be >= 1");
            HwnasException.require(searchQueries >= 1, "search_queries", searchQueries, "must be >= 1");
            for (String m : methods) {
                Predictors.checkKind(m, "methods");
            }
            new MeasureConfig(threads, 1, warmup, repeats, null, clock); // threads/clock agree
            sizes = List.copyOf(sizes);
            runtimes = List.copyOf(runtimes);
            methods = List.copyOf(methods);
        }

        /** The defaults: fbnet-cifar-tiny, 1,000 architectures (200 test), N 10..800, cpu clock, 1 thread. */
        public static Config defaults(SearchSpace space) {
            return new Config(space, 1000, 200, List.of(10, 30, 100, 300, 800), 3, 20, 20, 100, 1,
                    MeasureConfig.Clock.CPU, List.of(MeasureRuntime.DJL, MeasureRuntime.ONNXRUNTIME), 1, 10_000, 100,
                    LatencyEstimators.METHODS);
        }
    }

    /** One (runtime, method, training size) result. */
    public record Row(String runtime, String method, int trainingSamples, int measurements, double prepSeconds,
            double fitSeconds, double mapePct, double rmseMs, double kendallTau, double within10Pct,
            double queryMicros, double searchSpeedupQueryOnly, double searchSpeedup, String note) {}

    /** What was measured on one runtime. */
    public record RuntimeInfo(String runtime, String device, String runtimeName, int lutEntries, double lutSeconds,
            double endToEndSeconds, double secondsPerArch, double meanTestMs, double minTestMs, double maxTestMs) {}

    public record Result(int schema, String space, int archs, int test, List<Integer> sizes, int warmup, int repeats,
            int lutWarmup, int lutRepeats, int threads, String clock, long seed, int searchQueries, String command,
            List<RuntimeInfo> runtimes, List<Row> rows) {}

    public static Result run(Config c, Path out, String command, Progress progress, Consumer<String> log) {
        SearchSpace s = c.space();
        List<Architecture> all = CalibratedValidation.calibrationArchs(s, List.of(), c.archs(), c.seed(), "archs");
        int pool = c.archs() - c.test();
        int[][] idx = new int[all.size()][];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = all.get(i).indices(s);
        }
        int[][] testIdx = Arrays.copyOfRange(idx, pool, idx.length);
        List<Row> rows = new ArrayList<>();
        List<RuntimeInfo> infos = new ArrayList<>();
        List<double[][]> scatter = new ArrayList<>();
        for (MeasureRuntime rt : c.runtimes()) {
            MeasureConfig lutCfg = new MeasureConfig(c.threads(), 1, c.lutWarmup(), c.lutRepeats(), null, c.clock());
            long t0 = System.nanoTime();
            Lut lut = rt.measureLut(s, lutCfg, progress);
            double lutSeconds = (System.nanoTime() - t0) / 1e9;
            LutModel raw = LatencyModels.of(lut, s, "measured LUT (" + rt.id() + ")");
            MeasureConfig cfg = new MeasureConfig(c.threads(), 1, c.warmup(), c.repeats(), null, c.clock());
            double[] y = new double[all.size()];
            t0 = System.nanoTime();
            for (int from = 0; from < all.size(); from += c.chunk()) {
                int to = Math.min(all.size(), from + c.chunk());
                Timing[] t = rt.timeNetworks(s, all.subList(from, to), cfg, progress, String.format(Locale.ROOT,
                        "end to end %s (%s) %d-%d of %d", s.id(), rt.id(), from + 1, to, all.size()));
                for (int i = from; i < to; i++) {
                    y[i] = t[i - from].medianMs();
                }
            }
            double e2eSeconds = (System.nanoTime() - t0) / 1e9;
            progress.finish(String.format(Locale.ROOT, "%d architectures in %.1f s", all.size(), e2eSeconds));
            double perArch = e2eSeconds / all.size();
            double[] testY = Arrays.copyOfRange(y, pool, y.length);
            double mean = Arrays.stream(testY).average().orElseThrow();
            infos.add(new RuntimeInfo(rt.id(), lut.device().name(), lut.device().runtime(), lut.entries().size(),
                    lutSeconds, e2eSeconds, perArch, mean, Arrays.stream(testY).min().orElseThrow(),
                    Arrays.stream(testY).max().orElseThrow()));
            int lutMeasurements = lut.entries().size() + (lut.fixedBreakdownMs() == null ? 1
                    : lut.fixedBreakdownMs().size());
            double lutOneRunMs = lut.fixedMs();
            for (LutEntry e : lut.entries()) {
                lutOneRunMs += e.medianMs();
            }
            Scorer sc = new Scorer(rt.id(), testIdx, testY, mean, c.searchQueries());
            double rawQuery = LatencyEstimators.queryMicros(raw, testIdx);
            rows.add(sc.row(LUT, 0, lutMeasurements, lutSeconds, 0, Estimation.predictions(raw, testIdx), rawQuery, lutOneRunMs,
                    ""));
            log.accept(last(rows));
            int biggest = c.sizes().stream().mapToInt(Integer::intValue).max().orElseThrow();
            double[][] pts = new double[4][];
            pts[0] = testY;
            pts[1] = Estimation.predictions(raw, testIdx);
            TrainingSet poolSet = new TrainingSet(s, Arrays.copyOf(idx, pool), Arrays.copyOf(y, pool),
                    lut.device().name(), 1, "end-to-end timings (" + rt.id() + ")");
            for (int n : c.sizes()) {
                int[][] a = Arrays.copyOf(idx, n);
                double[] yn = Arrays.copyOf(y, n);
                double measureSec = n * perArch;
                for (LutCalibration.Method m : LutCalibration.Method.values()) {
                    if (n < m.minArchs()) {
                        continue;
                    }
                    long f0 = System.nanoTime();
                    LutCalibration.Fit f = LutCalibration.fit(m, raw, a, yn, rt.id() + " end to end, " + c.clock()
                            .name().toLowerCase(Locale.ROOT) + " clock");
                    double fitSec = (System.nanoTime() - f0) / 1e9;
                    double[] p = new double[testIdx.length];
                    for (int i = 0; i < p.length; i++) {
                        p[i] = f.predictMs(s, testIdx[i]);
                    }
                    double q = f.usable() ? LatencyEstimators.queryMicros(LatencyModels.of(f.lut(), s, "calibrated"),
                            testIdx) : rawQuery;
                    rows.add(sc.row("lut+" + m.id(), n, lutMeasurements + n, lutSeconds + measureSec + fitSec, fitSec,
                            p, q, lutOneRunMs + n * mean, f.usable() ? "" : String.format(Locale.ROOT,
                            "fastest architecture %.4f ms: not usable as a latency model", f.fastestMs())));
                    log.accept(last(rows));
                    if (n == biggest && m == LutCalibration.Method.PER_ENTRY) {
                        pts[2] = p;
                    }
                }
                TrainingSet t = poolSet.subset(LatencyEstimators.range(n));
                for (String method : c.methods()) {
                    if (n < Predictors.minSamples(method)) {
                        continue;
                    }
                    Fitted f = Predictors.fit(method, t, c.seed());
                    double[] p = Estimation.predictions(f.model(), testIdx);
                    rows.add(sc.row(method, n, n, measureSec + f.fitSeconds(), f.fitSeconds(), p,
                            LatencyEstimators.queryMicros(f.model(), testIdx), n * mean, ""));
                    log.accept(last(rows));
                    if (n == biggest && method.equals(Predictors.LUT_FIT)) {
                        pts[3] = p;
                    }
                }
            }
            scatter.add(pts);
        }
        Result r = new Result(Json.SCHEMA, s.id(), c.archs(), c.test(), c.sizes(), c.warmup(), c.repeats(),
                c.lutWarmup(), c.lutRepeats(), c.threads(), c.clock().name().toLowerCase(Locale.ROOT), c.seed(),
                c.searchQueries(), command, infos, rows);
        write(r, out, scatter);
        return r;
    }

    /** Scores predictions of the test set and prices a fixed-budget search (part (b)'s definition). */
    private record Scorer(String runtime, int[][] testArchs, double[] testY, double meanMs, int queries) {
        Row row(String method, int n, int measurements, double prepSeconds, double fitSeconds, double[] p, double q,
                double prepOneRunMs, String note) {
            Estimation.Evaluation e = Estimation.evaluate(p, testY, q, meanMs, prepOneRunMs, fitSeconds, queries);
            Agreement.Scores a = e.scores();
            return new Row(runtime, method, n, measurements, prepSeconds, fitSeconds, a.mapePct(), a.rmseMs(),
                    a.kendallTau(), a.within10Pct(), e.queryMicros(), e.searchSpeedupQueryOnly(), e.searchSpeedup(),
                    note);
        }
    }

    private static String last(List<Row> rows) {
        Row w = rows.get(rows.size() - 1);
        return String.format(Locale.ROOT, "%-12s %-14s n=%-4d MAPE %6.2f %%  tau %.3f  within10 %5.1f %%  prep %.1f s",
                w.runtime(), w.method(), w.trainingSamples(), w.mapePct(), w.kendallTau(), w.within10Pct(),
                w.prepSeconds());
    }

    static void write(Result r, Path out, List<double[][]> scatter) {
        Estimation.write(out, r, () -> csv(r), () -> markdown(r), () -> {
            for (int k = 0; k < r.runtimes().size(); k++) {
                String rt = r.runtimes().get(k).runtime();
                Charts.xy(out.resolve("mape-" + rt + ".png"), r.space() + " on " + rt + ": test MAPE vs training"
                        + " architectures", "log10(end-to-end measured architectures)", "MAPE on " + r.test()
                        + " test architectures (%)", series(r, rt, true));
                Charts.xy(out.resolve("kendall-" + rt + ".png"), r.space() + " on " + rt + ": Kendall tau vs training"
                        + " architectures", "log10(end-to-end measured architectures)", "Kendall tau-b on the test"
                        + " architectures", series(r, rt, false));
                double[][] pts = scatter.get(k);
                int biggest = r.sizes().stream().mapToInt(Integer::intValue).max().orElseThrow();
                List<Charts.Series> s = new ArrayList<>();
                String[] names = {"measured LUT", "LUT + per-entry calibration (N=" + biggest + ")",
                    "lut-fit (N=" + biggest + ")"};
                double lo = Arrays.stream(pts[0]).min().orElseThrow();
                double hi = Arrays.stream(pts[0]).max().orElseThrow();
                for (int j = 1; j < pts.length; j++) {
                    if (pts[j] != null) {
                        s.add(new Charts.Series(names[j - 1], pts[0], pts[j], false));
                        lo = Math.min(lo, Arrays.stream(pts[j]).min().orElseThrow());
                        hi = Math.max(hi, Arrays.stream(pts[j]).max().orElseThrow());
                    }
                }
                s.add(new Charts.Series("predicted = measured", new double[] {lo, hi}, new double[] {lo, hi}, true));
                Charts.xy(out.resolve("scatter-" + rt + ".png"), r.space() + " on " + rt + ": predicted vs measured ("
                        + r.test() + " test architectures)", "measured latency (ms)", "predicted latency (ms)", s);
            }
        });
    }

    private static List<Charts.Series> series(Result r, String rt, boolean mape) {
        List<String> methods = new ArrayList<>(CALIBRATED);
        r.rows().stream().map(Row::method).filter(m -> !m.equals(LUT) && !CALIBRATED.contains(m)).distinct()
                .forEach(methods::add);
        List<Charts.Series> s = Estimation.curves(r.rows(), methods, w -> w.runtime().equals(rt), Row::method,
                Row::trainingSamples, w -> mape ? w.mapePct() : w.kendallTau());
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Charts.Series c : s) {
            for (double x : c.x()) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        double flo = Double.isFinite(lo) ? lo : 0;
        double fhi = Double.isFinite(hi) ? hi : 1;
        r.rows().stream().filter(w -> w.runtime().equals(rt) && w.method().equals(LUT)).findFirst().ifPresent(w -> {
            double v = mape ? w.mapePct() : w.kendallTau();
            s.add(new Charts.Series("measured LUT (raw)", new double[] {flo, fhi}, new double[] {v, v}, true));
        });
        return s;
    }

    static String csv(Result r) {
        StringBuilder sb = new StringBuilder("runtime,method,training_samples,measurements,prep_seconds,fit_seconds,"
                + "mape_pct,rmse_ms,kendall_tau,within10_pct,query_us,search_speedup_query_only,search_speedup,note\n");
        for (Row w : r.rows()) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.4f,%.4f,%.4f,%.6f,%.4f,%.2f,%.4f,%.1f,%.2f,%s%n",
                    w.runtime(), w.method(), w.trainingSamples(), w.measurements(), w.prepSeconds(), w.fitSeconds(),
                    w.mapePct(), w.rmseMs(), w.kendallTau(), w.within10Pct(), w.queryMicros(),
                    w.searchSpeedupQueryOnly(), w.searchSpeedup(), w.note().replace(',', ';')));
        }
        return sb.toString();
    }

    public static String markdown(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "# Latency estimators on this machine (survey Figure 3, part a)%n%n"
                + "Space %s: %d distinct random architectures (seed %d) timed end to end per runtime (%d warm-up + %d"
                + " timed interleaved rounds, median; %s clock, %d thread(s)); the last %d are the test set, the first"
                + " N of the others train. LUT: %d warm-up + %d timed rounds per block. measured-lut is the per-op"
                + " table as measured; lut+offset/scale/per-entry is that table calibrated on the N architectures;"
                + " lut-fit, mlp, xgboost, flops are fitted to them. Preparation: measurements (LUT: one per block;"
                + " end to end: one per architecture) and seconds here (measuring, pro rata, + fit). Search speed-up:"
                + " as in part (b), a search of %,d latency queries measured (one run each at the test set's mean"
                + " latency) vs with the estimator (one run per preparation measurement + fit + queries x query"
                + " time).%n%nCommand: `%s`%n", r.space(), r.archs(), r.seed(), r.warmup(), r.repeats(), r.clock(),
                r.threads(), r.test(), r.lutWarmup(), r.lutRepeats(), r.searchQueries(), r.command()));
        for (RuntimeInfo d : r.runtimes()) {
            sb.append(String.format(Locale.ROOT, "%n## %s: %s (test latency %.3f-%.3f ms, mean %.3f; LUT %.1f s,"
                    + " end to end %.1f s)%n%n", d.runtime(), d.runtimeName(), d.minTestMs(), d.maxTestMs(),
                    d.meanTestMs(), d.lutSeconds(), d.endToEndSeconds()));
            sb.append("| method | N | measurements | prep s | MAPE % | RMSE ms | Kendall τ | within ±10 % | query µs |"
                    + " speed-up (query only) | speed-up (with preparation) |\n|---|---|---|---|---|---|---|---|---|---|"
                    + "---|\n");
            for (Row w : r.rows()) {
                if (!w.runtime().equals(d.runtime())) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "| %s%s | %s | %d | %.2f | %.2f | %.4f | %.3f | %.1f %% | %.2f |"
                        + " %.3g | %.3g |%n", w.method(), w.note().isEmpty() ? "" : " (" + w.note() + ")",
                        w.trainingSamples() == 0 ? "-" : String.valueOf(w.trainingSamples()), w.measurements(),
                        w.prepSeconds(), w.mapePct(), w.rmseMs(), w.kendallTau(), w.within10Pct(), w.queryMicros(),
                        w.searchSpeedupQueryOnly(), w.searchSpeedup()));
            }
        }
        sb.append("\nPlots: `mape-<runtime>.png`, `kendall-<runtime>.png` (x: log10 of the end-to-end measured"
                + " architectures), `scatter-<runtime>.png` (test set, predicted vs measured).\n");
        return sb.toString();
    }
}
