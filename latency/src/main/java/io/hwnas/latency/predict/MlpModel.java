package io.hwnas.latency.predict;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.supernet.space.SearchSpace;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A multi-layer perceptron regressor (ReLU, hidden widths {@link #HIDDEN}) trained on ND4J: input
 * the one-hot (layer, op) encoding, output the <em>standardized log latency</em>,
 * {@code (ln ms - mean) / std} over the training set. Log because latency errors matter relative to
 * the latency (a squared error in log space is a squared relative error, like MAPE) and because a
 * prediction exp(·) is always positive; standardized so the output is of order 1 at the default
 * initialization and learning rate, whatever the device's scale (0.1 ms GPU or 100 ms phone).
 * Training: Adam with decoupled weight decay, mini-batches of {@value #BATCH}, {@value #EPOCHS}
 * epochs but at least {@value #MIN_STEPS} and at most {@value #MAX_STEPS} steps (ND4J's per-op overhead, not
 * the arithmetic, bounds a step's time on these small arrays), cosine learning-rate decay, He-uniform initialization
 * and shuffling from the seed. Prediction is the same forward pass in plain Java (the first layer
 * is a sum of one weight row per layer, since the input is one-hot): no native call per query.
 * Not differentiable in the FBNet sense (not linear in one-hot choices).
 */
public final class MlpModel extends OneHotModel {
    static final int[] HIDDEN = {128, 64};
    static final int BATCH = 128;
    static final int MAX_STEPS = 1000;
    static final int MIN_STEPS = 300;
    static final int EPOCHS = 40;
    static final double LEARNING_RATE = 3e-3;
    static final double WEIGHT_DECAY = 1e-4;

    /** One dense layer: weights [in][out] row-major and bias [out], float32 little-endian, base64. */
    @JsonPropertyOrder({"in", "out", "weights_f32", "bias_f32"})
    public record Dense(int in, int out, String weightsF32, String biasF32) {
        public Dense {
            Predictors.require(in >= 1 && out >= 1, "dense", in + "x" + out, "needs positive sizes");
            Predictors.require(weightsF32 != null && decode(weightsF32).length == in * out, "dense.weights_f32",
                    "(" + in + "x" + out + ")", "must hold in x out float32 values");
            Predictors.require(biasF32 != null && decode(biasF32).length == out, "dense.bias_f32", "(" + out + ")",
                    "must hold out float32 values");
        }
    }

    @JsonPropertyOrder({"schema", "kind", "space", "device", "training_samples", "layers", "ops", "target",
        "log_mean", "log_std", "hidden", "steps", "batch_size", "learning_rate", "weight_decay", "seed",
        "train_rmse_ms", "dense"})
    public record File(int schema, String kind, String space, DeviceRecord device, int trainingSamples, int layers,
            List<String> ops, String target, double logMean, double logStd, List<Integer> hidden, int steps,
            int batchSize, double learningRate, double weightDecay, long seed, double trainRmseMs, List<Dense> dense) {
        public File {
            Predictors.checkHeader(schema, kind, Predictors.MLP, device, trainingSamples, ops);
            Predictors.require(TARGET.equals(target), "target", target, "must be " + TARGET);
            Predictors.require(Double.isFinite(logMean), "log_mean", logMean, "must be finite");
            Predictors.require(logStd > 0 && Double.isFinite(logStd), "log_std", logStd, "must be > 0");
            Predictors.require(dense != null && !dense.isEmpty(), "dense", dense, "is required");
            Predictors.require(dense.get(0).in() == layers * ops.size(), "dense[0].in", dense.get(0).in(),
                    "must be layers x ops = " + layers * ops.size());
            for (int i = 1; i < dense.size(); i++) {
                Predictors.require(dense.get(i).in() == dense.get(i - 1).out(), "dense[" + i + "].in",
                        dense.get(i).in(), "must equal dense[" + (i - 1) + "].out");
            }
            Predictors.require(dense.get(dense.size() - 1).out() == 1, "dense[-1].out",
                    dense.get(dense.size() - 1).out(), "must be 1 (one latency)");
        }
    }

    static final String TARGET = "standardized-log-ms";

    private final File file;
    private final float[][] w;
    private final float[][] b;
    private final int[] outs;

    MlpModel(File file, SearchSpace space, String source) {
        super(file.layers(), file.ops(), file.device(), space, source);
        this.file = file;
        int n = file.dense().size();
        w = new float[n][];
        b = new float[n][];
        outs = new int[n];
        for (int i = 0; i < n; i++) {
            Dense d = file.dense().get(i);
            w[i] = decode(d.weightsF32());
            b[i] = decode(d.biasF32());
            outs[i] = d.out();
        }
    }

    public File file() {
        return file;
    }

    @Override
    public String kindName() {
        return "mlp predictor";
    }

    @Override
    double predict(int[] ops) {
        int h = outs[0];
        double[] act = new double[h];
        for (int j = 0; j < h; j++) {
            act[j] = b[0][j];
        }
        for (int l = 0; l < ops.length; l++) {
            int row = (l * opCount + ops[l]) * h;
            for (int j = 0; j < h; j++) {
                act[j] += w[0][row + j];
            }
        }
        for (int i = 1; i < w.length; i++) {
            relu(act);
            int out = outs[i];
            double[] next = new double[out];
            for (int j = 0; j < out; j++) {
                next[j] = b[i][j];
            }
            for (int a = 0; a < act.length; a++) {
                double v = act[a];
                if (v != 0) {
                    int row = a * out;
                    for (int j = 0; j < out; j++) {
                        next[j] += v * w[i][row + j];
                    }
                }
            }
            act = next;
        }
        return Math.exp(act[0] * file.logStd() + file.logMean());
    }

    private static void relu(double[] a) {
        for (int j = 0; j < a.length; j++) {
            if (a[j] < 0) {
                a[j] = 0;
            }
        }
    }

    // ---- training (ND4J) ----

    /** A parameter with its Adam moments. */
    private static final class Param {
        final INDArray value;
        final INDArray m;
        final INDArray v;
        final boolean decay;

        Param(INDArray value, boolean decay) {
            this.value = value;
            this.m = Nd4j.zeros(DataType.FLOAT, value.shape());
            this.v = Nd4j.zeros(DataType.FLOAT, value.shape());
            this.decay = decay;
        }

        void adam(INDArray grad, double lr, int t) {
            double b1 = 0.9;
            double b2 = 0.999;
            m.muli(b1).addi(grad.mul(1 - b1));
            v.muli(b2).addi(grad.mul(grad).muli(1 - b2));
            double c1 = 1 - Math.pow(b1, t);
            double c2 = 1 - Math.pow(b2, t);
            INDArray step = m.div(c1).divi(Transforms.sqrt(v.div(c2), false).addi(1e-8)).muli(lr);
            if (decay) {
                value.muli(1 - lr * WEIGHT_DECAY);
            }
            value.subi(step);
        }
    }

    static File fit(TrainingSet data, long seed) {
        // one native thread: the arrays are small (per-op overhead dominates) and on a shared, loaded
        // machine spinning OpenMP workers only slow every step down
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        SearchSpace s = data.space();
        int n = data.size();
        int k = s.ops().size();
        int in = s.layerCount() * k;
        double mean = 0;
        for (double y : data.latencyMs()) {
            mean += Math.log(y);
        }
        mean /= n;
        double var = 0;
        for (double y : data.latencyMs()) {
            var += (Math.log(y) - mean) * (Math.log(y) - mean);
        }
        double std = Math.max(Math.sqrt(var / n), 1e-6);
        float[] xs = new float[n * in];
        float[] ys = new float[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(Predictors.oneHot(data.archs()[i], k), 0, xs, i * in, in);
            ys[i] = (float) ((Math.log(data.latencyMs()[i]) - mean) / std);
        }
        int[] sizes = new int[HIDDEN.length + 2];
        sizes[0] = in;
        System.arraycopy(HIDDEN, 0, sizes, 1, HIDDEN.length);
        sizes[sizes.length - 1] = 1;
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Param> ws = new ArrayList<>();
        List<Param> bs = new ArrayList<>();
        for (int i = 0; i + 1 < sizes.length; i++) {
            float[] wi = new float[sizes[i] * sizes[i + 1]];
            // He-uniform for the one-hot input counts the active inputs (layers), not all of them
            int fanIn = i == 0 ? s.layerCount() : sizes[i];
            double lim = Math.sqrt(6.0 / fanIn);
            for (int j = 0; j < wi.length; j++) {
                wi[j] = (float) ((rnd.nextDouble() * 2 - 1) * lim);
            }
            ws.add(new Param(Nd4j.create(wi, new long[] {sizes[i], sizes[i + 1]}, 'c'), true));
            bs.add(new Param(Nd4j.zeros(DataType.FLOAT, 1, sizes[i + 1]), false));
        }
        INDArray x = Nd4j.create(xs, new long[] {n, in}, 'c');
        INDArray y = Nd4j.create(ys, new long[] {n, 1}, 'c');
        int batch = Math.min(BATCH, n);
        int perEpoch = (n + batch - 1) / batch;
        int steps = Math.max(MIN_STEPS, Math.min(MAX_STEPS, EPOCHS * perEpoch));
        int[] order = TrainingSet.permutation(n, seed ^ 0x5DEECE66DL);
        SplittableRandom shuffle = new SplittableRandom(seed + 1);
        int pos = n;
        for (int t = 1; t <= steps; t++) {
            if (pos >= n) {
                for (int i = n - 1; i > 0; i--) {
                    int j = shuffle.nextInt(i + 1);
                    int tmp = order[i];
                    order[i] = order[j];
                    order[j] = tmp;
                }
                pos = 0;
            }
            int m = Math.min(batch, n - pos);
            int[] rows = java.util.Arrays.copyOfRange(order, pos, pos + m);
            pos += m;
            INDArray xb = x.getRows(rows);
            INDArray yb = y.getRows(rows);
            // forward
            List<INDArray> acts = new ArrayList<>();
            List<INDArray> masks = new ArrayList<>();
            INDArray a = xb;
            acts.add(a);
            for (int i = 0; i < ws.size(); i++) {
                INDArray z = a.mmul(ws.get(i).value).addiRowVector(bs.get(i).value);
                if (i + 1 < ws.size()) {
                    INDArray mask = z.gt(0).castTo(DataType.FLOAT);
                    a = z.mul(mask);
                    masks.add(mask);
                    acts.add(a);
                } else {
                    a = z;
                }
            }
            // backward of ½·mean squared error
            INDArray g = a.sub(yb).divi(m);
            double lr = LEARNING_RATE * 0.5 * (1 + Math.cos(Math.PI * (t - 1) / steps));
            for (int i = ws.size() - 1; i >= 0; i--) {
                INDArray gw = acts.get(i).transpose().mmul(g);
                INDArray gb = g.sum(true, 0);
                INDArray gPrev = i > 0 ? g.mmul(ws.get(i).value.transpose()).muli(masks.get(i - 1)) : null;
                ws.get(i).adam(gw, lr, t);
                bs.get(i).adam(gb, lr, t);
                g = gPrev;
            }
        }
        List<Dense> dense = new ArrayList<>();
        for (int i = 0; i < ws.size(); i++) {
            dense.add(new Dense(sizes[i], sizes[i + 1], encode(ws.get(i).value.dup('c').data().asFloat()),
                    encode(bs.get(i).value.dup('c').data().asFloat())));
        }
        List<Integer> hidden = new ArrayList<>();
        for (int h : HIDDEN) {
            hidden.add(h);
        }
        int epochs = (steps + perEpoch - 1) / perEpoch;
        DeviceRecord dev = Predictors.device(data, Predictors.MLP, "ND4J MLP " + hidden + " ReLU on the one-hot (layer,"
                + " op) encoding, standardized log latency, " + steps + " Adam steps (" + epochs + " epochs), seed "
                + seed);
        File provisional = new File(io.hwnas.core.Json.SCHEMA, Predictors.MLP, s.id(), dev, n, s.layerCount(), s.ops(),
                TARGET, mean, std, hidden, steps, batch, LEARNING_RATE, WEIGHT_DECAY, seed, 0, dense);
        MlpModel model = new MlpModel(provisional, s, "fit");
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = model.predictMs(data.archs()[i]);
        }
        return new File(provisional.schema(), provisional.kind(), s.id(), dev, n, s.layerCount(), s.ops(), TARGET,
                mean, std, hidden, steps, batch, LEARNING_RATE, WEIGHT_DECAY, seed, Predictors.trainRmseMs(p, data),
                dense);
    }

    static String encode(float[] v) {
        ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            bb.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(bb.array());
    }

    static float[] decode(String s) {
        byte[] bytes = Predictors.base64("dense", s);
        if (bytes.length % 4 != 0) {
            throw new io.hwnas.core.HwnasException("field 'dense': " + bytes.length + " bytes is not a whole number of"
                    + " float32 values");
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bytes.length / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = bb.getFloat();
        }
        return v;
    }
}
