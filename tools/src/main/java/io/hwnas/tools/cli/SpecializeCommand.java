package io.hwnas.tools.cli;

import io.hwnas.experiments.plot.Charts;
import io.hwnas.core.HwnasException;
import io.hwnas.search.specialize.Specialize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hwnas specialize}: one subnet per hardware target from one trained supernet. */
@Command(name = "specialize", mixinStandardHelpOptions = true,
        description = {"Specialize a trained supernet for hardware targets (Once-for-All): per target, the most"
            + " accurate subnet within its latency budget, found by evolution (OFA) or NSGA-II, accuracy from the"
            + " supernet (inherited weights, BN recalibrated, held-out images) or from an MLP accuracy predictor"
            + " trained on such pairs (saved in the run, reused while its pairs' settings are the same: samples,"
            + " held-out, recalibration batches, seed); or by FBNet's θ re-optimized on the frozen weights"
            + " with the target's latency model (--method theta: the latency pressure α is raised, then bisected,"
            + " until the argmax meets the budget). No retraining of the supernet; its weights and θ are"
            + " never written (the predictor and its pairs are kept in the run).",
            "--multi-target adds one subnet for all targets at once, --co-search the best (architecture, setting)"
            + " pair when the targets are one device under several settings (both by evolution).",
            "Writes OUT/<target>/ (a subnet folder as hwnas extract writes, plus pick.json), OUT/multi-target/ and"
            + " OUT/co-search/ when asked for, OUT/summary.{json,csv,md} with the cross-target matrix, and"
            + " OUT/accuracy-latency-<target>.png and OUT/cross-target.png (each pick's latency on every target relative"
            + " to that target's own pick)."})
