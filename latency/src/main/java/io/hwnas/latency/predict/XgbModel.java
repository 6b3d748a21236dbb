package io.hwnas.latency.predict;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hwnas.core.HwnasException;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.supernet.space.SearchSpace;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Gradient-boosted regression trees (XGBoost) on the one-hot (layer, op) encoding, predicting ln
 * ms (relative errors, positive predictions, as the MLP). {@value #ROUNDS} rounds of depth
 * {@value #DEPTH} trees, learning rate 0.1, row subsampling 0.8, one thread, seeded. The model is
 * stored in XGBoost's own UBJSON format, base64, inside the JSON file. A single query walks the
 * trees in plain Java (read from XGBoost's JSON dump of the loaded model, checked against XGBoost's
 * own prediction when loaded): a native call per query costs far more than the trees;
 * {@link #predictMs(int[][])} predicts many at once natively. Not differentiable.
 */
public final class XgbModel extends OneHotModel {
    static final int ROUNDS = 400;
    static final int DEPTH = 3;
    static final String TARGET = "log-ms";

    @JsonPropertyOrder({"schema", "kind", "space", "device", "training_samples", "layers", "ops", "target", "rounds",
        "params", "train_rmse_ms", "model_format", "model_base64"})
    public record File(int schema, String kind, String space, DeviceRecord device, int trainingSamples, int layers,
            List<String> ops, String target, int rounds, Map<String, Object> params, double trainRmseMs,
            String modelFormat, String modelBase64) {
        public File {
            Predictors.checkHeader(schema, kind, Predictors.XGBOOST, device, trainingSamples, ops);
            Predictors.require(TARGET.equals(target), "target", target, "must be " + TARGET);
            Predictors.require("ubj".equals(modelFormat), "model_format", modelFormat, "must be ubj");
            Predictors.require(modelBase64 != null && !modelBase64.isEmpty(), "model_base64", null, "is required");
        }
    }

    private final File file;
    private final Booster booster;
    private final Tree[] trees;
    private final double baseMargin;

    /** One regression tree in flat arrays indexed by node id; a leaf has feature -1. */
    private record Tree(int[] feature, float[] threshold, int[] yes, int[] no, int[] missing, float[] leaf) {
        double eval(float[] x) {
            int n = 0;
            while (feature[n] >= 0) {
                float v = x[feature[n]];
                n = Float.isNaN(v) ? missing[n] : v < threshold[n] ? yes[n] : no[n];
            }
            return leaf[n];
        }
    }

    XgbModel(File file, SearchSpace space, String source) {
        super(file.layers(), file.ops(), file.device(), space, source);
        this.file = file;
        byte[] bytes = Predictors.base64("model_base64", file.modelBase64());
        try {
            this.booster = XGBoost.loadModel(bytes);
        } catch (XGBoostError | IOException e) {
            throw new HwnasException("field 'model_base64': not an XGBoost model: " + firstLine(e.getMessage()));
        }
        try {
            String[] dump = booster.getModelDump((String) null, false, "json");
            trees = new Tree[dump.length];
            for (int t = 0; t < dump.length; t++) {
                trees[t] = tree(io.hwnas.core.Json.mapper().readTree(dump[t]));
            }
        } catch (XGBoostError | IOException e) {
            throw new IllegalStateException("cannot read the XGBoost model's trees", e);
        }
        // the trees' sum plus the model's base score is its margin; take the base score from XGBoost
        int f = space.layerCount() * opCount;
        int[][] probe = new int[16][space.layerCount()];
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int[] a : probe) {
            for (int l = 0; l < a.length; l++) {
                a[l] = r.nextInt(opCount);
            }
        }
        double[] nat = nativeLogMs(probe);
        baseMargin = nat[0] - treeSum(Predictors.oneHot(probe[0], opCount));
        for (int i = 0; i < probe.length; i++) {
            double java = baseMargin + treeSum(Predictors.oneHot(probe[i], opCount));
            if (Math.abs(java - nat[i]) > 1e-4 * Math.max(1, Math.abs(nat[i]))) {
                throw new IllegalStateException("XGBoost trees read from the dump predict " + java + ", XGBoost "
                        + nat[i] + " (" + f + " features)");
            }
        }
    }

    private static Tree tree(com.fasterxml.jackson.databind.JsonNode root) {
        List<com.fasterxml.jackson.databind.JsonNode> nodes = new java.util.ArrayList<>();
        java.util.ArrayDeque<com.fasterxml.jackson.databind.JsonNode> todo = new java.util.ArrayDeque<>();
        todo.add(root);
        int max = 0;
        while (!todo.isEmpty()) {
            com.fasterxml.jackson.databind.JsonNode n = todo.poll();
            nodes.add(n);
            max = Math.max(max, n.get("nodeid").asInt());
            if (n.has("children")) {
                n.get("children").forEach(todo::add);
            }
        }
        int[] feature = new int[max + 1];
        float[] threshold = new float[max + 1];
        int[] yes = new int[max + 1];
        int[] no = new int[max + 1];
        int[] missing = new int[max + 1];
        float[] leaf = new float[max + 1];
        for (com.fasterxml.jackson.databind.JsonNode n : nodes) {
            int id = n.get("nodeid").asInt();
            if (n.has("leaf")) {
                feature[id] = -1;
                leaf[id] = (float) n.get("leaf").asDouble();
            } else {
                feature[id] = Integer.parseInt(n.get("split").asText().substring(1));
                threshold[id] = (float) n.get("split_condition").asDouble();
                yes[id] = n.get("yes").asInt();
                no[id] = n.get("no").asInt();
                missing[id] = n.get("missing").asInt();
            }
        }
        return new Tree(feature, threshold, yes, no, missing, leaf);
    }

    private double treeSum(float[] x) {
        double s = 0;
        for (Tree t : trees) {
            s += t.eval(x);
        }
        return s;
    }

    public File file() {
        return file;
    }

    @Override
    public String kindName() {
        return "xgboost predictor";
    }

    @Override
    double predict(int[] ops) {
        return Math.exp(baseMargin + treeSum(Predictors.oneHot(ops, opCount)));
    }

    /** Predictions for many architectures in one native XGBoost call. */
    public double[] predictMs(int[][] archs) {
        double[] out = nativeLogMs(archs);
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.exp(out[i]);
        }
        return out;
    }

    private double[] nativeLogMs(int[][] archs) {
        int f = space.layerCount() * opCount;
        float[] x = new float[archs.length * f];
        for (int i = 0; i < archs.length; i++) {
            System.arraycopy(Predictors.oneHot(archs[i], opCount), 0, x, i * f, f);
        }
        try {
            float[][] p = booster.inplace_predict(x, archs.length, f, Float.NaN);
            double[] out = new double[archs.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = p[i][0];
            }
            return out;
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost prediction failed", e);
        }
    }

    static Map<String, Object> params(long seed) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("objective", "reg:squarederror");
        p.put("eta", 0.1);
        p.put("max_depth", DEPTH);
        p.put("subsample", 0.8);
        p.put("min_child_weight", 1);
        p.put("lambda", 1.0);
        p.put("tree_method", "hist");
        p.put("nthread", 1);
        p.put("seed", seed);
        p.put("verbosity", 0);
        return p;
    }

    static File fit(TrainingSet data, long seed) {
        SearchSpace s = data.space();
        int n = data.size();
        int k = s.ops().size();
        int f = s.layerCount() * k;
        float[] x = new float[n * f];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(Predictors.oneHot(data.archs()[i], k), 0, x, i * f, f);
            y[i] = (float) Math.log(data.latencyMs()[i]);
        }
        Map<String, Object> params = params(seed);
        byte[] bytes;
        try {
            DMatrix m = new DMatrix(x, n, f, Float.NaN);
            try {
                m.setLabel(y);
                Booster b = XGBoost.train(m, params, ROUNDS, Map.of(), null, null);
                try {
                    bytes = b.toByteArray("ubj");
                } finally {
                    b.dispose();
                }
            } finally {
                m.dispose();
            }
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost training failed: " + e.getMessage(), e);
        }
        DeviceRecord dev = Predictors.device(data, Predictors.XGBOOST, "XGBoost, " + ROUNDS + " trees of depth " + DEPTH
                + " on the one-hot (layer, op) encoding, log latency, seed " + seed);
        File provisional = new File(io.hwnas.core.Json.SCHEMA, Predictors.XGBOOST, s.id(), dev, n, s.layerCount(),
                s.ops(), TARGET, ROUNDS, params, 0, "ubj", Base64.getEncoder().encodeToString(bytes));
        XgbModel model = new XgbModel(provisional, s, "fit");
        return new File(provisional.schema(), provisional.kind(), s.id(), dev, n, s.layerCount(), s.ops(), TARGET,
                ROUNDS, params, Predictors.trainRmseMs(model.predictMs(data.archs()), data), "ubj",
                provisional.modelBase64());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
