package io.hwnas.search.train;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import io.hwnas.datasets.Datasets;
import io.hwnas.datasets.ImageSet;
import io.hwnas.datasets.Split;
import io.hwnas.latency.LatencyModel;
import io.hwnas.search.run.Checkpoints;
import io.hwnas.search.run.Provenance;
import io.hwnas.search.run.RunDir;
import io.hwnas.search.run.RunFiles;
import io.hwnas.search.run.RunLock;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.SearchSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A training run's lifecycle in its folder: start (config, provenance, first checkpoint), resume
 * (from the latest checkpoint, refusing a changed LUT), the files written at each epoch end
 * ({@code metrics.jsonl}, {@code theta.json}) and when the run finishes ({@code arch-argmax.json},
 * {@code arch-sample-K.json}, {@code result.json}). The loop itself is {@link SupernetTrainer}'s.
 */
public final class TrainingRun {
    private TrainingRun() {}

    /**
     * Decides, after each checkpoint, whether to stop the run there (tests simulate a kill with it),
     * and, before each step, whether to stop at once (after writing a checkpoint at that step).
     */
    @FunctionalInterface
    public interface Stopper {
        boolean stop(TrainState justSaved);

        /** Asked before every training step: true writes a checkpoint there and stops the run. */
        default boolean stopNow() {
            return false;
        }

        /** The command that continues a run stopped by a signal (printed then). */
        default String continueCommand(Path runDir) {
            return "hwnas train --resume " + runDir;
        }

        Stopper NEVER = s -> false;

        /**
         * Never stops; a run stopped by a signal is continued by {@code command}, e.g. rerunning the
         * quickstart or experiment that trains it (which also does what follows the training).
         */
        static Stopper continuedBy(String command) {
            return new Stopper() {
                @Override
                public boolean stop(TrainState justSaved) {
                    return false;
                }

                @Override
                public String continueCommand(Path runDir) {
                    return command;
                }
            };
        }
    }

    /** Starts a new run in {@code runDir} (which must not hold a run yet). */
    public static TrainResult start(TrainConfig cfg, Path runDir, Progress progress, Stopper stopper) {
        return start(cfg, runDir, progress, stopper, SupernetTrainer.StepMonitor.NONE);
    }

