package io.hwnas.tools.cli;

import io.hwnas.experiments.estimators.LatencyEstimators;
import io.hwnas.experiments.estimators.LatencyEstimatorsLocal;
import io.hwnas.experiments.sweep.LatencySweep;
import java.util.List;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hwnas experiment ...}: paper-style experiments, one config and one command each. */
public final class ExperimentCommands {
    private ExperimentCommands() {}

    @Command(name = "experiment", mixinStandardHelpOptions = true,
            description = "Experiments: one config, one command -> results JSON, CSV, markdown table, PNG plots.",
            subcommands = {Sweep.class, SharedWeightsCommand.class, Estimators.class, LocalEstimators.class})
    public static final class Group extends UsageGroup {
    }

    @Command(name = "latency-sweep", mixinStandardHelpOptions = true,
            description = {"Train the same supernet under several latency-loss settings (α, β, multiplicative or"
                + " additive) and compare the architectures and θ they end with.",
                "Without --config: the built-in sweep (fbnet-fmnist-tiny, latency/luts/fbnet-fmnist-tiny-vm-1t-cpu.json,"
                + " 8 settings, about 40 minutes on 2 cores). Run it again to continue an interrupted sweep."})
    public static final class Sweep implements Callable<Integer> {
        @Option(names = {"--config", "-c"}, paramLabel = "SWEEP.json", description = "Sweep file (default: built in).")
        Path config;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
                description = "Output folder: runs/<setting>/ and results.{json,csv,md}, *.png.")
        Path output;

        @Option(names = "--force", description = "Write into a non-empty -o that holds no sweep (files of the sweep's"
                + " names are replaced).")
        boolean force;

