package io.hwnas.search.train;

import io.hwnas.supernet.net.Losses;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.datasets.Augment;
import io.hwnas.datasets.Batch;
import io.hwnas.datasets.Batches;
import io.hwnas.datasets.ImageSet;
import io.hwnas.datasets.Normalization;
import io.hwnas.datasets.Split;
import io.hwnas.latency.ExpectedLatency;
import io.hwnas.latency.Lut;
import io.hwnas.supernet.net.DetachedWeights;
import io.hwnas.supernet.net.Gumbel;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * FBNet DNAS supernet training (Wu et al., CVPR 2019). Warm-up epochs train the weights only (paths
 * sampled from softmax(θ), uniform while θ = 0); every later epoch runs a weight pass on the 80 %
 * part (SGD with momentum, cosine learning rate, weight decay only on parameters that ran; one
 * sampled path per step or the soft Gumbel mixture) and then a θ pass on the 20 % part (Adam on θ
 * through the soft Gumbel-softmax relaxation, the weights detached). Loss of the θ pass: CE · α ·
 * (log LAT)^β (or, with {@code latency_loss: additive}, CE + α · (log LAT)^β) with LAT the LUT
 * latency of the same Gumbel sample (or of softmax(θ)); α = 0 is plain cross-entropy. The
 * weight pass minimises CE alone: the latency factor does not depend on the weights and would only
 * rescale their learning rate.
 *
 * <p>Every random draw is a pure function of (seed, epoch, pass, step): batches and augmentation
 * come from {@link Batches} seeded by (seed, epoch), Gumbel noise from {@link Gumbel#noise} keyed
 * by (epoch, pass, step). Checkpoints hold every piece of state, so a resumed run reproduces the
 * uninterrupted one exactly.
 */
public final class SupernetTrainer implements AutoCloseable {
    private static final long THETA_SALT = 0x632BE59BD9B4E019L;
    private static final int PHASE_WEIGHTS = 0;
    private static final int PHASE_THETA = 1;
    private static final int PHASE_FINAL = 2;

    /** Decides, after each checkpoint, whether to stop the run there (tests simulate a kill with it). */
    @FunctionalInterface
    public interface Stopper {
        boolean stop(TrainState justSaved);

        Stopper NEVER = s -> false;
    }

    private final Path runDir;
    private final TrainConfig cfg;
    private final SearchSpace space;
    private final LatencyTerm latency;
    private final Split split;
    private final ImageSet test;
    private final NDManager root;
    private final Supernet net;
    private final Map<String, String> keys;
    private final Sgd sgd;
    private final Adam adam;
    private final NDArray tableUnits;
    private TrainState state;

    private SupernetTrainer(Path runDir, TrainConfig cfg, ai.djl.Device device, SearchSpace space,
            LatencyTerm latency, Split split, ImageSet test) {
        this.runDir = runDir;
        this.cfg = cfg;
        this.space = space;
        this.latency = latency;
        this.split = split;
        this.test = test;
        this.root = NDManager.newBaseManager(device);
        boolean ok = false;
        try {
            Engine.getInstance().setRandomSeed((int) cfg.seed());
            this.net = new Supernet(space);
            net.initialize(root, DataType.FLOAT32, new Shape(2, space.input().channels(), space.input().height(),
                    space.input().width()));
            this.keys = Nets.keys(net);
            this.sgd = new Sgd(root, cfg.momentum(), cfg.weightDecay());
            this.adam = new Adam(root, 0.9, 0.999, 1e-8, cfg.thetaWeightDecay());
            this.tableUnits = latency == null ? null : ExpectedLatency.table(root, latency.tableInUnit());
            ok = true;
        } finally {
            if (!ok) {
                root.close();
            }
        }
    }

    /** Sets PyTorch's intra-op threads (0 leaves the launcher's setting). */
    public static void applyThreads(int threads) {
        if (threads > 0) {
            try {
                ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
            } catch (RuntimeException | LinkageError e) {
                System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            }
        }
    }

    /**
     * The DJL device of the config's {@code device}; a GPU that is not there is refused, naming the
     * field (checked before a run writes anything).
     */
    public static ai.djl.Device device(TrainConfig cfg) {
        String d = cfg.device();
        if (d.equals("auto")) {
            return Engine.getInstance().defaultDevice();
        }
        if (d.equals("cpu")) {
            return ai.djl.Device.cpu();
        }
        int id = d.equals("gpu") ? 0 : Integer.parseInt(d.substring(4));
        int gpus = Engine.getInstance().getGpuCount();
        HwnasException.require(id < gpus, "device", d, gpus == 0 ? "no GPU is visible to DJL/PyTorch (the CPU"
                + " build of PyTorch is on the class path: run with HWNAS_GPU=1, see the README)" : "only " + gpus
                + " GPU(s) are visible");
        return ai.djl.Device.gpu(id);
    }

    public static SearchSpace space(TrainConfig cfg) {
        return SpaceRegistry.resolve(cfg.space());
    }

    /** The config's LUT as the loss sees it, or null when α = 0 and no LUT is given. */
    public static LatencyTerm latencyTerm(TrainConfig cfg, SearchSpace space) {
        if (cfg.lut() == null || cfg.lut().isBlank()) {
            return null;
        }
        Path p = Path.of(cfg.lut());
        Lut lut = Lut.read(p);
        try {
            return LatencyTerm.of(p.toString(), lut, space, cfg.latencyUnit());
        } catch (HwnasException e) {
            if (e.getMessage().startsWith(p.toString())) {
                throw e;
            }
            throw new HwnasException(p + ": " + e.getMessage(), e);
        }
    }

    /** Starts a new run in {@code runDir} (which must not hold a run yet). */
    public static TrainResult start(TrainConfig cfg, Path runDir, Progress progress, Stopper stopper) {
        if (Checkpoints.exists(runDir)) {
            throw new HwnasException(runDir + ": already holds a training run; continue it with --resume "
                    + runDir + " or choose another output folder");
        }
        ai.djl.Device device = device(cfg);
        applyThreads(cfg.threads());
        SearchSpace space = space(cfg);
        LatencyTerm lat = latencyTerm(cfg, space);
        Path dataPath = TrainData.location(cfg.dataset(), cfg.dataDir());
        ImageSet train = TrainData.subset(io.hwnas.datasets.Datasets.load(cfg.dataset(), dataPath, true),
                cfg.trainSubset(), cfg.seed());
        TrainData.checkFits(train, space, cfg.dataset());
        ImageSet test = cfg.evalTest() ? TrainData.subset(io.hwnas.datasets.Datasets.load(cfg.dataset(), dataPath,
                false), cfg.testSubset(), cfg.seed()) : null;
        Split split = TrainData.split(train, cfg.weightFraction(), cfg.seed());
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new HwnasException(runDir + ": cannot create: " + e.getMessage(), e);
        }
        Json.writeFile(runDir.resolve(RunFiles.CONFIG), cfg);
        Provenance.LutIdentity lutId = lat == null ? null : new Provenance.LutIdentity(cfg.lut(),
                Provenance.sha256(Path.of(cfg.lut())), Lut.read(Path.of(cfg.lut())).device(), lat.unit(),
                lat.fastestMs(), lat.slowestMs());
        Provenance prov = Provenance.now(cfg.seed(), device.toString(), lutId, new Provenance.DataIdentity(
                cfg.dataset(), dataPath.toString(), train.size(), split.weights().size(), split.arch().size(),
                test == null ? 0 : test.size()));
        Json.writeFile(runDir.resolve(RunFiles.PROVENANCE), prov);
        try (SupernetTrainer t = new SupernetTrainer(runDir, cfg, device, space, lat, split, test)) {
            t.state = new TrainState(Json.SCHEMA, space.id(), space, space.layerCount(), space.ops(), 0, 0, 0, 0,
                    EpochSums.ZERO, List.of());
            t.save();
            RunFiles.writeMetrics(runDir, List.of());
            t.writeTheta();
            return t.loop(progress, stopper);
        }
    }

    /** Continues the run in {@code runDir} from its latest checkpoint. */
    public static TrainResult resume(Path runDir, Progress progress, Stopper stopper) {
        Path cfgFile = runDir.resolve(RunFiles.CONFIG);
        if (!Files.isRegularFile(cfgFile)) {
            throw new HwnasException(runDir + ": not a training run directory (" + RunFiles.CONFIG + " missing)");
        }
        TrainConfig cfg = TrainConfig.read(cfgFile);
        ai.djl.Device device = device(cfg);
        applyThreads(cfg.threads());
        SearchSpace space = space(cfg);
        Path ckpt = Checkpoints.latest(runDir);
        TrainState st = Checkpoints.readState(ckpt, space);
        LatencyTerm lat = latencyTerm(cfg, space);
        Provenance prov = Json.read(runDir.resolve(RunFiles.PROVENANCE), Provenance.class);
        if (lat != null && prov.lut() != null) {
            String sha = Provenance.sha256(Path.of(cfg.lut()));
            if (!sha.equals(prov.lut().sha256())) {
                throw new HwnasException(cfg.lut() + ": the LUT changed since the run started (sha256 " + sha
                        + ", provenance.json says " + prov.lut().sha256() + "): resuming would not reproduce the run");
            }
        }
        Path dataPath = TrainData.location(cfg.dataset(), cfg.dataDir());
        ImageSet train = TrainData.subset(io.hwnas.datasets.Datasets.load(cfg.dataset(), dataPath, true),
                cfg.trainSubset(), cfg.seed());
        ImageSet test = cfg.evalTest() ? TrainData.subset(io.hwnas.datasets.Datasets.load(cfg.dataset(), dataPath,
                false), cfg.testSubset(), cfg.seed()) : null;
        Split split = TrainData.split(train, cfg.weightFraction(), cfg.seed());
        try (SupernetTrainer t = new SupernetTrainer(runDir, cfg, device, space, lat, split, test)) {
            Checkpoints.loadParams(ckpt, t.net, t.root);
            try (NDManager tmp = t.root.newSubManager()) {
                NDList opt = Checkpoints.loadOptimizer(ckpt, tmp);
                t.sgd.load(opt);
                t.adam.load(opt, st.adamSteps());
            }
            t.state = st;
            RunFiles.writeMetrics(runDir, st.metrics());
            return t.loop(progress, stopper);
        }
    }

    double tau(int epoch) {
        return cfg.tauStart() * Math.exp(-cfg.tauDecay() * epoch);
    }

    /** Cosine learning rate at weight step {@code step} of {@code total}. */
    double lr(long step, long total) {
        double c = 0.5 * (1 + Math.cos(Math.PI * step / Math.max(1, total)));
        return cfg.weightLrMin() + (cfg.weightLr() - cfg.weightLrMin()) * c;
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

    private TrainResult loop(Progress progress, Stopper stopper) {
        int layers = space.layerCount();
        int ops = space.ops().size();
        while (state.epochsDone() < cfg.epochs()) {
            int e = state.epochsDone();
            boolean warm = e < cfg.warmupEpochs();
            double tau = tau(e);
            Batches wb = weightBatches(e);
            Batches tb = thetaBatches(e);
            int nW = wb.batchesPerEpoch();
            int nT = warm ? 0 : tb.batchesPerEpoch();
            long totalWeightSteps = (long) cfg.epochs() * nW;
            EpochSums sums = state.sums();
            double wallBase = sums.wallSeconds();
            long t0 = System.nanoTime();
            int phase = state.phase();
            int start = state.stepInPhase();
            progress.start(String.format("epoch %d/%d%s", e + 1, cfg.epochs(), warm ? " warm-up" : ""), nW + nT);
            if (phase == PHASE_WEIGHTS) {
                for (int s = start; s < nW; s++) {
                    double lr = lr((long) e * nW + s, totalWeightSteps);
                    sums = weightStep(wb, e, s, lr, layers, ops, tau, sums);
                    progress.update(s + 1, String.format("loss %.4f acc %.2f%% lr %.4f τ %.3f", sums.weightLoss(),
                            100 * sums.weightAccuracy(), lr, tau));
                    if (midCheckpoint(s + 1, nW)) {
                        if (saveMid(e, PHASE_WEIGHTS, s + 1, sums.plusWall(secondsSince(t0)), stopper)) {
                            return result(false);
                        }
                    }
                }
                start = 0;
            }
            for (int s = start; s < nT; s++) {
                sums = thetaStep(tb, e, s, tau, layers, ops, sums);
                progress.update(nW + s + 1, String.format("loss %.4f ce %.4f acc %.2f%% lat %.4f ms τ %.3f",
                        sums.thetaLossSum() / sums.thetaCount(), sums.thetaCeSum() / sums.thetaCount(),
                        100.0 * sums.thetaCorrect() / sums.thetaCount(), sums.latencyMsSum() / sums.thetaSteps(), tau));
                if (midCheckpoint(s + 1, nT)) {
                    if (saveMid(e, PHASE_THETA, s + 1, sums.plusWall(secondsSince(t0)), stopper)) {
                        return result(false);
                    }
                }
            }
            double wall = wallBase + secondsSince(t0);
            EpochMetrics m = summarize(e, warm, tau, sums, wall);
            List<EpochMetrics> all = new ArrayList<>(state.metrics());
            all.add(m);
            state = new TrainState(Json.SCHEMA, space.id(), space, layers, space.ops(), e + 1, PHASE_WEIGHTS, 0,
                    adam.steps(), EpochSums.ZERO, all);
            requireFiniteWeights(e, "end of epoch");
            save();
            RunFiles.writeMetrics(runDir, all);
            writeTheta();
            progress.finish(summaryLine(m));
            if (stopper.stop(state)) {
                return result(false);
            }
        }
        writeFinal();
        return result(true);
    }

    private boolean midCheckpoint(int done, int total) {
        return cfg.checkpointEverySteps() > 0 && done % cfg.checkpointEverySteps() == 0 && done < total;
    }

    private boolean saveMid(int epoch, int phase, int step, EpochSums sums, Stopper stopper) {
        requireFiniteWeights(epoch, "step " + step);
        state = new TrainState(Json.SCHEMA, space.id(), space, space.layerCount(), space.ops(), epoch, phase, step,
                adam.steps(), sums, state.metrics());
        save();
        return stopper.stop(state);
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private EpochSums weightStep(Batches wb, int epoch, int step, double lr, int layers, int ops, double tau,
            EpochSums sums) {
        try (NDManager sm = root.newSubManager(); Batch b = wb.batch(sm, step)) {
            List<Parameter> all = net.weights();
            Nets.zeroGrads(all);
            float[] noise = Gumbel.noise(cfg.seed(), noiseKey(epoch, PHASE_WEIGHTS, step), layers * ops);
            ParameterStore ps = new ParameterStore(sm, false);
            boolean single = "single-path".equals(cfg.sampling());
            int[] path = null;
            NDArray gates = null;
            if (single) {
                path = Gumbel.hardSample(thetaFlat(), noise, layers, ops);
            } else {
                NDArray g = sm.create(noise, new Shape(layers, ops));
                gates = Gumbel.softSample(net.theta().getArray(), g, sm.create((float) tau)).duplicate();
            }
            float ce;
            long correct;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = single ? net.forwardPath(ps, b.x(), path, true)
                        : net.forwardMixed(ps, b.x(), gates, true);
                NDArray loss = Losses.crossEntropy(logits, b.y());
                ce = loss.getFloat();
                if (!Float.isFinite(ce)) {
                    throw diverged(epoch, "weight", step, ce);
                }
                correct = Nets.correct(logits, b.y());
                gc.backward(loss);
            }
            sgd.update(single ? net.weights(path) : all, keys, lr);
            return sums.weightStep(ce, correct, b.size(), lr);
        }
    }

    private EpochSums thetaStep(Batches tb, int epoch, int step, double tau, int layers, int ops, EpochSums sums) {
        try (NDManager sm = root.newSubManager(); Batch b = tb.batch(sm, step)) {
            Parameter theta = net.theta();
            Nets.zeroGrads(List.of(theta));
            float[] noise = Gumbel.noise(cfg.seed(), noiseKey(epoch, PHASE_THETA, step), layers * ops);
            NDArray g = sm.create(noise, new Shape(layers, ops));
            NDArray tauNd = sm.create((float) tau);
            // weights detached: backward computes θ's gradient (and the activations'), not the weights'
            ParameterStore ps = new DetachedWeights(sm);
            float lossV;
            float ceV;
            float latMs = Float.NaN;
            long correct;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray th = theta.getArray();
                NDArray gates = Gumbel.softSample(th, g, tauNd);
                NDArray logits = net.forwardMixed(ps, b.x(), gates, true);
                NDArray ce = Losses.crossEntropy(logits, b.y());
                NDArray loss = ce;
                if (latency != null) {
                    NDArray latGates = "softmax".equals(cfg.latencyExpectation()) ? th.softmax(-1) : gates;
                    NDArray lat = ExpectedLatency.of(latGates, tableUnits, latency.fixedInUnit());
                    latMs = (float) (lat.getFloat() / latency.scale());
                    if (cfg.alpha() > 0) {
                        // NDArray scalars, kept open until backward (mul/pow(Number) lose theirs in DJL)
                        NDArray alpha = sm.create((float) cfg.alpha());
                        NDArray beta = sm.create((float) cfg.beta());
                        NDArray term = lat.log().pow(beta);
                        loss = "additive".equals(cfg.latencyLoss()) ? ce.add(term.mul(alpha))
                                : ce.mul(alpha).mul(term);
                    }
                }
                lossV = loss.getFloat();
                ceV = ce.getFloat();
                if (!Float.isFinite(lossV)) {
                    throw diverged(epoch, "θ", step, lossV);
                }
                correct = Nets.correct(logits, b.y());
                gc.backward(loss);
            }
            adam.update(theta, cfg.thetaLr());
            return sums.thetaStep(lossV, ceV, correct, b.size(), latMs);
        }
    }

    private TrainingDiverged diverged(int epoch, String pass, int step, float value) {
        Path last = Checkpoints.latest(runDir);
        return new TrainingDiverged("the loss became " + value + " at epoch " + (epoch + 1) + ", " + pass + " step "
                + (step + 1) + ": training stopped. The last good checkpoint is kept: " + last + " (resume with"
                + " 'hwnas train --resume " + runDir + "' after lowering weight_lr/theta_lr in " + runDir.resolve(
                RunFiles.CONFIG) + ", or start again).");
    }

    private void requireFiniteWeights(int epoch, String where) {
        List<NDArray> arrays = new ArrayList<>();
        for (var p : net.getParameters()) {
            arrays.add(p.getValue().getArray());
        }
        if (!Checkpoints.finite(arrays)) {
            throw diverged(epoch, "weights non-finite at " + where + ",", 0, Float.NaN);
        }
    }

    private float[] thetaFlat() {
        return net.theta().getArray().toFloatArray();
    }

    private float[][] thetaRows() {
        float[] f = thetaFlat();
        int ops = space.ops().size();
        float[][] r = new float[space.layerCount()][ops];
        for (int l = 0; l < r.length; l++) {
            System.arraycopy(f, l * ops, r[l], 0, ops);
        }
        return r;
    }

    private EpochMetrics summarize(int e, boolean warm, double tau, EpochSums s, double wall) {
        float[][] probs = net.probabilities();
        int[] argmax = net.argmax();
        List<Double> ent = new ArrayList<>();
        for (float[] p : probs) {
            ent.add(RunFiles.entropy(p));
        }
        Double testAcc = test == null ? null : evalArgmax(argmax);
        return new EpochMetrics(e + 1, warm, tau, s.lastLr(), s.weightLoss(), s.weightAccuracy(),
                warm ? null : s.thetaLossSum() / s.thetaCount(), warm ? null : s.thetaCeSum() / s.thetaCount(),
                warm ? null : (double) s.thetaCorrect() / s.thetaCount(),
                warm || latency == null ? null : s.latencyMsSum() / s.thetaSteps(),
                latency == null ? null : latency.expectedMs(probs), latency == null ? null : latency.ms(argmax),
                Architecture.ofIndices(space, argmax).canonical(), ent, testAcc, wall);
    }

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

    /** Accuracy of the argmax path inside the supernet (BN statistics as trained, eval mode). */
    private double evalArgmax(int[] path) {
        Batches bs = new Batches(test, 256, false, Augment.NONE, cfg.seed(), 0, Normalization.of(split.weights()),
                false);
        long correct = 0;
        long n = 0;
        for (int i = 0; i < bs.batchesPerEpoch(); i++) {
            try (NDManager sm = root.newSubManager(); Batch b = bs.batch(sm, i)) {
                NDArray logits = net.forwardPath(new ParameterStore(sm, false), b.x(), path, false);
                correct += Nets.correct(logits, b.y());
                n += b.size();
            }
        }
        return n == 0 ? Double.NaN : correct / (double) n;
    }

    private void save() {
        Checkpoints.save(runDir, net, sgd, adam, state);
    }

    private void writeTheta() {
        Json.writeFile(runDir.resolve(RunFiles.THETA), RunFiles.theta(space, thetaRows(), net.probabilities()));
    }

    private void writeFinal() {
        writeTheta();
        int[] argmax = net.argmax();
        Architecture a = Architecture.ofIndices(space, argmax);
        Json.writeFile(runDir.resolve(RunFiles.ARGMAX), a);
        float[] flat = thetaFlat();
        int layers = space.layerCount();
        int ops = space.ops().size();
        List<RunFiles.Sample> samples = new ArrayList<>();
        for (int k = 1; k <= cfg.finalSamples(); k++) {
            float[] noise = Gumbel.noise(cfg.seed(), noiseKey(cfg.epochs(), PHASE_FINAL, k), layers * ops);
            Architecture s = Architecture.ofIndices(space, Gumbel.hardSample(flat, noise, layers, ops));
            Json.writeFile(runDir.resolve(RunFiles.sampleFile(k)), s);
            samples.add(new RunFiles.Sample(RunFiles.sampleFile(k), s.canonical(),
                    latency == null ? null : latency.ms(s.indices(space))));
        }
        Costs.Cost c = Costs.architecture(space, a);
        List<EpochMetrics> ms = state.metrics();
        Json.writeFile(runDir.resolve(RunFiles.RESULT), new RunFiles.RunResult(Json.SCHEMA, space.id(), cfg.epochs(),
                a.canonical(), latency == null ? null : latency.ms(argmax), c.macs(), c.params(),
                latency == null ? null : latency.expectedMs(net.probabilities()), samples,
                ms.isEmpty() ? null : ms.get(ms.size() - 1)));
    }

    private TrainResult result(boolean completed) {
        int[] argmax = net.argmax();
        return new TrainResult(runDir, completed, state.epochsDone(), Architecture.ofIndices(space, argmax),
                latency == null ? Double.NaN : latency.ms(argmax), net.probabilities(), state.metrics());
    }

    @Override
    public void close() {
        root.close();
    }
}
