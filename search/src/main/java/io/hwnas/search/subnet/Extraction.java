package io.hwnas.search.subnet;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.hwnas.datasets.ImageSet;
import io.hwnas.latency.LatencyModel;
import io.hwnas.search.run.Provenance;
import io.hwnas.search.run.RunDir;
import io.hwnas.search.train.Theta;
import io.hwnas.search.run.RunFiles;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.search.train.TrainData;
import io.hwnas.supernet.net.SubnetIO;
import io.hwnas.supernet.net.Subnets;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code hwnas extract}: a standalone subnet from a training run's latest checkpoint, with the
 * supernet's weights (copied by name) and BN statistics recalibrated on training images.
 */
public final class Extraction {
    private Extraction() {}

    /**
     * @param warning null, or a line saying the run is unfinished (epochs done of the total, θ's
     *     state); the same text is {@code origin.json}'s {@code run_state}
     * @param lutWarning null, or why {@code origin.json}'s LUT latency is missing (the run's LUT file
     *     cannot be read) or comes from a LUT file that changed since the run started
     */
    public record Result(Path dir, Architecture arch, String archSpec, int recalibrationImages, String warning,
            String lutWarning) {}

    /** Resolves "argmax", "sample:K", an arch JSON file or an explicit op list against the run. */
    public static Architecture architecture(RunDir run, Theta theta, String spec) {
        SearchSpace space = run.space();
        if (spec == null || spec.equals("argmax")) {
            return theta.argmaxArchitecture();
        }
        if (spec.startsWith("sample:")) {
            int k;
            try {
                k = Integer.parseInt(spec.substring(7));
            } catch (NumberFormatException e) {
                throw new HwnasException("--arch " + spec + ": expected sample:K with K a number, e.g. sample:1");
            }
            if (k < 1) {
                throw new HwnasException("--arch " + spec + ": K counts the run's final samples from 1 (sample:1 is"
                        + " the first)");
            }
            try {
                return run.sample(k);
            } catch (HwnasException e) {
                throw new HwnasException("--arch " + spec + ": " + e.getMessage(), e);
            }
        }
        if (spec.endsWith(".json")) {
            return RunFiles.readArch(Path.of(spec), space);
        }
        return parseOps(space, spec);
    }

