package io.hwnas.search.train;

import io.hwnas.search.run.Checkpoints;
import io.hwnas.search.run.Provenance;
import io.hwnas.search.run.RunFiles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupernetTrainerTest {
    static final Path SPACE_FILE = spaceFile();
    static final SearchSpace SPACE = SpaceRegistry.resolve(SPACE_FILE.toString());

    static Path spaceFile() {
        try {
            return Path.of(SupernetTrainerTest.class.getResource("/test-tiny-space.json").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @TempDir
    static Path tmp;

    static Path lutFile;
    static TrainConfig base;
    static TrainResult straight;
    static Path straightDir;

    @BeforeAll
    static void straightRun() {
        lutFile = TestLuts.write(TestLuts.macs(SPACE, 0.2, 0.5, 0.01), tmp.resolve("lut.json"));
        base = TrainConfig.parse("test", "{\"space\": \"" + SPACE_FILE + "\", \"dataset\": \"fashion-mnist\","
                + " \"lut\": \"" + lutFile + "\", \"epochs\": 2, \"warmup_epochs\": 1, \"batch_size\": 16,"
                + " \"train_subset\": 200, \"weight_lr\": 0.05, \"theta_lr\": 0.05, \"checkpoint_every_steps\": 3,"
                + " \"final_samples\": 2, \"seed\": 7}");
        straightDir = tmp.resolve("straight");
        straight = TrainingRun.start(base, straightDir, Progress.NONE, TrainingRun.Stopper.NEVER);
    }

    @Test
    void twoEpochRunWritesEveryFile() throws java.io.IOException {
        assertTrue(straight.completed());
        assertEquals(2, straight.metrics().size());
        for (String f : List.of(RunFiles.CONFIG, RunFiles.PROVENANCE, RunFiles.METRICS, RunFiles.THETA, RunFiles.ARGMAX,
                RunFiles.RESULT, RunFiles.sampleFile(1), RunFiles.sampleFile(2), Checkpoints.POINTER)) {
            assertTrue(Files.isRegularFile(straightDir.resolve(f)), f);
        }
        assertEquals(2, RunFiles.readMetrics(straightDir).size());
        EpochMetrics warm = straight.metrics().get(0);
        EpochMetrics e2 = straight.metrics().get(1);
        assertTrue(warm.warmup());
        assertEquals(null, warm.thetaLoss());
        assertFalse(e2.warmup());
        assertNotNull(e2.thetaLoss());
        assertTrue(e2.sampleLatencyMs() > 0);
        assertEquals(SPACE.layerCount(), e2.thetaEntropy().size());
        assertEquals(5.0 * Math.exp(-0.045), e2.tau(), 1e-12);
        Provenance p = Json.read(straightDir.resolve(RunFiles.PROVENANCE), Provenance.class);
        assertEquals(Provenance.sha256(lutFile), p.lut().sha256());
        assertEquals(7, p.seed());
        // the layout of its depthwise convolutions is recorded; resuming in the other one gets a warning
        assertEquals(io.hwnas.supernet.ops.Layout.name(false), p.depthwiseLayout());
        assertEquals("nchw", io.hwnas.supernet.ops.Layout.name(true), "nothing is converted on a GPU");
        io.hwnas.search.run.RunDir run = io.hwnas.search.run.RunDir.open(straightDir);
        assertEquals(null, run.layoutWarning(false));
        String was = System.getProperty(io.hwnas.supernet.ops.Layout.PROPERTY);
        System.setProperty(io.hwnas.supernet.ops.Layout.PROPERTY, Boolean.toString(!io.hwnas.supernet.ops.Layout
                .channelsLast()));
        try {
            String w = run.layoutWarning(false);
            assertTrue(w != null && w.contains(p.depthwiseLayout()) && w.contains(io.hwnas.supernet.ops.Layout.name(false)), w);
            System.setProperty(io.hwnas.supernet.ops.Layout.PROPERTY, "0");
            HwnasException bad = assertThrows(HwnasException.class, () -> run.layoutWarning(false));
            assertTrue(bad.getMessage().contains("hwnas.channels_last = '0'"), bad.getMessage());
        } finally {
            if (was == null) {
                System.clearProperty(io.hwnas.supernet.ops.Layout.PROPERTY);
            } else {
                System.setProperty(io.hwnas.supernet.ops.Layout.PROPERTY, was);
            }
        }
        // a run written before the layout was recorded trained in NCHW: resumed channels-last it gets the warning,
        // in NCHW none; a layout this version does not know: refused
        Path provFile = straightDir.resolve(RunFiles.PROVENANCE);
        byte[] original = Files.readAllBytes(provFile);
        try {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(original);
            node.remove("depthwise_layout");
            Files.write(provFile, Json.mapper().writeValueAsBytes(node));
            io.hwnas.search.run.RunDir old = io.hwnas.search.run.RunDir.open(straightDir);
            String oldWas = System.getProperty(io.hwnas.supernet.ops.Layout.PROPERTY);
            try {
                System.setProperty(io.hwnas.supernet.ops.Layout.PROPERTY, "true");
                String w = old.layoutWarning(false);
                assertTrue(w != null && w.contains("started with its depthwise convolutions nchw")
                        && w.contains("HWNAS_CHANNELS_LAST=0"), w);
                assertEquals(null, old.layoutWarning(true), "a GPU trains NCHW");
                System.setProperty(io.hwnas.supernet.ops.Layout.PROPERTY, "false");
                assertEquals(null, old.layoutWarning(false));
            } finally {
                if (oldWas == null) {
                    System.clearProperty(io.hwnas.supernet.ops.Layout.PROPERTY);
                } else {
                    System.setProperty(io.hwnas.supernet.ops.Layout.PROPERTY, oldWas);
                }
            }
            node.put("depthwise_layout", "nhwc");
            Files.write(provFile, Json.mapper().writeValueAsBytes(node));
            HwnasException e = assertThrows(HwnasException.class,
                    () -> io.hwnas.search.run.RunDir.open(straightDir).layoutWarning(false));
            assertTrue(e.getMessage().contains("'depthwise_layout' = 'nhwc'"), e.getMessage());
        } finally {
            Files.write(provFile, original);
        }
        // θ moved away from zero in the θ epoch
        float[][] probs = straight.probabilities();
        double maxDev = 0;
        for (float[] row : probs) {
            for (float v : row) {
                maxDev = Math.max(maxDev, Math.abs(v - 1.0 / row.length));
            }
        }
        assertTrue(maxDev > 1e-4, "θ did not move: " + maxDev);
        // a second start in the same folder is refused
        assertThrows(HwnasException.class,
                () -> TrainingRun.start(base, straightDir, Progress.NONE, TrainingRun.Stopper.NEVER));
    }

    @Test
    void resumeAfterEpochReproducesStraightRun() {
        Path dir = tmp.resolve("resume-epoch");
        TrainResult first = TrainingRun.start(base, dir, Progress.NONE, s -> s.epochsDone() == 1 && s.phase() == 0
                && s.stepInPhase() == 0);
        assertFalse(first.completed());
        assertEquals(1, first.epochsDone());
        TrainResult rest = TrainingRun.resume(dir, Progress.NONE, TrainingRun.Stopper.NEVER);
        assertSame(straight, rest);
    }

    @Test
    void resumeMidEpochReproducesStraightRun() {
        Path dir = tmp.resolve("resume-mid");
        // stop at a step checkpoint inside epoch 2's weight pass, resume to the end
        TrainResult first = TrainingRun.start(base, dir, Progress.NONE, s -> s.epochsDone() == 1 && s.stepInPhase() == 6);
        assertFalse(first.completed());
        assertEquals(1, first.epochsDone());
        TrainResult rest = TrainingRun.resume(dir, Progress.NONE, TrainingRun.Stopper.NEVER);
        assertSame(straight, rest);
    }

    /**
     * The progressive stage and uniform depth draw their paths from the same keyed noise: a run of
     * three epochs (dense-only, uniform depth, θ) stopped mid-warm-up resumes to the straight run's
     * θ, metrics and weights; and it differs from the per-op run of the same seed.
     */
    @Test
    void progressiveAndUniformDepthRunsResumeExactly() {
        TrainConfig c = base.with("weight_sampling", "single-path").with("epochs", 3).with("warmup_epochs", 2)
                .with("progressive_epochs", 1).with("depth_sampling", "uniform");
        TrainResult whole = TrainingRun.start(c, tmp.resolve("ps-straight"), Progress.NONE, TrainingRun.Stopper.NEVER);
        Path dir = tmp.resolve("ps-resume");
        TrainResult first = TrainingRun.start(c, dir, Progress.NONE, s -> s.epochsDone() == 1 && s.stepInPhase() == 3);
        assertFalse(first.completed());
        assertSame(whole, TrainingRun.resume(dir, Progress.NONE, TrainingRun.Stopper.NEVER));
        TrainResult perOp = TrainingRun.start(c.with("progressive_epochs", 0).with("depth_sampling", "op"),
                tmp.resolve("ps-op"), Progress.NONE, TrainingRun.Stopper.NEVER);
        assertNotEquals(whole.metrics().get(0).withoutTime(), perOp.metrics().get(0).withoutTime());

        // bound steps (every 3rd the largest, the next the smallest) are keyed by the step's index: they resume exactly
        TrainConfig b = c.with("bounds_every", 3);
        TrainResult bounded = TrainingRun.start(b, tmp.resolve("pb-straight"), Progress.NONE, TrainingRun.Stopper.NEVER);
        Path bdir = tmp.resolve("pb-resume");
        assertFalse(TrainingRun.start(b, bdir, Progress.NONE, s -> s.epochsDone() == 1 && s.stepInPhase() == 6)
                .completed());
        assertSame(bounded, TrainingRun.resume(bdir, Progress.NONE, TrainingRun.Stopper.NEVER));
        assertNotEquals(whole.metrics().get(0).withoutTime(), bounded.metrics().get(0).withoutTime());
    }

    /**
     * {@code theta_freeze_entropy}: once every layer's θ entropy is below it at an epoch's end (past the
     * warm-up), the later epochs run weight steps only. θ then stays as it was (same entropies, same
     * argmax), their θ metrics are null, and a run stopped inside a settled epoch resumes to the
     * straight run; with a threshold no entropy gets under, θ trains in every epoch.
     */
    @Test
    void settledThetaStopsItsStepsAndResumesExactly() {
        TrainConfig c = base.with("weight_sampling", "single-path").with("epochs", 4).with("theta_freeze_entropy", 100.0);
        TrainResult whole = TrainingRun.start(c, tmp.resolve("fz-straight"), Progress.NONE, TrainingRun.Stopper.NEVER);
        List<EpochMetrics> m = whole.metrics();
        assertEquals(4, m.size());
        assertNotNull(m.get(1).thetaLoss(), "epoch 2 runs θ steps (the first after the warm-up)");
        for (int e = 2; e < 4; e++) {
            assertEquals(null, m.get(e).thetaLoss(), "epoch " + (e + 1) + " runs no θ step");
            assertEquals(null, m.get(e).sampleLatencyMs());
            assertEquals(m.get(1).thetaEntropy(), m.get(e).thetaEntropy(), "θ unchanged after epoch 2");
            assertEquals(m.get(1).argmax(), m.get(e).argmax());
        }
        assertNotEquals(m.get(1).weightLoss(), m.get(3).weightLoss(), "the weights go on training");
        assertTrue(SupernetTrainer.thetaSettled(c, m.subList(0, 2)));
        assertFalse(SupernetTrainer.thetaSettled(c, m.subList(0, 1)), "never in the warm-up");
        assertFalse(SupernetTrainer.thetaSettled(c.with("theta_freeze_entropy", 0.0), m));

        Path dir = tmp.resolve("fz-resume");
        assertFalse(TrainingRun.start(c, dir, Progress.NONE, s -> s.epochsDone() == 2 && s.stepInPhase() == 3)
                .completed());
        assertSame(whole, TrainingRun.resume(dir, Progress.NONE, TrainingRun.Stopper.NEVER));

        TrainResult never = TrainingRun.start(c.with("theta_freeze_entropy", 1e-9), tmp.resolve("fz-never"),
                Progress.NONE, TrainingRun.Stopper.NEVER);
        for (int e = 1; e < 4; e++) {
            assertNotNull(never.metrics().get(e).thetaLoss(), "epoch " + (e + 1));
        }
        assertNotEquals(never.metrics().get(3).thetaEntropy(), m.get(3).thetaEntropy());
    }

    static void assertSame(TrainResult a, TrainResult b) {
        assertTrue(b.completed());
        assertEquals(a.argmax(), b.argmax());
        for (int l = 0; l < a.probabilities().length; l++) {
            assertArrayEquals(a.probabilities()[l], b.probabilities()[l], 0f, "layer " + l);
        }
        assertEquals(a.metrics().stream().map(EpochMetrics::withoutTime).toList(),
                b.metrics().stream().map(EpochMetrics::withoutTime).toList());
        assertEquals(Json.read(a.runDir().resolve(RunFiles.THETA), RunFiles.ThetaFile.class),
                Json.read(b.runDir().resolve(RunFiles.THETA), RunFiles.ThetaFile.class));
    }

    @Test
    void nanLossStopsAndKeepsLastCheckpoint() throws Exception {
        Path dir = tmp.resolve("nan");
        TrainConfig cfg = base.with("weight_lr", 1e30).with("weight_lr_min", 0.0).with("checkpoint_every_steps", 0);
        TrainingDiverged e = assertThrows(TrainingDiverged.class,
                () -> TrainingRun.start(cfg, dir, Progress.NONE, TrainingRun.Stopper.NEVER));
        assertTrue(e.getMessage().contains("NaN") || e.getMessage().contains("Infinity"), e.getMessage());
        assertTrue(e.getMessage().contains("last good checkpoint"), e.getMessage());
        Path ckpt = Checkpoints.latest(dir);
        TrainState st = Checkpoints.readState(ckpt, SPACE);
        assertEquals(0, st.epochsDone());
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = io.hwnas.search.run.RunDir.open(dir).load(m).net();
            for (var p : net.getParameters()) {
                float[] v = p.getValue().getArray().toFloatArray();
                for (float f : v) {
                    assertTrue(Float.isFinite(f), p.getKey());
                }
            }
        }
    }

    @Test
    void checkpointOfAnotherSpaceIsRefused() {
        Path ckpt = Checkpoints.latest(straightDir);
        SearchSpace other = SpaceRegistry.get("fbnet-cifar-tiny");
        HwnasException e = assertThrows(HwnasException.class, () -> Checkpoints.readState(ckpt, other));
        assertTrue(e.getMessage().contains("test-tiny") && e.getMessage().contains("fbnet-cifar-tiny"),
                e.getMessage());
    }

    @Test
    void checkpointOfAChangedSpaceFileNamesWhatChanged() {
        Path ckpt = Checkpoints.latest(straightDir);
        List<io.hwnas.supernet.space.StageSpec> st = new java.util.ArrayList<>(SPACE.stages());
        int last = st.size() - 1;
        var s = st.get(last);
        st.set(last, new io.hwnas.supernet.space.StageSpec(s.layers(), s.channels() + 8, s.stride()));
        SearchSpace changed = new SearchSpace(SPACE.schema(), SPACE.id(), SPACE.description(), SPACE.input(),
                SPACE.stem(), st, SPACE.head(), SPACE.ops());
        HwnasException e = assertThrows(HwnasException.class,
                () -> Checkpoints.readState(ckpt, changed, "my-space.json"));
        String m = e.getMessage();
        String field = "stages[" + last + "].channels";
        assertTrue(m.contains("the space file my-space.json changed since the run was trained")
                && m.contains(field + " " + s.channels() + " -> " + (s.channels() + 8))
                && m.contains("set " + field + " back to " + s.channels()) && m.contains("train a new run")
                && m.contains(SPACE.sha256().substring(0, 12)) && m.contains(changed.sha256().substring(0, 12))
                && !m.contains("not for"), m);
        // a new description alone builds the same networks: loads
        SearchSpace described = new SearchSpace(SPACE.schema(), SPACE.id(), "edited", SPACE.input(), SPACE.stem(),
                SPACE.stages(), SPACE.head(), SPACE.ops());
        assertEquals(Checkpoints.readState(ckpt, SPACE).epochsDone(),
                Checkpoints.readState(ckpt, described, "my-space.json").epochsDone());
    }

    @Test
    void lutWithLogLatencyBelowZeroIsRefused() {
        Path small = TestLuts.write(TestLuts.macs(SPACE, 0.01, 0.001, 0.0001), tmp.resolve("small-lut.json"));
        TrainConfig ms = base.with("lut", small.toString()).with("latency_unit", "ms");
        HwnasException e = assertThrows(HwnasException.class, () -> LatencyLoss.of(ms, ms.latencyModel(SPACE)));
        assertTrue(e.getMessage().contains("log LAT") && e.getMessage().contains("small-lut.json"), e.getMessage());
        // auto picks a unit in which log LAT >= 1 for the fastest architecture
        TrainConfig autoCfg = base.with("lut", small.toString());
        LatencyLoss auto = LatencyLoss.of(autoCfg, autoCfg.latencyModel(SPACE));
        assertTrue(Math.log(auto.model().rangeMs().fastestMs() * auto.unit().scale()) >= 1, auto.unit().name());
        TrainConfig us = base.with("lut", small.toString()).with("latency_unit", "us");
        assertEquals("us", LatencyLoss.of(us, us.latencyModel(SPACE)).unit().name());
        Path negative = TestLuts.write(TestLuts.macs(SPACE, -5, 0.001, 0.0001), tmp.resolve("neg-lut.json"));
        TrainConfig neg = base.with("lut", negative.toString());
        assertThrows(HwnasException.class, () -> LatencyLoss.of(neg, neg.latencyModel(SPACE)));
    }

    @Test
    void lutOfAnotherSpaceIsRefused() {
        Path other = TestLuts.write(TestLuts.macs(SpaceRegistry.get("fbnet-cifar-tiny"), 1, 0.5, 0.01),
                tmp.resolve("cifar-lut.json"));
        HwnasException e = assertThrows(HwnasException.class,
                () -> TrainingRun.start(base.with("lut", other.toString()), tmp.resolve("other"), Progress.NONE,
                        TrainingRun.Stopper.NEVER));
        assertTrue(e.getMessage().contains("fbnet-cifar-tiny"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("other").resolve(Checkpoints.POINTER)));
    }
}
