package io.hwnas.search.specialize;

import io.hwnas.core.AtomicFiles;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.search.run.RunDir;
import io.hwnas.search.subnet.Extraction;
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
 * accuracy predictor trained on pairs measured that way (saved in the run and reused). Each pick is
 * extracted as a subnet folder; the whole call writes {@code summary.{json,csv,md}} and the
 * cross-target matrix (every pick under every target's model).
 */
public final class Specialize {
    private Specialize() {}

    /** A target as the command line gives it: NAME=MODEL_FILE[:BUDGET_MS]. */
    public record TargetSpec(String name, Path model, Double budgetMs) {
        public static TargetSpec parse(String s) {
            int eq = s.indexOf('=');
            if (eq <= 0 || eq == s.length() - 1) {
                throw new HwnasException("--target " + s + ": expected NAME=LATENCY_MODEL.json[:BUDGET_MS]");
            }
            String name = s.substring(0, eq);
            HwnasException.require(name.matches("[A-Za-z0-9._-]+"), "--target", s,
                    "the name may hold letters, digits, '.', '_' and '-' only (it names a folder)");
            String rest = s.substring(eq + 1);
            Double budget = null;
            int colon = rest.lastIndexOf(':');
            if (colon > 0) {
                String b = rest.substring(colon + 1);
                try {
                    budget = Double.parseDouble(b);
                } catch (NumberFormatException e) {
                    throw new HwnasException("--target " + s + ": budget '" + b + "' is not a number of ms");
                }
                HwnasException.require(Double.isFinite(budget), "--target", s, "the budget must be finite");
                rest = rest.substring(0, colon);
            }
            return new TargetSpec(name, Path.of(rest), budget);
        }
    }

    /**
     * @param method "evolution" (OFA) or "nsga2" (Pareto front, pick by budget)
     * @param accuracy "supernet" (exact, slow) or "predictor" (MLP on sampled pairs)
     * @param predictorSamples pairs measured with the supernet to train the predictor
     * @param population evolution / NSGA-II population
     * @param generations evolution / NSGA-II generations
     * @param budgetFraction without a budget: the target's fastest + this fraction of its range
     */
    public record Options(String method, String accuracy, int predictorSamples, int population, int generations,
            int recalibrateBatches, int heldOutImages, double budgetFraction, long seed) {
        public Options {
            HwnasException.require(method.equals("evolution") || method.equals("nsga2"), "--method", method,
                    "must be evolution or nsga2");
            HwnasException.require(accuracy.equals("supernet") || accuracy.equals("predictor"), "--accuracy", accuracy,
                    "must be supernet or predictor");
            HwnasException.require(predictorSamples >= 20, "--predictor-samples", predictorSamples, "must be >= 20");
            HwnasException.require(population >= 4, "--population", population, "must be >= 4");
            HwnasException.require(generations >= 1, "--generations", generations, "must be >= 1");
            HwnasException.require(recalibrateBatches >= 1, "--recalibrate-batches", recalibrateBatches, "must be >= 1");
            HwnasException.require(heldOutImages >= 0, "--held-out", heldOutImages, "must be >= 0");
            HwnasException.require(budgetFraction > 0 && budgetFraction <= 1, "--budget-fraction", budgetFraction,
                    "must be in (0, 1]");
        }
    }

    /** One target's pick. Accuracy in % on the held-out images (supernet, BN recalibrated). */
    public record Pick(String target, String model, double budgetMs, String arch, double latencyMs, double accuracy,
            Double predictedAccuracy, double seconds, long accuracyEvaluations, String subnet, List<double[]> front) {}

    /** summary.json: the picks and the cross-target matrix (matrix[i][j]: pick i's latency under target j). */
    public record Summary(int schema, String run, String method, String accuracySource, List<Pick> targets,
            List<String> matrixTargets, double[][] matrixMs, PredictorReport predictor) {}

    public record PredictorReport(String file, int samples, double heldOutRmse, double heldOutKendallTau,
            boolean reused, double seconds) {}

    public static Summary run(Path runDir, List<TargetSpec> specs, Options opt, Path out, Progress progress,
            Consumer<String> log) {
        HwnasException.require(!specs.isEmpty(), "--target", "none", "give at least one target");
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
            double budget = t.budgetMs() != null ? t.budgetMs() : m.rangeMs().fastestMs()
                    + opt.budgetFraction() * (m.rangeMs().slowestMs() - m.rangeMs().fastestMs());
            Evolution.checkBudget(m, budget, "--target " + t.name() + " budget");
            targets.add(new Target(t.name(), m, budget));
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new HwnasException(out + ": cannot create: " + e.getMessage(), e);
        }
        try (SupernetAccuracy exact = new SupernetAccuracy(run, opt.recalibrateBatches(), opt.heldOutImages())) {
            log.accept(String.format(Locale.ROOT, "accuracy: supernet of %s, BN recalibrated on %d batches, %d held-out"
                    + " images", runDir, opt.recalibrateBatches(), exact.heldOutImages()));
            AccuracyEstimator est = exact;
            PredictorReport pr = null;
            if (opt.accuracy().equals("predictor")) {
                long t0 = System.nanoTime();
                Path file = runDir.resolve("accuracy-predictor.json");
                String identity = runIdentity(run);
                MlpAccuracyPredictor p;
                boolean reused = Files.isRegularFile(file);
                if (reused) {
                    p = MlpAccuracyPredictor.load(file, space, identity);
                    log.accept("accuracy predictor: reused " + file);
                } else {
                    p = trainPredictor(exact, space, identity, opt, progress);
                    p.save(file);
                }
                pr = new PredictorReport(file.toString(), p.report().trainCount() + p.report().heldOutCount(),
                        p.report().heldOutRmse(), p.report().heldOutKendallTau(), reused,
                        (System.nanoTime() - t0) / 1e9);
                log.accept(String.format(Locale.ROOT, "accuracy predictor: %d pairs, held-out RMSE %.3f points,"
                        + " Kendall τ %.3f", pr.samples(), pr.heldOutRmse(), pr.heldOutKendallTau()));
                est = p;
            }
            List<Pick> picks = new ArrayList<>();
            for (Target t : targets) {
                long t0 = System.nanoTime();
                Candidate c;
                long evals;
                List<double[]> front = null;
                if (opt.method().equals("evolution")) {
                    EvolutionConfig ec = EvolutionConfig.ofa(opt.seed()).withPopulation(opt.population())
                            .withGenerations(opt.generations());
                    Evolution.Result r = Evolution.underBudget(est, t.model(), t.budgetMs(), ec);
                    c = r.best();
                    evals = r.accuracyEvaluations();
                } else {
                    Nsga2Config nc = Nsga2Config.defaults(opt.seed()).withPopulation(opt.population())
                            .withGenerations(opt.generations());
                    Nsga2.Result r = Nsga2.search(est, List.of(t.model()), nc);
                    c = Nsga2.pick(r.front(), t.budgetMs());
                    evals = r.accuracyEvaluations();
                    front = new ArrayList<>();
                    for (Candidate f : r.front()) {
                        front.add(new double[] {f.latencyMs(), f.accuracy()});
                    }
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                Architecture a = Architecture.ofIndices(space, c.ops());
                Path sub = out.resolve(t.label());
                Extraction.extract(runDir, a.canonical(), opt.recalibrateBatches(), sub);
                double acc = est == exact ? c.accuracy() : exact.accuracy(c.ops());
                Pick pick = new Pick(t.label(), t.model().source(), t.budgetMs(), a.canonical(), t.model().predictMs(c.ops()),
                        acc, est == exact ? null : c.accuracy(), secs, evals, sub.toString(), front);
                Json.writeFile(sub.resolve("pick.json"), pick);
                picks.add(pick);
                log.accept(String.format(Locale.ROOT, "%s: %s | %.4f ms (budget %.4f) | %.2f%% | %.1f s, %d accuracy"
                        + " evaluations", t.label(), a.canonical(), pick.latencyMs(), t.budgetMs(), acc, secs, evals));
            }
            double[][] matrix = new double[picks.size()][targets.size()];
            List<String> names = new ArrayList<>();
            for (Target t : targets) {
                names.add(t.label());
            }
            for (int i = 0; i < picks.size(); i++) {
                int[] ops = Architecture.parse(space, picks.get(i).arch()).indices(space);
                for (int j = 0; j < targets.size(); j++) {
                    matrix[i][j] = targets.get(j).model().predictMs(ops);
                }
            }
            Summary s = new Summary(Json.SCHEMA, runDir.toAbsolutePath().toString(), opt.method(), opt.accuracy(), picks,
                    names, matrix, pr);
            write(s, out);
            return s;
        }
    }

    /** What identifies a run for its accuracy predictor: folder, seed and the checkpoint it was trained to. */
    static String runIdentity(RunDir run) {
        return run.dir().toAbsolutePath().normalize() + "#seed=" + run.seed() + "#epochs=" + run.state().epochsDone();
    }

    static MlpAccuracyPredictor trainPredictor(SupernetAccuracy exact, SearchSpace space, String identity, Options opt,
            Progress progress) {
        SplittableRandom r = new SplittableRandom(opt.seed() ^ 0x5DEECE66DL);
        List<MlpAccuracyPredictor.Sample> data = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        progress.start("accuracy pairs", opt.predictorSamples());
        int guard = 0;
        while (data.size() < opt.predictorSamples() && guard++ < opt.predictorSamples() * 20) {
            int[] ops = new int[space.layerCount()];
            for (int l = 0; l < ops.length; l++) {
                ops[l] = r.nextInt(space.ops().size());
            }
            if (!seen.add(java.util.Arrays.toString(ops))) {
                continue;
            }
            data.add(new MlpAccuracyPredictor.Sample(ops, exact.accuracy(ops)));
            progress.update(data.size(), "");
        }
        progress.finish(data.size() + " pairs");
        return MlpAccuracyPredictor.train(data, MlpAccuracyPredictor.Encoding.of(space), identity,
                MlpAccuracyPredictor.Config.ofa(opt.seed()));
    }

    static void write(Summary s, Path out) {
        Json.writeFile(out.resolve("summary.json"), s);
        StringBuilder csv = new StringBuilder("target,budget_ms,arch,latency_ms,accuracy,seconds\n");
        StringBuilder md = new StringBuilder("| target | budget (ms) | architecture | latency (ms) | accuracy (%) | search (s) |\n"
                + "|---|---|---|---|---|---|\n");
        for (Pick p : s.targets()) {
            csv.append(String.format(Locale.ROOT, "%s,%.6f,%s,%.6f,%.4f,%.3f%n", p.target(), p.budgetMs(), p.arch(),
                    p.latencyMs(), p.accuracy(), p.seconds()));
            md.append(String.format(Locale.ROOT, "| %s | %.4f | `%s` | %.4f | %.2f | %.1f |%n", p.target(), p.budgetMs(),
                    p.arch(), p.latencyMs(), p.accuracy(), p.seconds()));
        }
        md.append("\nCross-target matrix: each pick's latency (ms) under every target's model (row: pick, column:"
                + " target; ratio to the target's own pick in brackets).\n\n| pick \\\\ on |");
        for (String n : s.matrixTargets()) {
            md.append(' ').append(n).append(" |");
        }
        md.append(" accuracy (%) |\n|---|");
        md.append("---|".repeat(s.matrixTargets().size() + 1)).append('\n');
        for (int i = 0; i < s.targets().size(); i++) {
            md.append("| ").append(s.targets().get(i).target()).append(" |");
            for (int j = 0; j < s.matrixTargets().size(); j++) {
                double own = s.matrixMs()[j][j];
                md.append(String.format(Locale.ROOT, " %.4f (%.2fx) |", s.matrixMs()[i][j],
                        own == 0 ? Double.NaN : s.matrixMs()[i][j] / own));
            }
            md.append(String.format(Locale.ROOT, " %.2f |%n", s.targets().get(i).accuracy()));
        }
        try {
            AtomicFiles.writeString(out.resolve("summary.csv"), csv.toString());
            AtomicFiles.writeString(out.resolve("summary.md"), md.toString());
        } catch (IOException e) {
            throw new HwnasException(out + ": cannot write the summary: " + e.getMessage(), e);
        }
    }

    public static String markdown(Path out) {
        try {
            return Files.readString(out.resolve("summary.md"));
        } catch (IOException e) {
            throw new HwnasException(out.resolve("summary.md") + ": cannot read: " + e.getMessage(), e);
        }
    }
}
