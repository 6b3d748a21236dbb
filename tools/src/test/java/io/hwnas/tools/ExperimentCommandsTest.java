package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas experiment latency-sweep} on the 3-layer test space: files, latency pressure, reuse, bad input. */
class ExperimentCommandsTest {
    @TempDir
    static Path tmp;

    static Path sweep;
    static Path out;
    static CliRun first;

    static String sweepJson(String extraBase, String settings) throws Exception {
        Path space = Path.of(ExperimentCommandsTest.class.getResource("/test-tiny-space.json").toURI());
        return "{\"schema\": 1, \"name\": \"test-sweep\", \"base\": {\"space\": \"" + space + "\", \"dataset\":"
                + " \"fashion-mnist\", \"lut\": \"lut.json\", \"epochs\": 3, \"warmup_epochs\": 1, \"batch_size\": 16,"
                + " \"train_subset\": 200, \"theta_lr\": 0.1, \"final_samples\": 0" + extraBase + "}, \"settings\": "
                + settings + "}";
    }

    @BeforeAll
    static void runSweep() throws Exception {
        TrainCommandsTest.writeMacsLut(tmp.resolve("lut.json"));
        sweep = tmp.resolve("sweep.json");
        Files.writeString(sweep, sweepJson("", "[{\"name\": \"ce-only\", \"alpha\": 0},"
                + " {\"name\": \"additive-strong\", \"alpha\": 20, \"latency_loss\": \"additive\"}]"));
        out = tmp.resolve("out");
        first = CliRun.of("experiment", "latency-sweep", "--config", sweep.toString(), "-o", out.toString(), "--json");
        assertEquals(0, first.code(), first.toString());
    }

