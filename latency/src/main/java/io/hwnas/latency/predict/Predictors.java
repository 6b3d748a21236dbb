package io.hwnas.latency.predict;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.LatencyModel;
import io.hwnas.supernet.space.SearchSpace;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;

/**
 * Fitting and reading latency predictors. A predictor file is JSON with {@code "schema": 1}, a
 * {@code kind} ({@link #KINDS}), the space id, a device record with source {@code estimated} whose
 * notes say what it was fitted from, and {@code training_samples}; the rest depends on the kind.
 */
public final class Predictors {
    public static final String LUT_FIT = "lut-fit";
    public static final String MLP = "mlp";
    public static final String XGBOOST = "xgboost";
    public static final String FLOPS = "flops";
    public static final List<String> KINDS = List.of(LUT_FIT, MLP, XGBOOST, FLOPS);

    private Predictors() {}

    /** Checks a kind name; the message lists the known ones. */
    public static String checkKind(String kind, String field) {
        if (!KINDS.contains(kind)) {
            throw new HwnasException("field '" + field + "' = \"" + kind + "\": unknown latency model kind; known: "
                    + String.join(", ", KINDS));
        }
        return kind;
    }

    /** The fewest (architecture, latency) pairs a kind is fitted to. */
    public static int minSamples(String kind) {
        return switch (checkKind(kind, "kind")) {
            case LUT_FIT -> 2;
            case FLOPS -> FlopsModel.FEATURES + 1;
            case MLP, XGBOOST -> 10;
            default -> throw new IllegalStateException(kind);
        };
    }

    /** Fits a predictor of {@code kind} to {@code data}; same data and seed, same model. */
    public static Fitted fit(String kind, TrainingSet data, long seed) {
        int min = minSamples(kind);
        if (data.size() < min) {
            throw new HwnasException(data.origin() + ": " + data.size() + " training sample(s); a " + kind
                    + " model needs at least " + min);
        }
        long t0 = System.nanoTime();
        Object file = switch (kind) {
            case LUT_FIT -> LutFit.fit(data);
            case MLP -> MlpModel.fit(data, seed);
            case XGBOOST -> XgbModel.fit(data, seed);
            case FLOPS -> FlopsModel.fit(data);
            default -> throw new IllegalStateException(kind);
        };
        double seconds = (System.nanoTime() - t0) / 1e9;
        LatencyModel model = bind(file, data.space(), "fitted " + kind + " model (" + data.origin() + ")");
        return new Fitted(kind, model, file, data.size(), seconds);
    }

    /** The model a file record describes, bound to {@code space}. */
    static LatencyModel bind(Object file, SearchSpace space, String source) {
        if (file instanceof LutFit.File f) {
            return LutFit.model(f, space, source);
        } else if (file instanceof MlpModel.File f) {
            return new MlpModel(f, space, source);
        } else if (file instanceof XgbModel.File f) {
            return new XgbModel(f, space, source);
        } else if (file instanceof FlopsModel.File f) {
            return FlopsModel.model(f, space, source);
        }
        throw new IllegalArgumentException(String.valueOf(file));
    }

    /**
     * Reads a predictor file whose parsed form is {@code tree} and whose text is {@code text}
     * (read once by the caller) and binds it to {@code space}. Errors name the file.
     */
    public static LatencyModel read(Path file, String text, JsonNode tree, SearchSpace space) {
        JsonNode k = tree.get("kind");
        if (!k.isTextual()) {
            throw HwnasException.inFile(file, "field 'kind' = " + k + ": expected one of " + String.join(", ", KINDS));
        }
        String kind;
        try {
            kind = checkKind(k.asText(), "kind");
        } catch (HwnasException e) {
            throw HwnasException.inFile(file, e.getMessage());
        }
        JsonNode s = tree.get("space");
        if (s != null && s.isTextual() && !s.asText().equals(space.id())) {
            throw HwnasException.inFile(file, "field 'space' = \"" + s.asText() + "\": this " + kind
                    + " model is for space " + s.asText() + ", not for space " + space.id());
        }
        Class<?> type = switch (kind) {
            case LUT_FIT -> LutFit.File.class;
            case MLP -> MlpModel.File.class;
            case XGBOOST -> XgbModel.File.class;
            case FLOPS -> FlopsModel.File.class;
            default -> throw new IllegalStateException(kind);
        };
        Object record = Json.parse(file.toString(), text, type);
        try {
            return bind(record, space, file.toString());
        } catch (HwnasException e) {
            throw e.getMessage().startsWith(file.toString()) ? e : HwnasException.inFile(file, e.getMessage());
        }
    }

    /** The device record of a model fitted to {@code data}: source estimated, notes on the fit. */
    static DeviceRecord device(TrainingSet data, String kind, String how) {
        String notes = "Predicted by a " + kind + " model (" + how + ") fitted to " + data.size()
                + " (architecture, latency) pairs from " + data.origin() + "; not measured.";
        return new DeviceRecord(data.device(), DeviceRecord.Source.ESTIMATED, "hwnas " + kind + " predictor", null,
                data.batch(), null, null, null, OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString(), notes);
    }

    /** Checks a kind-specific file's common fields against the space: layer count and op list. */
    static void checkEncoding(int layers, List<String> ops, SearchSpace space) {
        if (layers != space.layerCount()) {
            throw new HwnasException("field 'layers' = " + layers + ": space " + space.id() + " has "
                    + space.layerCount() + " searchable layers");
        }
        if (!ops.equals(space.ops())) {
            throw new HwnasException("field 'ops' = " + ops + ": space " + space.id() + " has ops " + space.ops()
                    + " (the model's one-hot encoding would not match)");
        }
    }

    /** The one-hot encoding of op indices: layers x ops features, 1 at (l, ops[l]). */
    static float[] oneHot(int[] ops, int opCount) {
        float[] x = new float[ops.length * opCount];
        for (int l = 0; l < ops.length; l++) {
            x[l * opCount + ops[l]] = 1f;
        }
        return x;
    }

    /**
     * Checks the fields every predictor file starts with: schema, kind (must be {@code expected}),
     * device record and training samples.
     */
    static void checkHeader(int schema, String kind, String expected, DeviceRecord device, int trainingSamples) {
        checkSchema(schema);
        require(expected.equals(kind), "kind", kind, "must be " + expected);
        require(device != null, "device", null, "is required");
        require(trainingSamples >= 1, "training_samples", trainingSamples, "must be >= 1");
    }

    /** {@link #checkHeader(int, String, String, DeviceRecord, int)}, then the op list of a per-(layer, op) model. */
    static void checkHeader(int schema, String kind, String expected, DeviceRecord device, int trainingSamples,
            List<String> ops) {
        checkHeader(schema, kind, expected, device, trainingSamples);
        require(ops != null && !ops.isEmpty(), "ops", ops, "is required");
    }

    /** Root mean squared error in ms of {@code predictedMs} on the training set's latencies. */
    static double trainRmseMs(double[] predictedMs, TrainingSet data) {
        int n = data.size();
        double sse = 0;
        for (int i = 0; i < n; i++) {
            double d = predictedMs[i] - data.latencyMs()[i];
            sse += d * d;
        }
        return Math.sqrt(sse / n);
    }

    /** The bytes of base64 field {@code field}; a clear error when it is not base64. */
    static byte[] base64(String field, String value) {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new HwnasException("field '" + field + "': not base64: " + e.getMessage());
        }
    }

    static void checkSchema(int schema) {
        Json.checkSchema(schema);
    }

    static void require(boolean ok, String field, Object value, String expectation) {
        HwnasException.require(ok, field, value, expectation);
    }
}