    private static boolean isFile(String path) {
        try {
            return java.nio.file.Files.isRegularFile(Path.of(path));
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    /** An explicit {@code --arch} op list of {@code space}; its errors name {@code --arch}. */
    public static Architecture parseOps(SearchSpace space, String spec) {
        String one = spec.strip();
        if (!one.isEmpty() && !one.matches(".*[\\s,].*") && !space.ops().contains(one) && space.layers().size() > 1) {
            // one word that is no op: a mistyped keyword or a path, not a one-layer op list
            throw new HwnasException("--arch \"" + spec + "\": " + (isFile(one)
                    ? "a file is read as an architecture only when its name ends in .json" : one.endsWith(".json")
                    || one.contains("/") ? "no such file" : "not argmax, sample:K, an architecture JSON file or a list of"
                    + " ops") + "; give argmax,"
                    + " sample:K, a .json file of an architecture, or " + space.layers().size() + " ops of "
                    + space.id() + " (e.g. \"" + String.join(" ", java.util.Collections.nCopies(space.layers().size(),
                    space.ops().get(0))) + "\")");
        }
        try {
            return Architecture.parse(space, spec);
        } catch (HwnasException e) {
            throw new HwnasException("--arch \"" + spec + "\": " + e.getMessage(), e);
        }
    }

    public static Result extract(Path runDir, String archSpec, int recalibrateBatches, Path outDir) {
        return extract(runDir, archSpec, recalibrateBatches, outDir, false);
    }

    /**
     * Extracts a subnet. From an unfinished run the result carries a warning (also recorded in
     * {@code origin.json}); the argmax of a θ that is still all zeros (no θ step ran: every layer
     * would get the space's first op) is refused unless {@code allowUnfinished}.
     */
    public static Result extract(Path runDir, String archSpec, int recalibrateBatches, Path outDir,
            boolean allowUnfinished) {
        return extract(runDir, archSpec, recalibrateBatches, outDir, allowUnfinished, null);
    }

    /**
     * As above, the BN recalibration's training images read from {@code dataDir} (--data: the run's dataset
     * elsewhere) when it is not null; origin.json then records that location as the subnet's data.
     */
    public static Result extract(Path runDir, String archSpec, int recalibrateBatches, Path outDir,
            boolean allowUnfinished, String dataDir) {
        HwnasException.require(recalibrateBatches >= 0, "--recalibrate-batches", recalibrateBatches, "must be >= 0");
        RunDir run = RunDir.open(runDir);
        TrainConfig cfg = run.config();
        SearchSpace space = run.space();
        RunDir.ReportLut lut = run.reportLut(); // the latency is only recorded: a changed or missing LUT is no obstacle
        LatencyModel lat = lut.model();
        String spec = archSpec == null ? "argmax" : archSpec;
        try (NDManager m = NDManager.newBaseManager()) {
            RunDir.Trained t = run.load(m);
            int done = t.state().epochsDone();
            boolean thetaZero = allZero(t.theta().rows());
            String warning = runState(runDir, t, cfg, thetaZero);
            if (thetaZero && spec.equals("argmax") && !allowUnfinished && (done >= cfg.epochs()
                    || cfg.warmupEpochs() >= cfg.epochs())) {
                // a finished run, or one with no θ epochs at all: continuing it would not train θ
                String why = cfg.warmupEpochs() >= cfg.epochs() ? "the run had no θ epochs: warmup_epochs = epochs = "
                        + cfg.epochs() + ", so it trained the shared weights only"
                        : "the run finished (" + done + " epochs) without moving θ (theta_lr = " + cfg.thetaLr() + ")";
                throw new HwnasException(runDir + ": θ is all zeros (" + why + "): its argmax would be "
                        + space.ops().get(0) + " in every layer, not a searched architecture; give --arch OPS or"
                        + " --arch sample:K, or pick subnets for a target by evolution: hwnas specialize " + runDir
                        + " --target NAME=LUT.json -o OUT_DIR");
            }
            if (thetaZero && spec.equals("argmax") && !allowUnfinished) {
                throw new HwnasException(runDir + ": θ is still all zeros (" + done + " of " + cfg.epochs()
                        + " epochs done, no θ step yet): its argmax would be " + space.ops().get(0) + " in every layer,"
                        + " not a searched architecture; continue the run (hwnas train --resume " + runDir + "), give"
                        + " --arch OPS, or --allow-unfinished to extract it anyway");
            }
            Architecture a = architecture(run, t.theta(), archSpec);
            Block sub = Subnets.extract(t.net(), a, m);
            int images = 0;
            if (recalibrateBatches > 0) {
                images = recalibrate(sub, runDir, cfg, recalibrateBatches, m, dataDir);
            }
            SubnetIO.save(outDir, space, a, sub);
            Provenance prov = run.provenance();
            // the LUT's identity: the file the latency came from, else (no readable file) the one the run started with
            var started = lat == null && prov != null ? prov.lut() : null;
            Json.writeFile(outDir.resolve(Origin.FILE), new Origin(Json.SCHEMA, "extracted",
                    runDir.toAbsolutePath().toString(), spec, cfg.dataset(),
                    dataDir != null ? dataDir : cfg.dataDir(), cfg.lut(), recalibrateBatches, 0, false, null, cfg.seed(),
                    lat != null ? lat.sha256() : started != null ? started.sha256() : null,
                    lat != null ? lat.device() : started != null ? started.device() : null,
                    lat == null ? null : lat.predictMs(a), done, cfg.epochs(),
                    prov == null ? null : prov.created(), warning, null));
            return new Result(outDir, a, archSpec, images, warning, lutNote(lut));
        }
    }

    /** What a LUT problem means for the extracted subnet's recorded latency, or null. */
    public static String lutNote(RunDir.ReportLut lut) {
        if (lut.problem() == null) {
            return null;
        }
        return lut.problem() + (lut.model() == null ? "; extracting without the LUT latency (origin.json's"
                + " lut_latency_ms is null)" : ": the LUT latency recorded for the subnet (origin.json's lut_latency_ms)"
                + " comes from the current file, not from the LUT the run trained with");
    }

    /** Null for a finished run; else what is unfinished: epochs done of the total, and θ's state. */
    public static String runState(Path runDir, RunDir.Trained t, TrainConfig cfg, boolean thetaZero) {
        var st = t.state();
        if (st.epochsDone() >= cfg.epochs()) {
            return null;
        }
        boolean inside = st.phase() != 0 || st.stepInPhase() != 0;
        return runDir + ": the run is unfinished: " + st.epochsDone() + " of " + cfg.epochs() + " epochs done"
                + (inside ? " (checkpoint inside epoch " + (st.epochsDone() + 1) + ")" : "") + "; θ "
                + (thetaZero ? "is still all zeros (no θ step yet: the argmax is the first op everywhere)"
                        : "has been updated in " + st.adamSteps() + " θ step" + (st.adamSteps() == 1 ? "" : "s")) + "; the weights are not fully trained";
    }

    public static boolean allZero(float[][] rows) {
        for (float[] r : rows) {
            for (float v : r) {
                if (v != 0f) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Recalibrates BN on {@code batches} batches of the run's training images (weight part, no augmentation). */
    static int recalibrate(Block sub, Path runDir, TrainConfig cfg, int batches, NDManager m, String dataDir) {
        ImageSet train = TrainData.loadForRun(runDir, cfg, dataDir);
        return TrainData.recalibrateBn(sub, train, cfg.batchSize(), batches, cfg.seed(), m);
    }

}