    @Test
    void writesResultsAndLatencyPressureLowersLatency() throws Exception {
        for (String f : List.of("results.json", "results.csv", "results.md", "expected-latency.png",
                "op-probabilities.png", "runs/ce-only/result.json", "runs/additive-strong/result.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonNode r = Json.parse("out", first.out(), JsonNode.class);
        JsonNode rows = r.get("rows");
        assertEquals(2, rows.size());
        assertEquals("none", rows.get(0).get("latency_loss").asText());
        assertEquals(0.0, rows.get(0).get("argmax_change_pct").asDouble(), 1e-12);
        assertEquals(3, rows.get(1).get("expected_latency_by_epoch").size());
        // strong latency pressure ends with a cheaper expected architecture than plain cross-entropy
        double plain = rows.get(0).get("expected_latency_ms").asDouble();
        double pressed = rows.get(1).get("expected_latency_ms").asDouble();
        assertTrue(pressed < plain, "E[lat] " + pressed + " with pressure, " + plain + " without");
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("| additive-strong | additive | 20 |"), md);
        assertEquals(3, Files.readAllLines(out.resolve("results.csv")).size());
        byte[] png = Files.readAllBytes(out.resolve("op-probabilities.png"));
        assertEquals((byte) 0x89, png[0]);
    }

    @Test
    void sharedWarmupGivesTheSameRunAsAStraightOne() throws Exception {
        assertTrue(first.err().contains("warm-up epoch(s) taken from"), first.err());
        JsonNode sw = Json.mapper().readTree(Files.readString(sweep)).get("base");
        ((com.fasterxml.jackson.databind.node.ObjectNode) sw).put("alpha", 20).put("latency_loss", "additive")
                .put("lut", tmp.resolve("lut.json").toString());
        Path cfg = tmp.resolve("straight.json");
        Files.writeString(cfg, Json.write(sw));
        Path straight = tmp.resolve("straight");
        CliRun r = CliRun.of("train", "--config", cfg.toString(), "-o", straight.toString());
        assertEquals(0, r.code(), r.toString());
        Path shared = out.resolve("runs/additive-strong");
        assertEquals(Json.mapper().readTree(Files.readString(straight.resolve("theta.json"))),
                Json.mapper().readTree(Files.readString(shared.resolve("theta.json"))));
        assertEquals(withoutWall(straight), withoutWall(shared));
    }

    private static List<JsonNode> withoutWall(Path run) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode)
                    Json.mapper().readTree(line);
            n.remove("wall_seconds");
            out.add(n);
        }
        return out;
    }

    @Test
    void secondRunReusesFinishedSettings() {
        CliRun again = CliRun.of("experiment", "latency-sweep", "--config", sweep.toString(), "-o", out.toString());
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.err().contains("ce-only: finished earlier, reused"), again.err());
        assertTrue(again.out().contains("additive-strong"), again.out());
    }

    @Test
    void anotherConfigInTheSameFolderIsRefused() throws Exception {
        Path changed = tmp.resolve("changed.json");
        Files.writeString(changed, sweepJson(", \"seed\": 99", "[{\"name\": \"ce-only\", \"alpha\": 0}]"));
        CliRun r = CliRun.of("experiment", "latency-sweep", "--config", changed.toString(), "-o", out.toString());
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("runs/ce-only") && r.err().contains("'seed'"), r.err());
        // refused before any setting trains, not when the loop reaches the one of another config
        Files.writeString(changed, sweepJson(", \"seed\": 99", "[{\"name\": \"fresh\", \"alpha\": 0},"
                + " {\"name\": \"ce-only\", \"alpha\": 0}]"));
        r = CliRun.of("experiment", "latency-sweep", "--config", changed.toString(), "-o", out.toString());
        assertTrue(r.userError() && r.err().contains("runs/ce-only"), r.toString());
        assertFalse(Files.exists(out.resolve("runs/fresh")), "trained a setting before refusing: " + r);
    }

    @Test
    void badSweepFilesNameTheField() throws Exception {
        Path bad = tmp.resolve("bad.json");
        String[][] cases = {
            {sweepJson("", "[]"), "settings"},
            {sweepJson("", "[{\"name\": \"a\", \"alpha\": 0}, {\"name\": \"a\", \"alpha\": 1}]"), "used twice"},
            {sweepJson("", "[{\"name\": \"a b\"}]"), "'name'"},
            {sweepJson("", "[{\"name\": \"a\", \"latency_loss\": \"sideways\"}]"), "latency_loss"},
            {sweepJson("", "[{\"name\": \"a\", \"alhpa\": 1}]"), "field 'settings[0].alhpa' is not known"},
            {sweepJson(", \"epochz\": 1", "[{\"name\": \"a\"}, {\"name\": \"b\"}]"), "field 'base.epochz' is not known"},
            {"", "is empty"},
            {"{\"schema\": 1, \"settings\": [{\"name\": \"a\"}]}", "'base'"},
            {"{\"schema\": 1, \"base\": {}, ", "malformed JSON"},
        };
        for (String[] c : cases) {
            Files.writeString(bad, c[0]);
            Path o = tmp.resolve("bad-out");
            CliRun r = CliRun.of("experiment", "latency-sweep", "--config", bad.toString(), "-o", o.toString());
            assertTrue(r.userError(), c[1] + ": " + r);
            assertTrue(r.err().contains("bad.json") && r.err().contains(c[1]), c[1] + ": " + r.err());
            assertFalse(Files.exists(o.resolve("results.json")), c[1]);
        }
        CliRun r = CliRun.of("experiment", "latency-sweep", "--config", tmp.resolve("missing.json").toString(), "-o",
                tmp.resolve("x").toString());
        assertTrue(r.userError() && r.err().contains("missing.json"), r.toString());
        assertNotNull(r);
    }

    /** What --config replaces is refused beside it, not silently dropped; nothing is written. */
    @Test
    void sharedWeightsConfigRefusesPresetAndLut() throws Exception {
        Path cfg = java.nio.file.Path.of(System.getProperty("hwnas.root", ".."), "experiments", "results",
                "shared-weights", "preset-fmnist.json");
        for (String[] extra : new String[][] {{"--lut", cfg.toString()}, {"--preset", "cifar10"}}) {
            Path o = tmp.resolve("sw-never");
            CliRun r = CliRun.of("experiment", "shared-weights", "--config", cfg.toString(), extra[0], extra[1], "-o",
                    o.toString());
            assertTrue(r.userError() && r.err().contains("option '" + extra[0] + "' does not apply with --config"),
                    r.toString());
            assertTrue(!java.nio.file.Files.exists(o), "wrote " + o);
        }
    }
}
