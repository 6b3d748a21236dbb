package io.hwnas.tools.cli;

import io.hwnas.search.subnet.Evaluation;
import io.hwnas.search.subnet.Extraction;
import io.hwnas.search.subnet.Finetune;
import io.hwnas.search.subnet.Origin;
import io.hwnas.core.HwnasException;
import io.hwnas.search.run.RunDir;
import io.hwnas.search.run.RunFiles;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hwnas extract}, {@code hwnas eval}, {@code hwnas finetune}. */
public final class SubnetCommands {
    private SubnetCommands() {}

    @Command(name = "extract", mixinStandardHelpOptions = true,
            description = "Write a standalone subnet (architecture JSON + DJL model with inherited weights, BN"
                    + " statistics recalibrated on training images) from a training run.")
    public static final class Extract implements Callable<Integer> {
        @Parameters(paramLabel = "RUN_DIR", description = "A training run directory.")
        Path runDir;

        @Option(names = "--arch", defaultValue = "argmax", paramLabel = "argmax|sample:K|FILE.json|OPS",
                description = "argmax of θ (default), the K-th sampled architecture of the run, an architecture JSON"
                        + " file (e.g. a run's arch-argmax.json) or an explicit op list (separated by spaces or commas).")
        String arch;

        @Option(names = "--recalibrate-batches", defaultValue = "20", paramLabel = "N",
                description = "Training batches to recompute BN statistics on (0: keep the supernet's). Default ${DEFAULT-VALUE}.")
        int batches;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "SUBNET_DIR", description = "Folder to write"
                + " the subnet into (new or empty; one holding this subnet from this run is replaced).")
        Path output;

        @Option(names = "--force", description = "Replace a subnet of another architecture (or other files) in SUBNET_DIR.")
        boolean force;

        @Option(names = "--data", paramLabel = "PATH", description = "Where the run's dataset is now, when it moved"
                + " (default: the run's data_dir, or the usual search); its training images recalibrate BN.")
        Path data;

        @Option(names = "--allow-unfinished", description = "Extract the argmax of a run whose θ is still all zeros"
                + " (no θ step yet: the first op in every layer).")
        boolean allowUnfinished;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            Checks.atLeast("--recalibrate-batches", batches, 0, "0 keeps the supernet's statistics");
            if (data != null && batches == 0) {
                throw new io.hwnas.core.HwnasException("option '--data' is read by the BN recalibration only, which"
                        + " --recalibrate-batches 0 skips");
            }
            Inputs.requireRun(runDir);
            if (data != null) { // before anything is replaced
                io.hwnas.search.train.TrainData.location(io.hwnas.search.run.RunDir.open(runDir).config().dataset(),
                        data.toString());
            }
            Outputs.apart("-o", output, "training run", runDir);
            Architecture intended = Files.isDirectory(output) && !force ? intendedArch(runDir, arch) : null;
            Extraction.Result r;
            try (Interrupted i = Interrupted.subnet(output, "the same command")) {
                Runnable cleanup = Outputs.subnetDir(output, intended, runDir, force);
                try {
                    r = Extraction.extract(runDir, arch, batches, output, allowUnfinished, data == null ? null
                            : data.toAbsolutePath().normalize().toString());
                } catch (RuntimeException e) {
                    cleanup.run();
                    throw e;
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dir", output.toString());
            m.put("arch", r.arch().canonical());
            m.put("recalibration_images", r.recalibrationImages());
            m.put("warning", r.warning());
            m.put("lut_warning", r.lutWarning());
            for (String w : new String[] {r.warning(), r.lutWarning()}) {
                if (w != null) {
                    System.err.println("hwnas: warning: " + w);
                }
            }
            out.print(m, "extracted " + r.arch().canonical() + " -> " + output + (r.recalibrationImages() > 0
                    ? " (BN recalibrated on " + r.recalibrationImages() + " training images)"
                    : " (BN statistics as the supernet kept them: --recalibrate-batches 0)")
                    + "\nnext: hwnas eval " + Shell.quote(output));
            return 0;
        }
    }

