package io.hwnas.search.train;

import io.hwnas.datasets.Datasets;
import io.hwnas.datasets.ImageSet;
import io.hwnas.datasets.Split;
import io.hwnas.datasets.Splits;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.HwnasException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/** The images of a run: the training set (optionally a seeded subset) cut 80/20, and the test set. */
public final class TrainData {
    private static final long SUBSET_SALT = 0x2545F4914F6CDD1DL;

    private TrainData() {}

    /** Where the dataset lives: {@code dataDir} (the --data option), else {@code Datasets.locate}'s search order. */
    public static Path location(String dataset, String dataDir) {
        return Datasets.locate(dataset, dataDir == null ? null : Path.of(dataDir));
    }

    /**
     * Where a training config's dataset lives: its data_dir, else {@code Datasets.locate}'s search
     * order; the messages name the config's fields (data_dir, dataset), not the --data option.
     */
    public static Path configLocation(String dataset, String dataDir) {
        return Datasets.locate(dataset, dataDir == null ? null : Path.of(dataDir), true);
    }

    /**
     * {@code Datasets.load} at {@code location}, a training config's ({@link #configLocation}): a
     * problem with the data is told as one of the config's data_dir (when it gives one), and the
     * advice names that field rather than --data.
     */
    public static ImageSet loadConfigured(String dataset, Path location, String dataDir, boolean train) {
        try {
            return Datasets.load(dataset, location, train);
        } catch (HwnasException e) {
            String m = Datasets.forConfig(e.getMessage());
            throw new HwnasException(dataDir == null || m.startsWith("field '") ? m
                    : "field 'data_dir' = \"" + dataDir + "\": " + m, e);
        }
    }

    /**
     * Runs {@code load}; when the data location came from subnet folder {@code dir}'s origin.json
     * (no --data given), a problem with it names that file and field, not the --data option.
     */
    public static <T> T fromOrigin(Path dir, String givenData, String originData, java.util.function.Supplier<T> load) {
        try {
            return load.get();
        } catch (HwnasException e) {
            String prefix = "--data " + originData;
            if (givenData != null || originData == null || !e.getMessage().startsWith(prefix)) {
                throw e;
            }
            throw new HwnasException(dir.resolve("origin.json") + ": data_dir = \"" + originData + "\""
                    + e.getMessage().substring(prefix.length()) + " (the data the subnet was made from; give --data DIR"
                    + " to read it elsewhere)", e);
        }
    }

    /**
     * The training images of a stored run (its config.json's dataset, data_dir, subset and seed): a
     * problem with the data names that file, and says that the data, not the file, must move back
     * (an edited config.json stops the run from resuming).
     */
    public static ImageSet loadForRun(Path runDir, TrainConfig cfg) {
        return loadForRun(runDir, cfg, null);
    }

    /**
     * As {@link #loadForRun(Path, TrainConfig)}, but from {@code dataDir} (a --data option: the run's dataset
     * moved or copied elsewhere) when it is not null; the same subset of the same seed.
     */
    public static ImageSet loadForRun(Path runDir, TrainConfig cfg, String dataDir) {
        var prov = io.hwnas.search.run.RunDir.open(runDir).provenance();
        if (dataDir != null) {
            ImageSet s = load(cfg.dataset(), dataDir, true, cfg.trainSubset(), cfg.seed());
            int then = prov == null || prov.data() == null ? -1 : prov.data().trainImages();
            if (then >= 0 && s.size() != then) { // another or a partial copy: other images, another weight/θ split
                throw new HwnasException("--data " + dataDir + ": gives " + s.size() + " training images of "
                        + cfg.dataset() + " with the run's train_subset, the run trained on " + then + " ("
                        + runDir.resolve(io.hwnas.search.run.RunFiles.PROVENANCE) + "); give the location of the"
                        + " run's own dataset");
            }
            requireRunImages(runDir, prov, s, dataDir, null);
            return s;
        }
        ImageSet s;
        try {
            s = loadConfigured(cfg.dataset(), cfg.dataDir(), true, cfg.trainSubset(), cfg.seed());
        } catch (HwnasException e) {
            throw runDataMissing(runDir, e);
        }
        requireRunImages(runDir, prov, s, null, configLocation(cfg.dataset(), cfg.dataDir()));
        return s;
    }

