package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import io.hwnas.search.run.Checkpoints;
import io.hwnas.search.run.RunLock;
import io.hwnas.search.subnet.Origin;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.search.train.TrainResult;
import io.hwnas.search.train.TrainState;
import io.hwnas.search.train.TrainingRun;
import io.hwnas.tools.cli.QuickstartCommand;
import io.hwnas.tools.cli.QuickstartRun;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, training side: one test per failure found; each asserts the message, the exit code and
 * that no existing file changed (bytes and modification time of every file, before and after).
 */
class TrainSafetyCliTest {
    @TempDir
    static Path tmp;

    static Path space;
    static Path lut;

    @BeforeAll
    static void setUp() throws Exception {
        space = tmp.resolve("test-tiny-space.json");
        Files.copy(Path.of(TrainSafetyCliTest.class.getResource("/test-tiny-space.json").toURI()), space);
        lut = TrainCommandsTest.writeMacsLut(tmp.resolve("lut.json"));
    }

    static Path config(Path dir, String name, String extra) throws Exception {
        Files.createDirectories(dir);
        Path cfg = dir.resolve(name);
        Files.writeString(cfg, "{\"space\": \"" + space + "\", \"dataset\": \"fashion-mnist\", \"lut\": \"" + lut
                + "\", \"epochs\": 2, \"warmup_epochs\": 1, \"batch_size\": 16, \"train_subset\": 160,"
                + " \"final_samples\": 1, \"threads\": 1" + extra + "}");
        return cfg;
    }

