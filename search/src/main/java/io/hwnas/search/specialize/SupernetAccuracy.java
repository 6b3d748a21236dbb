package io.hwnas.search.specialize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.hwnas.datasets.Augment;
import io.hwnas.datasets.Batch;
import io.hwnas.datasets.Batches;
import io.hwnas.datasets.ImageSet;
import io.hwnas.datasets.Normalization;
import io.hwnas.datasets.Split;
import io.hwnas.search.run.RunDir;
import io.hwnas.search.train.Accuracy;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.search.train.TrainData;
import io.hwnas.supernet.net.BnRecalibration;
import io.hwnas.supernet.net.Subnets;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import java.util.ArrayList;
import java.util.List;

/**
 * The accuracy of an architecture from a trained supernet, exactly as {@code hwnas extract} would
 * give it: the subnet with its inherited weights, BN statistics recalibrated on training images of
 * the weight part, evaluated on held-out images (the run's architecture part, never used for
 * weights). In % (0-100). Deterministic; costs one recalibration and one evaluation pass per call.
 */
public final class SupernetAccuracy implements AccuracyEstimator, AutoCloseable {
    private final NDManager manager;
    private final RunDir.Trained trained;
    private final SearchSpace space;
    private final List<NDArray> recal;
    private final ImageSet heldOut;
    private final ImageSet unseen;
    private final ImageSet archSplit;
    private final Normalization norm;
    private final long seed;

    /**
     * @param recalibrateBatches batches (of the run's batch size) for BN recalibration
     * @param heldOutImages images of the architecture part to evaluate on (0: all)
     */
    public SupernetAccuracy(RunDir run, int recalibrateBatches, int heldOutImages) {
        this(run, recalibrateBatches, heldOutImages, null);
    }

    /** As above, the run's training images read from {@code dataDir} (--data) instead of the run's location when not null. */
    public SupernetAccuracy(RunDir run, int recalibrateBatches, int heldOutImages, String dataDir) {
        this.manager = NDManager.newBaseManager();
        boolean ok = false;
        try {
            TrainConfig cfg = run.config();
            this.space = run.space();
            this.seed = cfg.seed();
            this.trained = run.load(manager);
            ImageSet train = TrainData.loadForRun(run.dir(), cfg, dataDir);
            Split split = TrainData.split(train, cfg.weightFraction(), cfg.seed());
            this.norm = Normalization.of(split.weights());
            this.archSplit = split.arch();
            this.heldOut = heldOutImages > 0 ? TrainData.subset(split.arch(), heldOutImages, cfg.seed()) : split.arch();
            this.unseen = TrainData.rest(split.arch(), heldOutImages, cfg.seed());
            Batches bs = new Batches(split.weights(), cfg.batchSize(), true, Augment.NONE, cfg.seed(), 0, norm, false);
            this.recal = new ArrayList<>();
            for (int i = 0; i < Math.min(recalibrateBatches, bs.batchesPerEpoch()); i++) {
                Batch b = bs.batch(manager, i);
                recal.add(b.x());
            }
            ok = true;
        } finally {
            if (!ok) {
                manager.close();
            }
        }
    }

    public SearchSpace space() {
        return space;
    }

    /** The loaded supernet and θ (the θ method re-optimizes θ on these weights). */
    RunDir.Trained trained() {
        return trained;
    }

    /** The run's whole architecture split (the θ method's images). */
    ImageSet archSplit() {
        return archSplit;
    }

    /** The normalization of the run (the weight split's). */
    Normalization normalization() {
        return norm;
    }

    public int heldOutImages() {
        return heldOut.size();
    }

    /** The architecture part's images the searches never score on (the rest of {@link #heldOutImages}'s draw). */
    public int unseenImages() {
        return unseen.size();
    }

    @Override
    public double accuracy(int[] ops) {
        return accuracy(ops, heldOut);
    }

    /**
     * The accuracy of a search's pick on the held-out images no search scored on, or null when there are none
     * ({@code --held-out 0}): the best of many noisy estimates overstates its own accuracy, this does not.
     */
    public Double unseenAccuracy(int[] ops) {
        return unseen.size() == 0 ? null : accuracy(ops, unseen);
    }

    private double accuracy(int[] ops, ImageSet images) {
        try (NDManager sm = manager.newSubManager()) {
            Block sub = Subnets.extract(trained.net(), Architecture.ofIndices(space, ops), sm);
            BnRecalibration.recalibrate(sub, recal);
            return Accuracy.percent(images, norm, seed, sm,
                    (ps, x) -> sub.forward(ps, new NDList(x), false).singletonOrThrow());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
