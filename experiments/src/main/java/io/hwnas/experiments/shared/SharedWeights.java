package io.hwnas.experiments.shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.AtomicFiles;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import io.hwnas.experiments.plot.Charts;
import io.hwnas.search.run.RunDir;
import io.hwnas.search.subnet.Evaluation;
import io.hwnas.search.subnet.Extraction;
import io.hwnas.search.subnet.Finetune;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.search.train.TrainData;
import io.hwnas.search.train.TrainingRun;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code hwnas experiment shared-weights}: are subnets taken out of a trained supernet usable as
 * they are? One supernet is trained (the config's {@code train}, a training config), then for the
 * largest, the smallest, the argmax and K random architectures: test accuracy as extracted (BN
 * recalibrated), after fine-tuning the inherited weights for E epochs, and trained from scratch for
 * the same E epochs. Every step is resumable: the run, each subnet folder and each row are reused
 * when present.
 *
 * @param train the supernet's training config (as {@code hwnas train} reads it)
 * @param finetuneEpochs E: epochs of fine-tuning and of training from scratch
 * @param finetuneSubset training images for fine-tuning / from scratch (0: all)
 * @param finetuneLr initial SGD learning rate of both
 * @param randomArchs K: uniformly random architectures (seeded)
 * @param recalibrateBatches BN recalibration batches at extraction
 * @param testSubset test images (0: all)
 */
public record SharedWeights(String name, JsonNode train, int finetuneEpochs, int finetuneSubset, double finetuneLr,
        int randomArchs, int recalibrateBatches, int testSubset, long seed) {
    /** The folders of an output folder a rerun continues from: the supernet run, the measured rows, the subnets. */
    public static final String RUN = "run";
    public static final String ROWS = "rows";
    public static final String SUBNETS = "subnets";

    public SharedWeights {
        HwnasException.require(train != null && train.isObject(), "train", train, "must be a training config object");
        HwnasException.require(finetuneEpochs >= 0, "finetune_epochs", finetuneEpochs, "must be >= 0");
        HwnasException.require(finetuneSubset >= 0, "finetune_subset", finetuneSubset, "must be >= 0");
        HwnasException.require(finetuneEpochs == 0 || (finetuneLr > 0 && Double.isFinite(finetuneLr)), "finetune_lr",
                finetuneLr, "must be a positive learning rate");
        HwnasException.require(randomArchs >= 0, "random_archs", randomArchs, "must be >= 0");
        HwnasException.require(recalibrateBatches >= 1, "recalibrate_batches", recalibrateBatches, "must be >= 1");
        HwnasException.require(testSubset >= 0, "test_subset", testSubset, "must be >= 0");
    }

    /** The same experiment with E = {@code epochs} (hwnas experiment --finetune-epochs). */
    public SharedWeights withFinetuneEpochs(int epochs) {
        return new SharedWeights(name, train, epochs, finetuneSubset, finetuneLr, randomArchs, recalibrateBatches,
                testSubset, seed);
    }

    /** One architecture's accuracies (in %). */
    public record Row(String dataset, String space, String name, String arch, double accExtracted,
            Double accFinetuned, Double accScratch, int finetuneEpochs, long macs) {}

    /** Null where no row has the figure (no fine-tuning epochs). */
    public record Result(int schema, String name, String command, TrainConfig train, List<Row> rows,
            Double meanGapExtractedToFinetuned, Double meanGapExtractedToScratch) {}

    /** What a measured row depends on beside its architecture and the supernet ({@code rows/settings.json}). */
    public record RowSettings(int finetuneEpochs, int finetuneSubset, double finetuneLr, int recalibrateBatches,
            int testSubset, long seed) {
        static RowSettings of(SharedWeights c) {
            return new RowSettings(c.finetuneEpochs(), c.finetuneSubset(), c.finetuneLr(), c.recalibrateBatches(),
                    c.testSubset(), c.seed());
        }
    }

    /** The file in {@code rows/} that records the settings its rows were measured with. */
    public static final String ROW_SETTINGS = "settings.json";

    /**
     * Reads an experiment config; relative paths in its training config (space file, data_dir, lut)
     * are resolved against the file's folder, as {@code hwnas train --config} resolves them.
     */
    public static SharedWeights read(Path file) {
        SharedWeights c = Json.read(file, SharedWeights.class);
        TrainConfig t = TrainConfig.parse(file + ": train", c.train()).resolved(file.toAbsolutePath().getParent());
        return new SharedWeights(c.name(), Json.mapper().valueToTree(t), c.finetuneEpochs(), c.finetuneSubset(),
                c.finetuneLr(), c.randomArchs(), c.recalibrateBatches(), c.testSubset(), c.seed());
    }

    /**
     * The space of a built-in preset: {@code fmnist} trains {@code fbnet-fmnist-tiny-shortcut} (the
     * quickstart's space since 2026-12-06: projection shortcuts gave a mean gap of 0.63 over three seeds
     * against 1.51 on {@code fbnet-fmnist-tiny}, see experiments/results/shortcut/README.md), {@code cifar10}
     * {@code fbnet-cifar-tiny} (its shortcut twin widened the gap there: 2.58 against 2.04, seed 1).
     */
    public static String presetSpace(String which) {
        return switch (which) {
            case "fmnist" -> "fbnet-fmnist-tiny-shortcut";
            case "cifar10" -> "fbnet-cifar-tiny";
            default -> throw new HwnasException("--preset " + which + ": fmnist or cifar10");
        };
    }

    /** Built-in presets: {@code fmnist} and {@code cifar10}, on {@link #presetSpace}. */
    public static SharedWeights preset(String which, Path lut) {
        ObjectNode t = Json.mapper().createObjectNode();
        boolean fm = which.equals("fmnist");
        t.put("space", presetSpace(which));
        t.put("dataset", fm ? "fashion-mnist" : "cifar10");
        t.put("lut", lut.toAbsolutePath().toString());
        t.put("supernet", "shared");
        // single-path steps cost about a quarter of a sandwich step here: every weight image, 10 epochs
        // (with 5, of which 3 warm-up, fine-tuning still added 2.9 / 1.7 points on average; with 10, 1.5 / 2.0,
        // and every subnet at least 3.5 points better as extracted)
        t.put("weight_sampling", "single-path");
        // each path skips a uniform share of its layers: shallow subnets get trained too (depth-sampling results)
        t.put("depth_sampling", "uniform");
        t.put("epochs", 10);
        t.put("warmup_epochs", 8);
        t.put("train_subset", 0);
        t.put("weight_lr", 0.1);
        t.put("augment", !fm);
        t.put("seed", 1);
        t.put("final_samples", 0);
        return new SharedWeights("shared-weights-" + which, t, 1, 10000, 0.05, 5, 20, 0, 1);
    }

    /**
     * Refuses {@code out} when it holds a supernet run of another training config than {@code c}'s,
     * and {@code c} when its fine-tuning or test subset asks for more images than its dataset has (call
     * it for every experiment of a command before the first trains: a subset that fails after the
     * supernet trained for an hour wastes the hour); returns the config.
     */
    public static TrainConfig checkStored(SharedWeights c, Path out) {
        TrainConfig tc = TrainConfig.parse(c.name() + ".train", c.train()).resolved(Path.of("").toAbsolutePath());
        HwnasException.require(tc.warmupEpochs() < tc.epochs(), c.name() + ": train.warmup_epochs", tc.warmupEpochs(),
                "equals train.epochs (" + tc.epochs() + "): no θ epoch, so the argmax row would be θ = 0's; give fewer"
                + " warm-up epochs");
        Path runDir = out.resolve(RUN);
        if (RunDir.exists(runDir) && !RunDir.open(runDir).config().equals(tc)) {
            throw new HwnasException(runDir + ": holds a run of another training config: remove it or write"
                    + " elsewhere");
        }
        Path settings = out.resolve(ROWS).resolve(ROW_SETTINGS);
        if (Files.isRegularFile(settings)) {
            RowSettings was = Json.read(settings, RowSettings.class);
            RowSettings now = RowSettings.of(c);
            if (!was.equals(now)) {
                throw new HwnasException(out.resolve(ROWS) + ": holds rows measured with " + differences(was, now)
                        + "; a rerun continues only with the same settings: restore them, remove " + out.resolve(ROWS)
                        + " and " + out.resolve(SUBNETS) + " to measure the rows again (the supernet run is kept), or"
                        + " write elsewhere");
            }
        }
        // the data, read now: a problem names the experiment's train.data_dir (not --data), before any training
        io.hwnas.datasets.ImageSet train;
        io.hwnas.datasets.ImageSet test;
        try {
            train = TrainData.loadConfigured(tc.dataset(), tc.dataDir(), true, 0, c.seed());
            test = TrainData.loadConfigured(tc.dataset(), tc.dataDir(), false, 0, c.seed());
        } catch (HwnasException e) {
            throw new HwnasException(c.name() + ": " + e.getMessage().replaceFirst("^field '", "field 'train."), e);
        }
        try {
            if (c.finetuneSubset() > 0) {
                TrainData.checkSubset(train, "finetune_subset", c.finetuneSubset(), tc.dataset(), true);
            }
            if (c.testSubset() > 0) {
                TrainData.checkSubset(test, "test_subset", c.testSubset(), tc.dataset(), false);
            }
        } catch (HwnasException e) {
            throw new HwnasException(c.name() + ": " + e.getMessage(), e);
        }
        // the space and the latency model, read now: a missing or unusable LUT is named before any training
        try {
            SearchSpace space = tc.resolveSpace();
            io.hwnas.search.train.LatencyLoss.of(tc, tc.latencyModel(space));
        } catch (HwnasException e) {
            throw new HwnasException(c.name() + ": train: " + e.getMessage(), e);
        }
        return tc;
    }

    /** The fields (as the files name them) where {@code was} and {@code now} differ, with both values. */
    private static String differences(RowSettings was, RowSettings now) {
        JsonNode a = Json.mapper().valueToTree(was);
        JsonNode b = Json.mapper().valueToTree(now);
        List<String> d = new ArrayList<>();
        a.fieldNames().forEachRemaining(f -> {
            if (!a.get(f).equals(b.get(f))) {
                d.add(f + " " + a.get(f) + " (this config: " + b.get(f) + ")");
            }
        });
        return String.join(", ", d);
    }

    public static Result run(SharedWeights c, Path out, String command, Progress progress, Consumer<String> log) {
        TrainConfig tc = checkStored(c, out);
        Path runDir = out.resolve(RUN);
        if (RunDir.exists(runDir)) {
            if (!RunDir.open(runDir).finished()) {
                log.accept("supernet: continuing " + runDir);
                TrainingRun.resume(runDir, progress, TrainingRun.Stopper.continuedBy(command));
            } else {
                log.accept("supernet: finished earlier, reused (" + runDir + ")");
            }
        } else {
            log.accept("supernet: training " + runDir);
            TrainingRun.start(tc, runDir, progress, TrainingRun.Stopper.continuedBy(command));
        }
        try { // the run's pictures, as hwnas train draws them
            io.hwnas.experiments.plot.RunPlots.write(runDir);
        } catch (RuntimeException e) {
            log.accept("hwnas: warning: the plots of " + runDir + " could not be drawn (" + e.getMessage() + ")");
        }
        RunDir run = RunDir.open(runDir);
        SearchSpace space = run.space();
        List<String[]> archs = new ArrayList<>();
        archs.add(new String[] {"largest", Architecture.ofIndices(space, Supernet.largestPath(space)).canonical()});
        archs.add(new String[] {"smallest", Architecture.ofIndices(space, Supernet.smallestPath(space)).canonical()});
        archs.add(new String[] {"argmax", run.argmax().canonical()});
        SplittableRandom r = new SplittableRandom(c.seed());
        for (int i = 1; i <= c.randomArchs(); i++) {
            int[] idx = new int[space.layerCount()];
            for (int l = 0; l < idx.length; l++) {
                idx[l] = r.nextInt(space.ops().size());
            }
            archs.add(new String[] {"random-" + i, Architecture.ofIndices(space, idx).canonical()});
        }
        List<Row> rows = new ArrayList<>();
        Path settings = out.resolve(ROWS).resolve(ROW_SETTINGS);
        if (!Files.isRegularFile(settings)) {
            if (Files.isDirectory(out.resolve(ROWS))) { // rows of a version that did not record their settings
                log.accept("hwnas: warning: " + out.resolve(ROWS) + " records no settings (made before 2026-12-06): its"
                        + " rows are reused as they are; remove it to measure them again");
            }
            Json.writeFile(settings, RowSettings.of(c));
        }
        for (String[] a : archs) {
            Path rowFile = out.resolve(ROWS).resolve(a[0] + ".json");
            if (Files.isRegularFile(rowFile)) {
                Row row = Json.read(rowFile, Row.class);
                if (row.arch().equals(a[1]) && row.finetuneEpochs() == c.finetuneEpochs()) {
                    rows.add(row);
                    log.accept(a[0] + ": reused " + rowFile);
                    continue;
                }
            }
            Row row = measure(c, tc, run, out, a[0], a[1], progress, log);
            Json.writeFile(rowFile, row);
            rows.add(row);
        }
        double g1 = 0;
        double g2 = 0;
        int n1 = 0;
        int n2 = 0;
        for (Row row : rows) {
            if (row.accFinetuned() != null) {
                g1 += row.accFinetuned() - row.accExtracted();
                n1++;
            }
            if (row.accScratch() != null) {
                g2 += row.accScratch() - row.accExtracted();
                n2++;
            }
        }
        Result res = new Result(Json.SCHEMA, c.name(), command, tc, rows, n1 == 0 ? null : g1 / n1,
                n2 == 0 ? null : g2 / n2);
        Json.writeFile(out.resolve("results.json"), res);
        try {
            AtomicFiles.writeString(out.resolve("results.md"), markdown(res));
        } catch (IOException e) {
            throw new HwnasException(out.resolve("results.md") + ": cannot write: " + e.getMessage(), e);
        }
        plot(res, out.resolve("results.png"));
        return res;
    }

    private static Row measure(SharedWeights c, TrainConfig tc, RunDir run, Path out, String name, String arch,
            Progress progress, Consumer<String> log) {
        Path sub = out.resolve(SUBNETS);
        Path ext = sub.resolve(name + "-extracted");
        deleteTree(ext);
        Extraction.extract(run.dir(), arch, c.recalibrateBatches(), ext);
        double accExt = test(ext, tc, c);
        log.accept(String.format(Locale.ROOT, "%s: as extracted %.2f%% (%s)", name, accExt, arch));
        Double accFt = null;
        Double accScratch = null;
        if (c.finetuneEpochs() > 0) {
            Path ft = sub.resolve(name + "-finetuned");
            Path sc = sub.resolve(name + "-scratch");
            deleteTree(ft);
            deleteTree(sc);
            Finetune.finetune(ext, options(c, tc, false), ft, progress);
            accFt = test(ft, tc, c);
            Finetune.finetune(ext, options(c, tc, true), sc, progress);
            accScratch = test(sc, tc, c);
            log.accept(String.format(Locale.ROOT, "%s: fine-tuned %.2f%%, from scratch %.2f%% (%d epochs)", name, accFt,
                    accScratch, c.finetuneEpochs()));
        }
        long macs = io.hwnas.supernet.space.Costs.architecture(run.space(), Architecture.parse(run.space(), arch)).macs();
        return new Row(tc.dataset(), run.space().id(), name, arch, accExt, accFt, accScratch, c.finetuneEpochs(), macs);
    }

    private static Finetune.Options options(SharedWeights c, TrainConfig tc, boolean scratch) {
        return new Finetune.Options(c.finetuneEpochs(), tc.batchSize(), c.finetuneLr(), 0.9, 1e-4, scratch, c.seed(),
                c.finetuneSubset(), tc.augment(), tc.dataset(), tc.dataDir());
    }

    private static double test(Path subnet, TrainConfig tc, SharedWeights c) {
        Evaluation.Result r = Evaluation.evaluate(subnet, tc.dataset(), tc.dataDir(), List.of(), c.testSubset(), 0);
        return 100 * r.testAccuracy();
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            throw new HwnasException(p + ": cannot remove: " + e.getMessage(), e);
        }
    }

    /** The target: as extracted within this many points of fine-tuned, on average. */
    static final double TARGET_GAP = 1.5;

    /**
     * Fine-tuned and from-scratch accuracy against the accuracy as extracted, one dot per subnet, with
     * y = x (nothing gained by fine-tuning) and y = x + 1.5 (the target's gap): the further a dot sits
     * above the lines, the more the inherited weights still lacked.
     */
    public static void plot(Result r, Path png) {
        List<Row> rows = r.rows().stream().filter(row -> row.accFinetuned() != null).toList();
        double[] x = rows.stream().mapToDouble(Row::accExtracted).toArray();
        double[] ft = rows.stream().mapToDouble(Row::accFinetuned).toArray();
        double[] sc = rows.stream().mapToDouble(row -> row.accScratch() == null ? Double.NaN : row.accScratch())
                .toArray();
        var range = Stream.of(x, ft, sc).flatMapToDouble(Arrays::stream)
                .filter(Double::isFinite).summaryStatistics();
        double lo = range.getCount() == 0 ? 0 : Math.max(0, Math.floor(range.getMin() - 2));
        double hi = range.getCount() == 0 ? 100 : Math.min(100, Math.ceil(range.getMax() + 2));
        int epochs = rows.isEmpty() ? 0 : rows.get(0).finetuneEpochs();
        List<Charts.Series> series = List.of(
                new Charts.Series(String.format(Locale.ROOT, "fine-tuned, %d epoch%s (mean gap %s)", epochs,
                        epochs == 1 ? "" : "s", gap(r.meanGapExtractedToFinetuned())), x, ft, false),
                new Charts.Series(String.format(Locale.ROOT, "from scratch, %d epoch%s", epochs, epochs == 1 ? "" : "s"),
                        x, sc, false),
                diagonal("y = x", lo, hi, 0),
                diagonal(String.format(Locale.ROOT, "y = x + %.1f (target gap)", TARGET_GAP), lo, hi, TARGET_GAP));
        try {
            Charts.xy(png, r.name() + ": " + rows.size() + " subnets", "test accuracy as extracted (%)",
                    "test accuracy after training (%)", series);
        } catch (IOException e) {
            throw new HwnasException(png + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** y = x + offset over [lo, hi - offset], a line without markers. */
    private static Charts.Series diagonal(String name, double lo, double hi, double offset) {
        return new Charts.Series(name, new double[] {lo, hi - offset}, new double[] {lo + offset, hi}, true, false);
    }

    public static String markdown(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("| dataset | space | subnet | arch | MMACs | as extracted | fine-tuned | from scratch |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (Row row : r.rows()) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | `%s` | %.2f | %.2f | %s | %s |%n", row.dataset(),
                    row.space(), row.name(), row.arch(), row.macs() / 1e6, row.accExtracted(),
                    row.accFinetuned() == null ? "" : String.format(Locale.ROOT, "%.2f", row.accFinetuned()),
                    row.accScratch() == null ? "" : String.format(Locale.ROOT, "%.2f", row.accScratch())));
        }
        int epochs = r.rows().isEmpty() ? 0 : r.rows().get(0).finetuneEpochs();
        sb.append(String.format(Locale.ROOT, "%nmean (fine-tuned - extracted): %s points; mean (scratch - extracted): %s"
                + " points (%d fine-tuning epoch%s)%n", gap(r.meanGapExtractedToFinetuned()),
                gap(r.meanGapExtractedToScratch()), epochs, epochs == 1 ? "" : "s"));
        return sb.toString();
    }

    private static String gap(Double g) {
        return g == null ? "none (no fine-tuning epochs)" : String.format(Locale.ROOT, "%+.2f", g);
    }
}
