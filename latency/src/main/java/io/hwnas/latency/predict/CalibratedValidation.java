package io.hwnas.latency.predict;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import io.hwnas.latency.Agreement;
import io.hwnas.latency.LutModel;
import io.hwnas.latency.LutValidation;
import io.hwnas.latency.MeasureConfig;
import io.hwnas.latency.MeasureRuntime;
import io.hwnas.latency.Timing;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code lut validate --calibrate}: the test architectures of a plain validation (the same random
 * architectures for the same seed) and, separate from them, N calibration architectures are timed
 * end to end in the same interleaved rounds; each calibration method is fitted to the calibration
 * architectures only and scored, with the raw table, on the test architectures.
 */
public final class CalibratedValidation {
    /** Mixed into the seed of the calibration architectures' stream (the test stream uses the seed as is). */
    static final long CALIBRATION_STREAM = 0x6A09E667F3BCC909L;

    private CalibratedValidation() {}

    /** One method's correction and its scores on the test architectures. */
    public record MethodResult(String method, LutCalibration.Fit fit, Agreement.Scores test) {}

    /** A test architecture: measured, raw and calibrated predictions (by method id; "raw" first). */
    public record TestRow(String arch, double measuredMs, Map<String, Double> predictedMs) {}

    /** A calibration architecture: measured and the raw table's prediction. */
    public record CalibrationRow(String arch, double measuredMs, double rawPredictedMs) {}

    @JsonPropertyOrder({"schema", "space", "device", "runtime", "threads", "clock", "repeats", "warmup", "seed",
        "test_archs", "calibration_archs", "raw", "methods", "validation", "test_rows", "calibration_rows"})
    public record Report(int schema, String space, String device, String runtime, int threads, String clock,
            int repeats, int warmup, long seed, int testArchs, int calibrationArchs, Agreement.Scores raw,
            List<MethodResult> methods, LutValidation.Result validation, List<TestRow> testRows,
            List<CalibrationRow> calibrationRows) {

        /** The fit of {@code method}, or null. */
        public LutCalibration.Fit fit(LutCalibration.Method method) {
            for (MethodResult m : methods) {
                if (m.method().equals(method.id())) {
                    return m.fit();
                }
            }
            return null;
        }
    }

    /**
     * Refuses, before any timing, a calibration that cannot be done: fewer calibration
     * architectures than a method needs ({@code option} names the option giving the count), or a
     * space too small to hold that many architectures besides the test ones.
     */
    public static void check(SearchSpace s, int testArchs, long seed, int calibrationArchs,
            List<LutCalibration.Method> methods, String option) {
        HwnasException.require(!methods.isEmpty(), "calibration methods", methods, "needs at least one");
        for (LutCalibration.Method m : methods) {
            if (calibrationArchs < m.minArchs()) {
                throw new HwnasException("option '" + option + "' = " + calibrationArchs + ": the " + m.id()
                        + " calibration needs at least " + m.minArchs() + " calibration architectures; give more, or"
                        + " leave " + m.id() + " out of the calibration methods");
            }
        }
        calibrationArchs(s, LutValidation.randomArchs(s, testArchs, seed), calibrationArchs, seed, option);
    }

