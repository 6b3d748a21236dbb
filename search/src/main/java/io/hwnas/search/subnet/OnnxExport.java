package io.hwnas.search.subnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.datasets.Augment;
import io.hwnas.datasets.Batch;
import io.hwnas.datasets.Batches;
import io.hwnas.datasets.ImageSet;
import io.hwnas.datasets.Normalization;
import io.hwnas.latency.OrtEnv;
import io.hwnas.latency.OrtLutMeasurer;
import io.hwnas.search.train.TrainData;
import io.hwnas.supernet.export.OnnxWriter;
import io.hwnas.supernet.net.Subnet;
import io.hwnas.supernet.net.SubnetIO;
import io.hwnas.supernet.space.SearchSpace;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code hwnas export}: a subnet folder ({@link SubnetIO}) as an ONNX file ({@link OnnxWriter}),
 * optionally verified first: the exact bytes run in ONNX Runtime on real test images of the
 * subnet's dataset and are compared with the DJL network in eval mode. A model that fails the
 * check is not written.
 */
public final class OnnxExport {
    /** Largest max |ONNX Runtime - DJL| over the logits that passes verification. */
    public static final double TOLERANCE = 1e-4;
    static final int VERIFY_BATCH = 50;

    private OnnxExport() {}

    /**
     * @param force overwrite an existing output file
     * @param verify run the model in ONNX Runtime against DJL before writing it
     * @param verifyImages test images for the check
     * @param dataset dataset name (null: origin.json's, else guessed from the space's input)
     * @param dataDir dataset location (null: origin.json's when the dataset is not overridden, else the usual search)
     */
    public record Options(boolean force, boolean verify, int verifyImages, String dataset, String dataDir) {
        public Options {
            HwnasException.require(verifyImages >= 1 && verifyImages <= 100_000, "--verify-images", verifyImages,
                    "must be 1..100000");
        }
    }

    /**
     * @param maxAbsDiff max |ONNX Runtime - DJL| over all logits of all images
     * @param top1Agreement images on which both pick the same class
     */
    public record Verification(String runtime, String dataset, int images, double maxAbsDiff, double tolerance,
            boolean passed, int top1Agreement) {}

    /** @param verification null when not asked for */
    public record Result(int schema, String dir, String output, boolean written, String space, String arch, int opset,
            long bytes, Verification verification) {}

    public static Result export(Path dir, Path output, Options o) {
        if (Files.isDirectory(output)) {
            throw new HwnasException("-o " + output + ": is a folder; give the ONNX file to write");
        }
        if (Files.exists(output) && !o.force() && output.toFile().length() > 0 && !exportOf(output, dir)) {
            // as the CLI's check: empty files, and an earlier export of this subnet (a rerun), are free
            throw new HwnasException("-o " + output + ": file exists; pass --force to overwrite it");
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Subnet sn = SubnetIO.load(dir, m);
            Map<String, String> meta = new LinkedHashMap<>(inputMetadata(dir, sn.space(), o));
            meta.put(SUBNET_KEY, folderId(dir));
            ModelProto model = sealed(OnnxWriter.network(sn.space(), sn.arch(),
                    OnnxWriter.NamedWeights.of(sn.net(), dir.resolve(SubnetIO.PARAMS_FILE).toString()), meta));
            byte[] bytes = OnnxWriter.bytes(model);
            Verification v = o.verify() ? verify(dir, sn, bytes, o, m) : null;
            boolean write = v == null || v.passed();
            if (write) {
                OnnxWriter.write(output, model);
            }
            return new Result(Json.SCHEMA, dir.toString(), output.toString(), write, sn.space().id(),
                    sn.arch().canonical(), OnnxWriter.OPSET, bytes.length, v);
        }
    }

    /**
     * The metadata key of the folder a model was exported from: a digest of the subnet folder's real
     * path (no path, user name or home folder in a shared model).
     */
    public static final String SUBNET_KEY = "hwnas.subnet";
    /** The metadata key of the model's own digest (its bytes with this property left out): unchanged since export. */
    public static final String SHA_KEY = "hwnas.sha256";

