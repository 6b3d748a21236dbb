package io.hwnas.tools.cli;

import io.hwnas.latency.Lut;
import io.hwnas.latency.LutMeasurer;
import io.hwnas.latency.MeasureConfig;
import io.hwnas.latency.SupernetBlocks;
import io.hwnas.search.subnet.Evaluation;
import io.hwnas.search.subnet.Extraction;
import io.hwnas.search.subnet.Finetune;
import io.hwnas.search.train.Nets;
import io.hwnas.search.train.TrainResult;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hwnas quickstart}: the whole pipeline in about five minutes on two CPU cores: measure this
 * machine's LUT for its space (fbnet-fmnist-small-stem2 unless --space says otherwise), train a small shared-weight supernet on a Fashion-MNIST subset
 * against it, extract the argmax architecture (BN recalibrated) and report its test accuracy and
 * predicted and measured latency without fine-tuning (unless asked), then specialize the supernet for
 * four targets. Re-running it continues an interrupted run.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"Measure a LUT here, train a small Fashion-MNIST supernet against it, extract and evaluate"
            + " its argmax without fine-tuning, then specialize it for two local targets and two"
            + " device tables (raspi4, pixel3; estimated for its space).", "Run it again to continue after an"
            + " interruption."})
public final class QuickstartCommand implements Callable<Integer> {
    /**
     * The default space: {@link #TINY_SPACE} at 1.5x its channel counts. Its 7 epochs gave argmaxes at 89.87 % on
     * average over eight seeds against 89.50 % for the tiny space's 8 (six seeds of eight higher), in about 1.15x the
     * time (208-271 s to the evaluated subnet, one run 407 s on a slow VM; 2-core Zen 4, 2026-12-07;
     * experiments/results/quickstart/README.md, stop 43).
     */
    public static final String SPACE = "fbnet-fmnist-small-stem2";
    /**
     * The space before {@link #SPACE} (2026-12-07): {@code fbnet-fmnist-tiny-shortcut} (FBNet's ops with projection
     * shortcuts: every op of a layer that changes shape adds a 1x1 projection of its input, and skip is that
     * projection; its fixed architectures extracted 4 points higher than those of {@code fbnet-fmnist-tiny}) with a
     * stride-2 stem: every searchable layer works on 14x14 maps or smaller, a training step costs about 0.45x, and the
     * five minutes train 8 epochs instead of 3: argmaxes at 88.9 % on average over five seeds against 85.9 % (2-core
     * Intel Xeon, 2026-12-07; experiments/results/quickstart/README.md, stop 39).
     */
    public static final String TINY_SPACE = "fbnet-fmnist-tiny-stem2";
    /** The space the quickstart used before the stride-2 stem (2026-12-06 to 2026-12-07): 28x28 maps in its first layers. */
    public static final String FULL_RES_SPACE = "fbnet-fmnist-tiny-shortcut";
    /**
     * The default epochs: 7 on {@link #SPACE} fit the five minutes on a 2-core Zen 4 VM (201-262 s of training over
     * seven seeds, 395 s on a slow VM); {@link #TINY_SPACE} trained 8 there in 177-337 s.
     */
    public static final int DEFAULT_EPOCHS = 7;

    @Option(names = "--space", defaultValue = SPACE, paramLabel = "SPACE", description = "Search space: a registered"
            + " id or a space JSON file with Fashion-MNIST's 1x28x28 input and 10 classes (default ${DEFAULT-VALUE};"
            + " fbnet-fmnist-tiny-stem2: the same at 2/3 of its channels, an older quickstart run holds it (8 epochs);"
            + " fbnet-fmnist-tiny-shortcut: that at 28x28, about 2.2x the time per epoch, an older quickstart run"
            + " holds it; fbnet-fmnist-tiny: FBNet's ops as written, no shortcuts, an older run still).")
    String spaceId;
    /** Gumbel-softmax temperature at the start: FBNet's 5 is meant for 90 epochs (see the README, "Quickstart"). */
    public static final double DEFAULT_TAU_START = 1.0;
    /**
     * Adam learning rate of θ: with 0.05, θ hardly moved in the quickstart's two θ epochs (of 3, 2026-12-05); 0.5
     * instead of 0.2 settles θ sooner on {@link #TINY_SPACE}, so the weight steps train its pick longer: the argmax 0.57
     * points higher over five seeds under one LUT (89.45 against 88.88 %, every seed higher; 2-core Intel Xeon,
     * 2026-12-07, experiments/results/quickstart/README.md, stop 40).
     */
    public static final double DEFAULT_THETA_LR = 0.5;
    /**
     * Share of the training images for the weight steps (the rest trains θ): with 0.9 instead of FBNet's 0.8
     * the quickstart's subnets extracted as well (five seeds, within their spread) and its supernet trained
     * 4-10 % faster, the θ steps costing most per image (experiments/results/quickstart/README.md).
     */
    public static final double DEFAULT_WEIGHT_FRACTION = 0.9;

    @Option(names = {"-o", "--output"}, defaultValue = "runs/quickstart", paramLabel = "DIR",
            description = "Working folder (default ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--data", paramLabel = "PATH", description = "Fashion-MNIST folder (default: the usual search).")
    Path data;

    @Option(names = "--epochs", defaultValue = "" + DEFAULT_EPOCHS, description = "Supernet epochs (default"
            + " ${DEFAULT-VALUE}; an older quickstart run holds 8 or 3).")
    int epochs;

