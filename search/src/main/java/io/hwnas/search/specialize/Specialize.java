package io.hwnas.search.specialize;

import io.hwnas.core.AtomicFiles;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.search.run.RunDir;
import io.hwnas.search.subnet.Extraction;
import io.hwnas.search.train.Schedules;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * {@code hwnas specialize}: one trained supernet, one subnet per hardware target, without training
 * the supernet again (Once-for-All). For each target (a latency model and a budget) a search finds
 * the most accurate architecture within the budget, with the accuracy taken from the supernet
 * ({@link SupernetAccuracy}: inherited weights, BN recalibrated, held-out images) or from an MLP
 * accuracy predictor trained on pairs measured that way (saved in the run; reused while the run's
 * checkpoint and the pairs' settings are the same, else retrained on the stored pairs that still fit).
 * Each pick is extracted as a subnet folder; the whole call writes {@code summary.{json,csv,md}} and the
 * cross-target matrix (every pick under every target's model).
 */
public final class Specialize {
    private Specialize() {}

    /** Longest target name (it names a folder and a plot file). */
    static final int MAX_NAME = 64;
    /** Names of the output's own files and folders, which no target may take. */
    static final List<String> RESERVED = List.of("summary.json", "summary.csv", "summary.md", "cross-target.png",
            Specialize.MULTI, Specialize.CO);
    /** The per-target plot's file name prefix (the tools module writes it). */
    public static final String PLOT_PREFIX = "accuracy-latency-";

    /**
     * A target as the command line gives it: NAME=MODEL_FILE[:BUDGET_MS]. NAME names its folder in the output:
     * letters, digits, '.', '_' and '-', starting with a letter or digit, at most {@link #MAX_NAME} characters,
     * none of the output's own names in any letter case (file systems may ignore case).
     */
    public record TargetSpec(String name, Path model, Double budgetMs) {
        public TargetSpec {
            checkName(name, name);
            HwnasException.require(budgetMs == null || (Double.isFinite(budgetMs) && budgetMs > 0), "budget of target "
                    + name, budgetMs, "must be a positive number of ms");
        }

        /** The rules for a target's name (see the class doc); errors show {@code shown}. */
        static void checkName(String name, String shown) {
            HwnasException.require(name != null && name.matches("[A-Za-z0-9][A-Za-z0-9._-]*"), "--target", shown,
                    "the name must start with a letter or digit and hold letters, digits, '.', '_' and '-' only (it"
                    + " names a folder in -o)");
            HwnasException.require(name.length() <= MAX_NAME, "--target", shown, "the name is " + name.length()
                    + " characters long; at most " + MAX_NAME);
            String lower = name.toLowerCase(Locale.ROOT);
            HwnasException.require(!RESERVED.contains(lower) && !lower.startsWith(PLOT_PREFIX), "--target", shown,
                    "the name '" + name + "' is one of the output's own files or folders (" + String.join(", ", RESERVED)
                    + ", " + PLOT_PREFIX + "*, in any letter case); choose another");
        }

        public static TargetSpec parse(String s) {
            int eq = s.indexOf('=');
            if (eq <= 0 || eq == s.length() - 1) {
                throw new HwnasException("--target " + s + ": expected NAME=LATENCY_MODEL.json[:BUDGET_MS]");
            }
            String name = s.substring(0, eq);
            checkName(name, s); // errors show the argument as typed
            String rest = s.substring(eq + 1);
            Double budget = null;
            int colon = rest.lastIndexOf(':');
            if (colon > 0 && !java.nio.file.Files.isRegularFile(Path.of(rest))) { // a file whose name holds ':'
                String b = rest.substring(colon + 1);
                try {
                    budget = Double.parseDouble(b);
                } catch (NumberFormatException e) {
                    throw new HwnasException("--target " + s + ": budget '" + b + "' is not a number of ms");
                }
                HwnasException.require(Double.isFinite(budget) && budget > 0, "--target", s,
                        "the budget must be a positive number of ms");
                rest = rest.substring(0, colon);
            }
            return new TargetSpec(name, Path.of(rest), budget);
        }
    }

    /**
     * @param method "evolution" (OFA), "nsga2" (Pareto front, pick by budget) or "theta" (FBNet's θ
     *     re-optimized on the frozen weights with the target's model, {@link ThetaSearch})
     * @param accuracy "supernet" (exact, slow) or "predictor" (MLP on sampled pairs); the θ method
     *     does not use it (only --multi-target and --co-search do then)
     * @param predictorSamples pairs measured with the supernet to train the predictor
     * @param population evolution / NSGA-II population
     * @param generations evolution / NSGA-II generations
     * @param budgetFraction without a budget: the target's fastest + this fraction of its range
     * @param thetaSteps θ steps per trial of the θ method
     * @param thetaLr Adam learning rate of the θ method (null: the run's theta_lr)
     * @param thetaBisections bisection trials on α after the first α that met the budget
     * @param multiTarget also one architecture for all targets at once ({@link MultiTarget})
     * @param multiObjective "all-budgets" (most accurate within every budget) or "worst-ratio"
     *     (smallest max latency/budget over the targets, accuracy at least {@code accuracyFloor})
     * @param accuracyFloor the accuracy floor of "worst-ratio" (in %, the estimator's scale)
     * @param coSearch also the best (architecture, setting) pair, the targets being settings of one
     *     device ({@link CoSearch}), under one budget
     */
    public record Options(String method, String accuracy, int predictorSamples, int population, int generations,
            int recalibrateBatches, int heldOutImages, double budgetFraction, long seed, int thetaSteps, Double thetaLr,
            int thetaBisections, boolean multiTarget, String multiObjective, Double accuracyFloor, boolean coSearch,
            String dataDir) {
        public Options {
            HwnasException.require(method.equals("evolution") || method.equals("nsga2") || method.equals("theta"),
                    "--method", method, "must be evolution, nsga2 or theta");
            HwnasException.require(accuracy.equals("supernet") || accuracy.equals("predictor"), "--accuracy", accuracy,
                    "must be supernet or predictor");
            HwnasException.require(predictorSamples >= 20, "--predictor-samples", predictorSamples, "must be >= 20");
            HwnasException.require(population >= 4, "--population", population, "must be >= 4");
            HwnasException.require(generations >= 1, "--generations", generations, "must be >= 1");
            HwnasException.require(recalibrateBatches >= 1, "--recalibrate-batches", recalibrateBatches, "must be >= 1");
            HwnasException.require(heldOutImages >= 0, "--held-out", heldOutImages, "must be >= 0");
            HwnasException.require(budgetFraction > 0 && budgetFraction <= 1, "--budget-fraction", budgetFraction,
                    "must be in (0, 1]");
            HwnasException.require(thetaSteps >= 1, "--theta-steps", thetaSteps, "must be >= 1");
            HwnasException.require(thetaLr == null || (thetaLr > 0 && Double.isFinite(thetaLr)), "--theta-lr", thetaLr,
                    "must be positive");
            HwnasException.require(thetaBisections >= 0, "--theta-bisections", thetaBisections, "must be >= 0");
            HwnasException.require(multiObjective.equals("all-budgets") || multiObjective.equals("worst-ratio"),
                    "--multi-objective", multiObjective, "must be all-budgets or worst-ratio");
            HwnasException.require(!multiObjective.equals("worst-ratio") || multiTarget, "--multi-objective",
                    multiObjective, "applies to --multi-target only");
            HwnasException.require(!multiObjective.equals("worst-ratio") || accuracyFloor != null, "--accuracy-floor",
                    "none", "is required by --multi-objective worst-ratio");
            HwnasException.require(accuracyFloor == null || multiObjective.equals("worst-ratio"), "--accuracy-floor",
                    accuracyFloor, "applies to --multi-objective worst-ratio only");
            HwnasException.require(accuracyFloor == null || (accuracyFloor >= 0 && accuracyFloor <= 100),
                    "--accuracy-floor", accuracyFloor, "must be a held-out accuracy in % (0 to 100)");
        }

        /** The per-target search only (evolution or NSGA-II), θ-method settings at their defaults. */
        public Options(String method, String accuracy, int predictorSamples, int population, int generations,
                int recalibrateBatches, int heldOutImages, double budgetFraction, long seed) {
            this(method, accuracy, predictorSamples, population, generations, recalibrateBatches, heldOutImages,
                    budgetFraction, seed, 300, null, 3, false, "all-budgets", null, false, null);
        }
    }

    /** What the θ method did for a target: the α it settled on, the latency term, its trials. */
    public record ThetaReport(double alpha, String latencyTerm, int stepsPerTrial, double lr, double tau,
            long thetaSteps, List<ThetaSearch.Trial> trials) {}

    /**
     * One target's pick. Accuracy in % on the held-out images (supernet, BN recalibrated): the figure the search
     * maximized, so the best of many noisy estimates and an overstatement of the pick's own accuracy;
     * {@code unseenAccuracy} is the same pick's on the {@code unseenImages} of the architecture part no search scored
     * on (null with {@code --held-out 0}, which scores on all of them), the figure to expect.
     */
    public record Pick(String target, String model, double budgetMs, String arch, double latencyMs, double accuracy,
            Double predictedAccuracy, double seconds, long accuracyEvaluations, String subnet, List<double[]> front,
            ThetaReport theta, Double unseenAccuracy, Integer unseenImages) {}

    /** A setting's winner in a co-search (null arch when the budget is below its fastest architecture). */
    public record SettingRow(String setting, String arch, Double latencyMs, Double accuracy, String unreachable) {}

    /**
     * The pick of {@code --multi-target} (kind "multi-target": one architecture for every target) or
     * {@code --co-search} (kind "co-search": the winning {@code setting} and its architecture). Latencies
     * and budgets in the order of {@code targets}; accuracies as in {@link Pick}.
     */
    public record JointPick(String kind, String objective, String arch, double accuracy, Double predictedAccuracy,
            List<String> targets, List<Double> budgetsMs, List<Double> latenciesMs, Double worstRatio,
            Double accuracyFloor, String setting, List<SettingRow> settings, double seconds, long accuracyEvaluations,
            String subnet, Double unseenAccuracy, Integer unseenImages) {}

    /**
     * summary.json: the picks and the cross-target matrix (matrix[i][j]: pick i's latency under target
     * j; the rows are {@code matrixPicks}: the targets' picks, then the multi-target and co-search
     * picks when asked for).
     */
    public record Summary(int schema, String run, String method, String accuracySource, List<Pick> targets,
            List<String> matrixTargets, double[][] matrixMs, PredictorReport predictor, JointPick multiTarget,
            JointPick coSearch, List<String> matrixPicks) {}

    public record PredictorReport(String file, int samples, double heldOutRmse, double heldOutKendallTau,
            boolean reused, double seconds) {}

    static final String MULTI = "multi-target";
    static final String CO = "co-search";

    public static Summary run(Path runDir, List<TargetSpec> specs, Options opt, Path out, Progress progress,
            Consumer<String> log) {
        return run(runDir, specs, opt, out, progress, log, () -> { });
    }

    /**
     * As {@link #run(Path, List, Options, Path, Progress, Consumer)}; {@code beforeWriting} runs once every
     * input has been checked, just before {@code out} is created (e.g. to empty an old output folder only
     * when the call will go ahead).
     */
    public static Summary run(Path runDir, List<TargetSpec> specs, Options opt, Path out, Progress progress,
            Consumer<String> log, Runnable beforeWriting) {
        HwnasException.require(!specs.isEmpty(), "--target", "none", "give at least one target");
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (TargetSpec t : specs) {
            HwnasException.require(seen.add(t.name().toLowerCase(Locale.ROOT)), "--target", t.name(), "names two targets"
                    + " (names differing only in letter case would share a folder where the file system ignores case)");
        }
        HwnasException.require(!opt.multiTarget() || specs.size() >= 2, "--multi-target", specs.size() + " target",
                "needs at least two targets");
        HwnasException.require(!opt.coSearch() || specs.size() >= 2, "--co-search", specs.size() + " target",
                "needs at least two targets (the settings)");
        RunDir run = RunDir.open(runDir);
        SearchSpace space = run.space();
        List<Target> targets = new ArrayList<>();
        for (TargetSpec t : specs) {
            LatencyModel m = LatencyModels.read(t.model(), id -> {
                if (id != null && !id.equals(space.id())) {
                    throw new HwnasException("field 'space' = \"" + id + "\": the model is for space " + id
                            + ", the run " + runDir + " searched space " + space.id());
                }
                return space;
            });
            if (opt.method().equals("theta")) {
                ThetaSearch.requireDifferentiable(m, "--target " + t.name() + ":");
            }
            double budget = t.budgetMs() != null ? t.budgetMs() : defaultBudget(m, opt);
            Evolution.checkBudget(m, budget, "--target " + t.name() + " budget");
            targets.add(new Target(t.name(), m, budget));
        }
        Double coBudget = opt.coSearch() ? coSearchBudget(specs, targets, opt) : null;
        // the supernet and its data are read (and other images than the run's refused) before anything is replaced
        try (SupernetAccuracy exact = new SupernetAccuracy(run, opt.recalibrateBatches(), opt.heldOutImages(),
                opt.dataDir())) {
            beforeWriting.run();
            try {
                io.hwnas.core.FileGate.pass(() -> Files.createDirectories(out));
            } catch (IOException e) {
                throw new HwnasException(out + ": cannot create: " + e.getMessage(), e);
            }
            RunDir.Trained loaded = exact.trained();
            String unfinished = io.hwnas.search.subnet.Extraction.runState(runDir, loaded, run.config(),
                    io.hwnas.search.subnet.Extraction.allZero(loaded.theta().rows()));
            if (unfinished != null) {
                log.accept("hwnas: warning: " + unfinished + "; every accuracy below comes from these weights");
            }
            String lutNote = Extraction.lutNote(run.reportLut()); // each pick is extracted, its latency recorded
            if (lutNote != null) {
                log.accept("hwnas: warning: " + lutNote);
            }
            log.accept(String.format(Locale.ROOT, "accuracy: supernet of %s, BN recalibrated on %d batch%s, %d held-out"
                    + " images%s", runDir, opt.recalibrateBatches(), opt.recalibrateBatches() == 1 ? "" : "es",
                    exact.heldOutImages(),
                    opt.heldOutImages() > exact.heldOutImages() ? " (all of the run's architecture split: fewer than the"
                    + " " + opt.heldOutImages() + " of --held-out)" : ""));
            boolean theta = opt.method().equals("theta");
            boolean needEstimator = !theta || opt.multiTarget() || opt.coSearch();
            AccuracyEstimator est = exact;
            PredictorReport pr = null;
            if (needEstimator && opt.accuracy().equals("predictor")) {
                long t0 = System.nanoTime();
                Path file = runDir.resolve("accuracy-predictor.json");
                String identity = runIdentity(run);
                MlpAccuracyPredictor.Pairs asked = new MlpAccuracyPredictor.Pairs(opt.predictorSamples(), opt.seed(),
                        opt.recalibrateBatches(), exact.heldOutImages());
                MlpAccuracyPredictor p = Files.isRegularFile(file) ? MlpAccuracyPredictor.load(file, space, null)
                        : null;
                String stale = p == null ? null : staleness(p, identity, asked);
                boolean reused = p != null && stale == null;
                if (reused) {
                    log.accept("accuracy predictor: reused " + file);
                } else {
                    if (p != null) {
                        log.accept("accuracy predictor: stored " + file + ": " + stale + ": retraining");
                    }
                    p = trainPredictor(exact, space, identity, opt, progress, runDir.resolve(PAIRS_FILE), log)
                            .withPairs(asked);
                    p.save(file);
                }
                pr = new PredictorReport(file.toString(), p.report().trainCount() + p.report().heldOutCount(),
                        p.report().heldOutRmse(), p.report().heldOutKendallTau(), reused,
                        (System.nanoTime() - t0) / 1e9);
                log.accept(String.format(Locale.ROOT, "accuracy predictor: %d pairs, held-out RMSE %.3f points,"
                        + " Kendall τ %.3f", pr.samples(), pr.heldOutRmse(), pr.heldOutKendallTau()));
                est = p;
            }
            // one cache for every target's search: the estimators are deterministic and the searches start from
            // the same seed, so targets can meet the same candidates (each reports only the ones it computed)
            AccuracyEstimator memo = Memo.of(est);
            EvolutionConfig ec = EvolutionConfig.ofa(opt.seed()).withPopulation(opt.population())
                    .withGenerations(opt.generations());
            List<Pick> picks = new ArrayList<>();
            for (Target t : targets) {
                long t0 = System.nanoTime();
                int[] ops;
                double searchAcc;
                long evals;
                List<double[]> front = null;
                ThetaReport tr = null;
                if (opt.method().equals("evolution")) {
                    Evolution.Result r = Evolution.underBudget(memo, t.model(), t.budgetMs(), ec);
                    ops = r.best().ops();
                    searchAcc = r.best().accuracy();
                    evals = r.accuracyEvaluations();
                } else if (opt.method().equals("nsga2")) {
                    Nsga2Config nc = Nsga2Config.defaults(opt.seed()).withPopulation(opt.population())
                            .withGenerations(opt.generations());
                    Nsga2.Result r = Nsga2.search(memo, List.of(t.model()), nc);
                    Candidate c;
                    try {
                        c = Nsga2.pick(r.front(), t.budgetMs());
                    } catch (HwnasException e) {
                        throw new HwnasException("--target " + t.label() + ": " + e.getMessage(), e);
                    }
                    ops = c.ops();
                    searchAcc = c.accuracy();
                    evals = r.accuracyEvaluations();
                    front = new ArrayList<>();
                    for (Candidate f : r.front()) {
                        front.add(new double[] {f.latencyMs(), f.accuracy()});
                    }
                } else {
                    TrainConfig cfg = run.config();
                    RunDir.Trained tr0 = exact.trained();
                    double tau = Schedules.tau(cfg.tauStart(), cfg.tauDecay(), tr0.state().epochsDone());
                    ThetaSearch.Config tc = new ThetaSearch.Config(opt.thetaSteps(),
                            opt.thetaLr() != null ? opt.thetaLr() : cfg.thetaLr(), opt.thetaBisections(), cfg.beta(),
                            tau, cfg.batchSize(), cfg.thetaWeightDecay(), opt.seed());
                    // θ0 is the run's final θ, read again for every target: the search never changes it
                    ThetaSearch.Result r;
                    try {
                        r = ThetaSearch.search(tr0.net(), tr0.theta().rows(), t.model(), t.budgetMs(), tc,
                                exact.archSplit(), exact.normalization(), progress);
                    } catch (HwnasException e) {
                        throw new HwnasException("--target " + t.label() + ": " + e.getMessage(), e);
                    }
                    ops = r.ops();
                    searchAcc = Double.NaN;
                    evals = 0;
                    tr = new ThetaReport(r.alpha(), r.latencyTerm(), tc.steps(), tc.lr(), tau, r.thetaSteps(),
                            r.trials());
                    log.accept(String.format(Locale.ROOT, "%s: θ method settled on α %.4g after %d trials (%s)",
                            t.label(), r.alpha(), r.trials().size(), r.latencyTerm()));
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                Architecture a = Architecture.ofIndices(space, ops);
                Path sub = out.resolve(t.label());
                boolean exactSearch = theta || est == exact;
                double acc = est == exact && !theta ? searchAcc : exact.accuracy(ops);
                Double unseen = exact.unseenAccuracy(ops);
                Pick pick = new Pick(t.label(), t.model().source(), t.budgetMs(), a.canonical(), t.model().predictMs(ops),
                        acc, exactSearch ? null : searchAcc, secs, evals, sub.toString(), front, tr, unseen,
                        unseen == null ? null : exact.unseenImages());
                // pick.json before the subnet: a pick folder cut short by a kill still says whose it is (--force)
                Json.writeFile(sub.resolve("pick.json"), pick);
                Extraction.extract(runDir, a.canonical(), opt.recalibrateBatches(), sub, false, opt.dataDir());
                picks.add(pick);
                log.accept(String.format(Locale.ROOT, "%s: %s | %.4f ms (budget %.4f) | %.2f%%%s | %.1f s, %d accuracy"
                        + " evaluations", t.label(), a.canonical(), pick.latencyMs(), t.budgetMs(), acc,
                        unseen == null ? "" : String.format(Locale.ROOT, " (%.2f%% on %d unseen images)", unseen,
                        exact.unseenImages()), secs, evals));
            }
            JointPick multi = null;
            if (opt.multiTarget()) {
                long t0 = System.nanoTime();
                boolean worst = opt.multiObjective().equals("worst-ratio");
                MultiTarget.Result r = worst
                        ? MultiTarget.minimizeWorstRatio(memo, targets, opt.accuracyFloor(), ec)
                        : MultiTarget.bestUnderAllBudgets(memo, targets, ec);
                multi = joint(MULTI, worst ? "worst-ratio" : "all-budgets", r.best().ops(), r.best().accuracy(),
                        r.accuracyEvaluations(), null, List.of(), targets, null, opt, est, exact, runDir, out, t0, space);
                log.accept(String.format(Locale.ROOT, "%s (%s): %s | worst latency/budget %.3f | %.2f%%", MULTI,
                        multi.objective(), multi.arch(), multi.worstRatio(), multi.accuracy()));
            }
            JointPick co = null;
            if (opt.coSearch()) {
                long t0 = System.nanoTime();
                List<CoSearch.Setting> settings = new ArrayList<>();
                for (Target t : targets) {
                    settings.add(new CoSearch.Setting(t.label(), t.model(), memo));
                }
                CoSearch.Result r = CoSearch.perSetting(settings, coBudget, ec);
                List<SettingRow> rows = new ArrayList<>();
                for (CoSearch.PerSetting ps : r.perSetting()) {
                    rows.add(ps.best() == null ? new SettingRow(ps.setting(), null, null, null, ps.unreachable())
                            : new SettingRow(ps.setting(), Architecture.ofIndices(space, ps.best().ops()).canonical(),
                                    ps.best().latencyMs(), ps.best().accuracy(), null));
                }
                co = joint(CO, "best accuracy within " + coBudget + " ms under the chosen setting", r.best().ops(),
                        r.best().accuracy(), r.accuracyEvaluations(), r.setting(), rows, targets, coBudget, opt, est,
                        exact, runDir, out, t0, space);
                log.accept(String.format(Locale.ROOT, "%s: setting %s, %s | %.4f ms (budget %.4f) | %.2f%%", CO,
                        co.setting(), co.arch(), co.latenciesMs().get(r.settingIndex()), coBudget, co.accuracy()));
            }
            List<String> names = new ArrayList<>();
            for (Target t : targets) {
                names.add(t.label());
            }
            List<String> rowNames = new ArrayList<>(names);
            List<String> rowArchs = new ArrayList<>();
            for (Pick p : picks) {
                rowArchs.add(p.arch());
            }
            for (JointPick j : java.util.Arrays.asList(multi, co)) {
                if (j != null) {
                    rowNames.add(j.kind());
                    rowArchs.add(j.arch());
                }
            }
            double[][] matrix = new double[rowArchs.size()][targets.size()];
            for (int i = 0; i < rowArchs.size(); i++) {
                int[] ops = Architecture.parse(space, rowArchs.get(i)).indices(space);
                for (int j = 0; j < targets.size(); j++) {
                    matrix[i][j] = targets.get(j).model().predictMs(ops);
                }
            }
            String source = theta && !opt.multiTarget() && !opt.coSearch() ? "supernet" : opt.accuracy();
            Summary s = new Summary(Json.SCHEMA, runDir.toAbsolutePath().toString(), opt.method(), source, picks,
                    names, matrix, pr, multi, co, rowNames);
            write(s, out);
            return s;
        }
    }

    static double defaultBudget(LatencyModel m, Options opt) {
        return m.rangeMs().fastestMs() + opt.budgetFraction() * (m.rangeMs().slowestMs() - m.rangeMs().fastestMs());
    }

    /**
     * The co-search's one budget: the one the targets give (all that give one must agree), else the
     * smallest of the targets' default budgets (the tightest; at least one setting reaches it).
     */
    static double coSearchBudget(List<TargetSpec> specs, List<Target> targets, Options opt) {
        Double given = null;
        for (TargetSpec t : specs) {
            if (t.budgetMs() != null) {
                if (given != null && !given.equals(t.budgetMs())) {
                    throw new HwnasException("--co-search: the targets give budgets " + given + " and " + t.budgetMs()
                            + " ms (target " + t.name() + "): a co-search has one budget, give the same on every"
                            + " target or on none");
                }
                given = t.budgetMs();
            }
        }
        if (given != null) {
            return given;
        }
        double b = Double.POSITIVE_INFINITY;
        for (Target t : targets) {
            b = Math.min(b, defaultBudget(t.model(), opt));
        }
        return b;
    }

    private static JointPick joint(String kind, String objective, int[] ops, double searchAcc, long evals,
            String setting, List<SettingRow> settings, List<Target> targets, Double oneBudget, Options opt,
            AccuracyEstimator est, SupernetAccuracy exact, Path runDir, Path out, long t0, SearchSpace space) {
        double secs = (System.nanoTime() - t0) / 1e9;
        Architecture a = Architecture.ofIndices(space, ops);
        Path sub = out.resolve(kind);
        double acc = est == exact ? searchAcc : exact.accuracy(ops);
        List<String> labels = new ArrayList<>();
        List<Double> budgets = new ArrayList<>();
        List<Double> lats = new ArrayList<>();
        double worst = Double.NEGATIVE_INFINITY;
        for (Target t : targets) {
            labels.add(t.label());
            double b = oneBudget != null ? oneBudget : t.budgetMs();
            budgets.add(b);
            double l = t.model().predictMs(ops);
            lats.add(l);
            worst = Math.max(worst, l / b);
        }
        Double unseen = exact.unseenAccuracy(ops);
        JointPick j = new JointPick(kind, objective, a.canonical(), acc, est == exact ? null : searchAcc, labels,
                budgets, lats, oneBudget == null ? worst : null, kind.equals(MULTI) ? opt.accuracyFloor() : null, setting,
                settings, secs, evals, sub.toString(), unseen, unseen == null ? null : exact.unseenImages());
        Json.writeFile(sub.resolve("pick.json"), j); // before the subnet, as for a target's pick
        Extraction.extract(runDir, a.canonical(), opt.recalibrateBatches(), sub, false, opt.dataDir());
        return j;
    }

    /** What identifies a run for its accuracy predictor: folder, seed and the checkpoint it was trained to. */
    static String runIdentity(RunDir run) {
        var st = run.state();
        // a checkpoint inside an epoch also names its pass and step: two stops in one epoch are other weights
        String within = st.phase() == 0 && st.stepInPhase() == 0 ? ""
                : "#pass=" + (st.phase() == 0 ? "weights" : "theta") + "#step=" + st.stepInPhase();
        return run.dir().toAbsolutePath().normalize() + "#seed=" + run.seed() + "#epochs=" + st.epochsDone() + within;
    }

    /** Why a stored predictor does not fit this call (another checkpoint, or pairs measured otherwise), or null. */
    static String staleness(MlpAccuracyPredictor p, String identity, MlpAccuracyPredictor.Pairs asked) {
        if (!identity.equals(p.run())) {
            return "trained on run " + p.run() + ", not " + identity;
        }
        if (p.pairs() == null) {
            return (p.report().trainCount() + p.report().heldOutCount()) + " pairs measured with settings it does not"
                    + " record (saved by an older hwnas); asked " + asked.samples() + " pairs, held-out "
                    + asked.heldOutImages() + " images, " + asked.recalibrateBatches() + " recalibration batches, seed "
                    + asked.seed();
        }
        return p.pairs().differences(asked);
    }

    /** The accuracy pairs measured so far for the predictor: appended as they come, so a stopped call resumes. */
    public static final String PAIRS_FILE = "accuracy-pairs.jsonl";

    static MlpAccuracyPredictor trainPredictor(SupernetAccuracy exact, SearchSpace space, String identity, Options opt,
            Progress progress, Path pairsFile, Consumer<String> log) {
        // the pairs depend on the run's checkpoint and on how accuracy is measured; a file of other ones is replaced
        String header = Json.mapper().createObjectNode().put("run", identity).put("seed", opt.seed())
                .put("recalibrate_batches", opt.recalibrateBatches()).put("held_out_images", exact.heldOutImages())
                .toString();
        java.util.Map<String, Double> stored = readPairs(pairsFile, header, space, log);
        SplittableRandom r = new SplittableRandom(opt.seed() ^ 0x5DEECE66DL);
        List<MlpAccuracyPredictor.Sample> data = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        progress.start("accuracy pairs", opt.predictorSamples());
        int guard = 0;
        try (java.io.BufferedWriter w = pairsWriter(pairsFile, header, stored)) {
            while (data.size() < opt.predictorSamples() && guard++ < opt.predictorSamples() * 20) {
                int[] ops = new int[space.layerCount()];
                for (int l = 0; l < ops.length; l++) {
                    ops[l] = r.nextInt(space.ops().size());
                }
                String key = java.util.Arrays.toString(ops);
                if (!seen.add(key)) {
                    continue;
                }
                Double acc = stored.get(key);
                if (acc == null) {
                    acc = exact.accuracy(ops);
                    w.write(pairLine(key, acc));
                    w.flush();
                }
                data.add(new MlpAccuracyPredictor.Sample(ops, acc));
                progress.update(data.size(), "");
            }
        } catch (IOException e) {
            throw new HwnasException(pairsFile + ": cannot write the accuracy pairs: " + e.getMessage(), e);
        }
        progress.finish(data.size() + " pairs");
        return MlpAccuracyPredictor.train(data, MlpAccuracyPredictor.Encoding.of(space), identity,
                MlpAccuracyPredictor.Config.ofa(opt.seed()));
    }

    /** Pairs of an earlier, stopped call with the same header (a torn last line is dropped); else none. */
    static java.util.Map<String, Double> readPairs(Path file, String header, SearchSpace space, Consumer<String> log) {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return m;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new HwnasException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (lines.isEmpty() || !lines.get(0).equals(header)) {
            log.accept("accuracy pairs: " + file + " holds pairs of another checkpoint or setting; measuring anew");
            return m;
        }
        List<String> dropped = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            com.fasterxml.jackson.databind.JsonNode n;
            try {
                n = Json.mapper().readTree(lines.get(i));
            } catch (IOException e) {
                break; // the line a stopped call was writing
            }
            if (n == null || !n.hasNonNull("ops") || !n.hasNonNull("accuracy")) {
                continue;
            }
            String ops = n.get("ops").asText();
            com.fasterxml.jackson.databind.JsonNode a = n.get("accuracy");
            double acc = a.asDouble();
            boolean known = validOps(ops, space);
            if (!known || !a.isNumber() || !(acc >= 0 && acc <= 100)) {
                dropped.add("line " + (i + 1) + " (" + (known ? "accuracy " + a : "ops " + ops) + ")");
                continue; // a pair no call writes: left out, and measured again if the search needs it
            }
            m.put(ops, acc);
        }
        if (!dropped.isEmpty()) {
            log.accept("hwnas: warning: " + file + ": " + dropped.size() + " line(s) hold values no call writes, left out"
                    + " (measured again where needed): " + String.join(", ", dropped.subList(0, Math.min(3,
                    dropped.size()))) + (dropped.size() > 3 ? ", ..." : ""));
        }
        log.accept("accuracy pairs: " + m.size() + " from an earlier call reused (" + file + ")");
        return m;
    }

    /** Whether {@code ops} is an architecture key as the pairs file writes it ("[i, j, ...]") for {@code space}. */
    private static boolean validOps(String ops, SearchSpace space) {
        if (!ops.startsWith("[") || !ops.endsWith("]")) {
            return false;
        }
        String[] parts = ops.substring(1, ops.length() - 1).split(", ", -1);
        if (parts.length != space.layerCount()) {
            return false;
        }
        for (String p : parts) {
            try {
                int k = Integer.parseInt(p);
                if (k < 0 || k >= space.ops().size()) {
                    return false;
                }
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    private static String pairLine(String ops, double accuracy) {
        return Json.mapper().createObjectNode().put("ops", ops).put("accuracy", accuracy) + "\n";
    }

    /** The pairs file rewritten (atomically) with the header and the reused pairs, open for appending. */
    private static java.io.BufferedWriter pairsWriter(Path file, String header, java.util.Map<String, Double> reused)
            throws IOException {
        StringBuilder b = new StringBuilder(header).append('\n');
        reused.forEach((ops, acc) -> b.append(pairLine(ops, acc)));
        AtomicFiles.writeString(file, b.toString());
        return Files.newBufferedWriter(file, java.nio.file.StandardOpenOption.APPEND);
    }

    /** A summary.csv field: the value to 4 decimals, or empty for null. */
    private static String csvNumber(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** A summary.md cell: the accuracy on the unseen held-out images and how many, or empty when there were none. */
    private static String unseenCell(Double accuracy, Integer images) {
        return accuracy == null ? "" : String.format(Locale.ROOT, "%.2f (%d images)", accuracy, images);
    }

    /**
     * summary.csv (one row per target, then one per joint pick: "multi-target" with the budget and
     * latency of its tightest target, "co-search" with its budget, the winning setting's latency and
     * the setting) and summary.md (the same table, the co-search's settings, the cross-target matrix).
     */
    static void write(Summary s, Path out) {
        Json.writeFile(out.resolve("summary.json"), s);
        StringBuilder csv = new StringBuilder("target,budget_ms,arch,latency_ms,accuracy,unseen_accuracy,seconds,"
                + "theta_alpha,setting\n");
        StringBuilder md = new StringBuilder("| target | budget (ms) | architecture | latency (ms) | held-out accuracy (%)"
                + " | on unseen held-out images (%) | search (s) |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (Pick p : s.targets()) {
            csv.append(String.format(Locale.ROOT, "%s,%.6f,%s,%.6f,%.4f,%s,%.3f,%s,%n", p.target(), p.budgetMs(),
                    p.arch(), p.latencyMs(), p.accuracy(), csvNumber(p.unseenAccuracy()), p.seconds(),
                    p.theta() == null ? "" : String.format(Locale.ROOT, "%.6g", p.theta().alpha())));
            md.append(String.format(Locale.ROOT, "| %s | %.4f | `%s` | %.4f | %.2f | %s | %.1f |%n", p.target(),
                    p.budgetMs(), p.arch(), p.latencyMs(), p.accuracy(), unseenCell(p.unseenAccuracy(),
                    p.unseenImages()), p.seconds()));
        }
        for (JointPick j : java.util.Arrays.asList(s.multiTarget(), s.coSearch())) {
            if (j == null) {
                continue;
            }
            int k = bindingIndex(j);
            csv.append(String.format(Locale.ROOT, "%s,%.6f,%s,%.6f,%.4f,%s,%.3f,,%s%n", j.kind(), j.budgetsMs().get(k),
                    j.arch(), j.latenciesMs().get(k), j.accuracy(), csvNumber(j.unseenAccuracy()), j.seconds(),
                    j.setting() == null ? "" : j.setting()));
            StringBuilder b = new StringBuilder();
            StringBuilder l = new StringBuilder();
            for (int t = 0; t < j.targets().size(); t++) {
                if (j.setting() != null && !j.setting().equals(j.targets().get(t))) {
                    continue;
                }
                String sep = b.length() == 0 ? "" : ", ";
                b.append(String.format(Locale.ROOT, "%s%s %.4f", sep, j.targets().get(t), j.budgetsMs().get(t)));
                l.append(String.format(Locale.ROOT, "%s%s %.4f", sep, j.targets().get(t), j.latenciesMs().get(t)));
            }
            md.append(String.format(Locale.ROOT, "| **%s**%s | %s | `%s` | %s | %.2f | %s | %.1f |%n", j.kind(),
                    j.setting() == null ? " (" + j.objective() + ")" : ": setting " + j.setting(), b, j.arch(), l,
                    j.accuracy(), unseenCell(j.unseenAccuracy(), j.unseenImages()), j.seconds()));
        }
        if (s.coSearch() != null) {
            md.append("\nCo-search, best architecture per setting within ").append(String.format(Locale.ROOT, "%.4f",
                    s.coSearch().budgetsMs().get(0))).append(" ms:\n\n| setting | architecture | latency (ms) | ")
                    .append("predictor".equals(s.accuracySource()) ? "accuracy predicted by the predictor (%)"
                            : "held-out accuracy (%)").append(" |\n|---|---|---|---|\n");
            for (SettingRow r : s.coSearch().settings()) {
                md.append(r.arch() == null ? String.format(Locale.ROOT, "| %s | (%s) | | |%n", r.setting(),
                        r.unreachable()) : String.format(Locale.ROOT, "| %s | `%s` | %.4f | %.2f |%n", r.setting(),
                        r.arch(), r.latencyMs(), r.accuracy()));
            }
        }
        md.append("\nCross-target matrix: each pick's latency (ms) under every target's model (row: pick, column:"
                + " target; ratio to the target's own pick in brackets).\n\n| pick / target |");
        for (String n : s.matrixTargets()) {
            md.append(' ').append(n).append(" |");
        }
        md.append(" held-out accuracy (%) |\n|---|");
        md.append("---|".repeat(s.matrixTargets().size() + 1)).append('\n');
        for (int i = 0; i < s.matrixMs().length; i++) {
            md.append("| ").append(s.matrixPicks().get(i)).append(" |");
            for (int j = 0; j < s.matrixTargets().size(); j++) {
                double own = s.matrixMs()[j][j];
                md.append(String.format(Locale.ROOT, " %.4f (%.2fx) |", s.matrixMs()[i][j],
                        own == 0 ? Double.NaN : s.matrixMs()[i][j] / own));
            }
            md.append(String.format(Locale.ROOT, " %.2f |%n", rowAccuracy(s, i)));
        }
        try {
            AtomicFiles.writeString(out.resolve("summary.csv"), csv.toString());
            AtomicFiles.writeString(out.resolve("summary.md"), md.toString());
        } catch (IOException e) {
            throw new HwnasException(out + ": cannot write the summary: " + e.getMessage(), e);
        }
    }

    /** The joint pick's tightest target (largest latency/budget; the co-search's chosen setting). */
    static int bindingIndex(JointPick j) {
        if (j.setting() != null) {
            return j.targets().indexOf(j.setting());
        }
        int k = 0;
        for (int t = 1; t < j.targets().size(); t++) {
            if (j.latenciesMs().get(t) / j.budgetsMs().get(t) > j.latenciesMs().get(k) / j.budgetsMs().get(k)) {
                k = t;
            }
        }
        return k;
    }

    private static double rowAccuracy(Summary s, int i) {
        if (i < s.targets().size()) {
            return s.targets().get(i).accuracy();
        }
        String kind = s.matrixPicks().get(i);
        return (kind.equals(MULTI) ? s.multiTarget() : s.coSearch()).accuracy();
    }

    public static String markdown(Path out) {
        try {
            return Files.readString(out.resolve("summary.md"));
        } catch (IOException e) {
            throw new HwnasException(out.resolve("summary.md") + ": cannot read: " + e.getMessage(), e);
        }
    }
}
