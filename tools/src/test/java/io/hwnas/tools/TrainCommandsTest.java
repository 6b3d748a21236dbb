package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutEntry;
import io.hwnas.search.subnet.Finetune;
import io.hwnas.search.subnet.Origin;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.Json;
import io.hwnas.supernet.net.SubnetIO;
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
        // without --lut: the latency under the run's LUT, as extraction recorded it (and fine-tuning kept it)
        assertTrue(r.out().contains(String.format("predicted latency: %.4f ms under %s [", io.hwnas.latency.LatencyModels
                .read(lut, s).predictMs(a), lut)) && r.out().contains("; the run's LUT, as extraction recorded it in"
                + " origin.json]"), r.toString());

        Path scratch = tmp.resolve("scratch");
        r = CliRun.of("finetune", sub.toString(), "--epochs", "1", "--from-scratch", "--train-subset", "64", "-o",
                scratch.toString());
        assertEquals(0, r.code(), r.toString());
    }

    /**
     * eval_test's per-epoch test accuracy is the argmax as {@code extract} (BN recalibrated) and {@code eval} give it,
     * not the path inside the supernet with the running statistics every path shares; and evaluating it changes
     * nothing of the training (θ as in the same run without it).
     */
    @Test
    void evalTestIsTheExtractedArgmaxAccuracy() throws Exception {
        Path c = tmp.resolve("cfg-eval-test.json");
        Files.writeString(c, Files.readString(cfg).replace("}", ", \"eval_test\": true, \"test_subset\": 300}"));
        Path r2 = tmp.resolve("run-eval-test");
        CliRun r = CliRun.of("train", "--config", c.toString(), "-o", r2.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(Files.readString(run.resolve("theta.json")), Files.readString(r2.resolve("theta.json")));
        List<String> lines = Files.readAllLines(r2.resolve("metrics.jsonl"));
        double perEpoch = Json.parse("metrics", lines.get(lines.size() - 1), JsonNode.class).get("test_accuracy")
                .asDouble();
        Path sub = tmp.resolve("sub-eval-test");
        r = CliRun.of("extract", r2.toString(), "-o", sub.toString());
        assertEquals(0, r.code(), r.toString());
        r = CliRun.of("eval", sub.toString(), "--test-subset", "300", "--runs", "0", "--json");
        assertEquals(0, r.code(), r.toString());
        assertEquals(Json.parse("eval", r.out(), JsonNode.class).get("test_accuracy").asDouble(), perEpoch, 1e-12);
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
        r = CliRun.of("extract", run.toString(), "--arch", "sample:0", "-o", tmp.resolve("x").toString());
        assertTrue(r.userError() && r.err().contains("--arch sample:0: K counts the run's final samples from 1"),
                r.toString());
        assertFalse(Files.exists(tmp.resolve("x")));
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
        assertTrue(r.userError() && r.err().contains("already holds a training run (finished)"), r.toString());
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
                "--held-out", "16", "--recalibrate-batches", "2", "-o", out.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.parse("out", r.out(), JsonNode.class);
        assertEquals(2, j.get("targets").size());
        for (JsonNode t : j.get("targets")) {
            assertTrue(t.get("latency_ms").asDouble() <= t.get("budget_ms").asDouble() + 1e-9, t.toString());
            assertTrue(t.get("accuracy").asDouble() >= 0 && t.get("accuracy").asDouble() <= 100, t.toString());
            // the pick scored again on the architecture part's images the search never saw (all but its 16)
            assertTrue(t.get("unseen_images").asInt() > 0 && t.get("unseen_accuracy").asDouble() >= 0
                    && t.get("unseen_accuracy").asDouble() <= 100, t.toString());
            Path sub = out.resolve(t.get("target").asText());
            assertTrue(Files.isRegularFile(sub.resolve("arch.json")) && Files.isRegularFile(sub.resolve("pick.json")));
            assertEquals(t.get("arch").asText(), Json.read(sub.resolve("arch.json"), Architecture.class).canonical());
        }
        assertEquals(0.45, j.get("targets").get(0).get("budget_ms").asDouble(), 1e-12);
        assertEquals(2, j.get("matrix_ms").size());
        // the accuracy that picks is the supernet's on held-out training images, not test accuracy: said so
        assertTrue(Files.readString(out.resolve("summary.md")).startsWith(
                "| target | budget (ms) | architecture | latency (ms) | held-out accuracy (%) | on unseen held-out"
                + " images (%) |"));
        assertTrue(Files.readString(out.resolve("summary.csv")).startsWith(
                "target,budget_ms,arch,latency_ms,accuracy,unseen_accuracy,seconds,"));
        for (String f : List.of("summary.json", "summary.csv", "summary.md", "accuracy-latency-macs.png",
                "accuracy-latency-overhead.png", "cross-target.png")) {
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
        // options of another method, and budgets that are no latency, are refused rather than ignored
        bad = CliRun.of("specialize", run.toString(), "--target", "macs=" + lut + ":0.45", "--theta-steps", "5", "-o",
                out2.toString());
        assertTrue(bad.userError() && bad.err().contains("'--theta-steps' applies to --method theta only"),
                bad.toString());
        bad = CliRun.of("specialize", run.toString(), "--target", "macs=" + lut + ":0.45", "--method", "theta",
                "--population", "8", "-o", out2.toString());
        assertTrue(bad.userError() && bad.err().contains("'--population' applies to the architecture searches only"),
                bad.toString());
        bad = CliRun.of("specialize", run.toString(), "--target", "macs=" + lut + ":-1", "-o", out2.toString());
        assertTrue(bad.userError() && bad.err().contains("positive number of ms"), bad.toString());
        assertTrue(!Files.exists(out2), "a refused call wrote " + out2);

        // a second call into the same folder is refused before any work, and nothing there changes
        java.util.Map<String, String> before = contents(out);
        List<String> again = List.of("specialize", run.toString(), "--target", "macs=" + lut + ":0.45", "--accuracy",
                "supernet", "--population", "8", "--generations", "2", "--held-out", "64", "--recalibrate-batches", "2",
                "-o", out.toString());
        bad = CliRun.of(again.toArray(String[]::new));
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("earlier specialization") && bad.err().contains("--force"), bad.toString());
        assertEquals(before, contents(out));
        // --force with an input refused later still leaves the old picks alone
        bad = CliRun.of("specialize", run.toString(), "--target", "macs=" + lut + ":0.01", "-o", out.toString(),
                "--force");
        assertEquals(2, bad.code(), bad.toString());
        assertEquals(before, contents(out));
        // --force replaces the folder's contents: the target of the first call is gone
        List<String> forced = new ArrayList<>(again);
        forced.add("--force");
        r = CliRun.of(forced.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.isDirectory(out.resolve("macs")) && !Files.exists(out.resolve("overhead"))
                && !Files.exists(out.resolve("accuracy-latency-overhead.png")), r.toString());
        // the run folder itself is never emptied
        bad = CliRun.of("specialize", run.toString(), "--target", "macs=" + lut + ":0.45", "-o", run.getParent()
                .toString(), "--force");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(Files.isDirectory(run) && bad.err().contains("which this call reads"), bad.toString());
        // nor a folder holding a latency model the call reads
        Path lutIn = out.resolve("my-lut.json");
        Files.copy(lut, lutIn);
        bad = CliRun.of("specialize", run.toString(), "--target", "macs=" + lutIn + ":0.45", "-o", out.toString(),
                "--force");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(Files.isRegularFile(lutIn) && bad.err().contains(lutIn + ", which this call reads"),
                bad.toString());
    }

    @Test
    void extractRefusesToReplaceASubnetOfAnotherRun() throws Exception {
        Path copy = copyOfRun(tmp.resolve("run-copy"));
        Path sub = tmp.resolve("sub-origin");
        assertEquals(0, CliRun.of("extract", run.toString(), "--recalibrate-batches", "1", "-o", sub.toString()).code());
        java.util.Map<String, String> before = contents(sub);
        CliRun again = CliRun.of("extract", run.toString(), "--recalibrate-batches", "1", "-o", sub.toString());
        assertEquals(0, again.code(), again.toString()); // the same architecture from the same run: extracted again
        CliRun other = CliRun.of("extract", copy.toString(), "--recalibrate-batches", "1", "-o", sub.toString());
        assertEquals(2, other.code(), other.toString());
        assertTrue(other.err().contains("another run") && other.err().contains(run.toString()), other.toString());
        assertEquals(before, contents(sub));
        CliRun forced = CliRun.of("extract", copy.toString(), "--recalibrate-batches", "1", "-o", sub.toString(),
                "--force");
        assertEquals(0, forced.code(), forced.toString());
        assertEquals(copy.toAbsolutePath().normalize().toString(),
                Path.of(Json.read(sub.resolve("origin.json"), JsonNode.class).get("run_dir").asText()).toAbsolutePath()
                        .normalize().toString());
    }

    /**
     * Trial bug: specialize -o RUN/checkpoints --force emptied the run's checkpoints before loading one.
     * An -o that is, lies in or holds the run or subnet folder a command reads, or lies in any training
     * run, is refused even with --force, naming the option and the folder, and nothing changes.
     */
    @Test
    void outputsInOrAroundWhatIsReadOrInARunAreRefusedEvenWithForce() throws Exception {
        Path copy = copyOfRun(tmp.resolve("run-guard"));
        Path ckpts = copy.resolve("checkpoints");
        Path ckpt;
        try (var l = Files.list(ckpts)) {
            ckpt = l.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        String target = "macs=" + lut + ":0.45";
        String inside = "is inside the training run " + copy + ", which this call reads";
        for (Path o : List.of(ckpts, ckpt, copy.resolve("picks"))) {
            TrainSafetyCliTest.refused(copy, a("specialize", copy.toString(), "--target", target, "-o", o.toString(),
                    "--force"), "-o " + o + ": " + inside, "--force does not change this");
        }
        TrainSafetyCliTest.refused(copy, a("specialize", copy.toString(), "--target", target, "-o", copy.toString(),
                "--force"), "-o " + copy + ": is the training run, which this call reads");
        TrainSafetyCliTest.refused(copy, a("extract", copy.toString(), "-o", copy.toString(), "--force"),
                "-o " + copy + ": is the training run, which this call reads");
        for (Path o : List.of(ckpts, ckpt, copy.resolve("subnets/argmax"))) {
            TrainSafetyCliTest.refused(copy, a("extract", copy.toString(), "-o", o.toString(), "--force"),
                    "-o " + o + ": " + inside);
        }
        // another run than the one read: never a subnet or picks into it or below it
        TrainSafetyCliTest.refused(copy, a("extract", run.toString(), "-o", copy.toString(), "--force"),
                "-o " + copy + ": holds a training run", "even with --force");
        TrainSafetyCliTest.refused(copy, a("specialize", run.toString(), "--target", target, "-o", ckpts.toString(),
                "--force"), "-o " + ckpts + ": is inside the training run " + copy.toRealPath(), "even with --force");
        Path box = tmp.resolve("box-guard"); // --force empties a folder, never one holding a run
        Files.createDirectories(box);
        Path boxed = copyOfRun(box.resolve("inner"));
        TrainSafetyCliTest.refused(box, a("specialize", run.toString(), "--target", target, "-o", box.toString(),
                "--force"), "-o " + box + ": holds the training run " + boxed, "--force will not empty it");
        Path sub = tmp.resolve("sub-guard");
        assertEquals(0, CliRun.of("extract", run.toString(), "--recalibrate-batches", "1", "-o", sub.toString()).code());
        for (Path o : List.of(copy, ckpt)) {
            TrainSafetyCliTest.refused(copy, a("finetune", sub.toString(), "-o", o.toString(), "--force"), "-o " + o,
                    "training run", "even with --force");
        }
        // the subnet read: not the output, nor a folder in or around it
        TrainSafetyCliTest.refused(sub, a("finetune", sub.toString(), "-o", sub.toString(), "--force"),
                "-o " + sub + ": is the subnet folder, which this call reads");
        TrainSafetyCliTest.refused(sub, a("finetune", sub.toString(), "-o", sub.resolve("ft").toString(), "--force"),
                "-o " + sub.resolve("ft") + ": is inside the subnet folder " + sub);
        TrainSafetyCliTest.refused(sub, a("export", sub.toString(), "-o", sub.resolve("model.onnx").toString(),
                "--force"), "-o " + sub.resolve("model.onnx") + ": is inside the subnet folder " + sub);
        // an exported model never lands over another subnet's files, nor in a run (trial: --force wrote over both)
        Path other = tmp.resolve("sub-guard-2");
        assertEquals(0, CliRun.of("extract", run.toString(), "--recalibrate-batches", "1", "-o", other.toString())
                .code());
        byte[] weights = Files.readAllBytes(other.resolve(SubnetIO.PARAMS_FILE));
        TrainSafetyCliTest.refused(other, a("export", sub.toString(), "-o", other.resolve(SubnetIO.PARAMS_FILE)
                .toString(), "--force"), "is a file of the subnet in", "even with --force");
        assertTrue(java.util.Arrays.equals(weights, Files.readAllBytes(other.resolve(SubnetIO.PARAMS_FILE))));
        TrainSafetyCliTest.refused(copy, a("export", sub.toString(), "-o", copy.resolve("theta.json").toString(),
                "--force"), "is inside the training run", "even with --force");
    }

    /**
     * Trial bug: finetune -o OUT silently replaced an earlier fine-tune of other settings, which
     * origin.json did not record. Now it records them, and only the same call replaces it without --force.
     */
    @Test
    void finetuneRecordsItsSettingsAndReplacesOnlyTheSameCallWithoutForce() throws Exception {
        Path sub = tmp.resolve("sub-settings");
        assertEquals(0, CliRun.of("extract", run.toString(), "--recalibrate-batches", "1", "-o", sub.toString()).code());
        Path ft = tmp.resolve("ft-settings");
        String[] call = a("finetune", sub.toString(), "--epochs", "1", "--train-subset", "64", "--batch", "32",
                "--seed", "2", "-o", ft.toString());
        CliRun r = CliRun.of(call);
        assertEquals(0, r.code(), r.toString());
        Origin o = Origin.read(ft.resolve(Origin.FILE));
        assertEquals(new Finetune.Settings(sub.toRealPath().toString(), 1, 32, 0.05, 0.9, 4e-5, false,
                2, 64, false, null, null), o.finetune());
        r = CliRun.of(call); // the same call again: a rerun replaces it
        assertEquals(0, r.code(), r.toString());
        // the same call through a link to the subnet folder is the same call
        Path link = Files.createSymbolicLink(tmp.resolve("sub-settings-link"), sub);
        r = CliRun.of(a("finetune", link.toString(), "--epochs", "1", "--train-subset", "64", "--batch", "32",
                "--seed", "2", "-o", ft.toString()));
        assertEquals(0, r.code(), r.toString());
        // extract over a fine-tune would lose its training: refused without --force
        TrainSafetyCliTest.refused(ft, a("extract", run.toString(), "--recalibrate-batches", "1", "-o", ft.toString()),
                "-o " + ft + ": already holds a fine-tuned subnet", "--force");
        TrainSafetyCliTest.refused(ft, LutCalibrateCommandTest.concat(call, "--lr", "0.1", "--from-scratch"),
                "-o " + ft + ": already holds a fine-tune of this architecture with other settings",
                "--lr: 0.05 there, 0.1 now", "--from-scratch: false there, true now", "--force");
        // an extracted subnet of the same architecture from the same run is no earlier fine-tune
        Path sub2 = tmp.resolve("sub-settings-2");
        assertEquals(0, CliRun.of("extract", run.toString(), "--recalibrate-batches", "1", "-o", sub2.toString())
                .code());
        TrainSafetyCliTest.refused(sub2, a("finetune", sub.toString(), "--epochs", "1", "--train-subset", "64", "-o",
                sub2.toString()), "-o " + sub2, "not a fine-tune (kind extracted)", "--force");
        // an origin.json written before the settings were recorded still reads; replacing it needs --force
        Path f = ft.resolve(Origin.FILE);
        var n = (com.fasterxml.jackson.databind.node.ObjectNode) Json.read(f, JsonNode.class);
        n.remove("finetune");
        Json.writeFile(f, n);
        assertEquals(null, Origin.read(f).finetune());
        TrainSafetyCliTest.refused(ft, call, "-o " + ft, "settings origin.json does not record", "--force");
        r = CliRun.of(LutCalibrateCommandTest.concat(call, "--lr", "0.1", "--force"));
        assertEquals(0, r.code(), r.toString());
        assertEquals(0.1, Origin.read(f).finetune().lr());
    }

    static String[] a(String... args) {
        return args;
    }

    /** A LUT of the test space whose fastest architecture (all skip) takes 1e-6 ms: log LAT is undefined there. */
    static Path writeNearZeroLut(Path file) throws Exception {
        List<LutEntry> e = new ArrayList<>();
        for (LayerSpec l : s.layers()) {
            for (String op : s.ops()) {
                OpSpec o = OpSpec.parse(op);
                e.add(LutEntry.of(l.index(), l.name(), op, op.equals("skip") ? 0 : 0.1 * o.expansion()
                        + 0.02 * o.kernel()));
            }
        }
        new Lut(s.id(), new DeviceRecord("near-zero", DeviceRecord.Source.ESTIMATED, "test", 1, 1, "fp32", null, null,
                "2026-01-01T00:00:00Z", null), 1e-6, e, null).write(file);
        return file;
    }

    /**
     * Extraction only records the LUT latency: a LUT changed since the run started gives a warning (the
     * latency then comes from the current file), a missing one no latency; resume still refuses both while
     * anything is left to do (here: result.json not yet written), and shows a finished run's stored result.
     */
    @Test
    void extractNeedsNoUnchangedLutButResumeDoes() throws Exception {
        Path copy = copyOfRun(tmp.resolve("run-lut"));
        Path myLut = Files.copy(lut, tmp.resolve("run-lut.json"));
        for (String f : List.of("config.json", "provenance.json")) { // the copy's LUT is a file of its own
            Path p = copy.resolve(f);
            Files.writeString(p, Files.readString(p).replace("\"" + lut + "\"", "\"" + myLut + "\""));
        }
        assertTrue(Files.readString(copy.resolve("config.json")).contains(myLut.toString()));
        writeOverheadLut(myLut);
        Path sub = tmp.resolve("sub-changed-lut");
        CliRun r = CliRun.of("extract", copy.toString(), "--recalibrate-batches", "1", "-o", sub.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("hwnas: warning: " + myLut + ": the LUT changed since the run started")
                && r.err().contains("comes from the current file"), r.toString());
        Architecture a = Json.read(sub.resolve("arch.json"), Architecture.class);
        JsonNode o = Json.read(sub.resolve("origin.json"), JsonNode.class);
        var now = io.hwnas.latency.LatencyModels.read(myLut, s);
        assertEquals(now.predictMs(a), o.get("lut_latency_ms").asDouble(), 1e-9);
        assertEquals(now.sha256(), o.get("lut_sha256").asText());
        Path result = copy.resolve("result.json");
        Path aside = tmp.resolve("run-lut-result.json");
        Files.move(result, aside); // as if stopped after the last epoch's checkpoint, before the final files
        CliRun resume = CliRun.of("train", "--resume", copy.toString());
        assertTrue(resume.userError() && resume.err().contains("resuming would not reproduce the run"),
                resume.toString());
        Files.move(aside, result);
        resume = CliRun.of("train", "--resume", copy.toString()); // finished: nothing is trained, the LUT is not read
        assertEquals(0, resume.code(), resume.toString());
        assertTrue(resume.out().startsWith("training finished after 2 epochs"), resume.toString());

        Files.delete(myLut);
        Path sub2 = tmp.resolve("sub-no-lut");
        r = CliRun.of("extract", copy.toString(), "--recalibrate-batches", "1", "-o", sub2.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains(copy.resolve("config.json") + ": field 'lut' = \"" + myLut + "\""), r.toString());
        o = Json.read(sub2.resolve("origin.json"), JsonNode.class);
        assertTrue(o.get("lut_latency_ms").isNull(), o.toString());
        assertEquals(Json.read(copy.resolve("provenance.json"), JsonNode.class).get("lut").get("sha256").asText(),
                o.get("lut_sha256").asText());
        Files.move(result, aside);
        resume = CliRun.of("train", "--resume", copy.toString());
        assertTrue(resume.userError() && resume.err().contains(copy.resolve("config.json") + ": field 'lut'"),
                resume.toString());
        Files.move(aside, result);
        assertEquals(0, CliRun.of("train", "--resume", copy.toString()).code());
    }

    /** A copy of the shared run (without its lock file) at {@code to}. */
    static Path copyOfRun(Path to) throws Exception {
        try (var files = Files.walk(run)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path t = to.resolve(run.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else if (!f.getFileName().toString().equals(".lock")) {
                    Files.copy(f, t);
                }
            }
        }
        return to;
    }

    /** sha256 of every file of a folder, by relative path. */
    static java.util.Map<String, String> contents(Path dir) throws Exception {
        java.util.Map<String, String> m = new java.util.TreeMap<>();
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(f).toString(), io.hwnas.core.Hashes.sha256(Files.readAllBytes(f)));
            }
        }
        return m;
    }

    static CliRun theta(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("specialize", run.toString(), "--method", "theta", "--theta-steps",
                "20", "--theta-lr", "0.1", "--theta-bisections", "1", "--held-out", "64", "--recalibrate-batches", "2",
                "-o", out.toString(), "--json"));
        a.addAll(List.of(extra));
        return CliRun.of(a.toArray(String[]::new));
    }

    /**
     * A call that fails after the per-target picks are written (a multi-target floor no subnet of this tiny run
     * reaches) leaves neither picks nor the folder it made.
     */
    @Test
    void aSpecializationThatFailsMidwayLeavesNothing() throws Exception {
        Path other = writeOverheadLut(tmp.resolve("overhead-midway.json"));
        Path out = tmp.resolve("spec-fails/picks");
        CliRun r = CliRun.of("specialize", run.toString(), "--target", "macs=" + lut, "--target", "overhead=" + other,
                "--accuracy", "supernet", "--population", "4", "--generations", "1", "--held-out", "64",
                "--recalibrate-batches", "1", "--multi-target", "--multi-objective", "worst-ratio", "--accuracy-floor",
                "99.5", "-o", out.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("hwnas: error: ") && r.err().contains("99.5") && !r.err().contains("\tat "),
                r.toString());
        assertTrue(r.err().contains("macs: ") && r.err().contains("overhead: "), "both targets were picked first: " + r);
        assertFalse(Files.exists(tmp.resolve("spec-fails")), "a failed call left " + tmp.resolve("spec-fails"));
    }

    @Test
    void thetaMethodMeetsTheBudgetWithoutWritingTheRun() throws Exception {
        java.util.Map<String, String> before = contents(run);
        Path out = tmp.resolve("spec-theta");
        CliRun r = theta(out, "--target", "macs=" + lut, "--budget-fraction", "0.1");
        assertEquals(0, r.code(), r.toString());
        assertEquals(before, contents(run), "specialize --method theta changed the run folder");
        JsonNode j = Json.parse("out", r.out(), JsonNode.class);
        assertEquals("theta", j.get("method").asText());
        JsonNode t = j.get("targets").get(0);
        assertTrue(t.get("latency_ms").asDouble() <= t.get("budget_ms").asDouble(), t.toString());
        assertEquals(t.get("arch").asText(), Json.read(out.resolve("macs/arch.json"), Architecture.class).canonical());
        JsonNode th = t.get("theta");
        JsonNode trials = th.get("trials");
        assertTrue(th.get("latency_term").asText().contains("0.1ms"), th.toString()); // FBNet's unit: fastest 0.35 ms
        // the pick is the smallest α whose argmax met the budget; α = 0 came first
        assertEquals(0.0, trials.get(0).get("alpha").asDouble());
        double chosen = th.get("alpha").asDouble();
        for (JsonNode x : trials) {
            if (x.get("meets").asBoolean()) {
                assertTrue(x.get("alpha").asDouble() >= chosen, th.toString());
            }
            if (x.get("alpha").asDouble() == chosen) {
                assertEquals(t.get("arch").asText(), x.get("arch").asText());
            }
        }
        assertEquals(20L * trials.size(), th.get("theta_steps").asLong());
        // same seed, same pick (and same trials)
        CliRun again = theta(tmp.resolve("spec-theta-2"), "--target", "macs=" + lut, "--budget-fraction", "0.1");
        JsonNode j2 = Json.parse("out", again.out(), JsonNode.class);
        assertEquals(t.get("arch").asText(), j2.get("targets").get(0).get("arch").asText());
        assertEquals(trials.toString(), j2.get("targets").get(0).get("theta").get("trials").toString());
    }

    @Test
    void thetaSearchLeavesTheWeightsAlone() throws Exception {
        io.hwnas.search.run.RunDir rd = io.hwnas.search.run.RunDir.open(run);
        io.hwnas.search.train.TrainConfig c = rd.config();
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            io.hwnas.search.run.RunDir.Trained tr = rd.load(m);
            java.util.Map<String, float[]> w0 = new java.util.TreeMap<>();
            for (var p : tr.net().getParameters()) {
                w0.put(p.getKey(), p.getValue().getArray().toFloatArray());
            }
            float[][] theta0 = tr.theta().rows();
            var train = io.hwnas.search.train.TrainData.load(c.dataset(), c.dataDir(), true, c.trainSubset(), c.seed());
            var split = io.hwnas.search.train.TrainData.split(train, c.weightFraction(), c.seed());
            var model = io.hwnas.latency.LatencyModels.read(lut, rd.space());
            double budget = model.rangeMs().fastestMs() + 0.05 * (model.rangeMs().slowestMs()
                    - model.rangeMs().fastestMs());
            var cfg = new io.hwnas.search.specialize.ThetaSearch.Config(20, 0.2, 1, 0.6, 4.0, 16, 5e-4, 3);
            var res = io.hwnas.search.specialize.ThetaSearch.search(tr.net(), theta0, model, budget, cfg, split.arch(),
                    io.hwnas.datasets.Normalization.of(split.weights()), io.hwnas.core.Progress.NONE);
            assertTrue(model.predictMs(res.ops()) <= budget);
            assertTrue(res.trials().size() >= 2, "α = 0 met a budget at 5% of the range: " + res.trials());
            int changedBn = 0;
            for (var p : tr.net().getParameters()) {
                float[] now = p.getValue().getArray().toFloatArray();
                String type = p.getValue().getType().name();
                if (type.startsWith("RUNNING")) {
                    changedBn += java.util.Arrays.equals(now, w0.get(p.getKey())) ? 0 : 1;
                } else {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(w0.get(p.getKey()), now, p.getKey());
                }
            }
            assertTrue(changedBn > 0, "the θ steps ran no training-mode forward pass");
            for (int l = 0; l < theta0.length; l++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(theta0[l], tr.theta().rows()[l]);
            }
        }
    }

    @Test
    void thetaMethodWorksOnANearZeroModel() throws Exception {
        Path zero = writeNearZeroLut(tmp.resolve("near-zero.json"));
        var model = io.hwnas.latency.LatencyModels.read(zero, s);
        assertTrue(model.rangeMs().fastestMs() < 1e-5);
        // FBNet's term is undefined here; the θ method's normalises LAT to the model's range
        org.junit.jupiter.api.Assertions.assertThrows(io.hwnas.core.HwnasException.class, () -> model.lossUnit("auto"));
        var term = io.hwnas.search.train.LatencyLoss.anyRange(model, 1, 0.6, "additive", "sample");
        assertEquals(Math.E, term.inUnit(model.rangeMs().fastestMs()), 1e-9);
        assertEquals(2 * Math.E, term.inUnit(model.rangeMs().slowestMs()), 1e-9);
        Path out = tmp.resolve("spec-zero");
        CliRun r = theta(out, "--target", "zero=" + zero + ":0.1");
        assertEquals(0, r.code(), r.toString());
        JsonNode t = Json.parse("out", r.out(), JsonNode.class).get("targets").get(0);
        assertTrue(t.get("latency_ms").asDouble() <= 0.1, t.toString());
        assertTrue(t.get("theta").get("latency_term").asText().contains("range"), t.toString());
        assertTrue(t.get("theta").get("alpha").asDouble() > 0, t.toString());
    }

    @Test
    void thetaMethodRefusesANonDifferentiableModel() throws Exception {
        Path csv = tmp.resolve("tiny-latency.csv");
        StringBuilder b = new StringBuilder("arch,tiny_ms\n");
        var macs = io.hwnas.latency.LatencyModels.read(lut, s);
        int n = s.ops().size();
        for (int i = 0; i < n * n * n; i++) {
            int[] ops = {i % n, (i / n) % n, i / (n * n)};
            b.append(Architecture.ofIndices(s, ops).canonical()).append(',').append(macs.predictMs(ops)).append('\n');
        }
        Files.writeString(csv, b.toString());
        Path xgb = tmp.resolve("tiny-xgb.json");
        CliRun fit = CliRun.of("latency", "fit", "--data", csv.toString(), "--target", "tiny_ms", "--model", "xgboost",
                "--space", space.toString(), "-o", xgb.toString());
        assertEquals(0, fit.code(), fit.toString());
        Path out = tmp.resolve("spec-xgb");
        CliRun r = theta(out, "--target", "x=" + xgb);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains(xgb.toString()) && r.err().contains("not differentiable")
                && r.err().contains("--method evolution"), r.err());
        assertTrue(r.err().contains("the xgboost predictor") && !r.err().contains("XgbModel"), r.err());
        assertTrue(!Files.exists(out), "a refused call wrote " + out);
    }

    @Test
    void multiTargetAndCoSearch() throws Exception {
        Path other = writeOverheadLut(tmp.resolve("overhead-mt.json"));
        Path out = tmp.resolve("spec-joint");
        List<String> a = List.of("specialize", run.toString(), "--target", "macs=" + lut + ":0.6", "--target",
                "overhead=" + other + ":0.6", "--multi-target", "--co-search", "--accuracy", "supernet",
                "--population", "8", "--generations", "3", "--held-out", "16", "--recalibrate-batches", "2", "-o",
                out.toString(), "--json");
        CliRun r = CliRun.of(a.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.parse("out", r.out(), JsonNode.class);
        JsonNode mt = j.get("multi_target");
        for (int t = 0; t < 2; t++) {
            assertTrue(mt.get("latencies_ms").get(t).asDouble() <= mt.get("budgets_ms").get(t).asDouble(), mt.toString());
        }
        assertTrue(mt.get("worst_ratio").asDouble() <= 1, mt.toString());
        JsonNode co = j.get("co_search");
        String setting = co.get("setting").asText();
        assertTrue(setting.equals("macs") || setting.equals("overhead"), co.toString());
        int si = setting.equals("macs") ? 0 : 1;
        assertTrue(co.get("latencies_ms").get(si).asDouble() <= 0.6, co.toString());
        assertEquals(2, co.get("settings").size());
        double best = Double.NEGATIVE_INFINITY;
        for (JsonNode row : co.get("settings")) {
            if (!row.get("arch").isNull()) {
                best = Math.max(best, row.get("accuracy").asDouble());
            }
        }
        assertEquals(best, co.get("accuracy").asDouble(), 1e-9);
        for (String kind : List.of("multi-target", "co-search")) {
            JsonNode pick = kind.equals("multi-target") ? mt : co;
            assertEquals(pick.get("arch").asText(), Json.read(out.resolve(kind).resolve("arch.json"),
                    Architecture.class).canonical());
            assertTrue(pick.get("unseen_images").asInt() > 0 && pick.get("unseen_accuracy").asDouble() >= 0, kind);
        }
        assertEquals(List.of("macs", "overhead", "multi-target", "co-search"),
                Json.mapper().convertValue(j.get("matrix_picks"), List.class));
        String csv = Files.readString(out.resolve("summary.csv"));
        assertTrue(csv.contains("\nmulti-target,") && csv.contains("\nco-search,") && csv.trim().endsWith(setting), csv);
        // same seed, same picks
        Path out2 = tmp.resolve("spec-joint-2");
        List<String> a2 = new ArrayList<>(a);
        a2.set(a2.indexOf(out.toString()), out2.toString());
        JsonNode j2 = Json.parse("out", CliRun.of(a2.toArray(String[]::new)).out(), JsonNode.class);
        assertEquals(mt.get("arch").asText(), j2.get("multi_target").get("arch").asText());
        assertEquals(co.get("arch").asText() + setting, j2.get("co_search").get("arch").asText()
                + j2.get("co_search").get("setting").asText());
        // worst-ratio needs its floor; a co-search with two budgets is refused
        CliRun bad = CliRun.of("specialize", run.toString(), "--target", "macs=" + lut, "--target", "o=" + other,
                "--multi-target", "--multi-objective", "worst-ratio", "-o", tmp.resolve("spec-bad").toString());
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("--accuracy-floor"), bad.toString());
        bad = CliRun.of("specialize", run.toString(), "--target", "macs=" + lut + ":0.5", "--target", "o=" + other
                + ":0.6", "--co-search", "-o", tmp.resolve("spec-bad").toString());
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("one budget"), bad.toString());
        assertTrue(!Files.exists(tmp.resolve("spec-bad")));
    }

    @Test
    void multiTargetWorstRatio() throws Exception {
        Path other = writeOverheadLut(tmp.resolve("overhead-wr.json"));
        CliRun r = CliRun.of("specialize", run.toString(), "--target", "macs=" + lut + ":0.6", "--target",
                "overhead=" + other + ":0.6", "--multi-target", "--multi-objective", "worst-ratio", "--accuracy-floor",
                "0", "--accuracy", "supernet", "--population", "8", "--generations", "3", "--held-out", "64",
                "--recalibrate-batches", "2", "-o", tmp.resolve("spec-wr").toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode mt = Json.parse("out", r.out(), JsonNode.class).get("multi_target");
        assertEquals("worst-ratio", mt.get("objective").asText());
        double worst = Math.max(mt.get("latencies_ms").get(0).asDouble() / 0.6, mt.get("latencies_ms").get(1).asDouble()
                / 0.6);
        assertEquals(worst, mt.get("worst_ratio").asDouble(), 1e-9);
    }

    /**
     * A stored predictor is reused only for the same pairs' settings; otherwise it is retrained (on the
     * stored pairs measured the same way, measuring only the missing ones) and the log says why.
     */
    @Test
    void storedPredictorIsReusedOnlyForTheSameSettings() throws Exception {
        Path runP = copyOfRun(tmp.resolve("run-predictor-settings"));
        Path pairs = runP.resolve("accuracy-pairs.jsonl");
        Path file = runP.resolve("accuracy-predictor.json");
        java.util.function.BiFunction<String, String, CliRun> call = (samples, heldOut) -> CliRun.of("specialize",
                runP.toString(), "--target", "macs=" + lut + ":0.6", "--accuracy", "predictor", "--predictor-samples",
                samples, "--population", "8", "--generations", "2", "--held-out", heldOut, "--recalibrate-batches", "2",
                "-o", tmp.resolve("spec-s").toString(), "--force");
        CliRun r = call.apply("20", "16");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("accuracy predictor: 20 pairs"), r.err());
        // the same settings: reused
        r = call.apply("20", "16");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("accuracy predictor: reused " + file), r.err());
        // more pairs, same held-out: retrained, the 20 stored pairs reused, 4 measured
        r = call.apply("24", "16");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("accuracy predictor: stored " + file + ": 20 pairs; asked 24 pairs: retraining")
                && r.err().contains("accuracy pairs: 20 from an earlier call reused")
                && r.err().contains("accuracy predictor: 24 pairs"), r.err());
        assertEquals(25, Files.readAllLines(pairs).size());
        // another held-out size (within the run's 32 architecture-split images): retrained on pairs measured anew
        r = call.apply("24", "24");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("stored " + file + ": held-out 16 images; asked held-out 24 images: retraining")
                && r.err().contains("measuring anew"), r.err());
        assertTrue(Files.readAllLines(pairs).get(0).contains("\"held_out_images\":24"));
        // a predictor file from before the settings were recorded: not trusted, retrained (its pairs reused)
        com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode) Json
                .readTree(file);
        n.remove("pairs");
        Json.writeFile(file, n);
        r = call.apply("24", "24");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("settings it does not record") && r.err().contains("retraining")
                && r.err().contains("accuracy pairs: 24 from an earlier call reused"), r.err());
        r = call.apply("24", "24");
        assertTrue(r.err().contains("accuracy predictor: reused " + file), r.err());
    }

    /** The predictor's pairs are kept as they are measured: a stopped call resumes where it stopped, same result. */
    @Test
    void predictorPairsResumeAfterAStop() throws Exception {
        Path runP = copyOfRun(tmp.resolve("run-predictor"));
        List<String> a = new ArrayList<>(List.of("specialize", runP.toString(), "--target", "macs=" + lut + ":0.6",
                "--accuracy", "predictor", "--predictor-samples", "24", "--population", "8", "--generations", "3",
                "--held-out", "64", "--recalibrate-batches", "2", "-o", tmp.resolve("spec-p1").toString(), "--json"));
        CliRun r1 = CliRun.of(a.toArray(String[]::new));
        assertEquals(0, r1.code(), r1.toString());
        Path pairs = runP.resolve("accuracy-pairs.jsonl");
        List<String> all = Files.readAllLines(pairs);
        assertEquals(25, all.size(), all.toString());
        // a call stopped after 10 pairs, in the middle of writing the 11th
        Files.delete(runP.resolve("accuracy-predictor.json"));
        Files.writeString(pairs, String.join("\n", all.subList(0, 11)) + "\n{\"ops\": \"[1, 2");
        a.set(a.indexOf(tmp.resolve("spec-p1").toString()), tmp.resolve("spec-p2").toString());
        CliRun r2 = CliRun.of(a.toArray(String[]::new));
        assertEquals(0, r2.code(), r2.toString());
        assertTrue(r2.err().contains("accuracy pairs: 10 from an earlier call reused"), r2.err());
        assertEquals(all, Files.readAllLines(pairs), "the resumed call measured the same pairs");
        JsonNode j1 = Json.parse("out", r1.out(), JsonNode.class);
        JsonNode j2 = Json.parse("out", r2.out(), JsonNode.class);
        assertEquals(j1.get("targets").get(0).get("arch").asText(), j2.get("targets").get(0).get("arch").asText());
        assertEquals(j1.get("predictor").get("held_out_rmse").asDouble(), j2.get("predictor").get("held_out_rmse")
                .asDouble(), 0.0);
    }
}