    /** Runs the command; asserts a one-line user error (exit 2) holding every part, and that nothing in {@code root} changed. */
    static CliRun refused(Path root, String[] args, String... parts) {
        Snapshot before = Snapshot.of(root);
        CliRun r = CliRun.of(args);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.userError(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        for (String p : parts) {
            assertTrue(r.err().contains(p), () -> "'" + p + "' not in\n" + r);
        }
        assertEquals(before, Snapshot.of(root), "files changed by a refused command\n" + r);
        return r;
    }

    static String[] a(String... args) {
        return args;
    }

    // (1) train -o into a folder that is not a run; a second writer

    @Test
    @org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES) // a hang guard: a lock
    // waited for instead of refused (FileChannel.lock is interruptible, so the test thread's interrupt ends it)
    void trainIntoAFolderOfOtherFilesNeedsForceAndASecondWriterIsRefused() throws Exception {
        Path d = tmp.resolve("work");
        Path cfg = config(d, "config.json", ""); // the user's own config.json, where the run would write its copy
        Files.writeString(d.resolve("notes.txt"), "mine");
        refused(tmp, a("train", "--config", cfg.toString(), "-o", d.toString()), "-o " + d, "not empty",
                "holds no training run", "config.json, notes.txt", "--force");
        // a file given as the run folder
        refused(tmp, a("train", "--config", cfg.toString(), "-o", d.resolve("notes.txt").toString()), "is a file");
        String mine = Files.readString(d.resolve("notes.txt"));
        CliRun ok = CliRun.of("train", "--config", cfg.toString(), "-o", d.toString(), "--force");
        assertEquals(0, ok.code(), ok.toString());
        assertEquals(mine, Files.readString(d.resolve("notes.txt")));
        assertTrue(Checkpoints.exists(d));
        // a run folder is never replaced, not even with --force
        refused(tmp, a("train", "--config", cfg.toString(), "-o", d.toString(), "--force"), "already holds a training run",
                "--force never replaces a run");

        // another process holds the folder: train, resume and a start into it are refused at once
        Process holder = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), d.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", r.readLine());
            String who = "another hwnas process (pid " + holder.pid() + ") is using this run folder";
            // refused at once: refused() asserts a single stderr line (no epoch summary) and no file changed
            refused(tmp, a("train", "--resume", d.toString()), d.toString(), who);
            refused(tmp, a("train", "--config", cfg.toString(), "-o", d.toString()), d.toString(), who);
            Path empty = tmp.resolve("held");
            Files.createDirectories(empty);
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
            holder = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
                    LockHolder.class.getName(), empty.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", r.readLine());
            refused(tmp, a("train", "--config", cfg.toString(), "-o", empty.toString()), empty.toString(),
                    "another hwnas process (pid " + holder.pid() + ")");
        } finally {
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        // released: the resume of the finished run runs (a no-op)
        assertEquals(0, CliRun.of("train", "--resume", d.toString()).code());
    }

    @Test
    void aSubsetLargerThanTheDatasetIsRefused() throws Exception {
        Path d = tmp.resolve("big");
        Files.createDirectories(d);
        Path cfg = d.resolve("config.json");
        Files.writeString(cfg, "{\"space\": \"" + space + "\", \"dataset\": \"fashion-mnist\", \"lut\": \"" + lut
                + "\", \"epochs\": 1, \"warmup_epochs\": 1, \"train_subset\": 2000000, \"threads\": 1}");
        refused(tmp, a("train", "--config", cfg.toString(), "-o", d.resolve("run").toString()),
                "field 'train_subset' = 2000000", "60000 training images of fashion-mnist");
    }

    /** test_subset is checked against the test set before anything is written, with or without eval_test. */
    @Test
    void aTestSubsetLargerThanTheTestSetIsRefusedWithoutEvalTestToo() throws Exception {
        Path d = tmp.resolve("bigtest");
        for (String evalTest : new String[] {"false", "true"}) {
            Path cfg = config(d, "config-" + evalTest + ".json", ", \"test_subset\": 20000, \"eval_test\": " + evalTest);
            refused(tmp, a("train", "--config", cfg.toString(), "-o", d.resolve("run").toString()),
                    cfg + ": field 'test_subset' = 20000", "10000 test images of fashion-mnist");
            assertFalse(Files.exists(d.resolve("run")));
        }
    }

    /** train has no --data option: a data problem names the config file and its data_dir field. */
    @Test
    void aDataProblemNamesTheConfigsDataDirNotAnOption() throws Exception {
        Path d = tmp.resolve("datadir");
        Path cfg = config(d, "config.json", ", \"data_dir\": \"nodata\"");
        CliRun r = refused(tmp, a("train", "--config", cfg.toString(), "-o", d.resolve("run").toString()),
                cfg + ": field 'data_dir' = \"" + d.resolve("nodata") + "\": no such file or directory");
        assertFalse(r.err().contains("--data"), r.toString());

        Files.createDirectories(d.resolve("empty"));
        config(d, "config.json", ", \"data_dir\": \"empty\"");
        r = refused(tmp, a("train", "--config", cfg.toString(), "-o", d.resolve("run").toString()),
                cfg + ": field 'data_dir' = \"" + d.resolve("empty") + "\"", "set the config's data_dir to FOLDER");
        assertFalse(r.err().contains("--data"), r.toString());

        if (System.getenv("HWNAS_DATA") == null) { // else that folder is where a "folder" dataset is found
            Files.writeString(cfg, "{\"space\": \"" + space + "\", \"dataset\": \"folder\", \"lut\": \"" + lut
                    + "\", \"epochs\": 1, \"warmup_epochs\": 1, \"threads\": 1}");
            r = refused(tmp, a("train", "--config", cfg.toString(), "-o", d.resolve("run").toString()),
                    cfg + ": field 'dataset' = \"folder\": not found (no data_dir given",
                    "set the config's data_dir to the image folder");
            assertFalse(r.err().contains("--data"), r.toString());
        }
        // a command that has --data keeps naming it
        refused(tmp, a("data", "check", "--dataset", "fashion-mnist", "--data", d.resolve("nodata").toString()),
                "--data " + d.resolve("nodata") + ": no such file or directory");
    }

    /**
     * A run whose epochs are all warm-up trains the shared weights only: train says θ was not trained
     * and points to specialize / extract --arch; extract's refusal says the same, not --resume.
     */
    @Test
    void aWarmupOnlyRunPointsToSpecializeAndExtractArchNotToResume() throws Exception {
        Path d = tmp.resolve("warmup-only");
        Path dir = tmp.resolve("cfg-warmup-only");
        Files.createDirectories(dir);
        Path cfg = dir.resolve("c.json");
        Files.writeString(cfg, "{\"space\": \"" + space + "\", \"dataset\": \"fashion-mnist\", \"lut\": \"" + lut
                + "\", \"epochs\": 1, \"warmup_epochs\": 1, \"batch_size\": 16, \"train_subset\": 160,"
                + " \"final_samples\": 1, \"threads\": 1}");
        CliRun r = CliRun.of("train", "--config", cfg.toString(), "-o", d.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("θ was not trained (all 1 epochs were warm-up"), r.toString());
        assertFalse(r.out().contains("argmax architecture:"), r.toString());
        assertTrue(r.out().contains("next: hwnas specialize " + d + " --target NAME=LUT.json -o OUT_DIR"), r.toString());
        assertTrue(r.out().contains("hwnas extract " + d + " --arch OPS|sample:K -o SUBNET_DIR"), r.toString());
        assertFalse(r.out().contains("next: hwnas extract " + d + " -o SUBNET_DIR"), r.toString());
        r = CliRun.of("train", "--config", cfg.toString(), "-o", tmp.resolve("warmup-only-json").toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertFalse(Json.parse("out", r.out(), JsonNode.class).get("theta_trained").asBoolean(), r.toString());

        Path sub = tmp.resolve("warmup-only-sub");
        r = refused(tmp, a("extract", d.toString(), "-o", sub.toString()), d.toString(),
                "no θ epochs: warmup_epochs = epochs = 1", "--arch OPS", "--arch sample:K", "hwnas specialize " + d);
        assertFalse(r.err().contains("--resume"), r.toString());
        assertFalse(Files.exists(sub));
        r = CliRun.of("extract", d.toString(), "--arch", "sample:1", "--recalibrate-batches", "0", "-o",
                sub.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("BN statistics as the supernet kept them") && !r.out().contains("recalibrated on 0"),
                r.toString());
    }

    @Test
    void aThreadOfThisJvmIsRefusedToo() throws Exception {
        Path d = tmp.resolve("jvm-lock");
        Files.createDirectories(d);
        try (RunLock l = RunLock.acquire(d)) {
            Path cfg = config(tmp.resolve("cfg-jvm"), "c.json", "");
            CliRun r = CliRun.of("train", "--config", cfg.toString(), "-o", d.toString());
            assertTrue(r.userError() && r.err().contains("is using this run folder"), r.toString());
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    // (2) a resume of an edited config; a quickstart rerun with other settings

    @Test
    void resumeRefusesAConfigEditedSinceTheStart() throws Exception {
        Path d = tmp.resolve("edited");
        TrainConfig cfg = TrainConfig.read(config(tmp.resolve("cfg-edited"), "c.json", ", \"seed\": 1"));
        TrainResult first = TrainingRun.start(cfg, d, Progress.NONE, s -> s.epochsDone() == 1);
        assertFalse(first.completed());
        Path c = d.resolve("config.json");
        String orig = Files.readString(c);
        Files.writeString(c, orig.replace("\"seed\" : 1,", "\"seed\" : 2,").replace("\"epochs\" : 2,", "\"epochs\" : 3,"));
        refused(tmp, a("train", "--resume", d.toString()), c.toString(), "changed since the run started",
                "'epochs' = 3 (started with 2)", "'seed' = 2 (started with 1)", "provenance.json");
        Files.writeString(c, orig);
        CliRun r = CliRun.of("train", "--resume", d.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertTrue(Json.parse("out", r.out(), JsonNode.class).get("completed").asBoolean());
    }

    @Test
    void quickstartRerunWithOtherSettingsIsRefusedNamingEachDifference() throws Exception {
        Path q = tmp.resolve("q");
        Path runDir = q.resolve("run");
        Files.createDirectories(runDir);
        Files.writeString(q.resolve("lut.json"), "{}"); // quickstart's own LUT: not measured again
        // a stored quickstart run (seed 1, 4 epochs, 5,000 images)
        var stored = QuickstartRun.config("fbnet-fmnist-tiny", null, q.resolve("lut.json"), 0.2, 0.6, 4, 1, 5000, 1, 2,
                QuickstartCommand.DEFAULT_TAU_START, QuickstartCommand.DEFAULT_THETA_LR);
        storeQuickstartRun(q, stored);
        // refused before any work: refused() asserts a single stderr line (no LUT or epoch summary) and no file changed
        refused(tmp, a("quickstart", "-o", q.toString(), "--seed", "2", "--epochs", "5", "--threads", "1"),
                runDir.toString(), "other settings", "--epochs stored 4, requested 5", "--seed stored 1, requested 2",
                "--fresh");
        refused(tmp, a("quickstart", "-o", q.toString(), "--alpha", "0.5", "--threads", "1"), "--alpha stored 0.2,"
                + " requested 0.5");
        // a stored run of the quickstart before 2026-12-05 (FBNet's τ 5, θ lr 0.05) is named, not silently retrained
        refused(tmp, a("quickstart", "-o", q.toString(), "--tau-start", "5", "--theta-lr", "0.05", "--threads", "1"),
                "--tau-start stored 1.0, requested 5.0", "--theta-lr stored 0.5, requested 0.05");
        refused(tmp, a("quickstart", "-o", q.toString(), "--tau-start", "0", "--threads", "1"),
                "option '--tau-start' = 0.0: must be > 0.0");
        // one from before the 90/10 split (the training config's 0.8) is named too, with the option that continues it
        refused(tmp, a("quickstart", "-o", q.toString(), "--threads", "1"),
                "--weight-fraction stored 0.8, requested 0.9");
        // and one from before θ's weight decay 0 (FBNet's 5e-4, the training config's default)
        refused(tmp, a("quickstart", "-o", q.toString(), "--threads", "1"),
                "--theta-weight-decay stored 5.0E-4, requested 0.0");
        refused(tmp, a("quickstart", "-o", q.toString(), "--theta-weight-decay", "-1", "--threads", "1"),
                "option '--theta-weight-decay' = -1.0");
        refused(tmp, a("quickstart", "-o", q.toString(), "--batch-size", "32", "--weight-lr", "0.05", "--threads", "1"),
                "--batch-size stored 64, requested 32", "--weight-lr stored 0.1, requested 0.05");
        // and one from before the space with projection shortcuts, then its stride-2 stem, then its 1.5x widths
        // became the default (the epochs named too: 8 with the stride-2 stem, 7 since the widths)
        refused(tmp, a("quickstart", "-o", q.toString(), "--threads", "1"),
                "--space stored \"fbnet-fmnist-tiny\", requested \"fbnet-fmnist-small-stem2\"",
                "--epochs stored 4, requested 7", "--latency-unit stored \"auto\", requested \"fastest/4\"",
                "--weight-decay stored 1.0E-4, requested 5.0E-4");
        // a space of another input is refused naming the option, before any work
        refused(tmp, a("quickstart", "-o", q.toString(), "--space", "fbnet-cifar-tiny", "--threads", "1"),
                "option '--space' = fbnet-cifar-tiny", "1x28x28", "3x32x32");
        // a space without skip: refused before its LUT is measured, naming the option that allows it
        Path noSkip = tmp.resolve("no-skip.json");
        Files.writeString(noSkip, Json.write(io.hwnas.supernet.space.SpaceRegistry.get("fbnet-fmnist-tiny"))
                .replace("\"fbnet-fmnist-tiny\"", "\"no-skip\"").replace(", \"skip\" ]", " ]"));
        refused(tmp, a("quickstart", "-o", tmp.resolve("q2").toString(), "--space", noSkip.toString(), "--threads", "1"),
                "option '--space' = " + noSkip, "no skip op", "--depth-sampling op");
        Files.delete(noSkip);
        refused(tmp, a("quickstart", "-o", q.toString(), "--weight-fraction", "1", "--threads", "1"),
                "option '--weight-fraction' = 1.0: must be in (0, 1)");
        // ten images leave θ none at 0.9 (5 per class or fewer round to all): refused before --fresh discards the run
        refused(tmp, a("quickstart", "-o", q.toString(), "--fresh", "--train-subset", "10", "--threads", "1"),
                "option '--train-subset' = 10 with '--weight-fraction' = 0.9", "no image");
        assertTrue(Files.isRegularFile(runDir.resolve("config.json")), "the stored run is kept");
        // more images than the set has: refused naming the option, before --fresh discards the stored run
        refused(tmp, a("quickstart", "-o", q.toString(), "--fresh", "--train-subset", "999999", "--threads", "1"),
                "option '--train-subset' = 999999", "60000 training images");
        assertTrue(Files.isRegularFile(runDir.resolve("config.json")), "the stored run was discarded");
        Path fresh = tmp.resolve("q-new");
        refused(tmp, a("quickstart", "-o", fresh.toString(), "--train-subset", "999999", "--threads", "1"),
                "option '--train-subset' = 999999");
        assertFalse(Files.exists(fresh), "a refused quickstart wrote " + fresh);
        // a stored run from before θ's Adam rate 0.5 (stop 40; 0.2 since 2026-12-05) names the option that continues it
        var before = QuickstartRun.config("fbnet-fmnist-tiny", null, q.resolve("lut.json"), 0.2, 0.6, 4, 1, 5000, 1, 2,
                QuickstartCommand.DEFAULT_TAU_START, 0.2);
        storeQuickstartRun(q, before);
        refused(tmp, a("quickstart", "-o", q.toString(), "--threads", "1"), "--theta-lr stored 0.2, requested 0.5");
        // and one from before θ's steps stopped once it settles (stop 41); the weight decay a run can change too
        refused(tmp, a("quickstart", "-o", q.toString(), "--threads", "1"), "--theta-freeze-entropy stored 0.0,"
                + " requested 0.1");
        refused(tmp, a("quickstart", "-o", q.toString(), "--weight-decay", "5e-4", "--threads", "1"),
                "--weight-decay stored 1.0E-4, requested 5.0E-4");
        refused(tmp, a("quickstart", "-o", q.toString(), "--theta-freeze-entropy", "-1", "--threads", "1"),
                "option '--theta-freeze-entropy' = -1.0");
        refused(tmp, a("quickstart", "-o", q.toString(), "--latency-unit", "fastest/1", "--threads", "1"),
                "option '--latency-unit' = fastest/1: must be ms, us, auto or fastest/N (1 < N");
        refused(tmp, a("quickstart", "-o", q.toString(), "--latency-unit", "fastest/10", "--threads", "1"),
                "--latency-unit stored \"auto\", requested \"fastest/10\"");
    }

    /** Writes {@code q}'s training config and its run's copy, as a quickstart that trained with {@code config} leaves them. */
    private static void storeQuickstartRun(Path q, Object config) throws Exception {
        Json.writeFile(q.resolve("train-config.json"), config);
        Json.writeFile(q.resolve("run").resolve("config.json"), TrainConfig.read(q.resolve("train-config.json")));
    }

    /** A folder of other files is not taken as the quickstart's: its stray lut.json is not read as the quickstart's LUT. */
    @Test
    void quickstartRefusesAFolderItDidNotWrite() throws Exception {
        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("lut.json"), "{}");
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        refused(tmp, a("quickstart", "-o", foreign.toString(), "--threads", "1"), "-o " + foreign,
                "not written by the quickstart and holds lut.json,", "read as its own or replace");
        try (var s = Files.list(foreign)) {
            assertEquals(2, s.count(), "the refused quickstart wrote into " + foreign);
        }
        // a run/ folder (an experiment's, or a training's parent) does not make it a quickstart's: its files stay
        Path withRun = tmp.resolve("with-run");
        Files.createDirectories(withRun.resolve("run"));
        Files.writeString(withRun.resolve("run").resolve("result.json"), "{}");
        refused(tmp, a("quickstart", "-o", withRun.toString(), "--threads", "1"), "not written by the quickstart and"
                + " holds run,");
        assertTrue(Files.isRegularFile(withRun.resolve("run").resolve("result.json")));
        assertFalse(Files.exists(withRun.resolve(".hwnas-quickstart")));
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        refused(tmp, a("quickstart", "-o", file.toString(), "--threads", "1"), "-o " + file, "is a file");
    }

    // (3) extract from an unfinished run

    @Test
    void extractFromAnUnfinishedRunWarnsAndRefusesAnAllZeroTheta() throws Exception {
        Path d = tmp.resolve("unfinished");
        TrainConfig cfg = TrainConfig.read(config(tmp.resolve("cfg-unf"), "c.json", ""));
        // stopped after the warm-up epoch: θ has had no step
        TrainResult first = TrainingRun.start(cfg, d, Progress.NONE, s -> s.epochsDone() == 1);
        assertEquals(1, first.epochsDone());
        Path sub = tmp.resolve("unfinished-sub");
        refused(tmp, a("extract", d.toString(), "-o", sub.toString()), d.toString(), "θ is still all zeros",
                "1 of 2 epochs done", "k3_e1 in every layer", "hwnas train --resume " + d, "--allow-unfinished");
        assertFalse(Files.exists(sub));

        CliRun r = CliRun.of("extract", d.toString(), "--recalibrate-batches", "1", "-o", sub.toString(),
                "--allow-unfinished");
        assertEquals(0, r.code(), r.toString());
        String warning = r.err().lines().filter(l -> l.startsWith("hwnas: warning: ")).findFirst().orElseThrow()
                .substring("hwnas: warning: ".length());
        assertTrue(warning.contains("1 of 2 epochs done") && warning.contains("θ is still all zeros"), r.toString());
        Origin o = Origin.read(sub.resolve(Origin.FILE));
        assertEquals(1, o.runEpochsDone());
        assertEquals(2, o.runEpochs());
        assertEquals(warning, o.runState());

        // θ moved (stopped inside epoch 2's θ pass): a warning naming its steps, not a refusal. 160 images:
        // 8 weight and 2 θ batches; checks before each step and at each epoch's end: 8 + 1 in epoch 1, then 8, 1, 1
        // (the 19th, before θ step 2, stops the run)
        Path d2 = tmp.resolve("unfinished-theta");
        AtomicInteger thetaChecks = new AtomicInteger();
        TrainResult part = TrainingRun.start(cfg, d2, Progress.NONE, new TrainingRun.Stopper() {
            @Override
            public boolean stop(TrainState s) {
                return false;
            }

            @Override
            public boolean stopNow() {
                return thetaChecks.incrementAndGet() == 19;
            }
        });
        assertFalse(part.completed());
        TrainState st = Checkpoints.readState(Checkpoints.latest(d2), io.hwnas.supernet.space.SpaceRegistry.resolve(
                space.toString()));
        assertEquals(1, st.phase());
        assertEquals(1, st.stepInPhase());
        Path sub2 = tmp.resolve("unfinished-theta-sub");
        r = CliRun.of("extract", d2.toString(), "--recalibrate-batches", "0", "-o", sub2.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.parse("out", r.out(), JsonNode.class);
        String w = j.get("warning").asText();
        assertTrue(w.contains("1 of 2 epochs done (checkpoint inside epoch 2)") && w.contains("updated in 1 θ step;"), w);
        assertTrue(r.err().contains("hwnas: warning: " + w), r.toString());
        assertEquals(w, Origin.read(sub2.resolve(Origin.FILE)).runState());

        // a finished run: no warning, nothing recorded
        Path d3 = tmp.resolve("finished");
        TrainingRun.start(cfg, d3, Progress.NONE, TrainingRun.Stopper.NEVER);
        Path sub3 = tmp.resolve("finished-sub");
        r = CliRun.of("extract", d3.toString(), "--recalibrate-batches", "0", "-o", sub3.toString());
        assertEquals(0, r.code(), r.toString());
        assertFalse(r.err().contains("warning"), r.toString());
        assertNull(Origin.read(sub3.resolve(Origin.FILE)).runState());
        assertNotNull(Origin.read(sub3.resolve(Origin.FILE)).runEpochs());
    }

    /**
     * A run whose data moved (trained on one machine, extracted on another): extract and specialize refuse with a
     * message offering --data, and read the same images with it; origin.json then names the new location.
     */
    @Test
    void extractAndSpecializeReadMovedDataWithData() throws Exception {
        Path d = tmp.resolve("moved");
        Files.createDirectories(d);
        Path real = io.hwnas.search.train.TrainData.location("fashion-mnist", null).toAbsolutePath();
        Path old = Files.createSymbolicLink(d.resolve("data-then"), real);
        Path myLut = Files.copy(lut, d.resolve("lut.json"));
        Path cfg = config(d, "config.json", ", \"data_dir\": \"" + old + "\"");
        Files.writeString(cfg, Files.readString(cfg).replace(lut.toString(), myLut.toString()));
        Path run = d.resolve("run");
        CliRun r = CliRun.of("train", "--config", cfg.toString(), "-o", run.toString());
        assertEquals(0, r.code(), r.toString());
        Path now = d.resolve("data-now");
        Files.move(old, now);
        Path sub = d.resolve("sub");
        refused(d, a("extract", run.toString(), "--recalibrate-batches", "2", "-o", sub.toString()),
                "config.json: field 'data_dir' = \"" + old + "\"", "give --data DIR to read it elsewhere");
        refused(d, a("extract", run.toString(), "--data", d.resolve("nowhere").toString(), "-o", sub.toString()),
                "--data " + d.resolve("nowhere") + ": no such file or directory");
        refused(d, a("extract", run.toString(), "--recalibrate-batches", "0", "--data", now.toString(), "-o",
                sub.toString()), "option '--data' is read by the BN recalibration only");
        r = CliRun.of("extract", run.toString(), "--recalibrate-batches", "2", "--data", now.toString(), "-o",
                sub.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(now.toString(), Origin.read(sub.resolve(Origin.FILE)).dataDir());
        r = CliRun.of("eval", sub.toString(), "--test-subset", "50", "--runs", "0"); // eval finds the data by origin.json
        assertEquals(0, r.code(), r.toString());
        Path spec = d.resolve("spec");
        refused(d, a("specialize", run.toString(), "--target", "t=" + lut, "--accuracy", "supernet", "--population", "4",
                "--generations", "1", "--held-out", "32", "--recalibrate-batches", "1", "-o", spec.toString()),
                "give --data DIR to read it elsewhere");
        Files.createDirectories(spec);
        Files.writeString(spec.resolve("summary.json"), "{}"); // an earlier specialization: a bad --data keeps it
        refused(d, a("specialize", run.toString(), "--target", "t=" + lut, "--accuracy", "supernet", "--data",
                d.resolve("nowhere").toString(), "--force", "-o", spec.toString()), "--data " + d.resolve("nowhere"));
        r = CliRun.of("specialize", run.toString(), "--target", "t=" + lut, "--force", "--accuracy", "supernet", "--population",
                "4", "--generations", "1", "--held-out", "32", "--recalibrate-batches", "1", "--data", now.toString(),
                "-o", spec.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(now.toString(), Origin.read(spec.resolve("t").resolve(Origin.FILE)).dataDir());
        // a run with something left to do (here only its final files: result.json) resumes with --data and --lut
        Path result = run.resolve("result.json");
        Files.delete(result);
        refused(d, a("train", "--resume", run.toString()), "config.json: field 'data_dir'",
                "put it back there, or give --data DIR");
        Path movedLut = Files.move(myLut, d.resolve("lut-moved.json"));
        refused(d, a("train", "--resume", run.toString(), "--data", now.toString()), "field 'lut'",
                "put it back there, or give --lut FILE");
        Path edited = Files.writeString(d.resolve("lut-edited.json"), Files.readString(movedLut) + "\n");
        refused(d, a("train", "--resume", run.toString(), "--data", now.toString(), "--lut", edited.toString()),
                "option '--lut' = " + edited + ": not the LUT the run started with");
        refused(d, a("train", "--config", cfg.toString(), "-o", d.resolve("r2").toString(), "--lut",
                movedLut.toString()), "option '--lut' applies to --resume only");
        r = CliRun.of("train", "--resume", run.toString(), "--data", now.toString(), "--lut", movedLut.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.isRegularFile(result) && r.out().contains("next: hwnas extract " + run + " -o SUBNET_DIR --data "
                + now), r.toString());
        // a finished run resumes as a no-op with neither its data nor its LUT in place
        myLut = movedLut;
        Files.delete(myLut);
        r = CliRun.of("train", "--resume", run.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.parse("out", r.out(), JsonNode.class);
        assertTrue(j.get("completed").asBoolean() && j.get("epochs_done").asInt() == 2, r.toString());
        assertEquals(io.hwnas.search.run.RunDir.open(run).argmax().canonical(), j.get("argmax").asText(), r.toString());
    }

    /**
     * Images of the same count and shape but not those the run trained on (here every training pixel inverted,
     * as MNIST would stand for Fashion-MNIST) are refused by --data and where the run's own data folder now
     * holds them, by extraction and by a resume alike.
     */
    @Test
    void otherImagesOfTheSameSizeAreRefused() throws Exception {
        Path d = tmp.resolve("other-images");
        Files.createDirectories(d);
        Path real = io.hwnas.search.train.TrainData.location("fashion-mnist", null).toAbsolutePath();
        Path altered = Files.createDirectories(d.resolve("altered"));
        for (String f : List.of("train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            Files.copy(real.resolve(f), altered.resolve(f));
        }
        byte[] images;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(real.resolve("train-images-idx3-ubyte.gz")))) {
            images = in.readAllBytes();
        }
        for (int i = 16; i < images.length; i++) { // after the IDX header
            images[i] = (byte) (255 - (images[i] & 0xFF));
        }
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(altered.resolve("train-images-idx3-ubyte.gz")))) {
            out.write(images);
        }
        Path data = Files.createSymbolicLink(d.resolve("data"), real);
        Path cfg = config(d, "config.json", ", \"data_dir\": \"" + data + "\"");
        Path run = d.resolve("run");
        CliRun r = CliRun.of("train", "--config", cfg.toString(), "-o", run.toString());
        assertEquals(0, r.code(), r.toString());
        Path sub = d.resolve("sub");
        refused(d, a("extract", run.toString(), "--recalibrate-batches", "2", "--data", altered.toString(), "-o",
                sub.toString()), "--data " + altered + ": its 160 training images", "are not those it trained on",
                "data.train_sha256", "give the location of the run's own dataset");
        Path spec = Files.createDirectories(d.resolve("spec"));
        Files.writeString(spec.resolve("summary.json"), "{}"); // an earlier specialization: refused before it is replaced
        refused(d, a("specialize", run.toString(), "--target", "t=" + lut, "--accuracy", "supernet", "--population", "4",
                "--generations", "1", "--held-out", "32", "--recalibrate-batches", "1", "--data", altered.toString(),
                "--force", "-o", spec.toString()), "are not those it trained on (which it read from " + data + ")");
        // a finished run's resume trains nothing, but a --data given is checked: the next commands are told it
        refused(d, a("train", "--resume", run.toString(), "--data", altered.toString()), "are not those it trained on");
        Files.delete(data);
        Files.createSymbolicLink(data, altered);
        refused(d, a("extract", run.toString(), "--recalibrate-batches", "2", "-o", sub.toString()),
                "config.json: the dataset at " + data + " changed since the run trained",
                "put the run's own dataset back there, or give --data DIR");
        Files.delete(run.resolve("result.json")); // something left to do: the resume reads the data
        refused(d, a("train", "--resume", run.toString()), "changed since the run trained");
        r = CliRun.of("extract", run.toString(), "--recalibrate-batches", "2", "--data", real.toString(), "-o",
                sub.toString());
        assertEquals(0, r.code(), r.toString());
        // a damaged field is named as such, not taken for other images
        Path prov = run.resolve("provenance.json");
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(prov.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) node.get("data")).put("train_sha256", "abc");
        Files.write(prov, Json.mapper().writeValueAsBytes(node));
        refused(d, a("extract", run.toString(), "--recalibrate-batches", "2", "--data", real.toString(), "-o",
                d.resolve("sub-bad").toString()), "provenance.json: field 'data.train_sha256' = \"abc\": must be a sha256");
        // a run from before the sha256 was recorded reads as before, unchecked
        ((com.fasterxml.jackson.databind.node.ObjectNode) node.get("data")).remove("train_sha256");
        Files.write(prov, Json.mapper().writeValueAsBytes(node));
        r = CliRun.of("extract", run.toString(), "--recalibrate-batches", "2", "--data", altered.toString(), "-o",
                d.resolve("sub-old").toString());
        assertEquals(0, r.code(), r.toString());
        r = CliRun.of("train", "--resume", run.toString());
        assertEquals(0, r.code(), r.toString());
    }
}
