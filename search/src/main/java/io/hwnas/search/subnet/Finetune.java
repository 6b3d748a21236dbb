package io.hwnas.search.subnet;

import io.hwnas.supernet.net.Losses;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.datasets.Augment;
import io.hwnas.datasets.Batch;
import io.hwnas.datasets.Batches;
import io.hwnas.datasets.ImageSet;
import io.hwnas.datasets.Normalization;
import io.hwnas.search.train.Nets;
import io.hwnas.search.train.Sgd;
import io.hwnas.search.train.TrainData;
import io.hwnas.search.train.TrainingDiverged;
import io.hwnas.supernet.net.FixedNet;
import io.hwnas.supernet.net.SubnetIO;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code hwnas finetune}: trains a subnet further with SGD (momentum, cosine learning rate, weight
 * decay), from its inherited weights or re-initialized (FBNet retrains its picks from scratch).
 */
public final class Finetune {
    private Finetune() {}

    /**
     * @param trainSubset training images used (0: all)
     * @param dataset null: from origin.json or guessed from the space
     */
    public record Options(int epochs, int batchSize, double lr, double momentum, double weightDecay, boolean fromScratch,
            long seed, int trainSubset, boolean augment, String dataset, String dataDir) {
        public Options {
            HwnasException.require(epochs >= 1, "--epochs", epochs, "must be >= 1");
            HwnasException.require(batchSize >= 1, "--batch", batchSize, "must be positive");
            HwnasException.require(lr >= 0, "--lr", lr, "must be >= 0");
            HwnasException.require(trainSubset >= 0, "--train-subset", trainSubset, "must be >= 0 (0: all images)");
        }
    }

    /**
     * The settings of one fine-tuning, recorded in the output's {@code origin.json} ({@code "finetune"}):
     * a rerun with the same settings may replace it without --force, any other needs --force.
     *
     * @param input the subnet folder fine-tuned (absolute path)
     * @param dataset the --dataset given (null: origin.json's or guessed; the one used is origin.json's dataset)
     * @param dataDir the --data given (null: origin.json's or the usual search; the one used is origin.json's data_dir)
     */
    public record Settings(String input, int epochs, int batchSize, double lr, double momentum, double weightDecay,
            boolean fromScratch, long seed, int trainSubset, boolean augment, String dataset, String dataDir) {
        /**
         * The settings of a call, paths as real paths where they exist (else absolute and normalized), so
         * the same call typed through a link, relative to another folder or absolute compares equal, and
         * the same relative --data typed from another folder does not.
         */
        public static Settings of(Path input, Options o) {
            return new Settings(real(input), o.epochs(), o.batchSize(), o.lr(), o.momentum(), o.weightDecay(),
                    o.fromScratch(), o.seed(), o.trainSubset(), o.augment(), dataset(o.dataset()),
                    o.dataDir() == null ? null : real(Path.of(o.dataDir())));
        }

        /** An alias (fmnist) as its canonical name; an unknown name as given (refused later, naming --dataset). */
        private static String dataset(String name) {
            try {
                return name == null ? null : io.hwnas.datasets.Datasets.canonical(name);
            } catch (io.hwnas.core.HwnasException e) {
                return name;
            }
        }

        private static String real(Path p) {
            return io.hwnas.core.RealPath.of(p).toString();
        }
    }

    public record Result(Path dir, String arch, int epochs, double trainAccuracy, double trainLoss) {}

