package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutEntry;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train -> extract -> eval -> finetune through the command line, on a 3-layer test space. */
class TrainCommandsTest {
    @TempDir
    static Path tmp;

    static Path space;
    static SearchSpace s;
    static Path lut;
    static Path cfg;
    static Path run;

    @BeforeAll
    static void train() throws Exception {
        space = Path.of(TrainCommandsTest.class.getResource("/test-tiny-space.json").toURI());
        s = SpaceRegistry.resolve(space.toString());
        lut = writeMacsLut(tmp.resolve("lut.json"));
        cfg = tmp.resolve("cfg.json");
        Files.writeString(cfg, "{\"space\": \"" + space + "\", \"dataset\": \"fashion-mnist\", \"lut\": \"lut.json\","
                + " \"epochs\": 2, \"warmup_epochs\": 1, \"batch_size\": 16, \"train_subset\": 160, \"final_samples\": 2}");
        run = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--config", cfg.toString(), "-o", run.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("argmax architecture"), r.toString());
        for (String png : List.of("accuracy.png", "latency.png", "theta.png")) {
            byte[] b = Files.readAllBytes(run.resolve(png));
            assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', png);
        }
    }

    /** A synthetic LUT of the test space: 0.3 ms fixed, 0.05 ms per op plus 1 ms per MMAC (identity free). */
    static Path writeMacsLut(Path file) throws Exception {
        SearchSpace sp = SpaceRegistry.resolve(Path.of(TrainCommandsTest.class.getResource("/test-tiny-space.json")
                .toURI()).toString());
        List<LutEntry> e = new ArrayList<>();
        for (LayerSpec l : sp.layers()) {
            for (String op : sp.ops()) {
                OpSpec o = OpSpec.parse(op);
                e.add(LutEntry.of(l.index(), l.name(), op, o.isIdentity(l) ? 0 : 0.05 + Costs.op(l, o).macs() / 1e6));
            }
        }
        new Lut(sp.id(), new DeviceRecord("synthetic", DeviceRecord.Source.ESTIMATED, "test", 1, 1, "fp32", null, null,
                "2026-01-01T00:00:00Z", null), 0.3, e, null).write(file);
        return file;
    }