    @Option(names = "--warmup-epochs", defaultValue = "1", description = "Of those, weights-only epochs"
            + " (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--train-subset", defaultValue = "30000", description = "Training images for the supernet"
            + " (default ${DEFAULT-VALUE}; --weight-fraction of them for the weights, the rest for θ).")
    int trainSubset;

    /**
     * Batch size of the weight and θ steps. 32 raised the argmax 1.2 points on average over five seeds on an
     * Intel Xeon VM (85.53 against 84.37 %, at about the same LUT latency; one seed lost 1.5) for a supernet
     * 9-24 % slower, which would take the quickstart past 5 minutes on the slowest CPU seen; 16 took 1.2x as
     * long as 32 (experiments/results/quickstart/README.md, stop 36).
     */
    public static final int DEFAULT_BATCH_SIZE = 64;

    @Option(names = "--batch-size", defaultValue = "" + DEFAULT_BATCH_SIZE, description = "Batch size of the supernet's"
            + " weight and θ steps (default ${DEFAULT-VALUE}; 32 gave argmaxes about a point higher for a 9-24 percent"
            + " slower supernet).")
    int batchSize;

    @Option(names = "--weight-lr", defaultValue = "0.1", description = "SGD learning rate of the weights, cosine to 0"
            + " (default ${DEFAULT-VALUE}).")
    double weightLr;

    /**
     * SGD weight decay of the quickstart: 5e-4 (the training config's default is 1e-4). On
     * {@link #SPACE}, 7 epochs, {@code fastest/4}, eight seeds each with its own LUT on a 2-core Zen 4: argmaxes at
     * 90.20 % on average (89.57-90.78 %, five of eight at 90 % or more) against 89.77 % over seeds 1-5 with 1e-4 (90.20 on
     * the same five), at 3.18x the fastest network's latency against 3.42x
     * (experiments/results/quickstart/README.md, stop 44); on {@link #TINY_SPACE} (Intel Xeon, stop 41) +0.22 points
     * over five seeds, within their spread.
     */
    public static final double DEFAULT_WEIGHT_DECAY = 5e-4;

    @Option(names = "--weight-decay", defaultValue = "" + DEFAULT_WEIGHT_DECAY, description = "SGD weight decay of the"
            + " weights (default ${DEFAULT-VALUE}; an older quickstart run holds 1e-4, the training config's default).")
    double weightDecay;

    @Option(names = "--weight-fraction", defaultValue = "" + DEFAULT_WEIGHT_FRACTION, description = "Share of the"
            + " training images for the weight steps, the rest for the θ steps (default ${DEFAULT-VALUE}; an older"
            + " quickstart run holds 0.8).")
    double weightFraction;

    @Option(names = "--supernet", defaultValue = "shared", description = "shared (one weight set per layer: the"
            + " extracted subnet works as it is), shared-masked, shared-superkernel or per-op (FBNet; then fine-tune) (default ${DEFAULT-VALUE}).")
    String supernet;

    @Option(names = "--weight-sampling", defaultValue = "single-path", description = "single-path (one path per"
            + " step; after the warm-up sampled from θ, so the likely architectures train most, unless"
            + " --weight-paths uniform), sandwich or soft"
            + " (default ${DEFAULT-VALUE}).")
    String weightSampling;

    @Option(names = "--progressive-epochs", paramLabel = "N", description = "Of the warm-up epochs, the first"
            + " ones sample only the dense ops (kK_eE), then every op: progressive shrinking in two stages"
            + " (default 1; 0 with --warmup-epochs 0 or --weight-sampling soft; an older quickstart run holds 0).")
    Integer progressiveEpochs;

    /** The dense-only epochs asked for, else 1 where the training allows one (a warm-up epoch, steps that sample paths). */
    int progressiveEpochs() {
        return progressiveEpochs != null ? progressiveEpochs : warmup >= 1 && !weightSampling.equals("soft") ? 1 : 0;
    }

    @Option(names = "--depth-sampling", paramLabel = "uniform|op", description = "uniform (the number of layers a"
            + " warm-up path, or with --weight-paths uniform any single path, skips is uniform, so the shallow subnets a CPU's latency loss picks are trained) or op"
            + " (skip is one of the nine ops a warm-up path picks from: deep subnets train more) (default"
            + " uniform; op with --weight-sampling soft, whose steps sample no paths).")
    String depthSampling;

    /** The depth sampling asked for, else uniform where steps sample paths (soft steps take only op). */
    String depthSampling() {
        return depthSampling != null ? depthSampling : weightSampling.equals("soft") ? "op" : "uniform";
    }

    @Option(names = "--weight-paths", defaultValue = "theta", description = "theta (single-path weight steps after"
            + " the warm-up sample from θ, FBNet), uniform (they keep sampling as in the warm-up: the weights serve"
            + " every subnet, Once-for-All) or mixed (every second step each; measured lower than theta on the default"
            + " space, for the argmax and for other subnets) (default ${DEFAULT-VALUE}).")
    String weightPaths;

    @Option(names = "--finetune-epochs", defaultValue = "0", description = "Fine-tuning epochs of the extracted"
            + " subnet (default ${DEFAULT-VALUE}: the shared supernet's subnet is used as it is).")
    int finetuneEpochs;

    // a plain flag: picocli 4.7's negatable form of an option that defaults to true read --no-specialize as true
    @Option(names = "--no-specialize", description = "Stop after the evaluated subnet: no specialization (by"
            + " default the supernet is specialized for two local targets (1 and N threads, or batch 1 and 32) and the"
            + " raspi4 and pixel3 tables carried over to its space).")
    boolean noSpecialize;

