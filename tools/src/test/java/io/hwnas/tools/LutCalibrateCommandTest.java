package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.Json;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.Lut;
import io.hwnas.latency.predict.Predictors;
import io.hwnas.latency.predict.TrainingSet;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas lut validate --calibrate} end to end on the 2-layer test space (16 architectures), few repeats. */
class LutCalibrateCommandTest {
    @TempDir
    static Path dir;

    static Path space;
    static Path djlLut;

    @BeforeAll
    static void measure() {
        Path[] sl = LutMeasureCommandsTest.measuredTinyLut(dir, "djl.json", 3);
        space = sl[0];
        djlLut = sl[1];
    }

    @Test
    void calibrateJsonWritesResultPlotAndCalibratedLut() throws Exception {
        Path result = dir.resolve("cal/result.json");
        Path calLut = dir.resolve("cal/calibrated.json");
        CliRun r = CliRun.of("lut", "validate", "--lut", djlLut.toString(), "--space", space.toString(), "--archs", "4",
                "--calibrate", "--calibrate-archs", "10", "--repeats", "3", "--warmup", "1", "--seed", "3",
                "--threads", "1", "--clock", "cpu", "-o", result.toString(), "--calibrated-lut", calLut.toString(),
                "--calibrated-method", "scale", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.mapper().readTree(r.out());
        assertEquals(j, Json.mapper().readTree(result.toFile()));
        assertEquals(1, j.get("schema").asInt());
        assertEquals("djl", j.get("runtime").asText());
        assertEquals(4, j.get("test_archs").asInt());
        assertEquals(10, j.get("calibration_archs").asInt());
        assertEquals(4, j.get("test_rows").size());
        assertEquals(10, j.get("calibration_rows").size());
        for (String f : List.of("mape_pct", "kendall_tau", "within10_pct", "rmse_ms")) {
            assertTrue(j.get("raw").has(f), f);
        }
        JsonNode methods = j.get("methods");
        assertEquals(3, methods.size());
        assertEquals("offset", methods.get(0).get("method").asText());
        assertEquals("per-entry", methods.get(2).get("method").asText());
        // the rows carry every model's prediction; the raw one is the LUT's sum
        LatencyModel raw = LatencyModels.read(djlLut, SpaceRegistry.resolve(space.toString()));
        JsonNode row0 = j.get("test_rows").get(0);
        SearchSpace s = raw.space();
        assertEquals(raw.predictMs(io.hwnas.supernet.space.Architecture.parse(s, row0.get("arch").asText())),
                row0.get("predicted_ms").get("raw").asDouble(), 1e-12);
        assertTrue(row0.get("predicted_ms").has("per-entry"), row0.toString());
        // the offset correction equals the mean residual of the calibration rows
        double mean = 0;
        for (JsonNode c : j.get("calibration_rows")) {
            mean += c.get("measured_ms").asDouble() - c.get("raw_predicted_ms").asDouble();
        }
        assertEquals(mean / 10, methods.get(0).get("fit").get("offset_ms").asDouble(), 1e-9);
        // test and calibration architectures are disjoint
        for (JsonNode c : j.get("calibration_rows")) {
            for (JsonNode t : j.get("test_rows")) {
                assertFalse(c.get("arch").asText().equals(t.get("arch").asText()), c.toString());
            }
        }
        Lut cal = Lut.read(calLut);
        assertEquals(DeviceRecord.Source.ESTIMATED, cal.device().source());
        assertTrue(cal.device().notes().startsWith("Calibrated (scale) from 10 end-to-end"), cal.device().notes());
        byte[] png = Files.readAllBytes(dir.resolve("cal/result.png"));
        assertEquals((byte) 0x89, png[0]);
        // the calibrated LUT's predictions are those in the report
        LatencyModel cm = LatencyModels.read(calLut, s);
        assertEquals(cm.predictMs(io.hwnas.supernet.space.Architecture.parse(s, row0.get("arch").asText())),
                row0.get("predicted_ms").get("scale").asDouble(), 1e-12);
    }

    @Test
    void calibrateWithOnnxRuntimeAndTextOutput() {
        Path calLut = dir.resolve("ort-cal.json");
        CliRun r = CliRun.of("lut", "validate", "--lut", djlLut.toString(), "--space", space.toString(), "--archs", "3",
                "--runtime", "onnxruntime", "--calibrate", "--calibrate-archs", "4", "--calibrate-methods",
                "offset,scale", "--calibrated-method", "scale", "--calibrated-lut", calLut.toString(), "--repeats", "2",
                "--warmup", "1", "--threads", "1");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("timed here with ONNX Runtime"), r.out());
        assertTrue(r.out().contains("calibration: 4 other architectures") && r.out().contains("scale ")
                && !r.out().contains("per-entry"), r.out());
        assertTrue(Lut.read(calLut).device().notes().startsWith("Calibrated (scale) from 4"), r.toString());
    }