    /**
     * {@code n} distinct architectures of {@code s}, none of them among {@code test}, drawn
     * uniformly from a stream seeded by {@code seed} (not the test architectures' stream).
     */
    public static List<Architecture> calibrationArchs(SearchSpace s, List<Architecture> test, int n, long seed,
            String option) {
        Set<String> taken = new HashSet<>();
        for (Architecture a : test) {
            taken.add(a.canonical());
        }
        double total = Math.pow(s.ops().size(), s.layerCount());
        if (total - taken.size() < n) {
            throw new HwnasException(String.format(Locale.ROOT, "option '%s' = %d: space %s has %.0f architectures, %d"
                    + " of them are test architectures; at most %.0f are left for calibration", option, n, s.id(),
                    total, taken.size(), total - taken.size()));
        }
        SplittableRandom r = new SplittableRandom(seed ^ CALIBRATION_STREAM);
        List<Architecture> out = new ArrayList<>();
        while (out.size() < n) {
            int[] idx = new int[s.layerCount()];
            for (int l = 0; l < idx.length; l++) {
                idx[l] = r.nextInt(s.ops().size());
            }
            Architecture a = Architecture.ofIndices(s, idx);
            if (taken.add(a.canonical())) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * Times {@code testArchs} random architectures (seed {@code seed}, as a plain validation) and
     * {@code calibrationArchs} others on {@code runtime}, fits every method to the calibration
     * ones and scores raw and calibrated tables on the test ones.
     */
    public static Report run(LutModel model, MeasureRuntime runtime, MeasureConfig cfg, int testArchs,
            int calibrationArchs, long seed, List<LutCalibration.Method> methods, String option, Progress progress) {
        SearchSpace s = model.space();
        check(s, testArchs, seed, calibrationArchs, methods, option);
        List<Architecture> test = LutValidation.randomArchs(s, testArchs, seed);
        List<Architecture> cal = calibrationArchs(s, test, calibrationArchs, seed, option);
        List<Architecture> all = new ArrayList<>(test);
        all.addAll(cal);
        Timing[] t = runtime.timeNetworks(s, all, cfg, progress, "validate + calibrate " + s.id() + " ("
                + runtime.id() + ")");
        Timing[] tt = java.util.Arrays.copyOf(t, testArchs);
        LutValidation.Result v = LutValidation.compare(s, model, test, seed, tt, progress);
        int[][] calIdx = new int[cal.size()][];
        double[] calY = new double[cal.size()];
        List<CalibrationRow> calRows = new ArrayList<>();
        for (int i = 0; i < cal.size(); i++) {
            calIdx[i] = cal.get(i).indices(s);
            calY[i] = t[testArchs + i].medianMs();
            calRows.add(new CalibrationRow(cal.get(i).canonical(), calY[i], model.predictMs(calIdx[i])));
        }
        String how = String.format(Locale.ROOT, "%s, %d thread(s), batch %d, %s clock, %d warm-up + %d timed rounds,"
                + " median; architectures drawn with seed %d apart from the test ones", runtime.id(), cfg.threads(),
                cfg.batch(), cfg.clock().name().toLowerCase(Locale.ROOT), cfg.warmup(), cfg.repeats(), seed);
        double[] testY = new double[testArchs];
        int[][] testIdx = new int[testArchs][];
        double[] raw = new double[testArchs];
        for (int i = 0; i < testArchs; i++) {
            testIdx[i] = test.get(i).indices(s);
            testY[i] = tt[i].medianMs();
            raw[i] = model.predictMs(testIdx[i]);
        }
        List<Map<String, Double>> preds = new ArrayList<>();
        for (int i = 0; i < testArchs; i++) {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("raw", raw[i]);
            preds.add(m);
        }
        List<MethodResult> results = new ArrayList<>();
        for (LutCalibration.Method m : methods) {
            LutCalibration.Fit f = LutCalibration.fit(m, model, calIdx, calY, how);
            double[] p = new double[testArchs];
            for (int i = 0; i < testArchs; i++) {
                p[i] = f.predictMs(s, testIdx[i]);
                preds.get(i).put(m.id(), p[i]);
            }
            results.add(new MethodResult(m.id(), f, Agreement.of(p, testY)));
        }
        List<TestRow> rows = new ArrayList<>();
        for (int i = 0; i < testArchs; i++) {
            rows.add(new TestRow(test.get(i).canonical(), testY[i], preds.get(i)));
        }
        return new Report(Json.SCHEMA, s.id(), model.device().name(), runtime.id(), cfg.threads(),
                cfg.clock().name().toLowerCase(Locale.ROOT), cfg.repeats(), cfg.warmup(), seed, testArchs,
                calibrationArchs, Agreement.of(raw, testY), List.copyOf(results), v, List.copyOf(rows),
                List.copyOf(calRows));
    }
}