    @Option(names = "--finetune-subset", defaultValue = "0", description = "Training images for fine-tuning (0: all"
            + " 60,000).")
    int finetuneSubset;

    @Option(names = "--alpha", defaultValue = "0.2", description = "α of the latency loss CE·α·(log LAT)^β"
            + " (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--beta", defaultValue = "0.6", description = "β (default ${DEFAULT-VALUE}).")
    double beta;

    /**
     * The unit of LAT inside the latency loss's log (the training config's {@code latency_unit}, whose default is
     * "auto"): the fastest network's latency / 4, about the unit "auto" chose on the 2-core Zen 4 VM the default's
     * figures come from at its usual speed (log LAT of the fastest network 1.4-1.5 there). With "auto" a VM running
     * slow while the LUT was measured weakened the latency term (log LAT up to 2.8), so θ kept larger picks that
     * trained slower still (407 s to the subnet in one such run); with fastest/4 the trade-off is the LUT's shape
     * only. Over five seeds (each its own LUT) the argmaxes scored 89.77 % on average against 89.90 % with "auto",
     * at the same latency relative to the fastest network (3.42x against 3.41x; experiments/results/quickstart/
     * README.md, stop 44).
     */
    public static final String DEFAULT_LATENCY_UNIT = "fastest/4";

    @Option(names = "--latency-unit", defaultValue = DEFAULT_LATENCY_UNIT, paramLabel = "UNIT", description = "Unit of"
            + " LAT inside log LAT, which sets the trade-off with β: auto (the smallest of ms, 0.1 ms, 0.01 ms, µs in"
            + " which the fastest network has log LAT >= 1: the pressure jumps where a CPU's speed crosses a power of"
            + " ten, or a VM runs slow while the LUT is measured), fastest/N (the fastest network's latency / N: the same"
            + " trade-off on a machine uniformly faster or slower), ms or us (default ${DEFAULT-VALUE}: about what auto"
            + " chose on the 2-core VM the quickstart's figures come from; an older quickstart run holds auto).")
    String latencyUnit;

    @Option(names = "--tau-start", defaultValue = "" + DEFAULT_TAU_START, description = "Gumbel-softmax"
            + " temperature τ at the start, times exp(-0.045) per epoch (default ${DEFAULT-VALUE}; FBNet's 5 keeps the"
            + " soft samples near uniform through a few epochs, so θ hardly learns; an older quickstart run holds 5).")
    double tauStart;

    @Option(names = "--theta-lr", defaultValue = "" + DEFAULT_THETA_LR, description = "Adam learning rate of θ"
            + " (default ${DEFAULT-VALUE}; 0: θ frozen; an older quickstart run holds 0.2 or 0.05).")
    double thetaLr;

    /** θ's L2 (FBNet's 5e-4 kept θ near uniform here: Adam normalises the small θ gradient, not the decay). */
    public static final double DEFAULT_THETA_WEIGHT_DECAY = 0;

    @Option(names = "--theta-weight-decay", defaultValue = "" + DEFAULT_THETA_WEIGHT_DECAY, description = "L2 on θ,"
            + " added to its gradient (default ${DEFAULT-VALUE}; FBNet's 5e-4 kept θ near uniform through the quickstart;"
            + " an older quickstart run holds 5e-4).")
    double thetaWeightDecay;

    /** θ's steps stop once every layer's θ entropy is below this at an epoch's end (nats; ln 9 = 2.2 is uniform). */
    public static final double DEFAULT_THETA_FREEZE_ENTROPY = 0.1;

    @Option(names = "--theta-freeze-entropy", defaultValue = "" + DEFAULT_THETA_FREEZE_ENTROPY, paramLabel = "H",
            description = "Once every layer's θ entropy is below H nats at an epoch's end, the later epochs train the"
            + " weights only: θ has settled, and its steps would cost time (default ${DEFAULT-VALUE}; 0: θ trains to the"
            + " end, as an older quickstart run did).")
    double thetaFreezeEntropy;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads (0: the cores idle right now,"
            + " at least 1: OpenMP threads on busy cores stall).")
    int threads;

