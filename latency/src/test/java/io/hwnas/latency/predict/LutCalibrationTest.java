package io.hwnas.latency.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.Agreement;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutEntry;
import io.hwnas.latency.LutModel;
import io.hwnas.latency.LutValidation;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calibration of a synthetic measured table of fbnet-cifar-tiny against known end-to-end latencies. */
class LutCalibrationTest {
    static final SearchSpace S = SpaceRegistry.get("fbnet-cifar-tiny");

    /** A measured-looking table: entries 0.02-0.32 ms, stem 0.05 + head 0.15 ms. */
    static LutModel table(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<LutEntry> entries = new ArrayList<>();
        for (LayerSpec l : S.layers()) {
            for (String op : S.ops()) {
                double v = 0.02 + 0.3 * r.nextDouble();
                entries.add(new LutEntry(l.index(), l.name(), op, v, v * 1.05, 0.01, 50));
            }
        }
        Map<String, Double> fixed = new LinkedHashMap<>();
        fixed.put("stem", 0.05);
        fixed.put("head", 0.15);
        DeviceRecord d = new DeviceRecord("synthetic-1t", DeviceRecord.Source.MEASURED, "DJL test", 1, 1, "fp32", null,
                null, "2025-01-01T00:00:00Z", "made by the test");
        return LatencyModels.of(new Lut(S.id(), d, 0.2, entries, fixed).withSpace(S), S, "synthetic");
    }

    static int[][] archs(int n, long seed) {
        return LutValidation.randomArchs(S, n, seed).stream().map(a -> a.indices(S)).toArray(int[][]::new);
    }

    static double[] latencies(int[][] archs, ToDoubleFunction<int[]> f) {
        double[] y = new double[archs.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = f.applyAsDouble(archs[i]);
        }
        return y;
    }

    static double mape(LatencyModel m, int[][] archs, double[] y) {
        double[] p = new double[archs.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = m.predictMs(archs[i]);
        }
        return Agreement.of(p, y).mapePct();
    }

    static LutModel bind(LutCalibration.Fit f) {
        return LatencyModels.of(f.lut(), S, "calibrated");
    }

    @Test
    void aKnownOffsetIsFittedExactly() {
        LutModel m = table(1);
        int[][] cal = archs(5, 2);
        LutCalibration.Fit f = LutCalibration.fit(LutCalibration.Method.OFFSET, m, cal,
                latencies(cal, a -> m.predictMs(a) + 0.137), "test");
        assertEquals(0.137, f.offsetMs(), 1e-12);
        assertEquals(0, f.rmseAfterMs(), 1e-12);
        assertEquals(0.137, f.rmseBeforeMs(), 1e-12);
        LutModel c = bind(f);
        for (int[] a : archs(50, 3)) {
            assertEquals(m.predictMs(a) + 0.137, c.predictMs(a), 1e-12);
        }
        assertTrue(f.usable());
        // an offset below minus the fastest architecture leaves no latency model: scored, flagged, not bindable
        LutCalibration.Fit neg = LutCalibration.fit(LutCalibration.Method.OFFSET, m, cal,
                latencies(cal, a -> m.predictMs(a) * 0.1), "test");
        assertTrue(!neg.usable() && neg.fastestMs() < 0, neg.toString());
        assertEquals(m.predictMs(cal[0]) + neg.offsetMs(), neg.predictMs(S, cal[0]), 1e-12);
        // bound, it says so in its range (a fitted table may reach below zero; the CLI never writes it)
        assertTrue(bind(neg).rangeMs().fastestMs() < 0);
        Lut lut = f.lut();
        assertEquals(0.137, lut.fixedBreakdownMs().get("calibration_offset"), 1e-12);
        assertEquals(0.337, lut.fixedMs(), 1e-12);
    }

    @Test
    void aKnownScaleIsFittedExactly() {
        LutModel m = table(4);
        int[][] cal = archs(3, 5);
        LutCalibration.Fit f = LutCalibration.fit(LutCalibration.Method.SCALE, m, cal,
                latencies(cal, a -> 1.3 * m.predictMs(a)), "test");
        assertEquals(1.3, f.scale(), 1e-12);
        assertEquals(0, f.rmseAfterMs(), 1e-12);
        LutModel c = bind(f);
        for (int[] a : archs(50, 6)) {
            assertEquals(1.3 * m.predictMs(a), c.predictMs(a), 1e-12);
        }
        assertEquals(1.3 * 0.15, f.lut().fixedBreakdownMs().get("head"), 1e-12);
        // offset and scale are different models: an offset does not fit a scaled table exactly
        LutCalibration.Fit off = LutCalibration.fit(LutCalibration.Method.OFFSET, m, archs(40, 7),
                latencies(archs(40, 7), a -> 1.3 * m.predictMs(a)), "test");
        assertTrue(off.rmseAfterMs() > 1e-3, off.toString());
    }