    /**
     * Starts a new run in {@code runDir}: a folder that does not exist, is empty or, when the caller
     * checked it (the command line's {@code --force}), holds other files. Refused when it holds a run
     * already or another process is writing it ({@link RunLock}). A SIGINT/SIGTERM during training
     * writes a checkpoint at the next step boundary, prints how to resume and lets the JVM exit
     * (this method does not return then).
     */
    public static TrainResult start(TrainConfig cfg, Path runDir, Progress progress, Stopper stopper,
            SupernetTrainer.StepMonitor monitor) {
        // config.json must hold absolute paths: a run folder is read back with paths resolved against itself
        cfg = cfg.resolved(Path.of("").toAbsolutePath());
        if (Files.isDirectory(runDir)) {
            RunLock.requireFree(runDir);
        }
        if (Checkpoints.exists(runDir)) {
            throw new HwnasException(runDir + ": already holds a training run; continue it with --resume "
                    + runDir + " or choose another output folder");
        }
        ai.djl.Device device = cfg.resolveDevice();
        Nets.applyThreads(cfg.threads());
        SearchSpace space = cfg.resolveSpace();
        HwnasException.require(cfg.progressiveEpochs() == 0 || io.hwnas.supernet.net.Supernet.hasDenseOp(space),
                "progressive_epochs", cfg.progressiveEpochs(), "needs a dense op (kK_eE) in"
                + " space " + space.id() + ", whose ops are " + space.ops());
        HwnasException.require(cfg.depthSampling().equals("op") || space.ops().contains("skip"), "depth_sampling",
                cfg.depthSampling(), "needs a skip op in space " + space.id() + ", whose ops are " + space.ops());
        LatencyModel lat = cfg.latencyModel(space);
        LatencyLoss loss = LatencyLoss.of(cfg, lat); // refuses an unusable model before anything is written
        boolean created = !Files.exists(runDir);
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new HwnasException(runDir + ": cannot create: " + e.getMessage(), e);
        }
        boolean written = false;
        try (RunLock lock = RunLock.acquire(runDir); ShutdownStop sig = ShutdownStop.install()) {
            if (Checkpoints.exists(runDir)) { // started by another process since the check above
                throw new HwnasException(runDir + ": already holds a training run; continue it with --resume "
                        + runDir + " or choose another output folder");
            }
            Data data = Data.load(cfg, space, true);
            if (sig.requested()) {
                removeIfCreated(runDir, created);
                sig.exitNow();
            }
            written = true;
            Json.writeFile(runDir.resolve(RunFiles.CONFIG), cfg);
            Provenance.LutIdentity lutId = lat == null ? null : new Provenance.LutIdentity(cfg.lut(), lat.sha256(),
                    lat.device(), loss.unit().name(), lat.rangeMs().fastestMs(), lat.rangeMs().slowestMs());
            Provenance prov = Provenance.now(cfg, device.toString(), lutId, data.identity());
            Json.writeFile(runDir.resolve(RunFiles.PROVENANCE), prov);
            TrainResult r;
            try (SupernetTrainer t = new SupernetTrainer(runDir, cfg, device, space, lat, data.train(), data.split(), data.test())) {
                t.monitor(monitor);
                t.begin();
                RunFiles.writeMetrics(runDir, List.of());
                writeTheta(runDir, t.theta());
                sig.stepping();
                r = run(t, runDir, cfg, space, lat, progress, sig.and(stopper));
            }
            stoppedBySignal(sig, r, cfg, stopper);
            return r;
        } catch (RuntimeException | Error e) {
            if (!written) {
                removeIfCreated(runDir, created);
            }
            throw e;
        }
    }

    /** Continues the run in {@code runDir} from its latest checkpoint (see {@link #start} for signals). */
    public static TrainResult resume(Path runDir, Progress progress, Stopper stopper) {
        return resume(runDir, progress, stopper, null, null);
    }

    /**
     * As above, with the run's dataset read from {@code dataDir} and its LUT from {@code lut} (the same table)
     * where either is not null: a run continued on another machine, or whose files moved.
     */
    public static TrainResult resume(Path runDir, Progress progress, Stopper stopper, String dataDir, Path lut) {
        RunDir run = RunDir.open(runDir);
        run.requireConfigUnchanged(); // before the lock: a refused resume changes nothing
        LatencyModel lat = null;
        Data data = null;
        if (!done(run)) { // so are a missing LUT and data, and other images than the run's: refused before the lock too
            RunLock.requireFree(runDir); // but a run another process holds is refused first, without reading its data
            lat = run.latencyModelForResume(lut);
            data = Data.load(run.config(), run.space(), false, dataDir, runDir);
        } else if (dataDir != null) { // nothing to train, but a --data given is checked: the next commands are told it
            TrainData.loadForRun(runDir, run.config(), dataDir);
        }
        try (RunLock lock = RunLock.acquire(runDir); ShutdownStop sig = ShutdownStop.install()) {
            sig.resuming();
            run = RunDir.open(runDir); // as of now that this process holds the folder
            run.requireConfigUnchanged();
            if (done(run)) {
                return stored(run); // nothing left to train: neither the LUT nor the data is needed (either may be gone)
            }
            String layout = run.layoutWarning(run.config().resolveDevice().isGpu());
            if (layout != null) {
                System.err.println(layout);
            }
            TrainConfig cfg = run.config();
            ai.djl.Device device = cfg.resolveDevice();
            Nets.applyThreads(cfg.threads());
            SearchSpace space = run.space();
            Path ckpt = run.latestCheckpoint();
            TrainState st = run.state();
            if (data == null) { // finished when looked at before the lock, and no longer: read them now
                lat = run.latencyModelForResume(lut);
                data = Data.load(cfg, space, false, dataDir, runDir);
            }
            if (sig.requested()) {
                sig.exitNow();
            }
            TrainResult r;
            try (SupernetTrainer t = new SupernetTrainer(runDir, cfg, device, space, lat, data.train(), data.split(), data.test())) {
                t.restore(ckpt, st);
                RunFiles.writeMetrics(runDir, st.metrics());
                sig.stepping();
                r = run(t, runDir, cfg, space, lat, progress, sig.and(stopper));
            }
            stoppedBySignal(sig, r, cfg, stopper);
            return r;
        }
    }

    /** Whether the run has nothing left to do: every epoch ran and its final files (result.json) are written. */
    private static boolean done(RunDir run) {
        return run.finished() && run.state().epochsDone() >= run.config().epochs();
    }

    /** The result a finished run stored (its argmax, the argmax's latency under the run's LUT, θ, the metrics). */
    private static TrainResult stored(RunDir run) {
        RunFiles.RunResult res = run.result();
        List<RunFiles.LayerTheta> layers = run.thetaFile().layers();
        float[][] probs = new float[layers.size()][];
        for (int l = 0; l < probs.length; l++) {
            List<Double> p = layers.get(l).probabilities();
            probs[l] = new float[p.size()];
            for (int k = 0; k < p.size(); k++) {
                probs[l][k] = p.get(k).floatValue();
            }
        }
        return new TrainResult(run.dir(), true, run.state().epochsDone(), run.argmax(),
                res.argmaxLatencyMs() == null ? Double.NaN : res.argmaxLatencyMs(), probs, run.metrics());
    }

    /** After a stop by a signal: says where the checkpoint is and how to continue, then lets the JVM exit. */
    private static void stoppedBySignal(ShutdownStop sig, TrainResult r, TrainConfig cfg, Stopper stopper) {
        if (r.completed() || !sig.requested()) {
            return;
        }
        Path ckpt = Checkpoints.latest(r.runDir());
        TrainState st = Checkpoints.readState(ckpt, cfg.resolveSpace(), cfg.space());
        System.err.println("hwnas: training stopped by a signal: checkpoint written in epoch " + (st.epochsDone() + 1)
                + "/" + cfg.epochs() + ", " + (st.phase() == SupernetTrainer.PHASE_WEIGHTS ? "weight" : "θ")
                + " pass, before step " + (st.stepInPhase() + 1) + " (" + ckpt + ")");
        System.err.println("hwnas: continue with: " + stopper.continueCommand(r.runDir()));
        System.err.flush();
        sig.exitNow();
    }

    /** Removes a run folder this call created, while nothing but its lock file is in it. */
    private static void removeIfCreated(Path runDir, boolean created) {
        if (!created || !RunLock.emptyButLock(runDir)) {
            return;
        }
        try {
            Files.deleteIfExists(runDir.resolve(RunLock.FILE));
            Files.deleteIfExists(runDir);
        } catch (IOException e) {
            // an empty folder left behind is harmless
        }
    }

    private static TrainResult run(SupernetTrainer t, Path runDir, TrainConfig cfg, SearchSpace space,
            LatencyModel lat, Progress progress, Stopper stopper) {
        boolean done = t.loop(progress, stopper, (all, theta) -> {
            RunFiles.writeMetrics(runDir, all);
            writeTheta(runDir, theta);
        });
        if (done) {
            writeFinal(t, runDir, cfg, space, lat);
        }
        int[] argmax = t.theta().argmax();
        return new TrainResult(runDir, done, t.state().epochsDone(), Architecture.ofIndices(space, argmax),
                lat == null ? Double.NaN : lat.predictMs(argmax), t.theta().probabilities(), t.state().metrics());
    }

    static void writeTheta(Path runDir, Theta theta) {
        Json.writeFile(runDir.resolve(RunFiles.THETA), RunFiles.theta(theta.space(), theta.rows(),
                theta.probabilities()));
    }

    private static void writeFinal(SupernetTrainer t, Path runDir, TrainConfig cfg, SearchSpace space,
            LatencyModel lat) {
        writeTheta(runDir, t.theta());
        Architecture a = t.theta().argmaxArchitecture();
        Json.writeFile(runDir.resolve(RunFiles.ARGMAX), a);
        List<RunFiles.Sample> samples = new ArrayList<>();
        int k = 0;
        for (Architecture s : t.finalSamples()) {
            k++;
            Json.writeFile(runDir.resolve(RunFiles.sampleFile(k)), s);
            samples.add(new RunFiles.Sample(RunFiles.sampleFile(k), s.canonical(),
                    lat == null ? null : lat.predictMs(s.indices(space))));
        }
        Costs.Cost c = Costs.architecture(space, a);
        List<EpochMetrics> ms = t.state().metrics();
        boolean expected = lat != null && lat.differentiable();
        Json.writeFile(runDir.resolve(RunFiles.RESULT), new RunFiles.RunResult(Json.SCHEMA, space.id(), cfg.epochs(),
                a.canonical(), lat == null ? null : lat.predictMs(a.indices(space)), c.macs(), c.params(),
                expected ? lat.expectedMs(t.theta().probabilities()) : null, samples,
                ms.isEmpty() ? null : ms.get(ms.size() - 1)));
    }

    /** The images of a run: the training subset split into weight and architecture parts, and the test set. */
    record Data(ImageSet train, Split split, ImageSet test, Path location, String dataset) {
        static Data load(TrainConfig cfg, SearchSpace space, boolean checkFit) {
            return load(cfg, space, checkFit, null, null);
        }

        /** As above, the dataset at {@code moved} (--data of a resume of {@code runDir}) when it is not null. */
        static Data load(TrainConfig cfg, SearchSpace space, boolean checkFit, String moved, Path runDir) {
            if (moved != null) {
                ImageSet train = TrainData.loadForRun(runDir, cfg, moved); // its image count checked against the run's
                Path dataPath = TrainData.location(cfg.dataset(), moved);
                ImageSet test = cfg.evalTest() ? subset(cfg, Datasets.load(cfg.dataset(), dataPath, false), "test_subset",
                        cfg.testSubset(), false) : null;
                return new Data(train, TrainData.split(train, cfg.weightFraction(), cfg.seed()), test, dataPath,
                        cfg.dataset());
            }
            if (runDir != null) {
                Data d;
                try {
                    d = load(cfg, space, checkFit, null, null);
                } catch (HwnasException e) {
                    throw TrainData.runDataMissing(runDir, e);
                }
                TrainData.requireRunImages(runDir, io.hwnas.search.run.RunDir.open(runDir).provenance(), d.train(), null,
                        d.location());
                return d;
            }
            Path dataPath = TrainData.configLocation(cfg.dataset(), cfg.dataDir());
            ImageSet train = subset(cfg, TrainData.loadConfigured(cfg.dataset(), dataPath, cfg.dataDir(), true),
                    "train_subset", cfg.trainSubset(), checkFit);
            if (checkFit) {
                TrainData.checkFits(train, space, cfg.dataset(), true);
            }
            ImageSet test = null;
            if (cfg.evalTest()) {
                test = subset(cfg, TrainData.loadConfigured(cfg.dataset(), dataPath, cfg.dataDir(), false),
                        "test_subset", cfg.testSubset(), checkFit);
            } else if (checkFit && cfg.testSubset() > 0) {
                // unused without eval_test, but refused as the README says: a test_subset beyond the test set is a typo
                if (cfg.dataset().equals("folder") && !Datasets.folderHasTestSplit(dataPath)) {
                    throw new HwnasException("field 'test_subset' = " + cfg.testSubset() + ": " + dataPath
                            + " has no test/ folder, so no test images (0: all of them)");
                }
                TrainData.checkSubset(TrainData.loadConfigured(cfg.dataset(), dataPath, cfg.dataDir(), false),
                        "test_subset", cfg.testSubset(), cfg.dataset(), false);
            }
            Split split = TrainData.split(train, cfg.weightFraction(), cfg.seed());
            return new Data(train, split, test, dataPath, cfg.dataset());
        }

        /** The config's seeded subset of {@code all}; for a new run ({@code check}) one larger than the set is a typo, refused. */
        private static ImageSet subset(TrainConfig cfg, ImageSet all, String field, int n, boolean check) {
            if (check) {
                TrainData.checkSubset(all, field, n, cfg.dataset(), field.startsWith("train"));
            }
            return TrainData.subset(all, n, cfg.seed());
        }

        Provenance.DataIdentity identity() {
            return new Provenance.DataIdentity(dataset, location.toString(), train.size(), split.weights().size(),
                    split.arch().size(), test == null ? 0 : test.size(), train.sha256());
        }
    }
}