public final class SpecializeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR", description = "A training run folder.")
    Path runDir;

    @Option(names = "--target", required = true, paramLabel = "NAME=MODEL[:BUDGET_MS]",
            description = "A target: a name, its latency model (a LUT measured here or imported), and its budget in ms"
                    + " (default: the fastest + --budget-fraction of the model's range). Repeat for more targets.")
    List<String> targets;

    @Option(names = "--method", defaultValue = "evolution",
            description = "evolution (OFA), nsga2 or theta (FBNet θ on the frozen weights; needs LUT-like models:"
                    + " a LUT, lut-fit or flops; default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--theta-steps", defaultValue = "300", description = "θ steps per α trial of --method theta (default ${DEFAULT-VALUE}).")
    int thetaSteps;

    @Option(names = "--theta-lr", description = "Adam learning rate on θ of --method theta (default: the run's theta_lr).")
    Double thetaLr;

    @Option(names = "--theta-bisections", defaultValue = "3",
            description = "Bisections on α after the first α that met the budget (default ${DEFAULT-VALUE}).")
    int thetaBisections;

    @Option(names = "--multi-target", description = "Also one subnet good on all targets (folder multi-target).")
    boolean multiTarget;

    @Option(names = "--multi-objective", defaultValue = "all-budgets",
            description = "all-budgets (most accurate within every target's budget) or worst-ratio (smallest max"
                    + " latency/budget with accuracy >= --accuracy-floor); default ${DEFAULT-VALUE}.")
    String multiObjective;

    @Option(names = "--accuracy-floor", paramLabel = "PERCENT", description = "Accuracy floor of --multi-objective worst-ratio.")
    Double accuracyFloor;

    @Option(names = "--co-search",
            description = "Also the best (architecture, setting) pair: the targets are one device under several settings"
                    + " (e.g. 1 and 2 threads), under one budget (folder co-search).")
    boolean coSearch;

    @Option(names = "--accuracy", defaultValue = "predictor",
            description = "supernet (exact, one recalibration + evaluation per architecture) or predictor (default ${DEFAULT-VALUE}).")
    String accuracy;

    @Option(names = "--predictor-samples", defaultValue = "500", description = "Pairs to train the predictor on (default ${DEFAULT-VALUE}).")
    int predictorSamples;

    @Option(names = "--population", defaultValue = "100", description = "Population (default ${DEFAULT-VALUE}, OFA).")
    int population;

    @Option(names = "--generations", defaultValue = "500", description = "Generations (default ${DEFAULT-VALUE}, OFA).")
    int generations;

    @Option(names = "--recalibrate-batches", defaultValue = "10", description = "BN recalibration batches (default ${DEFAULT-VALUE}).")
    int recalibrateBatches;

    @Option(names = "--held-out", defaultValue = "1000", description = "Held-out images per accuracy (0: the whole architecture split; default ${DEFAULT-VALUE}).")
    int heldOut;

    @Option(names = "--budget-fraction", defaultValue = "0.5", description = "Default budget: fastest + this share of the range (default ${DEFAULT-VALUE}).")
    double budgetFraction;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the searches and of the accuracy"
            + " predictor's samples (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT_DIR", description = "Folder for the picks:"
            + " one subnet folder per target and summary.json (new or empty; --force replaces an earlier one).")
    Path output;

    @Option(names = "--data", paramLabel = "PATH", description = "Where the run's dataset is now, when it moved"
            + " (default: the run's data_dir, or the usual search).")
    Path data;

    @Option(names = "--force", description = "Replace an earlier specialization in OUT_DIR (refused when it holds other files).")
    boolean force;

    @Mixin
    Output out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        // options the call would ignore without a word are refused: θ's with another method, and the
        // architecture search's with --method theta alone (no --multi-target or --co-search searches)
        boolean searches = !"theta".equals(method) || multiTarget || coSearch;
        String[] unread = !"theta".equals(method) ? new String[] {"--theta-steps", "--theta-lr", "--theta-bisections"}
                : searches ? new String[0] : new String[] {"--population", "--generations", "--accuracy",
                    "--predictor-samples"};
        for (String o : unread) {
            if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                throw new HwnasException("option '" + o + "' applies to " + (searches ? "--method theta only (this"
                        + " call's method is " + method + ")" : "the architecture searches only (evolution, nsga2,"
                        + " --multi-target, --co-search), not to --method theta alone"));
            }
        }
        List<Specialize.TargetSpec> specs = new ArrayList<>();
        for (String t : targets) {
            specs.add(Specialize.TargetSpec.parse(t));
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--predictor-samples") && !"predictor".equals(accuracy)) {
            throw new HwnasException("option '--predictor-samples' applies to --accuracy predictor only (this call's"
                    + " accuracy is " + accuracy + ")");
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--budget-fraction")
                && specs.stream().allMatch(t -> t.budgetMs() != null)) {
            throw new HwnasException("option '--budget-fraction' sets the budget of a --target given without one;"
                    + " every --target of this call has its own");
        }
        Specialize.Options opt = new Specialize.Options(method, accuracy, predictorSamples, population, generations,
                recalibrateBatches, heldOut, budgetFraction, seed, thetaSteps, thetaLr, thetaBisections, multiTarget,
                multiObjective, accuracyFloor, coSearch, data == null ? null
                        : data.toAbsolutePath().normalize().toString());
        Inputs.requireRun(runDir);
        Outputs.apart("-o", output, "training run", runDir); // never into, over or around the run it reads
        // --force never empties a folder holding what this call reads: the run, its LUT and data, the targets' models
        var runConfig = io.hwnas.search.run.RunDir.open(runDir).config();
        if (data != null) { // a wrong location is refused before --force empties the old picks
            io.hwnas.search.train.TrainData.location(runConfig.dataset(), data.toString());
        }
        List<Path> read = new ArrayList<>(List.of(runDir));
        for (String f : new String[] {runConfig.lut(), runConfig.dataDir(), data == null ? null : data.toString()}) {
            if (f != null) {
                read.add(Path.of(f));
            }
        }
        specs.forEach(t -> read.add(t.model()));
        Outputs.Staged staged = Outputs.specializeDir(output, force, read.toArray(Path[]::new));
        String kept = "the run is unchanged" + (accuracy.equals("predictor") ? " (the accuracy pairs measured so far"
                + " are kept in it and reused)" : "");
        // while the search writes its picks an interruption removes them (and the folder, if this call made it), as a
        // failure does: no pick without its summary stays behind; once they are all written it keeps them
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicBoolean undone = new java.util.concurrent.atomic.AtomicBoolean();
        try (Interrupted i = Interrupted.cleaning(() -> {
            if (writing.get()) { // read once: the message says what this clean-up did
                undone.set(true);
                staged.undo();
            }
        }, () -> !undone.get() ? kept + "; the picks and summary in " + output + " are complete (a plot may be missing)"
                : !Files.exists(output) || Outputs.isEmpty(output) ? kept + "; nothing of this call was kept in " + output
                + "; rerun the same command" : kept + "; files of this call may remain in " + output + " (it was still"
                + " writing); rerun the same command with --force")) {
            Specialize.Summary s;
            try {
                s = Specialize.run(runDir, specs, opt, output, new ConsoleProgress(), System.err::println,
                        staged::begin);
                writing.set(false);
                overBudget(s.multiTarget()); // a co-search pick meets its budget under its chosen setting only
            } catch (RuntimeException | Error e) {
                staged.undo(); // a call that fails leaves no half-written specialization behind
                throw e;
            }
            try { // the picks and summary are written: a plot that fails costs only the plot
                plots(s, output);
            } catch (IOException | RuntimeException | Error e) {
                System.err.println("hwnas: warning: the plots in " + output + " could not be drawn (" + e + "); the"
                        + " picks and summary are complete");
            }
            out.print(s, Specialize.markdown(output));
        }
        return 0;
    }

    /** A warning for each budget a joint pick exceeds (the search found no architecture meeting all of them). */
    static void overBudget(Specialize.JointPick j) {
        if (j == null) {
            return;
        }
        for (int t = 0; t < j.targets().size(); t++) {
            double lat = j.latenciesMs().get(t);
            double budget = j.budgetsMs().get(t);
            if (lat > budget) {
                System.err.printf(java.util.Locale.ROOT, "hwnas: warning: the %s pick exceeds the budget of %s (%.4f ms"
                        + " against %.4f ms, %.3fx): the search saw no architecture within every budget%s; give it more"
                        + " --population or --generations, or looser budgets%n", j.kind(), j.targets().get(t), lat, budget,
                        lat / budget, j.accuracyFloor() == null ? "" : " at the accuracy floor");
            }
        }
    }

    /** Per target: every pick's (latency under this target, accuracy), this target's pick apart, its budget, the front. */
    static void plots(Specialize.Summary s, Path dir) throws IOException {
        for (int j = 0; j < s.matrixTargets().size(); j++) {
            List<Charts.Series> series = new ArrayList<>();
            Specialize.Pick own = s.targets().get(j);
            if (own.front() != null && !own.front().isEmpty()) {
                double[] x = new double[own.front().size()];
                double[] y = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = own.front().get(i)[0];
                    y[i] = own.front().get(i)[1];
                }
                series.add(new Charts.Series("Pareto front (NSGA-II)", x, y, true));
            }
            double lo = own.accuracy();
            double hi = own.accuracy();
            double[] ox = new double[s.targets().size() - 1];
            double[] oy = new double[ox.length];
            int k = 0;
            for (int i = 0; i < s.targets().size(); i++) {
                if (i != j) {
                    ox[k] = s.matrixMs()[i][j];
                    oy[k++] = s.targets().get(i).accuracy();
                }
            }
            if (ox.length > 0) {
                series.add(new Charts.Series("other targets' picks", ox, oy, false));
            }
            for (int i = s.targets().size(); i < s.matrixMs().length; i++) {
                Specialize.JointPick jp = "multi-target".equals(s.matrixPicks().get(i)) ? s.multiTarget() : s.coSearch();
                series.add(new Charts.Series(jp.kind() + " pick", new double[] {s.matrixMs()[i][j]},
                        new double[] {jp.accuracy()}, false));
                lo = Math.min(lo, jp.accuracy());
                hi = Math.max(hi, jp.accuracy());
            }
            series.add(new Charts.Series("this target's pick", new double[] {own.latencyMs()},
                    new double[] {own.accuracy()}, false));
            for (double v : oy) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            series.add(new Charts.Series("budget", new double[] {own.budgetMs(), own.budgetMs()},
                    new double[] {lo - 1, hi + 1}, true));
            Charts.xy(dir.resolve(Specialize.PLOT_PREFIX + own.target() + ".png"), own.target() + ": accuracy vs latency",
                    "latency under " + own.target() + " (ms)", "held-out accuracy (%)", series);
        }
        crossTargetPlot(s, dir);
    }

    /**
     * cross-target.png: every pick's latency on every target, relative to that target's own pick
     * (1.00 on the diagonal; a value of 1.8 in row raspi4, column pixel3 means the raspi4 pick is 1.8x
     * as slow on the pixel3 as the pixel3's own pick). One target alone gives no matrix.
     */
    static void crossTargetPlot(Specialize.Summary s, Path dir) throws IOException {
        int n = s.matrixTargets().size();
        if (n < 2) {
            return;
        }
        double[][] ratio = new double[s.matrixMs().length][n];
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < ratio.length; i++) {
            for (int j = 0; j < n; j++) {
                double own = s.matrixMs()[j][j];
                ratio[i][j] = own > 0 ? s.matrixMs()[i][j] / own : Double.NaN;
                if (Double.isFinite(ratio[i][j])) {
                    lo = Math.min(lo, ratio[i][j]);
                    hi = Math.max(hi, ratio[i][j]);
                }
            }
        }
        if (!Double.isFinite(lo)) {
            return;
        }
        List<String> rows = new ArrayList<>();
        for (String p : s.matrixPicks()) {
            rows.add(p + " pick");
        }
        // legend ends on round values (XChart prints them as they are)
        Charts.heatmap(dir.resolve("cross-target.png"), "latency / the target's own pick's", rows,
                s.matrixTargets(), ratio, Math.floor(Math.min(lo, 1) * 100) / 100, Math.ceil(hi * 100) / 100, true);
    }
}
