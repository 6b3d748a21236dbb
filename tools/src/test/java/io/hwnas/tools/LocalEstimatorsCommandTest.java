package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas experiment latency-estimators-local} end to end with tiny settings (both runtimes, every method). */
class LocalEstimatorsCommandTest {
    @TempDir
    Path dir;

    @Test
    void runsEndToEndWithTinySettings() throws Exception {
        check(List.of("lut-fit", "flops"));
    }

    /** Every method, the MLP included (ND4J start-up and its fits take about 30 s). */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void runsEndToEndWithEveryMethod() throws Exception {
        check(List.of("lut-fit", "mlp", "xgboost", "flops"));
    }

    void check(List<String> methods) throws Exception {
        Path out = dir.resolve("local-" + methods.size());
        CliRun r = CliRun.of("experiment", "latency-estimators-local", "-o", out.toString(), "--archs", "20", "--test",
                "8", "--sizes", "10", "--repeats", "2", "--warmup", "1", "--lut-repeats", "2", "--lut-warmup", "1",
                "--methods", String.join(",", methods), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.mapper().readTree(r.out());
        assertEquals(j, Json.mapper().readTree(out.resolve("results.json").toFile()));
        assertEquals("fbnet-cifar-tiny", j.get("space").asText());
        assertEquals(2, j.get("runtimes").size());
        assertEquals("djl", j.get("runtimes").get(0).get("runtime").asText());
        assertEquals("onnxruntime", j.get("runtimes").get(1).get("runtime").asText());
        assertTrue(j.get("runtimes").get(1).get("runtime_name").asText().startsWith("ONNX Runtime"), j.toString());
        Set<String> seen = new HashSet<>();
        for (JsonNode w : j.get("rows")) {
            seen.add(w.get("runtime").asText() + " " + w.get("method").asText() + " " + w.get("training_samples")
                    .asInt());
            assertTrue(w.get("mape_pct").asDouble() >= 0 && w.get("query_micros").asDouble() > 0, w.toString());
            assertTrue(w.get("prep_seconds").asDouble() > 0 && w.get("measurements").asInt() > 0, w.toString());
        }
        for (String rt : List.of("djl", "onnxruntime")) {
            assertTrue(seen.contains(rt + " measured-lut 0"), seen.toString());
            List<String> all = new java.util.ArrayList<>(List.of("lut+offset", "lut+scale", "lut+per-entry"));
            all.addAll(methods);
            for (String m : all) {
                assertTrue(seen.contains(rt + " " + m + " 10"), rt + " " + m + ": " + seen);
            }
        }
        assertEquals(2 * (4 + methods.size()), j.get("rows").size());
        // the measured LUT's preparation: one measurement per block (63 entries + stem + head)
        JsonNode lut = j.get("rows").get(0);
        assertEquals(65, lut.get("measurements").asInt());
        assertEquals(65 + 10, j.get("rows").get(1).get("measurements").asInt());
        for (String f : List.of("results.csv", "results.md", "mape-djl.png", "kendall-onnxruntime.png",
                "scatter-djl.png", "scatter-onnxruntime.png")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertEquals(1 + 2 * (4 + methods.size()), Files.readAllLines(out.resolve("results.csv")).size());
        assertTrue(Files.readString(out.resolve("results.md")).contains("| lut+per-entry"), r.out());
    }

    @Test
    void badSettingsAreRefusedBeforeAnyWork() {
        Path out = dir.resolve("never");
        CliRun r = CliRun.of("experiment", "latency-estimators-local", "-o", out.toString(), "--archs", "20", "--test",
                "8", "--sizes", "13");
        assertTrue(r.userError() && r.err().contains("sizes") && r.err().contains("1..12"), r.toString());
        r = CliRun.of("experiment", "latency-estimators-local", "-o", out.toString(), "--threads", "2", "--clock", "cpu");
        assertTrue(r.userError() && r.err().contains("threads"), r.toString());
        r = CliRun.of("experiment", "latency-estimators-local", "-o", out.toString(), "--methods", "gbm");
        assertTrue(r.userError() && r.err().contains("gbm"), r.toString());
        assertTrue(!Files.exists(out));
    }
}