    /** The architecture --arch names, when it is known without loading the supernet (else null). */
    static Architecture intendedArch(Path runDir, String spec) {
        RunDir run = RunDir.open(runDir);
        SearchSpace space = run.space();
        if (spec == null || spec.equals("argmax")) {
            return run.finished() ? run.argmax() : null;
        } else if (spec.startsWith("sample:")) {
            Path f = runDir.resolve("arch-sample-" + spec.substring(7) + ".json");
            return Files.isRegularFile(f) ? RunFiles.readArch(f, space) : null;
        } else if (spec.endsWith(".json")) {
            return RunFiles.readArch(Path.of(spec), space);
        }
        return Extraction.parseOps(space, spec);
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Test accuracy, LUT-predicted latency, measured latency (batch 1, median), MACs and params of a subnet.")
    public static final class Eval implements Callable<Integer> {
        @Parameters(paramLabel = "SUBNET_DIR")
        Path dir;

        @Option(names = "--dataset", paramLabel = "NAME", description = "fashion-mnist, cifar10 or folder (default: the run's).")
        String dataset;

        @Option(names = "--data", paramLabel = "PATH", description = "Dataset location (default: the run's, or the usual search).")
        Path data;

        @Option(names = "--lut", paramLabel = "LUT.json", description = "Predict latency under this LUT (repeatable).")
        List<Path> luts = new ArrayList<>();

        @Option(names = "--test-subset", defaultValue = "0", paramLabel = "N",
                description = "Test images to use (0: all, -1: skip accuracy).")
        int testSubset;

        @Option(names = "--runs", defaultValue = "200", paramLabel = "N",
                description = "Timed batch-1 forward passes (0: skip). Default ${DEFAULT-VALUE}.")
        int runs;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            Checks.atLeast("--test-subset", testSubset, -1, "0: all test images, -1: skip accuracy");
            Checks.atLeast("--runs", runs, 0, "0 skips the measurement");
            Inputs.requireSubnet(dir);
            Evaluation.Result r = Evaluation.evaluate(dir, dataset, data == null ? null : data.toString(), luts,
                    testSubset, runs);
            out.print(r, text(r));
            return 0;
        }

        static String text(Evaluation.Result r) {
            StringBuilder sb = new StringBuilder();
            sb.append(r.dir()).append(": ").append(r.space()).append(" | ").append(r.arch()).append('\n');
            if (r.testAccuracy() != null) {
                sb.append(String.format("test accuracy: %.2f%% (%d %s test images)%n", 100 * r.testAccuracy(),
                        r.testImages(), r.dataset()));
            }
            for (Evaluation.Predicted p : r.predicted()) {
                sb.append(String.format("predicted latency: %.4f ms under %s [%s]%n", p.latencyMs(), p.lut(), p.device()));
            }
            if (!Double.isNaN(r.measuredMedianMs())) {
                sb.append(String.format("measured latency here: %.4f ms median (p10 %.4f, p90 %.4f; %d runs, batch 1,"
                        + " %d thread%s)%n", r.measuredMedianMs(), r.measuredP10Ms(), r.measuredP90Ms(), r.measuredRuns(),
                        r.threads(), r.threads() == 1 ? "" : "s"));
                String w = LoadWarning.of("the timed runs", LoadWarning.stored(r.otherLoadCores(), 0),
                        io.hwnas.latency.MeasureConfig.Clock.WALL, r.threads(), false);
                if (w != null) {
                    sb.append(w.replaceFirst("^hwnas: ", "")).append(String.format("%n"));
                }
            }
            sb.append(String.format("MACs: %.3f M, params: %.3f M", r.macs() / 1e6, r.paramsCount() / 1e6));
            return sb.toString();
        }
    }

    @Command(name = "finetune", mixinStandardHelpOptions = true,
            description = "Train a subnet further (SGD, momentum 0.9, cosine learning rate), from its inherited"
                    + " weights or re-initialized (--from-scratch).")
    public static final class Tune implements Callable<Integer> {
        @Parameters(paramLabel = "SUBNET_DIR")
        Path dir;

        @Option(names = "--epochs", defaultValue = "2", paramLabel = "N", description = "Epochs (default ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--from-scratch", description = "Re-initialize the weights (FBNet retrains its picks).")
        boolean fromScratch;

        @Option(names = "--lr", defaultValue = "0.05", description = "Initial SGD learning rate, cosine-annealed to 0"
                + " (default ${DEFAULT-VALUE}).")
        double lr;

        @Option(names = "--batch", defaultValue = "128", description = "Batch size (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--weight-decay", defaultValue = "4e-5", description = "Default ${DEFAULT-VALUE}.")
        double weightDecay;

        @Option(names = "--train-subset", defaultValue = "0", paramLabel = "N", description = "Training images (0: all).")
        int trainSubset;

        @Option(names = "--augment", description = "Random crop/flip.")
        boolean augment;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of order, augmentation and"
                + " re-initialisation (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--dataset", paramLabel = "NAME", description = "fashion-mnist, cifar10 or folder (default:"
                + " the run's).")
        String dataset;

        @Option(names = "--data", paramLabel = "PATH", description = "Dataset location (default: the run's, or the"
                + " usual search).")
        Path data;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT_DIR", description = "Folder to write the"
                + " fine-tuned subnet into (not in or around the input; new or empty, or holding a fine-tune of the same"
                + " settings).")
        Path output;

        @Option(names = "--force", description = "Replace a subnet of another architecture, a fine-tune of other"
                + " settings or an extracted subnet (or other files) in OUT_DIR.")
        boolean force;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            Checks.atLeast("--epochs", epochs, 1, "a subnet is used as extracted without hwnas finetune");
            Checks.atLeast("--batch", batch, 1, null);
            Checks.atLeast("--train-subset", trainSubset, 0, "0: all training images");
            HwnasException.require(lr >= 0 && Double.isFinite(lr), "--lr", lr, "must be a finite number >= 0");
            HwnasException.require(weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay", weightDecay,
                    "must be a finite number >= 0");
            Inputs.requireSubnet(dir);
            Outputs.apart("-o", output, "subnet folder", dir);
            Architecture intended = Outputs.subnetArch(dir);
            Origin origin = Evaluation.origin(dir);
            Path fromRun = origin == null || origin.runDir() == null ? null : Path.of(origin.runDir());
            Finetune.Options opt = new Finetune.Options(epochs, batch, lr, 0.9, weightDecay, fromScratch, seed,
                    trainSubset, augment, dataset, data == null ? null : data.toString());
            Finetune.Result r;
            try (Interrupted i = Interrupted.subnet(output, "the same command")) {
                Runnable cleanup = Outputs.subnetDir(output, intended, fromRun, Finetune.Settings.of(dir, opt), force);
                try {
                    r = Finetune.finetune(dir, opt, output, new ConsoleProgress());
                } catch (RuntimeException e) {
                    cleanup.run();
                    throw e;
                }
            }
            out.print(r, String.format("fine-tuned %s for %d epoch%s (train acc %.2f%%) -> %s%nnext: hwnas eval %s",
                    r.arch(), r.epochs(), r.epochs() == 1 ? "" : "s", 100 * r.trainAccuracy(), output,
                    Shell.quote(output)));
            return 0;
        }
    }
}
