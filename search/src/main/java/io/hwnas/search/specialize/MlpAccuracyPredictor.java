package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.supernet.space.SearchSpace;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Once-for-all's accuracy predictor: an MLP over the one-hot encoding of the per-layer op choices
 * ({@code layers × ops} inputs), three hidden layers of 400 with ReLU, one linear output without bias
 * added to the mean training accuracy (targets are standardized for training). Trained with MSE and
 * Adam on (architecture, accuracy) pairs, with a seeded train/held-out split; the held-out RMSE and
 * Kendall τ are reported and saved with the weights.
 *
 * <p>Plain Java float arrays, single thread: the one-hot first layer is a sum of {@code layers} weight
 * rows, the dense layers skip inputs zeroed by ReLU, and {@link #accuracies} evaluates a batch with
 * the weights walked in column tiles that stay in cache. Immutable once trained or loaded.
 *
 * <p>File: JSON ({@code schema: 1}) naming the space and the run it was trained on; weights are
 * base64 of little-endian float32, row-major {@code [in][out]}. {@link #load} refuses a predictor of
 * another space or run.
 */
public final class MlpAccuracyPredictor implements AccuracyEstimator {
    public static final String KIND = "mlp-accuracy-predictor";

    private final String space;
    private final String run;
    private final int layers;
    private final int ops;
    private final int[] widths; // hidden widths
    // w[k][i]: the weights from input i of hidden layer k (row i of its [in][out] matrix; for k = 0 the
    // one-hot input layer*ops + op); wOut: the output weights; b[k]: hidden biases (no output bias).
    // Rows are separate arrays so that the row loops index both operands from 0, which HotSpot's C2
    // vectorizes (it does not when two offsets into float arrays differ).
    private final float[][][] w;
    private final float[] wOut;
    private final float[][] b;
    private final double mean;
    private final double std;
    private final Report report;
    private final Config config;
    private final Pairs pairs; // null: trained without recording how its pairs were measured

    /** Which space (id, layer count, ops per layer) the encoding is for. */
    public record Encoding(String space, int layers, int ops) {
        public Encoding {
            HwnasException.require(space != null && !space.isBlank(), "space", space, "must be non-empty");
            HwnasException.require(layers >= 1, "layers", layers, "must be >= 1");
            HwnasException.require(ops >= 1, "ops", ops, "must be >= 1");
        }

        public static Encoding of(SearchSpace s) {
            return new Encoding(s.id(), s.layerCount(), s.ops().size());
        }
    }

    /**
     * Training settings; {@link #ofa}: OFA's architecture (3 × 400), Adam at 1e-3, 50 epochs of
     * batches of 64, 20 % of the pairs held out.
     */
    public record Config(int schema, List<Integer> hidden, int epochs, int batchSize, double learningRate,
            double heldOutFraction, long seed) {
        public Config {
            Json.checkSchema(schema);
            HwnasException.require(hidden != null && !hidden.isEmpty(), "hidden", hidden, "need at least one layer");
            for (int i = 0; i < hidden.size(); i++) {
                HwnasException.require(hidden.get(i) != null && hidden.get(i) >= 1, "hidden[" + i + "]", hidden.get(i),
                        "must be >= 1");
            }
            hidden = List.copyOf(hidden);
            HwnasException.require(epochs >= 1, "epochs", epochs, "must be >= 1");
            HwnasException.require(batchSize >= 1, "batch_size", batchSize, "must be >= 1");
            HwnasException.require(learningRate > 0 && Double.isFinite(learningRate), "learning_rate", learningRate,
                    "must be positive");
            HwnasException.require(heldOutFraction > 0 && heldOutFraction < 1, "held_out_fraction", heldOutFraction,
                    "must be in (0, 1)");
        }

        public static Config ofa(long seed) {
            return new Config(Json.SCHEMA, List.of(400, 400, 400), 50, 64, 1e-3, 0.2, seed);
        }

        public Config withHidden(List<Integer> h) {
            return new Config(schema, h, epochs, batchSize, learningRate, heldOutFraction, seed);
        }

        public Config withEpochs(int e) {
            return new Config(schema, hidden, e, batchSize, learningRate, heldOutFraction, seed);
        }
    }

    /** One training pair: op indices and the measured accuracy. */
    public record Sample(int[] ops, double accuracy) {
        public Sample {
            HwnasException.require(ops != null, "ops", null, "must be given");
            HwnasException.require(Double.isFinite(accuracy), "accuracy", accuracy, "must be finite");
            ops = ops.clone();
        }

        @Override
        public int[] ops() {
            return ops.clone();
        }
    }

    /**
     * How the training pairs were measured (with the supernet): pairs asked for, the sampling seed, BN
     * recalibration batches and held-out images per accuracy. A stored predictor is reused only for the
     * same ones.
     */
    public record Pairs(int samples, long seed, int recalibrateBatches, int heldOutImages) {
        /**
         * What differs from {@code asked}, as "40 pairs, held-out 200 images; asked 60 pairs, held-out
         * 300 images"; null when the same.
         */
        public String differences(Pairs asked) {
            if (equals(asked)) {
                return null;
            }
            List<String> had = new ArrayList<>();
            List<String> want = new ArrayList<>();
            String[] units = {"%d pairs", "held-out %d images", "%d recalibration batches", "seed %d"};
            long[] a = {samples, heldOutImages, recalibrateBatches, seed};
            long[] b = {asked.samples, asked.heldOutImages, asked.recalibrateBatches, asked.seed};
            for (int i = 0; i < units.length; i++) {
                if (a[i] != b[i]) {
                    had.add(String.format(java.util.Locale.ROOT, units[i], a[i]));
                    want.add(String.format(java.util.Locale.ROOT, units[i], b[i]));
                }
            }
            return String.join(", ", had) + "; asked " + String.join(", ", want);
        }
    }

    /** Fit on the training part and on the held-out part (RMSE in the accuracy's unit, Kendall τ-b). */
    public record Report(int trainCount, int heldOutCount, double trainRmse, double heldOutRmse,
            double heldOutKendallTau) {}

    /** The file record. */
    record FileRecord(int schema, String kind, String space, String run, int layers, int ops, List<Integer> hidden,
            double targetMean, double targetStd, List<String> weightsF32, List<String> biasesF32, Report report,
            Config config, Pairs pairs) {
        FileRecord {
            Json.checkSchema(schema);
            HwnasException.require(KIND.equals(kind), "kind", kind, "expected \"" + KIND + "\"");
        }
    }

    private MlpAccuracyPredictor(String space, String run, int layers, int ops, int[] widths, float[][][] w,
            float[] wOut, float[][] b, double mean, double std, Report report, Config config, Pairs pairs) {
        this.space = space;
        this.run = run;
        this.layers = layers;
        this.ops = ops;
        this.widths = widths;
        this.w = w;
        this.wOut = wOut;
        this.b = b;
        this.mean = mean;
        this.std = std;
        this.report = report;
        this.config = config;
        this.pairs = pairs;
    }

    public String space() {
        return space;
    }

    /** The identity of the run the training pairs came from, as given by the caller. */
    public String run() {
        return run;
    }

    public Report report() {
        return report;
    }

    public Config config() {
        return config;
    }

    /** How the training pairs were measured; null for a predictor saved before that was recorded. */
    public Pairs pairs() {
        return pairs;
    }

    /** This predictor, recording how its training pairs were measured. */
    public MlpAccuracyPredictor withPairs(Pairs p) {
        return new MlpAccuracyPredictor(space, run, layers, ops, widths, w, wOut, b, mean, std, report, config, p);
    }

    // ---------------------------------------------------------------- training

    /**
     * Trains a predictor on {@code data} (split into train and held-out parts by the config's seed),
     * for architectures of {@code enc}, recording {@code run} as the identity of the run the pairs
     * come from.
     */
    public static MlpAccuracyPredictor train(List<Sample> data, Encoding enc, String run, Config cfg) {
        HwnasException.require(run != null && !run.isBlank(), "run", run, "must name the run the pairs come from");
        HwnasException.require(data != null && data.size() >= 4, "samples", data == null ? 0 : data.size(),
                "need at least 4 (architecture, accuracy) pairs");
        for (int i = 0; i < data.size(); i++) {
            checkOps(data.get(i).ops, enc.layers(), enc.ops(), "samples[" + i + "].ops");
        }
        SplittableRandom rnd = new SplittableRandom(cfg.seed());
        int n = data.size();
        int[] perm = identity(n);
        Genes.shuffle(perm, rnd);
        int nHeld = Math.max(2, (int) Math.round(cfg.heldOutFraction() * n));
        HwnasException.require(n - nHeld >= 2, "held_out_fraction", cfg.heldOutFraction(),
                "leaves fewer than 2 of " + n + " pairs for training");
        int[] trainIdx = Arrays.copyOfRange(perm, nHeld, n);
        int[] heldIdx = Arrays.copyOfRange(perm, 0, nHeld);
        Arrays.sort(trainIdx);
        Arrays.sort(heldIdx);

        double mean = 0;
        for (int i : trainIdx) {
            mean += data.get(i).accuracy();
        }
        mean /= trainIdx.length;
        double var = 0;
        for (int i : trainIdx) {
            double d = data.get(i).accuracy() - mean;
            var += d * d;
        }
        double std = Math.sqrt(var / trainIdx.length);
        if (!(std > 1e-12)) {
            std = 1;
        }

        int[] widths = cfg.hidden().stream().mapToInt(Integer::intValue).toArray();
        int depth = widths.length;
        float[][][] w = new float[depth][][];
        float[][] b = new float[depth][];
        int in = enc.layers() * enc.ops();
        // PyTorch's nn.Linear initialisation (what OFA's predictor starts from): weights and biases
        // uniform in ±1/sqrt(fan_in). (A He-style start sized for the 'layers' active one-hot inputs
        // memorised the training pairs and generalised worse: held-out τ 0.65 against 0.95, 400
        // additive pairs, 3 x 64, 30 epochs.)
        for (int k = 0; k < depth; k++) {
            double bound = 1 / Math.sqrt(in);
            w[k] = uniform(in, widths[k], bound, rnd);
            b[k] = uniform(1, widths[k], bound, rnd)[0];
            in = widths[k];
        }
        float[] wOut = uniform(1, in, 1 / Math.sqrt(in), rnd)[0];
        MlpAccuracyPredictor net = new MlpAccuracyPredictor(enc.space(), run, enc.layers(), enc.ops(), widths, w, wOut,
                b, mean, std, null, cfg, null);
        net.fit(data, trainIdx, cfg, rnd);

        double[] actTrain = new double[trainIdx.length];
        int[][] xs = new int[trainIdx.length][];
        for (int j = 0; j < trainIdx.length; j++) {
            xs[j] = data.get(trainIdx[j]).ops;
            actTrain[j] = data.get(trainIdx[j]).accuracy();
        }
        double[] predTrain = net.accuracies(xs);
        double[] actHeld = new double[nHeld];
        int[][] hs = new int[nHeld][];
        for (int j = 0; j < nHeld; j++) {
            hs[j] = data.get(heldIdx[j]).ops;
            actHeld[j] = data.get(heldIdx[j]).accuracy();
        }
        double[] predHeld = net.accuracies(hs);
        Report rep = new Report(trainIdx.length, nHeld, Stats.rmse(predTrain, actTrain), Stats.rmse(predHeld, actHeld),
                Stats.kendallTau(predHeld, actHeld));
        return new MlpAccuracyPredictor(enc.space(), run, enc.layers(), enc.ops(), widths, w, wOut, b, mean, std, rep,
                cfg, null);
    }

    private static float[][] uniform(int rows, int cols, double bound, SplittableRandom rnd) {
        float[][] x = new float[rows][cols];
        for (float[] row : x) {
            for (int i = 0; i < cols; i++) {
                row[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            }
        }
        return x;
    }

    /** Mini-batch Adam on standardized targets (MSE). */
    private void fit(List<Sample> data, int[] trainIdx, Config cfg, SplittableRandom rnd) {
        int depth = widths.length;
        float[][][] gw = new float[depth][][];
        float[][][] mw = new float[depth][][];
        float[][][] vw = new float[depth][][];
        float[][] gb = new float[depth][];
        float[][] mb = new float[depth][];
        float[][] vb = new float[depth][];
        for (int k = 0; k < depth; k++) {
            gw[k] = new float[w[k].length][widths[k]];
            mw[k] = new float[w[k].length][widths[k]];
            vw[k] = new float[w[k].length][widths[k]];
            gb[k] = new float[widths[k]];
            mb[k] = new float[widths[k]];
            vb[k] = new float[widths[k]];
        }
        int last = widths[depth - 1];
        float[] gOut = new float[last];
        float[] mOut = new float[last];
        float[] vOut = new float[last];
        int bs = Math.min(cfg.batchSize(), trainIdx.length);
        float[][][] act = activations(bs);
        float[][][] delta = activations(bs);
        float[] y = new float[bs];
        int[][] xb = new int[bs][];
        float[] tb = new float[bs];
        int[] order = trainIdx.clone();
        final float beta1 = 0.9f;
        final float beta2 = 0.999f;
        final double eps = 1e-8;
        long step = 0;
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            Genes.shuffle(order, rnd);
            for (int start = 0; start < order.length; start += bs) {
                int m = Math.min(bs, order.length - start);
                for (int j = 0; j < m; j++) {
                    Sample s = data.get(order[start + j]);
                    xb[j] = s.ops;
                    tb[j] = (float) ((s.accuracy() - mean) / std);
                }
                forward(xb, m, act, y);
                for (int k = 0; k < depth; k++) {
                    for (float[] row : gw[k]) {
                        Arrays.fill(row, 0f);
                    }
                    Arrays.fill(gb[k], 0f);
                }
                Arrays.fill(gOut, 0f);
                // output: loss = mean over the batch of (y - t)^2
                for (int j = 0; j < m; j++) {
                    float g = 2f * (y[j] - tb[j]) / m;
                    float[] a = act[depth - 1][j];
                    float[] d = delta[depth - 1][j];
                    axpy(g, a, gOut, last);
                    for (int i = 0; i < last; i++) {
                        d[i] = a[i] > 0 ? g * wOut[i] : 0f;
                    }
                }
                for (int k = depth - 1; k >= 1; k--) {
                    int in = widths[k - 1];
                    for (int j = 0; j < m; j++) {
                        float[] d = delta[k][j];
                        float[] a = act[k - 1][j];
                        float[] dPrev = delta[k - 1][j];
                        add(d, gb[k], d.length);
                        for (int i = 0; i < in; i++) {
                            if (a[i] > 0) {
                                axpy(a[i], d, gw[k][i], d.length);
                                dPrev[i] = dot(w[k][i], d, d.length);
                            } else {
                                dPrev[i] = 0f;
                            }
                        }
                    }
                }
                for (int j = 0; j < m; j++) {
                    float[] d = delta[0][j];
                    add(d, gb[0], d.length);
                    for (int l = 0; l < layers; l++) {
                        int row = l * ops + xb[j][l];
                        add(d, gw[0][row], d.length);
                    }
                }
                step++;
                double c1 = 1 - Math.pow(beta1, step);
                double c2 = 1 - Math.pow(beta2, step);
                float lr = (float) (cfg.learningRate() * Math.sqrt(c2) / c1);
                float epsHat = (float) (eps * Math.sqrt(c2));
                for (int k = 0; k < depth; k++) {
                    for (int i = 0; i < w[k].length; i++) {
                        adam(w[k][i], gw[k][i], mw[k][i], vw[k][i], lr, beta1, beta2, epsHat);
                    }
                    adam(b[k], gb[k], mb[k], vb[k], lr, beta1, beta2, epsHat);
                }
                adam(wOut, gOut, mOut, vOut, lr, beta1, beta2, epsHat);
            }
        }
    }

    private float[][][] activations(int n) {
        float[][][] a = new float[widths.length][][];
        for (int k = 0; k < widths.length; k++) {
            a[k] = new float[n][widths[k]];
        }
        return a;
    }

    private static void adam(float[] p, float[] g, float[] m, float[] v, float lr, float b1, float b2, float eps) {
        float ob1 = 1 - b1;
        float ob2 = 1 - b2;
        for (int i = 0; i < p.length; i++) {
            float gi = g[i];
            m[i] = b1 * m[i] + ob1 * gi;
            v[i] = b2 * v[i] + ob2 * gi * gi;
            p[i] -= lr * m[i] / ((float) Math.sqrt(v[i]) + eps);
        }
    }

    // ---------------------------------------------------------------- inference

    @Override
    public double accuracy(int[] ops) {
        return accuracies(new int[][] {ops})[0];
    }

    @Override
    public double[] accuracies(int[][] archs) {
        int n = archs.length;
        for (int j = 0; j < n; j++) {
            checkOps(archs[j], layers, ops, "architecture " + j);
        }
        float[][][] act = activations(n);
        float[] y = new float[n];
        forward(archs, n, act, y);
        double[] out = new double[n];
        for (int j = 0; j < n; j++) {
            out[j] = mean + std * y[j];
        }
        return out;
    }

    /** Forward pass of rows 0..n-1 of {@code x}: hidden activations into {@code act}, outputs into {@code y}. */
    private void forward(int[][] x, int n, float[][][] act, float[] y) {
        int depth = widths.length;
        for (int j = 0; j < n; j++) {
            float[] a = act[0][j];
            System.arraycopy(b[0], 0, a, 0, a.length);
            for (int l = 0; l < layers; l++) {
                add(w[0][l * ops + x[j][l]], a, a.length);
            }
            relu(a);
        }
        for (int k = 1; k < depth; k++) {
            float[][] wk = w[k];
            for (int j = 0; j < n; j++) {
                float[] in = act[k - 1][j];
                float[] out = act[k][j];
                System.arraycopy(b[k], 0, out, 0, out.length);
                for (int i = 0; i < in.length; i++) {
                    float a = in[i];
                    if (a != 0f) { // ReLU zeros: about half the inputs
                        axpy(a, wk[i], out, out.length);
                    }
                }
                relu(out);
            }
        }
        for (int j = 0; j < n; j++) {
            y[j] = dot(wOut, act[depth - 1][j], wOut.length);
        }
    }

    /** y[i] += a · x[i] for i < n. */
    private static void axpy(float a, float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] += a * x[i];
        }
    }

    /** y[i] += x[i] for i < n. */
    private static void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] += x[i];
        }
    }

    private static void relu(float[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.max(a[i], 0f);
        }
    }

    /** Σ x[i] · y[i] for i < n, four partial sums. */
    private static float dot(float[] x, float[] y, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += x[i] * y[i];
            s1 += x[i + 1] * y[i + 1];
            s2 += x[i + 2] * y[i + 2];
            s3 += x[i + 3] * y[i + 3];
        }
        for (; i < n; i++) {
            s0 += x[i] * y[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static void checkOps(int[] a, int layers, int ops, String what) {
        if (a == null || a.length != layers) {
            throw new HwnasException(what + ": " + (a == null ? "null" : a.length + " layers") + "; the predictor's"
                    + " space has " + layers);
        }
        for (int l = 0; l < a.length; l++) {
            if (a[l] < 0 || a[l] >= ops) {
                throw new HwnasException(what + ": op index " + a[l] + " at layer " + l + " is outside 0.." + (ops - 1));
            }
        }
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    // ---------------------------------------------------------------- files

    /** Writes the predictor (atomically). */
    public void save(Path file) {
        List<String> ws = new ArrayList<>();
        List<String> bs = new ArrayList<>();
        for (float[][] x : w) {
            ws.add(encode(x));
        }
        ws.add(encode(new float[][] {wOut}));
        for (float[] x : b) {
            bs.add(encode(new float[][] {x}));
        }
        List<Integer> hidden = Arrays.stream(widths).boxed().toList();
        Json.writeFile(file, new FileRecord(Json.SCHEMA, KIND, space, run, layers, ops, hidden, mean, std, ws, bs,
                report, config, pairs));
    }

    /** Reads a predictor and checks it was trained for {@code space} on the run {@code run} (null: any run). */
    public static MlpAccuracyPredictor load(Path file, SearchSpace space, String run) {
        return load(file, Encoding.of(space), run);
    }

    /** Reads a predictor and checks it was trained for {@code enc} on the run {@code run} (null: any run). */
    public static MlpAccuracyPredictor load(Path file, Encoding enc, String run) {
        FileRecord r = io.hwnas.search.run.RunFiles.readWithOptional(file, FileRecord.class, "pairs");
        if (!enc.space().equals(r.space())) {
            throw HwnasException.inFile(file, "field 'space' = \"" + r.space() + "\": this predictor was trained for"
                    + " space " + r.space() + ", not " + enc.space());
        }
        if (run != null && !run.equals(r.run())) {
            throw HwnasException.inFile(file, "field 'run' = \"" + r.run() + "\": this predictor was trained on"
                    + " another run; expected \"" + run + "\"");
        }
        if (r.layers() != enc.layers() || r.ops() != enc.ops()) {
            throw HwnasException.inFile(file, "fields 'layers', 'ops' = " + r.layers() + ", " + r.ops() + ": space "
                    + enc.space() + " has " + enc.layers() + " layers of " + enc.ops() + " ops");
        }
        HwnasException.require(r.hidden() != null && !r.hidden().isEmpty(), "hidden", r.hidden(), "missing");
        int depth = r.hidden().size();
        if (r.weightsF32() == null || r.weightsF32().size() != depth + 1 || r.biasesF32() == null
                || r.biasesF32().size() != depth) {
            throw HwnasException.inFile(file, "expected " + (depth + 1) + " weight and " + depth + " bias arrays for "
                    + depth + " hidden layers");
        }
        int[] widths = r.hidden().stream().mapToInt(Integer::intValue).toArray();
        float[][][] w = new float[depth][][];
        float[][] b = new float[depth][];
        int in = r.layers() * r.ops();
        for (int k = 0; k < depth; k++) {
            HwnasException.require(widths[k] >= 1, "hidden[" + k + "]", widths[k], "must be >= 1");
            w[k] = decode(file, "weights_f32[" + k + "]", r.weightsF32().get(k), in, widths[k]);
            b[k] = decode(file, "biases_f32[" + k + "]", r.biasesF32().get(k), 1, widths[k])[0];
            in = widths[k];
        }
        float[] wOut = decode(file, "weights_f32[" + depth + "]", r.weightsF32().get(depth), 1, in)[0];
        if (!Double.isFinite(r.targetMean()) || !(r.targetStd() > 0)) {
            throw HwnasException.inFile(file, "fields 'target_mean', 'target_std' = " + r.targetMean() + ", "
                    + r.targetStd() + ": expected finite, std > 0");
        }
        return new MlpAccuracyPredictor(r.space(), r.run(), r.layers(), r.ops(), widths, w, wOut, b, r.targetMean(),
                r.targetStd(), r.report(), r.config(), r.pairs());
    }

    private static String encode(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        ByteBuffer bb = ByteBuffer.allocate(4 * rows.length * cols).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] r : rows) {
            for (float v : r) {
                bb.putFloat(v);
            }
        }
        return Base64.getEncoder().encodeToString(bb.array());
    }

    private static float[][] decode(Path file, String field, String s, int rows, int cols) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(s == null ? "" : s);
        } catch (IllegalArgumentException e) {
            throw HwnasException.inFile(file, "field '" + field + "': not base64: " + e.getMessage());
        }
        if (bytes.length != 4L * rows * cols) {
            throw HwnasException.inFile(file, "field '" + field + "': " + bytes.length / 4 + " floats; expected "
                    + rows + " x " + cols);
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[][] x = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                x[i][j] = bb.getFloat();
                if (!Float.isFinite(x[i][j])) {
                    throw HwnasException.inFile(file, "field '" + field + "': non-finite weight at [" + i + "][" + j
                            + "]");
                }
            }
        }
        return x;
    }
}
