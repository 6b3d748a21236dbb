package io.hwnas.search.subnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.hwnas.datasets.Augment;
import io.hwnas.datasets.Batch;
import io.hwnas.datasets.Batches;
import io.hwnas.datasets.Datasets;
import io.hwnas.datasets.ImageSet;
import io.hwnas.datasets.Normalization;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.search.train.Nets;
import io.hwnas.search.train.TrainData;
import io.hwnas.supernet.net.SubnetIO;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code hwnas eval}: test accuracy, LUT-predicted and measured latency, MACs and parameters of a subnet. */
public final class Evaluation {
    private Evaluation() {}

    public record Predicted(String lut, String device, double latencyMs) {}

    /**
     * @param measuredMedianMs median batch-1 forward time on this machine (NaN if not measured)
     * @param measuredP10Ms 10th percentile
     * @param measuredP90Ms 90th percentile
     */
    public record Result(int schema, String dir, String space, String arch, String dataset, Double testAccuracy,
            int testImages, List<Predicted> predicted, double measuredMedianMs, double measuredP10Ms,
            double measuredP90Ms, int measuredRuns, int threads, long macs, long paramsCount, Double otherLoadCores) {}

    public static Origin origin(Path dir) {
        Path f = dir.resolve(Origin.FILE);
        return Files.isRegularFile(f) ? Origin.read(f) : null;
    }

    /**
     * The dataset named by {@code option} (--dataset), else by {@code origin} (the subnet's
     * origin.json), as its canonical name; null when neither names one (guess it from the space). An
     * unknown name is refused naming the option, or the origin.json file and its field 'dataset'.
     */
    public static String datasetName(Path dir, Origin origin, String option) {
        if (option != null) {
            return known(option, "option '--dataset' = \"" + option + "\"");
        }
        if (origin == null || origin.dataset() == null) {
            return null;
        }
        return known(origin.dataset(), dir.resolve(Origin.FILE) + ": field 'dataset' = \"" + origin.dataset() + "\"");
    }

    private static String known(String name, String who) {
        try {
            return Datasets.canonical(name);
        } catch (HwnasException e) {
            throw new HwnasException(who + ": unknown dataset; " + Datasets.KNOWN, e);
        }
    }

    /**
     * @param dataset null: from origin.json, else guessed from the space's input
     * @param testSubset test images to use (0: all; -1: skip accuracy)
     * @param runs timed batch-1 forward passes (0: skip measurement)
     */
    public static Result evaluate(Path dir, String dataset, String dataDir, List<Path> luts, int testSubset, int runs) {
        Origin o = origin(dir);
        String ds = datasetName(dir, o, dataset);
        String dd = dataDir != null ? dataDir : o != null && dataset == null ? o.dataDir() : null;
        try (NDManager m = NDManager.newBaseManager()) {
            io.hwnas.supernet.net.Subnet sn = SubnetIO.load(dir, m);
            SearchSpace space = sn.space();
            Architecture a = sn.arch();
            if (ds == null) {
                ds = guessDataset(space);
            }
            Double acc = null;
            int n = 0;
            if (testSubset >= 0) {
                String name = ds;
                ImageSet test = TrainData.fromOrigin(dir, dataDir, dd, () -> TrainData.loadChecked(name, dd, false,
                        testSubset, 1, "--test-subset"));
                TrainData.checkFits(test, space, ds);
                long[] cn = accuracy(sn.net(), test, m);
                acc = cn[0] / (double) cn[1];
                n = (int) cn[1];
            }
            List<Predicted> preds = new ArrayList<>();
            for (Path p : luts) {
                LatencyModel lut = LatencyModels.read(p, space);
                preds.add(new Predicted(p.toString(), lut.device().describe(), lut.predictMs(a)));
            }
            if (luts.isEmpty() && o != null && o.lutLatencyMs() != null && o.lut() != null) {
                // no --lut: the latency extraction recorded under the run's LUT (origin.json), named as such
                preds.add(new Predicted(o.lut(), (o.lutDevice() == null ? "device not recorded" : o.lutDevice()
                        .describe()) + "; the run's LUT, as extraction recorded it in " + Origin.FILE, o.lutLatencyMs()));
            }
            io.hwnas.core.MachineLoad load = io.hwnas.core.MachineLoad.start();
            double[] t = runs > 0 ? measure(sn.net(), space, runs, m) : new double[] {Double.NaN, Double.NaN, Double.NaN};
            io.hwnas.core.MachineLoad.Reading reading = load.stop();
            Double other = runs > 0 ? reading.recorded() : null;
            Costs.Cost c = Costs.architecture(space, a);
            int threads;
            try {
                threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
            } catch (RuntimeException | LinkageError e) {
                threads = -1;
            }
            return new Result(Json.SCHEMA, dir.toString(), space.id(), a.canonical(), ds, acc, n, preds, t[0], t[1],
                    t[2], runs, threads, c.macs(), c.params(), other);
        }
    }

    static String guessDataset(SearchSpace s) {
        var in = s.input();
        if (in.channels() == 1 && in.height() == 28 && in.width() == 28) {
            return "fashion-mnist";
        }
        if (in.channels() == 3 && in.height() == 32 && in.width() == 32) {
            return "cifar10";
        }
        throw new HwnasException("cannot tell the dataset of space " + s.id() + ": pass --dataset");
    }

    /** {correct, total} of a plain network on a set, in eval mode. */
    public static long[] accuracy(Block net, ImageSet set, NDManager m) {
        return io.hwnas.search.train.Accuracy.counts(net, set, m);
    }

    /** Median, 10th and 90th percentile of {@code runs} batch-1 forward passes in ms (after warm-up). */
    public static double[] measure(Block net, SearchSpace space, int runs, NDManager m) {
        var in = space.input();
        try (NDManager sm = m.newSubManager()) {
            NDArray x = sm.randomNormal(new Shape(1, in.channels(), in.height(), in.width()));
            ParameterStore ps = new ParameterStore(sm, false);
            int warm = Math.max(10, runs / 5);
            double[] t = new double[runs];
            for (int i = 0; i < warm + runs; i++) {
                try (NDManager step = sm.newSubManager()) {
                    x.tempAttach(step); // this pass's outputs live in (and die with) the step manager
                    long t0 = System.nanoTime();
                    NDList out = net.forward(ps, new NDList(x), false);
                    out.singletonOrThrow().toFloatArray(); // waits for the result
                    long t1 = System.nanoTime();
                    if (i >= warm) {
                        t[i - warm] = (t1 - t0) / 1e6;
                    }
                }
            }
            Arrays.sort(t);
            return new double[] {t[runs / 2], t[runs / 10], t[Math.min(runs - 1, runs * 9 / 10)]};
        }
    }
}
