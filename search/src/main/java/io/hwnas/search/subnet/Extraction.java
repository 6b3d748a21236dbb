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
import io.hwnas.latency.LatencyModel;
import io.hwnas.search.run.Provenance;
import io.hwnas.search.run.RunDir;
import io.hwnas.search.train.Theta;
import io.hwnas.search.run.RunFiles;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.search.train.TrainData;
import io.hwnas.supernet.net.BnRecalibration;
import io.hwnas.supernet.net.SubnetIO;
import io.hwnas.supernet.net.Subnets;
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
            try {
                return run.sample(k);
            } catch (HwnasException e) {
                throw new HwnasException("--arch " + spec + ": " + e.getMessage(), e);
            }
        }
        if (spec.endsWith(".json")) {
            return RunFiles.readArch(Path.of(spec), space);
        }
        return Architecture.parse(space, spec);
    }

    public static Result extract(Path runDir, String archSpec, int recalibrateBatches, Path outDir) {
        HwnasException.require(recalibrateBatches >= 0, "--recalibrate-batches", recalibrateBatches, "must be >= 0");
        RunDir run = RunDir.open(runDir);
        TrainConfig cfg = run.config();
        SearchSpace space = run.space();
        LatencyModel lat = run.latencyModel();
        try (NDManager m = NDManager.newBaseManager()) {
            RunDir.Trained t = run.load(m);
            Architecture a = architecture(run, t.theta(), archSpec);
            Block sub = Subnets.extract(t.net(), a, m);
            int images = 0;
            if (recalibrateBatches > 0) {
                images = recalibrate(sub, cfg, recalibrateBatches, m);
            }
            SubnetIO.save(outDir, space, a, sub);
            Provenance prov = run.provenance();
            Json.writeFile(outDir.resolve(Origin.FILE), new Origin(Json.SCHEMA, "extracted",
                    runDir.toAbsolutePath().toString(), archSpec == null ? "argmax" : archSpec, cfg.dataset(),
                    cfg.dataDir(), cfg.lut(), recalibrateBatches, 0, false, null, cfg.seed(),
                    lat == null ? null : lat.sha256(), lat == null ? null : lat.device(),
                    lat == null ? null : lat.predictMs(a), t.state().epochsDone(), cfg.epochs(),
                    prov == null ? null : prov.created()));
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
