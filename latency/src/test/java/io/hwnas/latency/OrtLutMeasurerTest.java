package io.hwnas.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Progress;
import io.hwnas.supernet.export.OnnxWriter;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LUT measurement and validation with ONNX Runtime on the tiny space, few repeats (structure, not speed). */
class OrtLutMeasurerTest {
    @Test
    void measuresACompleteValidLut(@TempDir Path dir) {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        Lut lut = OrtLutMeasurer.measure(s, new MeasureConfig(1, 1, 1, 3, null), Progress.NONE);
        Path f = dir.resolve("ort.json");
        lut.write(f);
        Lut back = Lut.read(f, s); // the file reads back and fits the space
        assertEquals(s.layerCount() * s.ops().size(), back.entries().size());
        Set<String> cells = new HashSet<>();
        for (LutEntry e : back.entries()) {
            assertEquals(3, e.count(), e.toString());
            assertTrue(e.medianMs() > 0 && Double.isFinite(e.medianMs()), e.toString());
            cells.add(e.layer() + "/" + e.op());
        }
        for (LayerSpec l : s.layers()) {
            for (String op : s.ops()) {
                assertTrue(cells.contains(l.index() + "/" + op), "missing " + l.name() + " " + op);
            }
        }
        DeviceRecord d = back.device();
        assertEquals("ONNX Runtime 1.29.0 (cpu)", d.runtime());
        assertTrue(OrtLutMeasurer.isOrt(d));
        assertEquals(1, d.threads());
        assertEquals(1, d.batch());
        assertEquals(DeviceRecord.Source.MEASURED, d.source());
        assertTrue(d.name().endsWith("-ort-cpu-1t"), d.name());
        Map<String, Double> fixed = back.fixedBreakdownMs();
        assertEquals(List.of("stem", "head"), List.copyOf(fixed.keySet()));
        assertEquals(fixed.get("stem") + fixed.get("head"), back.fixedMs(), 1e-12);
        LatencyModel.LatencyRange r = LatencyModels.of(back, s, "back").rangeMs();
        assertTrue(r.fastestMs() > back.fixedMs() && r.slowestMs() >= r.fastestMs(), r.toString());
    }

    @Test
    void validatesWholeNetworksAndTimesWithTheCpuClock() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        MeasureConfig cfg = new MeasureConfig(1, 1, 1, 2, null, MeasureConfig.Clock.CPU);
        Lut lut = OrtLutMeasurer.measure(s, cfg, Progress.NONE);
        assertTrue(lut.device().notes().contains("thread CPU time"), lut.device().notes());
        LutValidation.Result v = OrtLutMeasurer.validate(LatencyModels.of(lut, s, "ort"), cfg, 2, 7, Progress.NONE);
        assertEquals(2, v.rows().size());
        assertEquals(LutValidation.randomArchs(s, 2, 7).get(1).canonical(), v.rows().get(1).arch());
        for (LutValidation.Row row : v.rows()) {
            assertTrue(row.measuredMs() > 0 && Double.isFinite(row.measuredMs()), row.toString());
            assertEquals(LatencyModels.of(lut, s, "ort").predictMs(io.hwnas.supernet.space.Architecture.parse(s, row.arch())), row.predictedMs(),
                    1e-12);
        }
    }

    @Test
    void cpuClockNeedsOneThread() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        HwnasException e = assertThrows(HwnasException.class, () -> OrtLutMeasurer.timeAll(
                List.of(OnnxWriter.stem(s, OnnxWriter.random(1))), List.of(new long[] {1, 1, 28, 28}), 2, 0, 1,
                MeasureConfig.Clock.CPU, Progress.NONE, "t"));
        assertTrue(e.getMessage().contains("one intra-op thread"), e.getMessage());
    }
}