    @Test
    void badCalibrationInputIsRefusedAndWritesNothing() throws Exception {
        Path o = dir.resolve("bad/result.json");
        Path calLut = dir.resolve("bad/cal.json");
        String[] base = {"lut", "validate", "--lut", djlLut.toString(), "--space", space.toString(), "--archs", "3",
            "--repeats", "1", "--warmup", "0", "-o", o.toString(), "--calibrated-lut", calLut.toString()};
        CliRun r = CliRun.of(concat(base, "--calibrate", "--calibrate-archs", "5"));
        assertTrue(r.userError() && r.err().contains("'--calibrate-archs' = 5") && r.err().contains("per-entry")
                && r.err().contains("at least 10"), r.toString());
        r = CliRun.of(concat(base, "--calibrate", "--calibrate-archs", "14"));
        assertTrue(r.userError() && r.err().contains("'--calibrate-archs' = 14") && r.err().contains("16 architectures"),
                r.toString());
        r = CliRun.of(concat(base, "--calibrate", "--calibrate-methods", "offset,affine"));
        assertTrue(r.userError() && r.err().contains("affine"), r.toString());
        r = CliRun.of(concat(base, "--calibrate", "--calibrate-archs", "4", "--calibrate-methods", "offset"));
        assertTrue(r.userError() && r.err().contains("--calibrated-method"), r.toString());
        r = CliRun.of(concat(base)); // --calibrated-lut without --calibrate
        assertTrue(r.userError() && r.err().contains("needs --calibrate"), r.toString());
        assertFalse(Files.exists(o) || Files.exists(calLut));

        // a predictor file: of another space, and a predictor that is no table
        SearchSpace tiny = SpaceRegistry.get("fbnet-cifar-tiny");
        SplittableRandom rnd = new SplittableRandom(1);
        int[][] a = new int[20][tiny.layerCount()];
        double[] y = new double[20];
        for (int i = 0; i < a.length; i++) {
            for (int l = 0; l < a[i].length; l++) {
                a[i][l] = rnd.nextInt(tiny.ops().size());
                y[i] += 0.1 + a[i][l] * 0.01;
            }
        }
        TrainingSet t = new TrainingSet(tiny, a, y, "synthetic", 1, "synthetic pairs");
        Path xgb = dir.resolve("xgb.json");
        Predictors.fit(Predictors.XGBOOST, t, 1).write(xgb);
        r = CliRun.of("lut", "validate", "--lut", xgb.toString(), "--space", space.toString(), "--calibrate", "-o",
                o.toString());
        assertTrue(r.userError() && r.err().contains(xgb.toString()) && r.err().contains("field 'space'")
                && r.err().contains("fbnet-cifar-tiny"), r.toString());
        r = CliRun.of("lut", "validate", "--lut", xgb.toString(), "--calibrate", "-o", o.toString());
        assertTrue(r.userError() && r.err().contains(xgb.toString()) && r.err().contains("corrects a table"),
                r.toString());
        assertFalse(Files.exists(o) || Files.exists(calLut));
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