    /**
     * Refuses training images other than those the run trained on (its provenance.json's sha256 of them; runs
     * from before it was recorded are not checked): a dataset of the same size and shape (MNIST for
     * Fashion-MNIST), or files replaced since, would recalibrate BN or train on other images without a word.
     * {@code dataDir} is the --data the images came from, else null and {@code location} the run's own.
     */
    public static void requireRunImages(Path runDir, io.hwnas.search.run.Provenance prov, ImageSet s, String dataDir,
            Path location) {
        String then = prov == null || prov.data() == null ? null : prov.data().trainSha256();
        if (then == null) {
            return;
        }
        Path provFile = runDir.resolve(io.hwnas.search.run.RunFiles.PROVENANCE);
        if (!then.matches("[0-9a-f]{64}")) {
            throw new HwnasException(provFile + ": field 'data.train_sha256' = \"" + then + "\": must be a sha256 (64"
                    + " hexadecimal digits), as hwnas wrote it; delete the field to use the run unchecked");
        }
        if (then.equals(s.sha256())) {
            return;
        }
        String which = s.size() + " training images of " + s.name() + " (as the run draws them) are not those it trained"
                + " on (which it read from " + prov.data().path() + "): the sha256 of their labels and decoded pixels"
                + " differs from data.train_sha256 in " + provFile;
        throw new HwnasException(dataDir != null ? "--data " + dataDir + ": its " + which + "; give the location of the"
                + " run's own dataset" : runDir.resolve(io.hwnas.search.run.RunFiles.CONFIG) + ": the dataset at "
                + location + " changed since the run trained: its " + which + "; put the run's own dataset back there,"
                + " or give --data DIR where it is now");
    }

    /** A problem with a stored run's data (its config.json's data_dir), naming that file and how to go on. */
    public static HwnasException runDataMissing(Path runDir, HwnasException e) {
        return new HwnasException(runDir.resolve(io.hwnas.search.run.RunFiles.CONFIG) + ": " + e.getMessage() + " (the"
                + " run's training data: put it back there, or give --data DIR to read it elsewhere; editing config.json"
                + " stops the run from resuming)", e);
    }

    /** The images of a training config's dataset (its data_dir, messages naming the config's fields). */
    public static ImageSet loadConfigured(String dataset, String dataDir, boolean train, int subset, long seed) {
        return subset(loadConfigured(dataset, configLocation(dataset, dataDir), dataDir, train), subset, seed);
    }

    public static ImageSet load(String dataset, String dataDir, boolean train, int subset, long seed) {
        ImageSet s = Datasets.load(dataset, location(dataset, dataDir), train);
        return subset(s, subset, seed);
    }

    /**
     * As {@link #load}, but a subset of more images than the set has is refused (it would silently
     * use them all): the message names {@code field} (a config field or a {@code --option}) and the
     * set's size.
     */
    public static ImageSet loadChecked(String dataset, String dataDir, boolean train, int subset, long seed,
            String field) {
        ImageSet s = Datasets.load(dataset, location(dataset, dataDir), train);
        checkSubset(s, field, subset, dataset, train);
        return subset(s, subset, seed);
    }

    /** Refuses {@code n} images of {@code all} when it has fewer; {@code field} names the config field or option. */
    public static void checkSubset(ImageSet all, String field, int n, String dataset, boolean train) {
        HwnasException.require(n <= all.size(), field, n, "is more than the " + all.size() + (train ? " training"
                : " test") + " images of " + dataset + " (0: all of them)");
    }

    /** A seeded random subset of {@code n} images (kept in their original order); the set itself if n is 0 or too big. */
    public static ImageSet subset(ImageSet s, int n, long seed) {
        return n <= 0 || n >= s.size() ? s : s.subset(subsetIndices(s.size(), n, seed));
    }