    /** How the quickstart's LUTs are timed (chosen from the load at the start). */
    private MeasureConfig.Clock clock = MeasureConfig.Clock.WALL;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of every random draw (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--fresh", description = "Discard a stored run and train again (a rerun with settings other than"
            + " the stored run's is refused without it).")
    boolean fresh;

    @Mixin
    Output out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The command that continues this quickstart: the same one (its arguments start with "quickstart"), without --fresh. */
    String rerunCommand() {
        return Shell.command(argsWithout(List.of("--fresh"), List.of()));
    }

    /**
     * This call's arguments ({@code quickstart} alone when there are none) without the {@code flags} and without
     * the {@code valued} options and their values, in any of picocli's spellings ({@code --x v}, {@code --x=v},
     * {@code -ov}).
     */
    private List<String> argsWithout(List<String> flags, List<String> valued) {
        List<String> args = spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs();
        List<String> kept = new java.util.ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            boolean joined = java.util.stream.Stream.concat(flags.stream(), valued.stream()).anyMatch(o -> a.startsWith(o + "="))
                    || valued.stream().anyMatch(o -> !o.startsWith("--") && a.startsWith(o)); // -ov
            if (valued.contains(a)) {
                i++; // and its value
            } else if (!flags.contains(a) && !joined) {
                kept.add(a);
            }
        }
        return kept.isEmpty() ? List.of("quickstart") : kept;
    }

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("--epochs", epochs, 1, null);
        Checks.atLeast("--batch-size", batchSize, 1, null);
        if (!(weightLr > 0) || !Double.isFinite(weightLr)) {
            throw new io.hwnas.core.HwnasException("option '--weight-lr' = " + weightLr + ": must be positive");
        }
        Checks.atLeast("--warmup-epochs", warmup, 0, null);
        if (warmup >= epochs) { // the quickstart hands out θ's argmax: θ needs an epoch of its own
            throw new io.hwnas.core.HwnasException("option '--warmup-epochs' = " + warmup + ": leaves no θ epoch of --epochs "
                    + epochs + " (the quickstart extracts θ's argmax); give --epochs " + (warmup + 1) + " or more, or"
                    + " fewer --warmup-epochs");
        }
        if (progressiveEpochs != null) {
            Checks.atLeast("--progressive-epochs", progressiveEpochs, 0, null);
        }
        Checks.atLeast("--train-subset", trainSubset, 0, "0: all training images");
        Checks.atLeast("--finetune-epochs", finetuneEpochs, 0, null);
        Checks.atLeast("--finetune-subset", finetuneSubset, 0, "0: all training images");
        if (finetuneEpochs == 0 && spec != null && spec.commandLine().getParseResult().hasMatchedOption("--finetune-subset")) {
            throw new io.hwnas.core.HwnasException("option '--finetune-subset' applies to fine-tuning only; give"
                    + " --finetune-epochs N too (the quickstart does not fine-tune by default)");
        }
        Checks.atLeast("--threads", threads, 0, "0: the idle cores");
        Checks.atLeast("--alpha", alpha, 0, false);
        Checks.atLeast("--beta", beta, 0, false);
        Checks.atLeast("--tau-start", tauStart, 0, true);
        Checks.atLeast("--theta-lr", thetaLr, 0, false);
        Checks.atLeast("--theta-weight-decay", thetaWeightDecay, 0, false);
        Checks.atLeast("--weight-decay", weightDecay, 0, false);
        Checks.atLeast("--theta-freeze-entropy", thetaFreezeEntropy, 0, false);
        if (!io.hwnas.latency.LatencyUnit.valid(latencyUnit)) {
            throw new io.hwnas.core.HwnasException("option '--latency-unit' = " + latencyUnit + ": must be "
                    + io.hwnas.latency.LatencyUnit.SETTINGS);
        }
        Checks.inOpenRange("--weight-fraction", weightFraction, 0, 1,
                "the share of --train-subset for the weight steps; the rest trains θ");
        long t0 = System.nanoTime();
        io.hwnas.core.MachineLoad.Reading load = io.hwnas.core.MachineLoad.sample(500);
        if (threads == 0) {
            threads = idleCores(load);
        }
        // on a busy machine a 1-thread table is timed by the thread's CPU time, which other processes hardly change
        clock = threads == 1 && load.busy() ? MeasureConfig.Clock.CPU : MeasureConfig.Clock.WALL;
        Nets.applyThreads(threads);
        Path lutFile = dir.resolve("lut.json");
        Path runDir = dir.resolve(QuickstartRun.RUN);
        SearchSpace space = quickstartSpace(spaceId);
        // what the training would refuse after the LUT, refused here in the quickstart's words
        if (progressiveEpochs() > 0 && !io.hwnas.supernet.net.Supernet.hasDenseOp(space)) {
            throw new io.hwnas.core.HwnasException("option '--space' = " + spaceId + ": has no dense op (kK_eE) for the"
                    + " dense-only epoch; give --progressive-epochs 0");
        }
        if (depthSampling().equals("uniform") && !space.ops().contains("skip")) {
            throw new io.hwnas.core.HwnasException("option '--space' = " + spaceId + ": has no skip op, which"
                    + " --depth-sampling uniform needs; give --depth-sampling op");
        }
        Map<String, Object> trainConfig = QuickstartRun.config(spaceName(spaceId), data, lutFile, alpha, beta, epochs, warmup,
                trainSubset, seed, threads, tauStart, thetaLr);
        trainConfig.put("supernet", supernet);
        trainConfig.put("weight_sampling", weightSampling);
        trainConfig.put("progressive_epochs", progressiveEpochs());
        trainConfig.put("depth_sampling", depthSampling());
        trainConfig.put("weight_paths", weightPaths);
        trainConfig.put("weight_fraction", weightFraction);
        trainConfig.put("batch_size", batchSize);
        trainConfig.put("weight_lr", weightLr);
        trainConfig.put("theta_weight_decay", thetaWeightDecay);
        trainConfig.put("weight_decay", weightDecay);
        trainConfig.put("theta_freeze_entropy", thetaFreezeEntropy);
        trainConfig.put("latency_unit", latencyUnit);
        QuickstartRun.checkFolder(dir); // a folder of other files: refused before any work
        if (!noSpecialize && !QuickstartRun.mayReuseSpecialization(dir, fresh)) {
            QuickstartRun.checkSpecialized(dir.resolve(QuickstartRun.SPECIALIZED)); // replaced whole later
        }
        QuickstartRun plan = QuickstartRun.plan(runDir, trainConfig, fresh); // other settings: refused before any work
        // subsets beyond the data are refused (naming the option) before anything is measured, written or discarded
        io.hwnas.datasets.ImageSet all = io.hwnas.search.train.TrainData.load("fashion-mnist", data == null ? null
                : data.toString(), true, 0, seed);
        io.hwnas.search.train.TrainData.checkSubset(all, "--train-subset", trainSubset, "fashion-mnist", true);
        io.hwnas.search.train.TrainData.checkSubset(all, "--finetune-subset", finetuneSubset, "fashion-mnist", true);
        // so is a split with an empty weight or θ part (a few images), which training would refuse after the LUT
        try {
            io.hwnas.datasets.Splits.indices(io.hwnas.search.train.TrainData.subsetLabels(all, trainSubset, seed),
                    all.classes(), weightFraction, seed);
        } catch (io.hwnas.core.HwnasException e) {
            throw new io.hwnas.core.HwnasException("option '--train-subset' = " + trainSubset + " with '--weight-fraction' = "
                    + weightFraction + ": leaves the weight or the θ steps no image (split per class, rounded); give"
                    + " more images or another --weight-fraction", e);
        }
        System.err.println("quickstart: " + threads + " PyTorch thread(s)" + (load.busy() ? " (busy machine: "
                + load.describe() + (clock == MeasureConfig.Clock.CPU ? "; LUTs timed by CPU time" : "") + ")" : "")
                + "; output in " + dir);
        QuickstartRun.claimFolder(dir);
        Map<String, Object> res = new LinkedHashMap<>();
        ConsoleProgress progress = new ConsoleProgress();

