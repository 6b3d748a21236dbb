package io.hwnas.search.subnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.hwnas.datasets.Augment;
import io.hwnas.datasets.Batch;
import io.hwnas.datasets.Batches;
import io.hwnas.datasets.ImageSet;
import io.hwnas.datasets.Normalization;
import io.hwnas.search.train.Checkpoints;
import io.hwnas.search.train.RunFiles;
import io.hwnas.search.train.SupernetTrainer;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.search.train.TrainData;
import io.hwnas.supernet.net.BnRecalibration;
import io.hwnas.supernet.net.SubnetIO;
import io.hwnas.supernet.net.Subnets;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code hwnas extract}: a standalone subnet from a training run's latest checkpoint, with the
 * supernet's weights (copied by name) and BN statistics recalibrated on training images.
 */
public final class Extraction {
    private Extraction() {}

    public record Result(Path dir, Architecture arch, String archSpec, int recalibrationImages) {}

    /** Resolves "argmax", "sample:K" or an explicit op list against the run. */
    public static Architecture architecture(Path runDir, SearchSpace space, Supernet net, String spec) {
        if (spec == null || spec.equals("argmax")) {
            return Architecture.ofIndices(space, net.argmax());
        }
        if (spec.startsWith("sample:")) {
            int k;
            try {
                k = Integer.parseInt(spec.substring(7));
            } catch (NumberFormatException e) {
                throw new HwnasException("--arch " + spec + ": expected sample:K with K a number, e.g. sample:1");
            }
            Path f = runDir.resolve(RunFiles.sampleFile(k));
            if (!Files.isRegularFile(f)) {
                throw new HwnasException("--arch " + spec + ": " + f + " does not exist (samples are written when the"
                        + " run finishes; final_samples in the config sets how many)");
            }
            return RunFiles.readArch(f, space);
        }
        if (spec.endsWith(".json")) {
            return RunFiles.readArch(Path.of(spec), space);
        }
        return Architecture.parse(space, spec);
    }

    public static Result extract(Path runDir, String archSpec, int recalibrateBatches, Path outDir) {
        HwnasException.require(recalibrateBatches >= 0, "--recalibrate-batches", recalibrateBatches, "must be >= 0");
        TrainConfig cfg = TrainConfig.read(runDir.resolve(RunFiles.CONFIG));
        SearchSpace space = SupernetTrainer.space(cfg);
        Path ckpt = Checkpoints.latest(runDir);
        Checkpoints.readState(ckpt, space);
        try (NDManager m = NDManager.newBaseManager()) {
            Supernet net = new Supernet(space);
            net.initialize(m, DataType.FLOAT32, new Shape(2, space.input().channels(), space.input().height(),
                    space.input().width()));
            Checkpoints.loadParams(ckpt, net, m);
            Architecture a = architecture(runDir, space, net, archSpec);
            Block sub = Subnets.extract(net, a, m);
            int images = 0;
            if (recalibrateBatches > 0) {
                images = recalibrate(sub, cfg, recalibrateBatches, m);
            }
            SubnetIO.save(outDir, space, a, sub);
            Json.writeFile(outDir.resolve(Origin.FILE), new Origin(Json.SCHEMA, "extracted",
                    runDir.toAbsolutePath().toString(), archSpec == null ? "argmax" : archSpec, cfg.dataset(),
                    cfg.dataDir(), cfg.lut(), recalibrateBatches, 0, false, null));
            return new Result(outDir, a, archSpec, images);
        }
    }

    /** Recalibrates BN on {@code batches} batches of the run's training images (weight part, no augmentation). */
    static int recalibrate(Block sub, TrainConfig cfg, int batches, NDManager m) {
        ImageSet train = TrainData.load(cfg.dataset(), cfg.dataDir(), true, cfg.trainSubset(), cfg.seed());
        return recalibrate(sub, train, cfg.batchSize(), batches, cfg.seed(), m);
    }

    public static int recalibrate(Block sub, ImageSet train, int batchSize, int batches, long seed, NDManager m) {
        Batches bs = new Batches(train, batchSize, true, Augment.NONE, seed, 0, Normalization.of(train), false);
        int n = Math.min(batches, bs.batchesPerEpoch());
        List<NDArray> xs = new ArrayList<>();
        int images = 0;
        try (NDManager sm = m.newSubManager()) {
            for (int i = 0; i < n; i++) {
                Batch b = bs.batch(sm, i);
                xs.add(b.x());
                images += b.size();
            }
            BnRecalibration.recalibrate(sub, xs);
        }
        return images;
    }
}