    @Test
    void perEntryRecoversAPerturbedTableFromEnoughArchitectures() {
        LutModel m = table(8);
        double[][] t0 = m.tableMs();
        SplittableRandom r = new SplittableRandom(9);
        double[][] truth = new double[t0.length][];
        for (int l = 0; l < t0.length; l++) {
            truth[l] = t0[l].clone();
            for (int k = 0; k < truth[l].length; k++) {
                truth[l][k] *= 0.7 + 0.6 * r.nextDouble(); // each entry off by up to ±30 %
            }
        }
        ToDoubleFunction<int[]> real = a -> {
            double s = 0.2 + 0.05; // and the fixed part off by 0.05 ms
            for (int l = 0; l < a.length; l++) {
                s += truth[l][a[l]];
            }
            return s;
        };
        int[][] test = archs(500, 10);
        double[] testY = latencies(test, real);
        double raw = mape(m, test, testY);
        int[][] cal = archs(3000, 11);
        LutCalibration.Fit f = LutCalibration.fit(LutCalibration.Method.PER_ENTRY, m, cal, latencies(cal, real), "test");
        LutModel c = bind(f);
        double fitted = mape(c, test, testY);
        assertTrue(raw > 5, "raw MAPE " + raw);
        assertTrue(fitted < 0.1, "per-entry MAPE " + fitted + " (raw " + raw + ")");
        // entries are recovered up to a constant per layer (which the fixed part absorbs)
        double[][] got = c.tableMs();
        for (int l = 0; l < got.length; l++) {
            for (int k = 1; k < got[l].length; k++) {
                assertEquals(truth[l][k] - truth[l][0], got[l][k] - got[l][0], 2e-3, "layer " + l + " op " + k);
            }
        }
        // few architectures: still better than raw, not as good as many; offset alone cannot fix per-entry errors
        int[][] few = archs(30, 12);
        double some = mape(bind(LutCalibration.fit(LutCalibration.Method.PER_ENTRY, m, few, latencies(few, real),
                "test")), test, testY);
        double offset = mape(bind(LutCalibration.fit(LutCalibration.Method.OFFSET, m, cal, latencies(cal, real),
                "test")), test, testY);
        assertTrue(some < raw && some > fitted, "30 archs: " + some + ", raw " + raw + ", 3000: " + fitted);
        assertTrue(offset > 10 * fitted, "offset " + offset + " vs per-entry " + fitted);
    }

    @Test
    void tooFewArchitecturesAreRefused() {
        LutModel m = table(13);
        int[][] cal = archs(9, 14);
        HwnasException e = assertThrows(HwnasException.class, () -> LutCalibration.fit(
                LutCalibration.Method.PER_ENTRY, m, cal, latencies(cal, m::predictMs), "test"));
        assertTrue(e.getMessage().contains("9") && e.getMessage().contains("per-entry")
                && e.getMessage().contains("at least 10"), e.getMessage());
        e = assertThrows(HwnasException.class, () -> LutCalibration.fit(LutCalibration.Method.OFFSET, m, new int[0][],
                new double[0], "test"));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
        e = assertThrows(HwnasException.class, () -> CalibratedValidation.check(S, 10, 0, 5,
                List.of(LutCalibration.Method.OFFSET, LutCalibration.Method.PER_ENTRY), "--calibrate-archs"));
        assertTrue(e.getMessage().startsWith("option '--calibrate-archs' = 5: the per-entry calibration needs at least"
                + " 10"), e.getMessage());
        e = assertThrows(HwnasException.class, () -> LutCalibration.Method.of("affine", "--calibrate-methods"));
        assertTrue(e.getMessage().contains("'--calibrate-methods' = \"affine\""), e.getMessage());
    }

    @Test
    void calibrationArchitecturesAreDistinctFromTheTestOnesAndSeeded() {
        List<Architecture> test = LutValidation.randomArchs(S, 30, 5);
        List<Architecture> cal = CalibratedValidation.calibrationArchs(S, test, 40, 5, "--calibrate-archs");
        assertEquals(40, cal.size());
        assertEquals(40, cal.stream().map(Architecture::canonical).distinct().count());
        for (Architecture a : cal) {
            assertTrue(test.stream().noneMatch(t -> t.canonical().equals(a.canonical())), a.canonical());
        }
        assertEquals(cal, CalibratedValidation.calibrationArchs(S, test, 40, 5, "--calibrate-archs"));
    }

    @Test
    void theCalibratedTableIsANormalLutFile(@TempDir Path dir) {
        LutModel m = table(15);
        int[][] cal = archs(20, 16);
        LutCalibration.Fit f = LutCalibration.fit(LutCalibration.Method.PER_ENTRY, m, cal,
                latencies(cal, a -> 1.1 * m.predictMs(a) + 0.02), "djl, 1 thread(s)");
        Path file = dir.resolve("cal.json");
        f.lut().write(file);
        LatencyModel back = LatencyModels.read(file, S);
        assertTrue(back instanceof LutModel);
        assertEquals(DeviceRecord.Source.ESTIMATED, back.device().source());
        assertEquals("synthetic-1t", back.device().name());
        assertEquals("DJL test", back.device().runtime());
        assertTrue(back.device().notes().startsWith("Calibrated (per-entry) from 20 end-to-end measurements"),
                back.device().notes());
        assertTrue(back.device().notes().contains("made by the test"), back.device().notes());
        for (int[] a : archs(20, 17)) {
            assertEquals(bind(f).predictMs(a), back.predictMs(a), 1e-12);
        }
        double sum = f.lut().fixedBreakdownMs().values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(f.lut().fixedMs(), sum, 1e-12);
    }
}