        // 1. LUT of this machine
        long s1 = System.nanoTime();
        if (!ofSpace(lutFile, space)) {
            try (Interrupted i = Interrupted.say("no LUT was written; '" + rerunCommand() + "' measures it again")) {
                Lut lut = LutMeasurer.measure(space, SupernetBlocks.INSTANCE, new MeasureConfig(threads, 1, 10, 60, null,
                        clock), progress);
                lut.write(lutFile);
                warnIfBusy(lut);
            }
        }
        res.put("lut_seconds", secs(s1));

        // 2. supernet training (resumes if interrupted)
        long s2 = System.nanoTime();
        TrainResult tr = plan.train(dir.resolve(QuickstartRun.CONFIG_FILE), progress, rerunCommand()
                + " (the same command: it continues the training and does what follows)");
        // after the training: an interruption keeps the trained supernet, and a rerun goes on from there
        try (Interrupted i = Interrupted.say("the trained supernet is kept in " + runDir + "; '" + rerunCommand()
                + "' extracts, evaluates and specializes it")) {
            res.put("train_seconds", secs(s2));
            afterTraining(space, lutFile, runDir, tr, progress, res, t0);
        }
        return 0;
    }

    /** Plots, extraction, evaluation and specialization of the trained supernet, then the summary. */
    private void afterTraining(SearchSpace space, Path lutFile, Path runDir, TrainResult tr, ConsoleProgress progress,
            Map<String, Object> res, long t0) throws Exception {
        io.hwnas.experiments.plot.RunPlots.write(runDir);
        res.put("argmax", tr.argmax().canonical());
        var last = tr.metrics().isEmpty() ? null : tr.metrics().get(tr.metrics().size() - 1);
        res.put("supernet_last_epoch", last);

        // 3. extract with BN recalibration, 4. fine-tune, 5. evaluate
        long s3 = System.nanoTime();
        Path sub = dir.resolve("subnet");
        Extraction.extract(runDir, "argmax", 20, sub);
        Path evalDir = sub;
        if (finetuneEpochs > 0) {
            Path ft = dir.resolve("subnet-finetuned");
            Finetune.finetune(sub, new Finetune.Options(finetuneEpochs, 128, 0.1, 0.9, 4e-5, false, seed,
                    finetuneSubset, false, null, data == null ? null : data.toString()), ft, progress);
            evalDir = ft;
        }
        res.put("extract_finetune_seconds", secs(s3));
        long s4 = System.nanoTime();
        Evaluation.Result ev = Evaluation.evaluate(evalDir, null, null, List.of(lutFile), 0, 200);
        res.put("eval_seconds", secs(s4));
        res.put("total_seconds", secs(t0));
        res.put("eval", ev);
        String specText = "";
        if (!noSpecialize) {
            long s5 = System.nanoTime();
            specText = specializeLocally(space, lutFile, runDir, progress, res);
            res.put("specialize_seconds", secs(s5));
        }
        String text = String.format("quickstart done in %.0f s (LUT %.0f s, supernet %.0f s, extract%s %.0f s,"
                + " eval %.0f s%s)%n", secs(t0), (double) res.get("lut_seconds"), (double) res.get("train_seconds"),
                finetuneEpochs > 0 ? "+finetune" : "", (double) res.get("extract_finetune_seconds"),
                (double) res.get("eval_seconds"), res.containsKey("specialize_seconds") ? String.format(
                ", specialization %.0f s", (double) res.get("specialize_seconds")) : "")
                + (last == null ? "" : String.format("supernet (%s): last epoch weight-pass accuracy %.2f%%%s, argmax %s"
                        + " (%.4f ms under the LUT)%n", runDir, 100 * last.weightAccuracy(), last.thetaAccuracy() == null
                        ? "" : String.format(", θ-pass accuracy %.2f%%", 100 * last.thetaAccuracy()),
                        tr.argmax().canonical(), tr.argmaxLatencyMs()))
                + SubnetCommands.Eval.text(ev)
                + String.format("%nplots: %s in %s%n", String.join(", ", io.hwnas.experiments.plot.RunPlots.FILES), runDir)
                + specText + nextSteps(evalDir, ev.testAccuracy(), tr.metrics());
        out.print(res, text);
    }

    /** The space of {@code --space}: registered or a file, with Fashion-MNIST's input and classes. */
    static SearchSpace quickstartSpace(String idOrFile) {
        SearchSpace s = Checks.space("--space", idOrFile);
        if (s.input().channels() != 1 || s.input().height() != 28 || s.input().width() != 28 || s.head().classes() != 10) {
            throw new io.hwnas.core.HwnasException("option '--space' = " + idOrFile + ": the quickstart trains on"
                    + " Fashion-MNIST (1x28x28 input, 10 classes), this space takes " + s.input().channels() + "x"
                    + s.input().height() + "x" + s.input().width() + " with " + s.head().classes() + " classes; give"
                    + " fbnet-fmnist-small-stem2, fbnet-fmnist-tiny-stem2, fbnet-fmnist-tiny-shortcut, fbnet-fmnist-tiny or a"
                    + " space of that input");
        }
        return s;
    }

    /** What the training config names: a registered id as it is, a file by its absolute path. */
    static String spaceName(String idOrFile) {
        return SpaceRegistry.IDS.contains(idOrFile) ? idOrFile : Path.of(idOrFile).toAbsolutePath().normalize().toString();
    }

    /**
     * Whether the quickstart's table {@code f} exists and was made for {@code space}: one of another space (an
     * earlier quickstart in this folder with another --space) is its own file, measured or carried over again.
     */
    static boolean ofSpace(Path f, SearchSpace space) {
        if (!Files.isRegularFile(f)) {
            return false;
        }
        try {
            Lut l = Lut.read(f);
            return l.space().equals(space.id()) && (l.spaceSha256() == null || l.spaceSha256().equals(space.sha256()));
        } catch (io.hwnas.core.HwnasException e) {
            return false;
        }
    }

    /**
     * Epochs of the quickstart's recipe on {@link #FULL_RES_SPACE} that reached about 90 % (the target)
     * without fine-tuning: 90.17, 90.12 and 89.64 % with θ's weight decay 5e-4, 91.39 % without (the default since),
     * on a 2-core Intel Xeon ({@code experiments/results/quickstart/README.md}, stop 38; 6 epochs without the decay:
     * 90.66 %, one seed).
     */
    static final int EPOCHS_FOR_90 = 10;

    /**
     * Whether the longer training goes to {@link #FULL_RES_SPACE}: from the stride-2 stem's spaces ({@link #TINY_SPACE}'s
     * 10 epochs gave no more than its 8; {@link #SPACE}'s longer training is not measured).
     */
    boolean longerSwitchesSpace() {
        return spaceId.equals(SPACE) || spaceId.equals(TINY_SPACE);
    }

    /**
     * The same quickstart with {@link #EPOCHS_FOR_90} epochs into a folder of its own: this call's arguments without
     * {@code --fresh}, {@code --epochs} and {@code -o}; from the stride-2 stem's spaces, on {@link #FULL_RES_SPACE}
     * ({@link #TINY_SPACE}'s 10 epochs gave 89.2-89.9 %, no more than its 8).
     */
    String longerCommand() {
        boolean switchSpace = longerSwitchesSpace();
        List<String> replaced = new java.util.ArrayList<>(List.of("--epochs", "-o", "--output"));
        if (switchSpace) {
            replaced.add("--space");
        }
        List<String> kept = new java.util.ArrayList<>(argsWithout(List.of("--fresh"), replaced));
        Path longer = dir.toAbsolutePath().normalize();
        longer = longer.resolveSibling(longer.getFileName() + (switchSpace ? "-shortcut-" : "-") + EPOCHS_FOR_90
                + "-epochs");
        Path cwd = Path.of("").toAbsolutePath();
        kept.addAll(List.of("-o", (longer.startsWith(cwd) ? cwd.relativize(longer) : longer).toString()));
        if (switchSpace) {
            kept.addAll(List.of("--space", FULL_RES_SPACE));
        }
        kept.addAll(List.of("--epochs", Integer.toString(EPOCHS_FOR_90)));
        return Shell.command(kept);
    }

    /**
     * What a user does next with what the quickstart wrote (the text output's last lines); below 90 % without
     * fine-tuning, also the longer training that reached it, with its time estimated from this run's epochs.
     */
    String nextSteps(Path subnet, Double testAccuracy, List<io.hwnas.search.train.EpochMetrics> metrics) {
        Map<String, String> steps = new LinkedHashMap<>();
        steps.put("hwnas export " + Shell.quote(subnet) + " -o " + Shell.quote(dir.resolve("model.onnx")) + " --verify",
                "the subnet as ONNX, checked in ONNX Runtime against DJL");
        steps.put("hwnas eval " + (noSpecialize ? Shell.quote(subnet) : Shell.quote(dir.resolve(QuickstartRun.SPECIALIZED)) + "/TARGET")
                + " --lut LUT.json", "accuracy, and latency under another device's table");
        steps.put("hwnas specialize " + Shell.quote(dir.resolve(QuickstartRun.RUN)) + " --target NAME=LUT.json -o OUT",
                "a subnet for another device, without retraining");
        if (finetuneEpochs == 0 && testAccuracy != null && testAccuracy < 0.90
                && (longerSwitchesSpace() || epochs < EPOCHS_FOR_90) && !metrics.isEmpty()) {
            double perEpoch = metrics.stream().mapToDouble(io.hwnas.search.train.EpochMetrics::wallSeconds).sum()
                    / metrics.size();
            steps.put(longerCommand(), longerSwitchesSpace()
                    ? String.format("28x28 maps for %d epochs gave 89.6-91.4 %% in four runs on a 2-core Intel Xeon:"
                            + " about 10-11 min of training there", EPOCHS_FOR_90)
                    : String.format("on %s, %d epochs gave 89.6-91.4 %% in four runs on a 2-core Intel Xeon: about"
                            + " %.0f min of training here", FULL_RES_SPACE, EPOCHS_FOR_90,
                            Math.ceil(perEpoch * EPOCHS_FOR_90 / 60)));
        }
        int w = steps.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder b = new StringBuilder(String.format("%nnext:%n"));
        steps.forEach((cmd, what) -> b.append("  ").append(cmd).append(" ".repeat(w - cmd.length() + 3)).append(what)
                .append(System.lineSeparator()));
        return b.toString();
    }

    /** Published device tables the quickstart also specializes for, carried over to its space. */
    static final List<String> IMPORTED_TARGETS = List.of("raspi4", "pixel3");

    /**
     * The trained supernet specialized for two targets that differ on this machine: the quickstart's
     * LUT (its threads) and a 1-thread LUT, or, when that LUT is of 1 thread, batch 1 and batch
     * 32, and for the raspi4 and pixel3 tables of HW-NAS-Bench carried over to the quickstart's space
     * ({@link io.hwnas.latency.LutTransfer}: estimated). Accuracy from the supernet (BN recalibrated,
     * held-out images), a small evolution.
     */
    private String specializeLocally(SearchSpace space, Path lutFile, Path runDir, ConsoleProgress progress,
            Map<String, Object> res) throws Exception {
        // the local targets follow the stored LUT's threads, not this call's (--threads 0 may count other idle
        // cores on a rerun): the same targets, so a finished quickstart's specialization is reused
        Integer lutThreadsStored = Lut.read(lutFile).device().threads();
        int lutThreads = lutThreadsStored == null || lutThreadsStored < 1 ? threads : lutThreadsStored;
        Path other;
        String a;
        String b;
        if (lutThreads > 1) {
            other = dir.resolve("lut-1t.json");
            a = "cpu-" + lutThreads + "t";
            b = "cpu-1t";
            if (!ofSpace(other, space)) {
                Lut l = LutMeasurer.measure(space, SupernetBlocks.INSTANCE, new MeasureConfig(1, 1, 10, 60, null),
                        progress);
                l.write(other);
                warnIfBusy(l);
            }
        } else {
            other = dir.resolve("lut-batch32.json");
            a = "batch-1";
            b = "batch-32";
            if (!ofSpace(other, space)) {
                Lut l = LutMeasurer.measure(space, SupernetBlocks.INSTANCE, new MeasureConfig(lutThreads, 32, 5, 30, null,
                        clock), progress);
                l.write(other);
                warnIfBusy(l);
            }
        }
        Path specDir = dir.resolve(QuickstartRun.SPECIALIZED);
        io.hwnas.search.specialize.Specialize.Options opt = new io.hwnas.search.specialize.Specialize.Options(
                "evolution", "supernet", 20, 12, 6, 5, 500, 0.5, seed);
        List<io.hwnas.search.specialize.Specialize.TargetSpec> targets = new java.util.ArrayList<>(List.of(
                new io.hwnas.search.specialize.Specialize.TargetSpec(a, lutFile, null),
                new io.hwnas.search.specialize.Specialize.TargetSpec(b, other, null)));
        List<String> devices = new java.util.ArrayList<>();
        String devicesNote = "";
        for (String device : IMPORTED_TARGETS) {
            Path f = dir.resolve("lut-" + device + "-estimated.json");
            try {
                if (!ofSpace(f, space)) {
                    SearchSpace cifar = SpaceRegistry.get("fbnet-cifar");
                    Lut imported = io.hwnas.latency.HwNasBenchImport.fbnet(io.hwnas.latency.HwNasBenchImport.defaultCsv(),
                            io.hwnas.latency.HwNasBenchImport.defaultBase(), device, cifar);
                    io.hwnas.latency.LutTransfer.transfer(imported, cifar, space, "HW-NAS-Bench " + device).lut().write(f);
                }
                targets.add(new io.hwnas.search.specialize.Specialize.TargetSpec(device + "-est", f, null));
                devices.add(device);
            } catch (io.hwnas.core.HwnasException e) {
                devicesNote += String.format("(no %s target: %s)%n", device, e.getMessage());
            }
        }
        String inputs = specializationInputs(runDir, targets, opt);
        Reused stored = fresh ? null : Reused.read(specDir, inputs); // --fresh redoes everything
        io.hwnas.search.specialize.Specialize.Summary sum;
        List<Tested> tested;
        if (stored != null) { // a rerun of a finished quickstart: nothing the specialization depends on has changed
            System.err.println("quickstart: specialization reused from " + specDir + " (the run, the targets' tables and"
                    + " the search options are those it was made with)");
            sum = stored.summary();
            tested = stored.tested();
        } else {
            // specialized/ is the quickstart's own: a rerun replaces it whole, so no pick of a target this call no
            // longer has (e.g. batch-1 from a 1-thread call) stays beside the new summary; checked again here, as
            // the check at the start is left to this point when a stored specialization might have been reused
            QuickstartRun.checkSpecialized(specDir);
            sum = io.hwnas.search.specialize.Specialize.run(runDir, targets, opt, specDir, progress, System.err::println,
                    () -> {
                        if (Files.isDirectory(specDir)) {
                            Outputs.deleteContents(specDir);
                        }
                    });
            SpecializeCommand.plots(sum, specDir);
            // the picks' held-out accuracy (500 images) selects them; the 10,000 test images say what a user gets
            tested = new java.util.ArrayList<>();
            for (io.hwnas.search.specialize.Specialize.Pick p : sum.targets()) {
                if (p.subnet() != null) {
                    Evaluation.Result r = Evaluation.evaluate(Path.of(p.subnet()), null, null, List.of(), 0, 0);
                    tested.add(new Tested(p.target(), p.arch(), r.testAccuracy(), r.testImages()));
                }
            }
            io.hwnas.core.Json.writeFile(specDir.resolve(Stored.FILE), new Stored(inputs, tested));
        }
        res.put("specialized", sum);
        StringBuilder testText = new StringBuilder(String.format("%ntest accuracy of the specialized subnets as"
                + " extracted (BN recalibrated, no fine-tuning; the whole test set):%n"));
        int w = tested.stream().mapToInt(t -> t.arch().length()).max().orElse(0);
        for (Tested t : tested) {
            testText.append(String.format(java.util.Locale.ROOT, "  %-12s %-" + w + "s  %.2f %%%n", t.target(),
                    t.arch(), 100 * t.testAccuracy()));
        }
        res.put("specialized_test", tested);
        return String.format("%nspecialized for two local targets and %d estimated device tables (%s): budgets at half of"
                + " each model's range%s%n%s%s", devices.size(), specDir, devices.isEmpty() ? ""
                : String.format("; %s: the HW-NAS-Bench tables of fbnet-cifar carried over to %s by MACs (estimated:"
                + " the devices' op rankings, rough milliseconds; hwnas lut transfer)", String.join(", ", devices),
                space.id()), devicesNote, io.hwnas.search.specialize.Specialize.markdown(specDir)) + testText;
    }

    /** A specialized pick's accuracy on the whole test set. */
    record Tested(String target, String arch, double testAccuracy, int testImages) {}

    /**
     * What {@code specialized/quickstart.json} keeps: a digest of everything the specialization
     * depends on, and the picks' test accuracies, so a rerun of a finished quickstart shows them
     * without searching again.
     */
    record Stored(int schema, String inputs, List<Tested> tested) {
        static final String FILE = "quickstart.json";

        Stored(String inputs, List<Tested> tested) {
            this(io.hwnas.core.Json.SCHEMA, inputs, tested);
        }
    }

    /** A stored specialization a rerun shows as it is. */
    record Reused(io.hwnas.search.specialize.Specialize.Summary summary, List<Tested> tested) {
        /** The stored one, or null when there is none, it was made from other inputs or a pick is missing. */
        static Reused read(Path specDir, String inputs) {
            Path f = specDir.resolve(Stored.FILE);
            Path summary = specDir.resolve("summary.json");
            if (!Files.isRegularFile(f) || !Files.isRegularFile(summary)) {
                return null;
            }
            try {
                Stored s = io.hwnas.core.Json.read(f, Stored.class);
                var sum = io.hwnas.core.Json.read(summary, io.hwnas.search.specialize.Specialize.Summary.class);
                if (s.schema() != io.hwnas.core.Json.SCHEMA || !inputs.equals(s.inputs()) || s.tested() == null
                        || sum.targets().stream().anyMatch(p -> p.subnet() == null || !Files.isRegularFile(specDir
                        .resolve(p.target()).resolve(io.hwnas.supernet.net.SubnetIO.PARAMS_FILE)))) {
                    return null;
                }
                return new Reused(sum, s.tested());
            } catch (io.hwnas.core.HwnasException e) {
                return null; // unreadable: searched again
            }
        }
    }

    /**
     * A digest of the run (its config, its last checkpoint's name and θ: training further or again
     * with other settings changes them), each target's name and table, and the search options.
     */
    static String specializationInputs(Path runDir, List<io.hwnas.search.specialize.Specialize.TargetSpec> targets,
            io.hwnas.search.specialize.Specialize.Options opt) {
        StringBuilder b = new StringBuilder();
        b.append(io.hwnas.core.Hashes.sha256(runDir.resolve(io.hwnas.search.run.RunFiles.CONFIG))).append('\n');
        b.append(io.hwnas.core.Hashes.sha256(runDir.resolve(io.hwnas.search.run.Checkpoints.POINTER))).append('\n');
        b.append(io.hwnas.core.Hashes.sha256(runDir.resolve(io.hwnas.search.run.RunFiles.THETA))).append('\n');
        for (var t : targets) {
            b.append(t.name()).append(' ').append(io.hwnas.core.Hashes.sha256(t.model())).append(' ').append(t.budgetMs())
                    .append('\n');
        }
        b.append(opt.toString().replace(", dataDir=null", "")).append('\n'); // as before --data: stored digests hold
        return io.hwnas.core.Hashes.sha256(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Cores not busy with other work right now, at least 1: all cores less other processes' load over
     * half a second ({@link io.hwnas.core.MachineLoad}; the load average lags by minutes, so it would
     * still count a job that just ended). Load unknown: every core.
     */
    static int idleCores(io.hwnas.core.MachineLoad.Reading load) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (!load.known()) {
            return cores;
        }
        return Math.max(1, Math.min(cores, (int) Math.round(cores - load.otherCores())));
    }

    private void warnIfBusy(Lut lut) {
        Double other = lut.device().otherLoadCores();
        LoadWarning.print("the quickstart's LUT measurement", LoadWarning.stored(other, 0), clock,
                lut.device().threads() == null ? 0 : lut.device().threads());
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