    @Test
    void resumeOfAFinishedRunIsANoOp() {
        CliRun r = CliRun.of("train", "--resume", run.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.parse("out", r.out(), JsonNode.class);
        assertEquals(2, j.get("epochs_done").asInt());
        assertTrue(j.get("completed").asBoolean());
    }

    @Test
    void extractEvalFinetune() {
        Path sub = tmp.resolve("sub");
        CliRun r = CliRun.of("extract", run.toString(), "--recalibrate-batches", "2", "-o", sub.toString());
        assertEquals(0, r.code(), r.toString());
        for (String f : List.of("space.json", "arch.json", "model.params", "origin.json")) {
            assertTrue(Files.isRegularFile(sub.resolve(f)), f);
        }
        Architecture a = Json.read(sub.resolve("arch.json"), Architecture.class);
        Architecture argmax = Json.read(run.resolve("arch-argmax.json"), Architecture.class);
        assertEquals(argmax, a);

        r = CliRun.of("eval", sub.toString(), "--lut", lut.toString(), "--test-subset", "300", "--runs", "5", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.parse("eval", r.out(), JsonNode.class);
        assertEquals(300, j.get("test_images").asInt());
        double acc = j.get("test_accuracy").asDouble();
        assertTrue(acc >= 0 && acc <= 1, r.toString());
        assertEquals(io.hwnas.latency.LatencyModels.read(lut, s).predictMs(a), j.get("predicted").get(0).get("latency_ms").asDouble(), 1e-9);
        assertTrue(j.get("measured_median_ms").asDouble() > 0);
        assertEquals(Costs.architecture(s, a).macs(), j.get("macs").asLong());

        Path ft = tmp.resolve("ft");
        r = CliRun.of("finetune", sub.toString(), "--epochs", "1", "--train-subset", "160", "--batch", "32", "-o",
                ft.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.isRegularFile(ft.resolve("model.params")));
        r = CliRun.of("eval", ft.toString(), "--test-subset", "100", "--runs", "0");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("test accuracy"), r.toString());

        Path scratch = tmp.resolve("scratch");
        r = CliRun.of("finetune", sub.toString(), "--epochs", "1", "--from-scratch", "--train-subset", "64", "-o",
                scratch.toString());
        assertEquals(0, r.code(), r.toString());
    }

    @Test
    void extractSampledArchitecture() {
        Path sub = tmp.resolve("sample");
        CliRun r = CliRun.of("extract", run.toString(), "--arch", "sample:2", "--recalibrate-batches", "1", "-o",
                sub.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(Json.read(run.resolve("arch-sample-2.json"), Architecture.class),
                Json.read(sub.resolve("arch.json"), Architecture.class));
        r = CliRun.of("extract", run.toString(), "--arch", "sample:9", "-o", tmp.resolve("x").toString());
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("arch-sample-9.json"), r.toString());
    }

    @Test
    void badInputGivesAClearError() throws Exception {
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"alpha\": 0,"
                + " \"epochz\": 3}");
        CliRun r = CliRun.of("train", "--config", bad.toString(), "-o", tmp.resolve("r1").toString());
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("epochz") && r.err().contains("bad.json"), r.toString());
        Files.writeString(bad, "{\"space\": ");
        r = CliRun.of("train", "--config", bad.toString(), "-o", tmp.resolve("r1").toString());
        assertTrue(r.userError() && r.err().contains("malformed JSON"), r.toString());
        r = CliRun.of("train", "--config", cfg.toString(), "-o", run.toString());
        assertTrue(r.userError() && r.err().contains("--resume"), r.toString());
        r = CliRun.of("train", "--resume", tmp.resolve("nothing").toString());
        assertTrue(r.userError(), r.toString());
        r = CliRun.of("extract", tmp.resolve("nothing").toString(), "-o", tmp.resolve("y").toString());
        assertTrue(r.userError(), r.toString());
    }

    @Test
    void benchTrainPrintsStepTimes() {
        CliRun r = CliRun.of("bench", "train", "--space", space.toString(), "--batch", "4", "--steps", "1", "--warmup",
                "0", "--modes", "perop-soft,fixed-largest,fixed-sampled", "--threads", "1", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.parse("bench", r.out(), JsonNode.class);
        assertEquals(3, j.get("rows").size());
        assertEquals("perop-soft", j.get("rows").get(0).get("mode").asText());
        for (JsonNode row : j.get("rows")) {
            assertTrue(row.get("ms_per_step").asDouble() > 0, r.toString());
            assertTrue(row.get("images_per_s").asDouble() > 0, r.toString());
            assertTrue(row.has("peak_bytes"), r.toString());
        }
        CliRun bad = CliRun.of("bench", "train", "--modes", "warp-speed");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("warp-speed"), bad.toString());
    }

    /** A second synthetic target: latency from the op count only (a different ranking than MACs). */
    static Path writeOverheadLut(Path file) throws Exception {
        List<LutEntry> e = new ArrayList<>();
        for (LayerSpec l : s.layers()) {
            for (String op : s.ops()) {
                OpSpec o = OpSpec.parse(op);
                e.add(LutEntry.of(l.index(), l.name(), op, o.isIdentity(l) ? 0.01 : 0.2 + 0.01 * o.expansion()));
            }
        }
        new Lut(s.id(), new DeviceRecord("overhead", DeviceRecord.Source.ESTIMATED, "test", 1, 1, "fp32", null, null,
                "2026-01-01T00:00:00Z", null), 0.1, e, null).write(file);
        return file;
    }

    @Test
    void specializeForTwoTargets() throws Exception {
        Path other = writeOverheadLut(tmp.resolve("overhead.json"));
        Path out = tmp.resolve("spec");
        CliRun r = CliRun.of("specialize", run.toString(), "--target", "macs=" + lut + ":0.45", "--target",
                "overhead=" + other, "--accuracy", "supernet", "--population", "8", "--generations", "3",
                "--held-out", "64", "--recalibrate-batches", "2", "-o", out.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.parse("out", r.out(), JsonNode.class);
        assertEquals(2, j.get("targets").size());
        for (JsonNode t : j.get("targets")) {
            assertTrue(t.get("latency_ms").asDouble() <= t.get("budget_ms").asDouble() + 1e-9, t.toString());
            assertTrue(t.get("accuracy").asDouble() >= 0 && t.get("accuracy").asDouble() <= 100, t.toString());
            Path sub = out.resolve(t.get("target").asText());
            assertTrue(Files.isRegularFile(sub.resolve("arch.json")) && Files.isRegularFile(sub.resolve("pick.json")));
            assertEquals(t.get("arch").asText(), Json.read(sub.resolve("arch.json"), Architecture.class).canonical());
        }
        assertEquals(0.45, j.get("targets").get(0).get("budget_ms").asDouble(), 1e-12);
        assertEquals(2, j.get("matrix_ms").size());
        for (String f : List.of("summary.json", "summary.csv", "summary.md", "accuracy-latency-macs.png",
                "accuracy-latency-overhead.png")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        // an unreachable budget and a target of another space are refused, nothing written
        Path out2 = tmp.resolve("spec2");
        CliRun bad = CliRun.of("specialize", run.toString(), "--target", "macs=" + lut + ":0.01", "--accuracy",
                "supernet", "-o", out2.toString());
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("unreachable") && bad.err().contains("0.01"), bad.toString());
        Path cifar = tmp.resolve("cifar-lut.json");
        assertEquals(0, CliRun.of("lut", "import", "--format", "hwnasbench-fbnet", "--device", "pixel3", "-o",
                cifar.toString()).code());
        bad = CliRun.of("specialize", run.toString(), "--target", "p=" + cifar, "-o", out2.toString());
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("fbnet-cifar") && bad.err().contains("test-tiny"), bad.toString());
        assertTrue(!Files.exists(out2), "a refused call wrote " + out2);
    }
}