        @Mixin
        Output out;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Outputs.experimentDir(output, force, LatencySweep.RUNS, LatencySweep.WARMUP);
            LatencySweep.Config c = config == null ? LatencySweep.builtIn() : LatencySweep.read(config);
            LatencySweep.Result r = LatencySweep.run(c, output, Shell.command(spec.commandLine().getParseResult()
                    .originalArgs()) + " (the same command)", new ConsoleProgress(), System.err::println);
            out.print(r, LatencySweep.markdown(r) + String.format(Locale.ROOT, "%nwritten to %s%n", output));
            return 0;
        }
    }

    @Command(name = "shared-weights", mixinStandardHelpOptions = true,
            description = {"Train a shared-weight supernet once, then measure subnets taken out of it as they are"
                + " (BN recalibrated), after fine-tuning for E epochs, and trained from scratch for E epochs: the"
                + " largest, the smallest, the argmax and K random architectures.",
                "Presets: fmnist (fbnet-fmnist-tiny-shortcut), cifar10 (fbnet-cifar-tiny); several can be given. Each goes to"
                + " OUT/<preset>/; OUT/results.json holds every row. Run it again to continue."})
    public static final class SharedWeightsCommand implements Callable<Integer> {
        static final List<String> PRESETS = List.of("fmnist", "cifar10");

        @Option(names = "--preset", split = ",", defaultValue = "fmnist", description = "fmnist, cifar10 (default fmnist).")
        java.util.List<String> presets;

        @Option(names = "--config", paramLabel = "FILE", description = "An experiment file instead of the presets (as"
                + " experiments/results/shared-weights/preset-cifar10.json; relative paths in it are read against its folder).")
        Path config;

        @Option(names = "--lut", paramLabel = "FILE", description = "LUT per preset space (default: latency/luts/<space>-vm-1t-cpu.json).")
        Path lut;

        @Option(names = "--finetune-epochs", description = "Override E.")
        Integer epochs;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output folder: one"
                + " folder per preset (or, with --config, the run, subnets and rows themselves) and results.json; a"
                + " rerun continues there.")
        Path output;

        @Option(names = "--force", description = "Write into a non-empty -o that holds no run of this experiment (files"
                + " of its names are replaced).")
        boolean force;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            for (String o : new String[] {"--preset", "--lut"}) { // what --config replaces is not silently dropped
                if (config != null && spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw new io.hwnas.core.HwnasException("option '" + o + "' does not apply with --config (the experiment file"
                            + " gives the training config, its \"lut\" included); give one or the other");
                }
            }
            Outputs.experimentDir(output, force, config != null ? new String[] {io.hwnas.experiments.shared.SharedWeights.RUN,
                    io.hwnas.experiments.shared.SharedWeights.SUBNETS, io.hwnas.experiments.shared.SharedWeights.ROWS}
                    : presets.toArray(String[]::new)); // a rerun continues the runs of these presets
            java.util.List<io.hwnas.experiments.shared.SharedWeights> cs = new java.util.ArrayList<>();
            java.util.List<Path> dirs = new java.util.ArrayList<>();
            if (config != null) {
                cs.add(io.hwnas.experiments.shared.SharedWeights.read(config));
                dirs.add(output);
            } else {
                for (String p : presets) {
                    String space = io.hwnas.experiments.shared.SharedWeights.presetSpace(p);
                    Path l = lut != null ? lut : Path.of(System.getProperty("hwnas.root", ".")).resolve("latency/luts")
                            .resolve(space + "-vm-1t-cpu.json");
                    cs.add(io.hwnas.experiments.shared.SharedWeights.preset(p, l));
                    dirs.add(output.resolve(p));
                }
            }
            if (epochs != null) {
                cs.replaceAll(c -> c.withFinetuneEpochs(epochs));
            }
            for (int i = 0; i < cs.size(); i++) { // every stored run and its rows checked before the first trains
                io.hwnas.experiments.shared.SharedWeights.checkStored(cs.get(i), dirs.get(i));
            }
            String command = Shell.command(spec.commandLine().getParseResult().originalArgs());
            java.util.List<io.hwnas.experiments.shared.SharedWeights.Row> rows = new java.util.ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < cs.size(); i++) {
                var c = cs.get(i);
                io.hwnas.experiments.shared.SharedWeights.Result r;
                // the training loop says how to continue when stopped; the subnets' phase says it here
                try (Interrupted stop = Interrupted.say("the supernet run and the rows measured so far in " + dirs.get(i)
                        + " are kept; run the same command again to continue")) {
                    r = io.hwnas.experiments.shared.SharedWeights.run(c, dirs.get(i), command, new ConsoleProgress(),
                            System.err::println);
                }
                rows.addAll(r.rows());
                text.append(io.hwnas.experiments.shared.SharedWeights.markdown(r)).append('\n');
            }
            if (config == null) { // the rows of the other presets run into this folder earlier stay in its results.json
                for (String p : PRESETS) {
                    Path earlier = output.resolve(p).resolve("results.json");
                    if (!presets.contains(p) && java.nio.file.Files.isRegularFile(earlier)) {
                        try {
                            rows.addAll(io.hwnas.core.Json.read(earlier, io.hwnas.experiments.shared.SharedWeights
                                    .Result.class).rows());
                        } catch (io.hwnas.core.HwnasException e) { // after the work: say so rather than fail
                            System.err.println("hwnas: warning: " + output.resolve("results.json") + " leaves out the"
                                    + " rows of " + earlier + ", which cannot be read: " + e.getMessage());
                        }
                    }
                }
            }
            java.util.Map<String, Object> all = new java.util.LinkedHashMap<>();
            all.put("schema", io.hwnas.core.Json.SCHEMA);
            all.put("command", command);
            all.put("rows", rows);
            if (config == null) {
                io.hwnas.core.Json.writeFile(output.resolve("results.json"), all);
            }
            out.print(all, text.toString());
            return 0;
        }

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
    }

    @Command(name = "latency-estimators", mixinStandardHelpOptions = true,
            description = {"Survey Figure 3 (b) on real device data: LUT fitted by least squares, MLP, XGBoost and"
                + " the FLOPs/memory model (and the imported HW-NAS-Bench LUT where the device has one) fitted on"
                + " 10..4,000 HELP FBNet architectures and tested on 1,000 others: MAPE, RMSE, Kendall tau, share"
                + " within 10 %%, preparation and query cost, search speed-up over measuring.",
                "Takes a few minutes on 2 idle cores (the MLP dominates)."})
    public static final class Estimators implements Callable<Integer> {
        @Option(names = {"-o", "--output"}, defaultValue = "experiments/results/latency-estimators", paramLabel = "DIR",
                description = "Output folder: results.{json,csv,md}, *.png (default ${DEFAULT-VALUE}).")
        Path output;

        @Option(names = "--data", paramLabel = "CSV", description = "HELP FBNet CSV (default: shared/data/"
                + io.hwnas.latency.HelpData.DEFAULT + ").")
        Path data;

        @Option(names = "--devices", split = ",", paramLabel = "COLUMN",
                description = "Latency columns (default gold_6226_ms,2080ti_1_ms,pixel2_ms,pixel3_ms).")
        List<String> devices;

        @Option(names = "--sizes", split = ",", paramLabel = "N", description = "Training sizes (default 10,100,1000,4000).")
        List<Integer> sizes;

        @Option(names = "--seed", defaultValue = "1", description = "Split and model seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--force", description = "Replace the results in -o (or write into a non-empty folder of"
                + " other files: those of the results' names are replaced).")
        boolean force;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            Outputs.experimentDir(output, force); // nothing to continue: results are replaced only with --force
            LatencyEstimators.Config d = LatencyEstimators.Config.defaults();
            LatencyEstimators.Config c = new LatencyEstimators.Config(data != null ? data : d.data(),
                    devices != null ? devices : d.devices(), sizes != null ? sizes : d.sizes(), d.pool(), d.test(), seed,
                    d.searchQueries());
            LatencyEstimators.Result r = LatencyEstimators.run(c, output, System.err::println);
            out.print(r, LatencyEstimators.markdown(r) + String.format(Locale.ROOT, "%nwritten to %s%n", output));
            return 0;
        }
    }

    @Command(name = "latency-estimators-local", mixinStandardHelpOptions = true,
            description = {"Survey Figure 3 (a) on this machine: random architectures of a space timed end to end"
                + " with DJL and with ONNX Runtime, a LUT measured on each; then the measured LUT (raw and calibrated:"
                + " offset, scale, per-entry), lut-fit, mlp, xgboost and flops, trained on N of the architectures and"
                + " tested on the rest: MAPE, RMSE, Kendall tau, share within 10 %%, preparation (measurements,"
                + " seconds), query time, search speed-up.",
                "Defaults (fbnet-cifar-tiny, 1,000 architectures, 200 of them the test set, N 10..800, 20 timed"
                + " rounds, cpu clock, 1 thread) take about 2 minutes on 2 idle cores; run it on a quiet machine."})
    public static final class LocalEstimators implements Callable<Integer> {
        @Option(names = {"-o", "--output"}, defaultValue = "experiments/results/latency-estimators-local",
                paramLabel = "DIR", description = "Output folder: results.{json,csv,md}, *.png (default ${DEFAULT-VALUE}).")
        Path output;

        @Option(names = "--space", defaultValue = "fbnet-cifar-tiny", description = "Space id or file (default"
                + " ${DEFAULT-VALUE}).")
        String space;

        @Option(names = "--archs", description = "Architectures timed end to end per runtime (default 1000).")
        Integer archs;

        @Option(names = "--test", description = "Of which the test set (default 200).")
        Integer test;

        @Option(names = "--sizes", split = ",", paramLabel = "N", description = "Training sizes (default"
                + " 10,30,100,300,800).")
        List<Integer> sizes;

        @Option(names = "--repeats", description = "Timed rounds end to end (default 20).")
        Integer repeats;

        @Option(names = "--warmup", description = "Warm-up rounds end to end (default 3).")
        Integer warmup;

        @Option(names = "--lut-repeats", description = "Timed rounds of the LUT (default 100).")
        Integer lutRepeats;

        @Option(names = "--lut-warmup", description = "Warm-up rounds of the LUT (default 20).")
        Integer lutWarmup;

        @Option(names = "--threads", description = "Intra-op threads (default 1).")
        Integer threads;

        @Option(names = "--clock", description = "wall or cpu (default cpu; needs --threads 1).")
        io.hwnas.latency.MeasureConfig.Clock clock;

        @Option(names = "--runtimes", split = ",", paramLabel = "R", description = "djl, onnxruntime (default both).")
        List<io.hwnas.latency.MeasureRuntime> runtimes;

        @Option(names = "--methods", split = ",", paramLabel = "M", description = "Predictors to fit (default"
                + " lut-fit,mlp,xgboost,flops).")
        List<String> methods;

        @Option(names = "--seed", defaultValue = "1", description = "Architectures and model seed (default"
                + " ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--force", description = "Replace the results in -o (or write into a non-empty folder of"
                + " other files: those of the results' names are replaced).")
        boolean force;

        @Mixin
        Output out;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            var s = io.hwnas.supernet.space.SpaceRegistry.resolve(space);
            var d = LatencyEstimatorsLocal.Config.defaults(s);
            var clk = clock != null ? clock : threads != null && threads != 1 ? io.hwnas.latency.MeasureConfig.Clock.WALL
                    : d.clock();
            Checks.timing(clk, threads != null ? threads : d.threads(), "--threads");
            var c = new LatencyEstimatorsLocal.Config(s, archs != null ? archs : d.archs(), test != null ? test
                    : d.test(), sizes != null ? sizes : d.sizes(), warmup != null ? warmup : d.warmup(),
                    repeats != null ? repeats : d.repeats(), lutWarmup != null ? lutWarmup : d.lutWarmup(),
                    lutRepeats != null ? lutRepeats : d.lutRepeats(), threads != null ? threads : d.threads(), clk,
                    runtimes != null ? runtimes : d.runtimes(), seed, d.searchQueries(), d.chunk(),
                    methods != null ? methods : d.methods());
            Outputs.experimentDir(output, force); // nothing to continue: results are replaced only with --force
            String command = Shell.command(spec.commandLine().getParseResult().originalArgs());
            LatencyEstimatorsLocal.Result r;
            try (Interrupted i = Interrupted.say("the experiment stopped; nothing of it is continued: run the same"
                    + " command again (with --force if " + output + " is left with files)")) {
                r = LatencyEstimatorsLocal.run(c, output, command.trim(), new ConsoleProgress(), System.err::println);
            }
            out.print(r, LatencyEstimatorsLocal.markdown(r) + String.format(Locale.ROOT, "%nwritten to %s%n", output));
            return 0;
        }
    }
}