    /** The labels of {@link #subset}{@code (s, n, seed)}, in the same order, without copying its images. */
    public static int[] subsetLabels(ImageSet s, int n, long seed) {
        if (n <= 0 || n >= s.size()) {
            return s.labels();
        }
        int[] pick = subsetIndices(s.size(), n, seed);
        int[] out = new int[pick.length];
        for (int i = 0; i < pick.length; i++) {
            out[i] = s.labels()[pick[i]];
        }
        return out;
    }

    /**
     * The images of {@code s} that {@link #subset}{@code (s, n, seed)} leaves out (kept in their original order); empty
     * when that subset is the whole set.
     */
    public static ImageSet rest(ImageSet s, int n, long seed) {
        if (n <= 0 || n >= s.size()) {
            return s.subset(new int[0]);
        }
        boolean[] taken = new boolean[s.size()];
        for (int i : subsetIndices(s.size(), n, seed)) {
            taken[i] = true;
        }
        int[] rest = new int[s.size() - n];
        int k = 0;
        for (int i = 0; i < taken.length; i++) {
            if (!taken[i]) {
                rest[k++] = i;
            }
        }
        return s.subset(rest);
    }

    /** The sorted indices of a seeded random n of {@code size} images (0 < n < size). */
    private static int[] subsetIndices(int size, int n, long seed) {
        int[] idx = new int[size];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed ^ SUBSET_SALT);
        for (int i = idx.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] pick = Arrays.copyOf(idx, n);
        Arrays.sort(pick);
        return pick;
    }

    public static Split split(ImageSet train, double weightFraction, long seed) {
        return Splits.split(train, weightFraction, seed);
    }

    /** Refuses a dataset whose images or classes do not fit the space's input and head. */
    public static void checkFits(ImageSet set, SearchSpace space, String dataset) {
        checkFits(set, space, dataset, false);
    }

    /** As {@link #checkFits(ImageSet, SearchSpace, String)}; {@code configField}: the message names a config's {@code dataset} field. */
    public static void checkFits(ImageSet set, SearchSpace space, String dataset, boolean configField) {
        String who = configField ? "field 'dataset' = \"" + dataset + "\":" : "dataset " + dataset;
        var in = space.input();
        if (set.channels() != in.channels() || set.height() != in.height() || set.width() != in.width()) {
            throw new HwnasException(who + " has " + set.channels() + "x" + set.height() + "x"
                    + set.width() + " images but space " + space.id() + " expects input " + in.channels() + "x"
                    + in.height() + "x" + in.width());
        }
        if (set.classes() != space.head().classes()) {
            throw new HwnasException(who + " has " + set.classes() + " classes but space "
                    + space.id() + " has " + space.head().classes() + " outputs");
        }
    }

    /**
     * Recalibrates the BN statistics of the subnet {@code sub} on the first {@code batches} batches (shuffled with
     * {@code seed}, no augmentation, normalized by {@code train}'s statistics) of a run's training images: what
     * {@code hwnas extract} does, and the per-epoch test accuracy with it. Returns the images used.
     */
    public static int recalibrateBn(ai.djl.nn.Block sub, ImageSet train, int batchSize, int batches, long seed,
            ai.djl.ndarray.NDManager m) {
        io.hwnas.datasets.Batches bs = new io.hwnas.datasets.Batches(train, batchSize, true, io.hwnas.datasets.Augment.NONE,
                seed, 0, io.hwnas.datasets.Normalization.of(train), false);
        int n = Math.min(batches, bs.batchesPerEpoch());
        java.util.List<ai.djl.ndarray.NDArray> xs = new java.util.ArrayList<>();
        int images = 0;
        try (ai.djl.ndarray.NDManager sm = m.newSubManager()) {
            for (int i = 0; i < n; i++) {
                io.hwnas.datasets.Batch b = bs.batch(sm, i);
                xs.add(b.x());
                images += b.size();
            }
            io.hwnas.supernet.net.BnRecalibration.recalibrate(sub, xs);
        }
        return images;
    }
}