    public static Result finetune(Path subnetDir, Options opt, Path outDir, Progress progress) {
        Origin o = Evaluation.origin(subnetDir);
        try (NDManager m = NDManager.newBaseManager()) {
            io.hwnas.supernet.net.Subnet sn = SubnetIO.load(subnetDir, m);
            SearchSpace space = sn.space();
            String named = Evaluation.datasetName(subnetDir, o, opt.dataset());
            String ds = named != null ? named : Evaluation.guessDataset(space);
            String dd = opt.dataDir() != null ? opt.dataDir() : o != null && opt.dataset() == null ? o.dataDir() : null;
            ImageSet train = TrainData.fromOrigin(subnetDir, opt.dataDir(), dd, () -> TrainData.loadChecked(ds, dd,
                    true, opt.trainSubset(), opt.seed(), "--train-subset"));
            TrainData.checkFits(train, space, ds);
            Block net = sn.net();
            if (opt.fromScratch()) {
                Engine.getInstance().setRandomSeed((int) opt.seed());
                net = FixedNet.build(space, sn.arch());
                net.initialize(m, DataType.FLOAT32, Supernet.inputShape(space, 2));
            }
            List<Parameter> params = new ArrayList<>();
            for (var p : net.getParameters()) {
                Parameter q = p.getValue();
                if (q.requiresGradient()) {
                    if (!q.getArray().hasGradient()) {
                        q.getArray().setRequiresGradient(true);
                    }
                    params.add(q);
                }
            }
            Map<String, String> keys = Nets.keys(net);
            double acc = Double.NaN;
            double loss = Double.NaN;
            try (Sgd sgd = new Sgd(m, opt.momentum(), opt.weightDecay())) {
                Augment aug = opt.augment() ? Augment.standard(train) : Augment.NONE;
                int steps = new Batches(train, opt.batchSize(), true, aug, opt.seed(), 0, Normalization.of(train),
                        train.size() >= opt.batchSize()).batchesPerEpoch();
                long total = (long) steps * opt.epochs();
                for (int e = 0; e < opt.epochs(); e++) {
                    Batches bs = new Batches(train, opt.batchSize(), true, aug, opt.seed(), e, Normalization.of(train),
                            train.size() >= opt.batchSize());
                    progress.start(String.format("finetune %d/%d", e + 1, opt.epochs()), steps);
                    long correct = 0;
                    long n = 0;
                    double lossSum = 0;
                    for (int s = 0; s < steps; s++) {
                        double lr = io.hwnas.search.train.Schedules.cosine((long) e * steps + s, total, opt.lr(), 0);
                        try (NDManager sm = m.newSubManager(); Batch b = bs.batch(sm, s)) {
                            Nets.zeroGrads(params);
                            float l;
                            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                NDArray logits = net.forward(new ParameterStore(sm, false), new NDList(b.x()), true)
                                        .singletonOrThrow();
                                NDArray ce = Losses.crossEntropy(logits, b.y());
                                l = ce.getFloat();
                                if (!Float.isFinite(l)) {
                                    throw new TrainingDiverged("fine-tuning loss became " + l + " at epoch " + (e + 1)
                                            + ", step " + (s + 1) + ": lower --lr; nothing was written to " + outDir);
                                }
                                correct += Nets.correct(logits, b.y());
                                gc.backward(ce);
                            }
                            sgd.update(params, keys, lr);
                            n += b.size();
                            lossSum += (double) l * b.size();
                            progress.update(s + 1, String.format("loss %.4f acc %.2f%% lr %.4f", lossSum / n,
                                    100.0 * correct / n, lr));
                        }
                    }
                    acc = correct / (double) Math.max(1, n);
                    loss = lossSum / Math.max(1, n);
                    progress.finish(String.format("loss %.4f acc %.2f%%", loss, 100 * acc));
                }
            }
            SubnetIO.save(outDir, space, sn.arch(), net);
            Double trainAcc = Double.isNaN(acc) ? null : acc;
            Settings settings = Settings.of(subnetDir, opt);
            Origin fine = o == null ? new Origin(Json.SCHEMA, "finetuned", null, null, ds, dd, null, 0, opt.epochs(),
                    opt.fromScratch(), trainAcc, null, null, null, null, null, null, null, null, settings)
                    : new Origin(Json.SCHEMA, "finetuned", o.runDir(), o.archSpec(), ds, dd, o.lut(),
                    o.recalibrateBatches(), opt.epochs(), opt.fromScratch(), trainAcc, o.seed(), o.lutSha256(),
                    o.lutDevice(), o.lutLatencyMs(), o.runEpochsDone(), o.runEpochs(), o.runCreated(), o.runState(),
                    settings);
            Json.writeFile(outDir.resolve(Origin.FILE), fine);
            return new Result(outDir, sn.arch().canonical(), opt.epochs(), acc, loss);
        }
    }
}
