package io.hwnas.search.specialize;

import ai.djl.ndarray.NDManager;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Progress;
import io.hwnas.datasets.Augment;
import io.hwnas.datasets.Batch;
import io.hwnas.datasets.Batches;
import io.hwnas.datasets.ImageSet;
import io.hwnas.datasets.Normalization;
import io.hwnas.latency.LatencyModel;
import io.hwnas.search.train.Adam;
import io.hwnas.search.train.LatencyLoss;
import io.hwnas.search.train.Theta;
import io.hwnas.search.train.ThetaStep;
import io.hwnas.supernet.net.Gumbel;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code hwnas specialize --method theta}: FBNet's θ pass run again on a trained supernet with
 * another target's latency model. The weights stay frozen ({@link ThetaStep} detaches them; only
 * the in-memory BN running statistics move, and nothing is written to the run); θ starts from the
 * run's final θ and takes {@code steps} Adam steps on the run's architecture-split images with the
 * additive loss {@code CE + α · (log LAT)^β} ({@link LatencyLoss#anyRange}: FBNet's LAT where its log
 * is defined, LAT normalised to the model's range otherwise).
 *
 * <p>The budget is met through α, the latency pressure. A trial runs the θ steps from the run's θ
 * with one α (the same batches and Gumbel noise in every trial) and checks whether the argmax
 * architecture is within the budget. α = 0 (plain cross-entropy) is tried first; if its argmax is
 * over budget, α = 0.1, 0.4, 1.6, ... (x4) until one meets it (up to {@link #MAX_ALPHA}), then
 * {@code bisections} geometric bisections between the last α that failed and the first that met
 * look for a smaller α that still meets it. The pick is the argmax of the smallest α that met the
 * budget: the least latency pressure, so the most weight on accuracy.
 */
public final class ThetaSearch {
    static final double FIRST_ALPHA = 0.1;
    static final double ALPHA_FACTOR = 4;
    static final double MAX_ALPHA = 1e4;
    private static final long BATCH_SALT = 0x3C6EF372FE94F82BL;
    private static final long NOISE_SALT = 0x7137449123EF65CDL;

    private ThetaSearch() {}

    /**
     * @param steps θ steps per trial
     * @param lr Adam learning rate on θ
     * @param bisections bisection trials after the first α that met the budget
     * @param beta β of the latency term
     * @param tau Gumbel-softmax temperature (the run's last)
     * @param batchSize images per θ step
     * @param weightDecay Adam's L2 on θ (the run's theta_weight_decay)
     * @param seed batches and Gumbel noise
     */
    public record Config(int steps, double lr, int bisections, double beta, double tau, int batchSize,
            double weightDecay, long seed) {
        public Config {
            HwnasException.require(steps >= 1, "--theta-steps", steps, "must be >= 1");
            HwnasException.require(lr > 0 && Double.isFinite(lr), "--theta-lr", lr, "must be positive");
            HwnasException.require(bisections >= 0, "--theta-bisections", bisections, "must be >= 0");
            HwnasException.require(beta > 0 && Double.isFinite(beta), "beta", beta, "must be positive");
            HwnasException.require(tau > 0 && Double.isFinite(tau), "tau", tau, "must be positive");
            HwnasException.require(batchSize >= 1, "batch_size", batchSize, "must be >= 1");
            HwnasException.require(weightDecay >= 0, "theta_weight_decay", weightDecay, "must be >= 0");
        }
    }

    /** One trial: α, the argmax it ended with, its latency, whether it met the budget, the last step's CE. */
    public record Trial(double alpha, String arch, double latencyMs, boolean meets, double expectedLatencyMs,
            double crossEntropy) {}

    /**
     * The outcome: the pick (argmax of θ of the chosen trial), its α, the latency term used
     * ("log LAT, LAT in 0.1ms" or "log LAT, LAT normalised to the model's range"), every trial in the
     * order run, and the chosen trial's θ (rows, the space's op order).
     */
    public record Result(int[] ops, double alpha, String latencyTerm, List<Trial> trials, float[][] theta,
            long thetaSteps) {
        public Result {
            ops = ops.clone();
            trials = List.copyOf(trials);
        }

        @Override
        public int[] ops() {
            return ops.clone();
        }
    }

    /**
     * Re-optimizes θ on {@code net} (frozen) for {@code model} until the argmax is within
     * {@code budgetMs}. {@code archImages} are the run's architecture split, normalised with
     * {@code norm} (the weight split's, as in training).
     *
     * @throws HwnasException for a non-differentiable model, an unreachable budget, or when even
     *     α = {@link #MAX_ALPHA} leaves the argmax over budget
     */
    public static Result search(Supernet net, float[][] theta0, LatencyModel model, double budgetMs, Config cfg,
            ImageSet archImages, Normalization norm, Progress progress) {
        requireDifferentiable(model, "model");
        Evolution.checkBudget(model, budgetMs, "budget_ms");
        SearchSpace space = net.space();
        HwnasException.require(theta0.length == space.layerCount(), "theta", theta0.length + " layers",
                "must have " + space.layerCount());
        LatencyLoss probe = LatencyLoss.anyRange(model, 0, cfg.beta(), "additive", "sample");
        String term = LatencyLoss.RANGE_UNIT.equals(probe.unit().name())
                ? "log LAT, LAT normalised to the model's range (e at the fastest, 2e at the slowest)"
                : "log LAT, LAT in " + probe.unit().name();
        List<Trial> trials = new ArrayList<>();
        Run chosen = trial(net, theta0, model, 0, budgetMs, cfg, archImages, norm, progress);
        trials.add(chosen.trial);
        if (!chosen.trial.meets()) {
            double lo = 0;
            double alpha = FIRST_ALPHA;
            Run met = null;
            while (met == null) {
                Run r = trial(net, theta0, model, alpha, budgetMs, cfg, archImages, norm, progress);
                trials.add(r.trial);
                if (r.trial.meets()) {
                    met = r;
                } else if (alpha >= MAX_ALPHA) {
                    throw new HwnasException(String.format(Locale.ROOT, "%s: the θ method did not meet the budget"
                            + " %.6g ms: after %d θ steps with α up to %.6g the argmax %s takes %.6g ms; raise"
                            + " --theta-steps or --theta-lr, or use --method evolution", model.source(), budgetMs,
                            cfg.steps(), alpha, r.trial.arch(), r.trial.latencyMs()));
                } else {
                    lo = alpha;
                    alpha = Math.min(MAX_ALPHA, alpha * ALPHA_FACTOR);
                }
            }
            double hi = met.trial.alpha();
            for (int i = 0; i < cfg.bisections(); i++) {
                double mid = lo > 0 ? Math.sqrt(lo * hi) : hi / ALPHA_FACTOR;
                Run r = trial(net, theta0, model, mid, budgetMs, cfg, archImages, norm, progress);
                trials.add(r.trial);
                if (r.trial.meets()) {
                    hi = mid;
                    met = r;
                } else {
                    lo = mid;
                }
            }
            chosen = met;
        }
        return new Result(chosen.ops, chosen.trial.alpha(), term, trials, chosen.theta,
                (long) trials.size() * cfg.steps());
    }

    /** Refuses a model the θ method cannot use, naming it and what to do instead. */
    public static void requireDifferentiable(LatencyModel model, String what) {
        if (!model.differentiable()) {
            throw new HwnasException(what + " " + model.source() + ": the " + model.kindName()
                    + " is not differentiable (no expected latency of op probabilities), so --method"
                    + " theta cannot use it; give a LUT-like model (a LUT, lut-fit or flops) or use --method"
                    + " evolution or nsga2");
        }
    }

    private record Run(Trial trial, int[] ops, float[][] theta) {}

    private static Run trial(Supernet net, float[][] theta0, LatencyModel model, double alpha, double budgetMs,
            Config cfg, ImageSet images, Normalization norm, Progress progress) {
        SearchSpace space = net.space();
        int layers = space.layerCount();
        int opCount = space.ops().size();
        LatencyLoss loss = LatencyLoss.anyRange(model, alpha, cfg.beta(), "additive", "sample");
        boolean dropLast = images.size() >= cfg.batchSize();
        Batches first = new Batches(images, cfg.batchSize(), true, Augment.NONE, cfg.seed() ^ BATCH_SALT, 0, norm,
                dropLast);
        int perEpoch = first.batchesPerEpoch();
        HwnasException.require(perEpoch > 0, "architecture split", images.size() + " images",
                "holds no batch of " + cfg.batchSize());
        progress.start(String.format(Locale.ROOT, "θ α=%.4g", alpha), cfg.steps());
        float ce = Float.NaN;
        try (NDManager root = NDManager.newBaseManager(); Adam adam = new Adam(root, 0.9, 0.999, 1e-8,
                cfg.weightDecay())) {
            Theta theta = new Theta(space, root);
            theta.set(theta0);
            adam.init(theta.array());
            ThetaStep step = new ThetaStep(net, theta, loss, adam);
            Batches bs = first;
            int at = 0;
            for (int s = 0; s < cfg.steps(); s++) {
                int epoch = s / perEpoch;
                if (epoch != at) {
                    bs = first.epoch(epoch);
                    at = epoch;
                }
                float[] noise = Gumbel.noise(cfg.seed() ^ NOISE_SALT, s, layers * opCount);
                ThetaStep.Result r;
                try (NDManager sm = root.newSubManager(); Batch b = bs.batch(sm, s % perEpoch)) {
                    r = step.run(sm, b.x(), b.y(), noise, cfg.tau(), cfg.lr());
                }
                if (!r.finite()) {
                    throw new HwnasException(String.format(Locale.ROOT, "%s: the θ loss became %s at step %d with"
                            + " α %.6g; lower --theta-lr", model.source(), r.loss(), s + 1, alpha));
                }
                ce = r.ce();
                progress.update(s + 1, String.format(Locale.ROOT, "ce %.4f lat %.4f ms", r.ce(), r.latencyMs()));
            }
            float[][] rows = theta.rows();
            int[] ops = Theta.argmax(rows);
            double lat = model.predictMs(ops);
            boolean meets = lat <= budgetMs;
            String arch = Architecture.ofIndices(space, ops).canonical();
            double expected = model.expectedMs(Theta.probabilities(rows));
            progress.finish(String.format(Locale.ROOT, "%s | %.4f ms %s budget %.4f ms", arch, lat,
                    meets ? "<=" : ">", budgetMs));
            return new Run(new Trial(alpha, arch, lat, meets, expected, ce), ops, rows);
        }
    }
}