    /**
     * Whether {@code file} is an ONNX model this command exported from subnet folder {@code dir} and
     * nobody changed since (its {@link #SUBNET_KEY} and {@link #SHA_KEY}): writing it again is a rerun
     * of the same call, not an overwrite of something else. A model derived from it in place (simplified,
     * quantized), anything unreadable, larger than 64 MiB or of another origin is not.
     */
    public static boolean exportOf(Path file, Path dir) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > (64L << 20)) {
                return false;
            }
            ModelProto m = ModelProto.parseFrom(Files.readAllBytes(file));
            String from = folderId(dir);
            String sha = null;
            boolean same = false;
            for (var p : m.getMetadataPropsList()) {
                same |= p.getKey().equals(SUBNET_KEY) && p.getValue().equals(from);
                sha = p.getKey().equals(SHA_KEY) ? p.getValue() : sha;
            }
            return same && sha != null && sha.equals(digest(m));
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code m} with its {@link #SHA_KEY} property added. */
    static ModelProto sealed(ModelProto m) {
        return m.toBuilder().addMetadataProps(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey(SHA_KEY)
                .setValue(digest(m))).build();
    }

    /** SHA-256 of {@code m}'s bytes without its {@link #SHA_KEY} property. */
    private static String digest(ModelProto m) {
        ModelProto.Builder b = m.toBuilder().clearMetadataProps();
        m.getMetadataPropsList().stream().filter(p -> !p.getKey().equals(SHA_KEY)).forEach(b::addMetadataProps);
        return io.hwnas.core.Hashes.sha256(b.build().toByteArray());
    }

    /** A digest of the real path of subnet folder {@code dir} (16 hex digits). */
    private static String folderId(Path dir) {
        String real = io.hwnas.core.RealPath.of(dir).toString();
        return io.hwnas.core.Hashes.sha256(real.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16);
    }

    /**
     * The dataset and its normalization constants, when known without reading the data: the
     * dataset named by --dataset or origin.json, else the one the input shape implies.
     */
    static Map<String, String> inputMetadata(Path dir, SearchSpace space, Options o) {
        Origin origin = Evaluation.origin(dir);
        String ds = Evaluation.datasetName(dir, origin, o.dataset());
        if (ds == null) {
            try {
                ds = Evaluation.guessDataset(space);
            } catch (HwnasException e) {
                return Map.of();
            }
        }
        Normalization n = Normalization.forName(ds);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("hwnas.dataset", ds);
        if (n != null && n.mean().length == space.input().channels()) {
            meta.put("hwnas.input.normalization", "(pixel/255 - mean) / std per channel, mean " + Arrays.toString(n.mean())
                    + ", std " + Arrays.toString(n.std()));
        }
        return meta;
    }

    /** Logits of ONNX Runtime and of DJL on the same normalized test images. */
    static Verification verify(Path dir, Subnet sn, byte[] model, Options o, NDManager m) {
        Origin origin = Evaluation.origin(dir);
        SearchSpace space = sn.space();
        String ds = Evaluation.datasetName(dir, origin, o.dataset());
        String dd = o.dataDir() != null ? o.dataDir()
                : origin != null && o.dataset() == null ? origin.dataDir() : null;
        if (ds == null) {
            ds = Evaluation.guessDataset(space);
        }
        String name = ds;
        ImageSet test = TrainData.fromOrigin(dir, o.dataDir(), dd, () -> TrainData.load(name, dd, false,
                o.verifyImages(), 1));
        TrainData.checkFits(test, space, ds);
        Batches bs = new Batches(test, VERIFY_BATCH, false, Augment.NONE, 0, 0, Normalization.of(test), false);
        OrtEnvironment env = OrtEnv.get();
        int classes = space.head().classes();
        double max = 0;
        int agree = 0;
        int n = 0;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1); // a correctness check: no thread pool spinning beside DJL's threads
            so.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(model, so)) {
                for (int i = 0; i < bs.batchesPerEpoch(); i++) {
                    try (NDManager sm = m.newSubManager(); Batch b = bs.batch(sm, i)) {
                        NDArray x = b.x();
                        float[] want = sn.net().forward(new ParameterStore(sm, false), new NDList(x), false)
                                .singletonOrThrow().toFloatArray();
                        float[] got = run(env, session, x.toFloatArray(), x.getShape().getShape());
                        if (got.length != want.length) {
                            throw new IllegalStateException("ONNX Runtime gave " + got.length + " logits, DJL "
                                    + want.length);
                        }
                        for (int k = 0; k < got.length; k++) {
                            max = Math.max(max, Math.abs(got[k] - want[k]));
                        }
                        for (int img = 0; img < b.size(); img++) {
                            if (argmax(got, img * classes, classes) == argmax(want, img * classes, classes)) {
                                agree++;
                            }
                        }
                        n += b.size();
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not run the exported model: " + e.getMessage(), e);
        }
        return new Verification(OrtLutMeasurer.runtimeName(), ds, n, max, TOLERANCE, max <= TOLERANCE, agree);
    }

    /** The first output of a one-input session, as floats. */
    static float[] run(OrtEnvironment env, OrtSession session, float[] x, long[] shape) throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                OrtSession.Result r = session.run(Map.of(OnnxWriter.INPUT, t))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    private static int argmax(float[] a, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (a[from + i] > a[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
