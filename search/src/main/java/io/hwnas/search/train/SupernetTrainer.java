package io.hwnas.search.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import io.hwnas.datasets.Augment;
import io.hwnas.datasets.Batch;
import io.hwnas.datasets.Batches;
import io.hwnas.datasets.ImageSet;
import io.hwnas.datasets.Normalization;
import io.hwnas.datasets.Split;
import io.hwnas.latency.LatencyModel;
import io.hwnas.search.run.Checkpoints;
import io.hwnas.search.run.RunFiles;
import io.hwnas.supernet.net.Gumbel;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The FBNet DNAS loop (Wu et al., CVPR 2019) over a supernet and its θ. Warm-up epochs train the
 * weights only (paths sampled from softmax(θ), uniform while θ = 0); every later epoch runs a
 * weight pass on the 80 % part ({@link WeightStep}) and then a θ pass on the 20 % part
 * ({@link ThetaStep}). The run's files and lifecycle (start, resume, provenance, final files) are
 * {@link TrainingRun}'s; this class owns the network, θ, the optimizers and the checkpoints.
 *
 * <p>Every random draw is a pure function of (seed, epoch, pass, step): batches and augmentation
 * come from {@link Batches} seeded by (seed, epoch), Gumbel noise from {@link Gumbel#noise} keyed
 * by (epoch, pass, step). Checkpoints hold every piece of state, so a resumed run reproduces the
 * uninterrupted one exactly. Every array a step makes lives in that step's manager.
 */
public final class SupernetTrainer implements AutoCloseable {
    static final long THETA_SALT = 0x632BE59BD9B4E019L;
    static final int PHASE_WEIGHTS = 0;
    static final int PHASE_THETA = 1;
    static final int PHASE_FINAL = 2;

    /** Called after every training step (weight or θ) with the trainer's root manager (tests count its arrays). */
    @FunctionalInterface
    public interface StepMonitor {
        void afterStep(long stepsDone, NDManager root);

        StepMonitor NONE = (n, m) -> { };
    }

    /** Told at each epoch end, after the checkpoint (the run writes its files). */
    interface EpochListener {
        void epochEnd(List<EpochMetrics> all, Theta theta);
    }

    private final Path runDir;
    private final TrainConfig cfg;
    private final SearchSpace space;
    private final LatencyModel latency;
    /** The run's training images (both parts): the per-epoch test accuracy recalibrates BN on them, as extract does. */
    private final ImageSet train;
    private final Split split;
    private final ImageSet test;
    private final NDManager root;
    private final Supernet net;
    private final Theta theta;
    private final Sgd sgd;
    private final Adam adam;
    private final WeightStep weightStep;
    private final ThetaStep thetaStep;
    private TrainState state;
    private StepMonitor monitor = StepMonitor.NONE;
    private long stepsDone;

    SupernetTrainer(Path runDir, TrainConfig cfg, ai.djl.Device device, SearchSpace space, LatencyModel latency,
            ImageSet train, Split split, ImageSet test) {
        this.runDir = runDir;
        this.train = train;
        this.cfg = cfg;
        this.space = space;
        this.latency = latency;
        this.split = split;
        this.test = test;
        this.root = NDManager.newBaseManager(device);
        boolean ok = false;
        try {
            Engine.getInstance().setRandomSeed((int) cfg.seed());
            this.net = new Supernet(space, Supernet.layers(cfg.supernet()));
            net.initialize(root, DataType.FLOAT32, Supernet.inputShape(space, 2));
            this.theta = new Theta(space, root);
            this.sgd = new Sgd(root, cfg.momentum(), cfg.weightDecay());
            this.adam = new Adam(root, 0.9, 0.999, 1e-8, cfg.thetaWeightDecay());
            adam.init(theta.array());
            this.weightStep = new WeightStep(net, theta, sgd, cfg.weightSampling(), cfg.sandwichRandom(),
                    cfg.kdWeight(), cfg.depthSampling().equals("uniform"), cfg.labelSmoothing());
            this.thetaStep = new ThetaStep(net, theta, LatencyLoss.of(cfg, latency), adam);
            ok = true;
        } finally {
            if (!ok) {
                root.close();
            }
        }
    }

    void monitor(StepMonitor m) {
        this.monitor = m;
    }

    Supernet net() {
        return net;
    }

    Theta theta() {
        return theta;
    }

    TrainState state() {
        return state;
    }

    /** The state of a run that has not taken a step yet; checkpointed at once. */
    void begin() {
        state = new TrainState(Json.SCHEMA, space.id(), space, space.layerCount(), space.ops(), 0, 0, 0, 0,
                EpochSums.ZERO, List.of());
        save();
    }

    /** Restores weights, θ, optimizer state and counters from a checkpoint. */
    void restore(Path ckpt, TrainState st) {
        Checkpoints.loadParams(ckpt, net, root);
        try (NDManager tmp = root.newSubManager()) {
            theta.load(Checkpoints.loadTheta(ckpt, tmp), ckpt.resolve(Checkpoints.THETA).toString());
            NDList opt = Checkpoints.loadOptimizer(ckpt, tmp);
            sgd.load(opt);
            adam.load(opt, st.adamSteps());
        }
        state = st;
    }

    double tau(int epoch) {
        return Schedules.tau(cfg.tauStart(), cfg.tauDecay(), epoch);
    }

    /**
     * How epoch {@code e}'s weight steps pick paths: dense ops only in the progressive stage, a
     * uniform depth in the rest of the warm-up (when configured; the sandwich's random subnets in
     * every epoch), else from θ; with {@code weight_paths: uniform} the epochs after the warm-up
     * pick as the warm-up does, with {@code mixed} every second step ({@code step}, counted over the run, odd) does.
     */
    static WeightStep.Paths paths(TrainConfig cfg, int e, boolean warm, long step) {
        if (e < cfg.progressiveEpochs()) {
            return WeightStep.Paths.DENSE;
        }
        boolean uniform = warm || cfg.weightPaths().equals("uniform") || (cfg.weightPaths().equals("mixed") && step % 2 == 1);
        if (uniform && cfg.depthSampling().equals("uniform")) {
            return WeightStep.Paths.DEPTH;
        }
        return uniform && !warm ? WeightStep.Paths.UNIFORM : WeightStep.Paths.THETA; // in the warm-up θ is 0
    }

    static long noiseKey(int epoch, int phase, int step) {
        return ((long) epoch << 32) | ((long) phase << 28) | step;
    }

    private Batches weightBatches(int epoch) {
        ImageSet s = split.weights();
        return new Batches(s, cfg.batchSize(), true, cfg.augment() ? Augment.standard(s) : Augment.NONE, cfg.seed(),
                epoch, Normalization.of(s), s.size() >= cfg.batchSize());
    }

    private Batches thetaBatches(int epoch) {
        ImageSet s = split.arch();
        return new Batches(s, cfg.batchSize(), true, Augment.NONE, cfg.seed() ^ THETA_SALT, epoch,
                Normalization.of(split.weights()), s.size() >= cfg.batchSize());
    }

    /** Runs epochs until the config's count or until {@code stopper} says stop; true when all ran. */
    boolean loop(Progress progress, TrainingRun.Stopper stopper, EpochListener listener) {
        int layers = space.layerCount();
        int ops = space.ops().size();
        while (state.epochsDone() < cfg.epochs()) {
            int e = state.epochsDone();
            boolean warm = e < cfg.warmupEpochs();
            double tau = tau(e);
            Batches wb = weightBatches(e);
            Batches tb = thetaBatches(e);
            int nW = wb.batchesPerEpoch();
            boolean settled = !warm && thetaSettled(cfg, state.metrics());
            int nT = warm || settled ? 0 : tb.batchesPerEpoch();
            long totalWeightSteps = (long) cfg.epochs() * nW;
            EpochSums sums = state.sums();
            double wallBase = sums.wallSeconds();
            long t0 = System.nanoTime();
            int phase = state.phase();
            int start = state.stepInPhase();
            progress.start(String.format("epoch %d/%d%s", e + 1, cfg.epochs(), warm ? " warm-up" : settled
                    ? " (θ settled: weights only)" : ""), nW + nT);
            if (phase == PHASE_WEIGHTS) {
                for (int s = start; s < nW; s++) {
                    if (stopper.stopNow()) {
                        saveHere(e, PHASE_WEIGHTS, s, sums.plusWall(secondsSince(t0)));
                        return false;
                    }
                    double lr = Schedules.cosine((long) e * nW + s, totalWeightSteps, cfg.weightLr(), cfg.weightLrMin());
                    float[] noise = Gumbel.noise(cfg.seed(), noiseKey(e, PHASE_WEIGHTS, s), weightStep.noiseSize());
                    WeightStep.Result r;
                    try (NDManager sm = root.newSubManager(); Batch b = wb.batch(sm, s)) {
                        long step = (long) e * nW + s; // counted over the run
                        WeightStep.Paths how = paths(cfg, e, warm, step);
                        int[] bound = weightStep.boundPath(step, cfg.boundsEvery(), how);
                        r = bound != null ? weightStep.runPath(sm, b.x(), b.y(), bound, lr)
                                : weightStep.run(sm, b.x(), b.y(), noise, tau, lr, how);
                    }
                    if (!r.finite()) {
                        throw diverged(e, "weight", s, r.ce());
                    }
                    sums = sums.weightStep(r.ce(), r.correct(), r.size(), lr);
                    monitor.afterStep(++stepsDone, root);
                    progress.update(s + 1, String.format("loss %.4f acc %.2f%% lr %.4f τ %.3f", sums.weightLoss(),
                            100 * sums.weightAccuracy(), lr, tau));
                    if (midCheckpoint(s + 1, nW) && saveMid(e, PHASE_WEIGHTS, s + 1,
                            sums.plusWall(secondsSince(t0)), stopper)) {
                        return false;
                    }
                }
                start = 0;
            }
            for (int s = start; s < nT; s++) {
                if (stopper.stopNow()) {
                    saveHere(e, PHASE_THETA, s, sums.plusWall(secondsSince(t0)));
                    return false;
                }
                float[] noise = Gumbel.noise(cfg.seed(), noiseKey(e, PHASE_THETA, s), layers * ops);
                ThetaStep.Result r;
                try (NDManager sm = root.newSubManager(); Batch b = tb.batch(sm, s)) {
                    r = thetaStep.run(sm, b.x(), b.y(), noise, tau, cfg.thetaLr());
                }
                if (!r.finite()) {
                    throw diverged(e, "θ", s, r.loss());
                }
                sums = sums.thetaStep(r.loss(), r.ce(), r.correct(), r.size(), r.latencyMs());
                monitor.afterStep(++stepsDone, root);
                progress.update(nW + s + 1, String.format("loss %.4f ce %.4f acc %.2f%% lat %.4f ms τ %.3f",
                        sums.thetaLossSum() / sums.thetaCount(), sums.thetaCeSum() / sums.thetaCount(),
                        100.0 * sums.thetaCorrect() / sums.thetaCount(), sums.latencyMsSum() / sums.thetaSteps(), tau));
                if (midCheckpoint(s + 1, nT) && saveMid(e, PHASE_THETA, s + 1, sums.plusWall(secondsSince(t0)),
                        stopper)) {
                    return false;
                }
            }
            if (stopper.stopNow()) { // every step ran: the epoch-end work (summary, test accuracy) waits for the resume
                saveHere(e, PHASE_THETA, nT, sums.plusWall(secondsSince(t0)));
                return false;
            }
            double wall = wallBase + secondsSince(t0);
            EpochMetrics m = summarize(e, warm, tau, sums, wall);
            List<EpochMetrics> all = new ArrayList<>(state.metrics());
            all.add(m);
            state = new TrainState(Json.SCHEMA, space.id(), space, layers, space.ops(), e + 1, PHASE_WEIGHTS, 0,
                    adam.steps(), EpochSums.ZERO, all);
            requireFiniteWeights(e, "end of epoch");
            save();
            listener.epochEnd(all, theta);
            progress.finish(summaryLine(m));
            if (stopper.stop(state)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether θ has settled by the end of the last epoch run ({@code metrics}' last entry, past the
     * warm-up): every layer's entropy below the config's {@code theta_freeze_entropy} (0: never). θ
     * does not move once its steps stop, so this stays true for the rest of the run, and a resumed run
     * decides as the straight one did (the metrics are in the checkpoint).
     */
    static boolean thetaSettled(TrainConfig cfg, List<EpochMetrics> metrics) {
        if (!(cfg.thetaFreezeEntropy() > 0) || metrics.isEmpty()) {
            return false;
        }
        EpochMetrics last = metrics.get(metrics.size() - 1);
        return !last.warmup() && last.thetaEntropy().stream().allMatch(h -> h < cfg.thetaFreezeEntropy());
    }

    private boolean midCheckpoint(int done, int total) {
        return cfg.checkpointEverySteps() > 0 && done % cfg.checkpointEverySteps() == 0 && done < total;
    }

    private boolean saveMid(int epoch, int phase, int step, EpochSums sums, TrainingRun.Stopper stopper) {
        saveHere(epoch, phase, step, sums);
        return stopper.stop(state);
    }

    /** Checkpoints the run before step {@code step} of {@code phase} of epoch {@code epoch} (0-based). */
    private void saveHere(int epoch, int phase, int step, EpochSums sums) {
        requireFiniteWeights(epoch, "step " + step);
        state = new TrainState(Json.SCHEMA, space.id(), space, space.layerCount(), space.ops(), epoch, phase, step,
                adam.steps(), sums, state.metrics());
        save();
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private TrainingDiverged diverged(int epoch, String pass, int step, float value) {
        Path last = Checkpoints.latest(runDir);
        return new TrainingDiverged("the loss became " + value + " at epoch " + (epoch + 1) + ", " + pass + " step "
                + (step + 1) + ": training stopped. The last good checkpoint is kept: " + last + " (start again with lower"
                + " weight_lr/theta_lr: a copy of " + runDir.resolve(RunFiles.CONFIG) + " with them lowered, 'hwnas train"
                + " --config COPY -o NEW_DIR'; a resume refuses an edited config).");
    }

    private void requireFiniteWeights(int epoch, String where) {
        List<ai.djl.ndarray.NDArray> arrays = new ArrayList<>();
        for (var p : net.getParameters()) {
            arrays.add(p.getValue().getArray());
        }
        arrays.add(theta.array());
        if (!Checkpoints.finite(arrays)) {
            throw diverged(epoch, "weights non-finite at " + where + ",", 0, Float.NaN);
        }
    }

    private EpochMetrics summarize(int e, boolean warm, double tau, EpochSums s, double wall) {
        float[][] probs = theta.probabilities();
        int[] argmax = theta.argmax();
        List<Double> ent = new ArrayList<>();
        for (float[] p : probs) {
            ent.add(RunFiles.entropy(p));
        }
        Double testAcc = test == null ? null : argmaxTestAccuracy(argmax);
        boolean expected = latency != null && latency.differentiable();
        boolean noTheta = s.thetaSteps() == 0; // the warm-up, or θ settled (theta_freeze_entropy)
        return new EpochMetrics(e + 1, warm, tau, s.lastLr(), s.weightLoss(), s.weightAccuracy(),
                noTheta ? null : s.thetaLossSum() / s.thetaCount(), noTheta ? null : s.thetaCeSum() / s.thetaCount(),
                noTheta ? null : (double) s.thetaCorrect() / s.thetaCount(),
                noTheta || latency == null ? null : s.latencyMsSum() / s.thetaSteps(),
                expected ? latency.expectedMs(probs) : null, latency == null ? null : latency.predictMs(argmax),
                Architecture.ofIndices(space, argmax).canonical(), ent, testAcc, wall);
    }

    /**
     * The argmax's test accuracy as {@code hwnas extract} (default {@value #TEST_RECALIBRATE_BATCHES} batches) and
     * {@code hwnas eval} would give it: the subnet sliced out of the supernet, its BN statistics recalibrated on
     * training images, in eval mode. The supernet's own running statistics mix every path's and would make the
     * figure meaningless (near chance for a shared supernet); nothing of the supernet changes.
     */
    private double argmaxTestAccuracy(int[] argmax) {
        try (NDManager sm = root.newSubManager()) {
            ai.djl.nn.Block sub = io.hwnas.supernet.net.Subnets.extract(net, Architecture.ofIndices(space, argmax), sm);
            TrainData.recalibrateBn(sub, train, cfg.batchSize(), TEST_RECALIBRATE_BATCHES, cfg.seed(), sm);
            long[] c = Accuracy.counts(sub, test, sm); // as hwnas eval: the test images by their own statistics
            return c[1] == 0 ? Double.NaN : c[0] / (double) c[1];
        }
    }

    /** Recalibration batches of the per-epoch test accuracy: {@code hwnas extract}'s default. */
    static final int TEST_RECALIBRATE_BATCHES = 20;

    private static String summaryLine(EpochMetrics m) {
        StringBuilder sb = new StringBuilder(String.format("weights: loss %.4f acc %.2f%%", m.weightLoss(),
                100 * m.weightAccuracy()));
        if (m.thetaLoss() != null) {
            sb.append(String.format(" | θ: loss %.4f ce %.4f acc %.2f%%", m.thetaLoss(), m.thetaCe(),
                    100 * m.thetaAccuracy()));
        }
        if (m.expectedLatencyMs() != null) {
            sb.append(String.format(" | E[lat] %.4f ms argmax %.4f ms", m.expectedLatencyMs(), m.argmaxLatencyMs()));
        }
        if (m.testAccuracy() != null) {
            sb.append(String.format(" | test %.2f%%", 100 * m.testAccuracy()));
        }
        sb.append(String.format(" | τ %.3f", m.tau()));
        return sb.toString();
    }

    void save() {
        Checkpoints.save(runDir, net, theta.state(), optimizerState(), state);
    }

    private NDList optimizerState() {
        NDList opt = new NDList();
        opt.addAll(sgd.state());
        opt.addAll(adam.state());
        return opt;
    }

    /** Architectures sampled from the final θ (hard Gumbel, keyed by the final phase). */
    List<Architecture> finalSamples() {
        float[] flat = theta.flat();
        int layers = space.layerCount();
        int ops = space.ops().size();
        List<Architecture> out = new ArrayList<>();
        for (int k = 1; k <= cfg.finalSamples(); k++) {
            float[] noise = Gumbel.noise(cfg.seed(), noiseKey(cfg.epochs(), PHASE_FINAL, k), layers * ops);
            out.add(Architecture.ofIndices(space, Gumbel.hardSample(flat, noise, layers, ops)));
        }
        return out;
    }

    /** The trainable parameters (for tests). */
    List<Parameter> weights() {
        return net.weights();
    }

    @Override
    public void close() {
        root.close();
    }
}
