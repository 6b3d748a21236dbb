package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.Json;
import io.hwnas.search.subnet.Origin;
import io.hwnas.supernet.net.FixedNet;
import io.hwnas.supernet.net.SubnetIO;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.ops.ConvBn;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas export}: ONNX file verified in ONNX Runtime on Fashion-MNIST test images; refusals. */
class ExportCommandTest {
    @TempDir
    Path tmp;

    static final SearchSpace S = SpaceRegistry.get("fbnet-fmnist-tiny");

    /** A subnet folder of {@code arch} with random weights and non-trivial BN statistics. */
    static void subnet(Path dir, String arch, long seed, boolean withOrigin) {
        Architecture a = Architecture.parse(S, arch);
        try (NDManager m = NDManager.newBaseManager()) {
            Block net = FixedNet.build(S, a);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
            Random r = new Random(seed);
            for (ConvBn cb : BlockTree.convBns(net)) {
                int n = cb.outChannels();
                cb.runningMean().getArray().set(FloatBuffer.wrap(values(n, r, 0.0, 0.2)));
                cb.runningVar().getArray().set(FloatBuffer.wrap(values(n, r, 1.0, 0.3)));
                cb.gamma().getArray().set(FloatBuffer.wrap(values(n, r, 1.0, 0.2)));
            }
            SubnetIO.save(dir, S, a, net);
        }
        if (withOrigin) {
            Json.writeFile(dir.resolve(Origin.FILE),
                    new Origin(1, "extracted", null, arch, "fashion-mnist", null, null, 0, 0, false, null));
        }
    }

    static float[] values(int n, Random r, double mean, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.abs(mean + std * r.nextGaussian());
        }
        return v;
    }

    @Test
    void exportVerifiedOnTestImagesThenReplacesOnlyItsOwnEarlierExport() throws Exception {
        Path dir = tmp.resolve("subnet");
        subnet(dir, "k3_e1_g2 k3_e3 k5_e1_g2 skip k5_e6 k3_e6 k5_e3", 1, true);
        Path onnx = tmp.resolve("model.onnx");
        CliRun r = CliRun.of("export", dir.toString(), "--format", "onnx", "-o", onnx.toString(), "--verify",
                "--verify-images", "100", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.mapper().readTree(r.out());
        JsonNode v = j.get("verification");
        assertEquals(100, v.get("images").asInt());
        assertEquals("fashion-mnist", v.get("dataset").asText());
        assertTrue(v.get("max_abs_diff").asDouble() <= 1e-4, r.out());
        assertTrue(v.get("runtime").asText().startsWith("ONNX Runtime 1.29.0"), r.out());
        byte[] first = Files.readAllBytes(onnx);
        assertEquals(first.length, j.get("bytes").asLong());
        java.util.Map<String, String> meta = new java.util.HashMap<>();
        ai.onnx.proto.OnnxMl.ModelProto.parseFrom(first).getMetadataPropsList()
                .forEach(p -> meta.put(p.getKey(), p.getValue()));
        assertEquals("k3_e1_g2 k3_e3 k5_e1_g2 skip k5_e6 k3_e6 k5_e3", meta.get("hwnas.arch"));
        assertEquals("fashion-mnist", meta.get("hwnas.dataset"));
        assertTrue(meta.get("hwnas.input.normalization").contains("mean [0.286], std [0.353]"), meta.toString());

        assertEquals(16, meta.get("hwnas.subnet").length()); // a digest of the folder, not its path
        assertEquals(64, meta.get("hwnas.sha256").length());

        // an earlier export of this subnet: a rerun replaces it (the same bytes); another subnet's model or any
        // other file needs --force
        r = CliRun.of("export", dir.toString(), "-o", onnx.toString());
        assertEquals(0, r.code(), r.toString());
        assertArrayEquals(first, Files.readAllBytes(onnx));
        Path dir2 = tmp.resolve("subnet-2");
        subnet(dir2, "k3_e1_g2 k3_e3 k5_e1_g2 skip k5_e6 k3_e6 k5_e3", 2, true);
        r = CliRun.of("export", dir2.toString(), "-o", onnx.toString());
        assertTrue(r.userError() && r.err().contains("--force"), r.toString());
        assertArrayEquals(first, Files.readAllBytes(onnx));
        // the export changed in place (a tool that rewrites it keeps the metadata): no longer this command's own
        byte[] changed = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(first).toBuilder().setDocString("simplified").build()
                .toByteArray();
        Files.write(onnx, changed);
        r = CliRun.of("export", dir.toString(), "-o", onnx.toString());
        assertTrue(r.userError() && r.err().contains("--force"), r.toString());
        assertArrayEquals(changed, Files.readAllBytes(onnx));
        Files.write(onnx, first);
        Path notes = Files.writeString(tmp.resolve("notes.onnx"), "not a model");
        r = CliRun.of("export", dir.toString(), "-o", notes.toString());
        assertTrue(r.userError() && r.err().contains("--force"), r.toString());
        assertEquals("not a model", Files.readString(notes));
        r = CliRun.of("export", dir.toString(), "-o", onnx.toString(), "--force");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("wrote "), r.out());
        assertArrayEquals(first, Files.readAllBytes(onnx));
        // never over a file of the subnet it reads, --force or not
        byte[] params = Files.readAllBytes(dir.resolve("model.params"));
        r = CliRun.of("export", dir.toString(), "-o", dir.resolve("model.params").toString(), "--force");
        assertTrue(r.userError() && r.err().contains("reads"), r.toString());
        assertArrayEquals(params, Files.readAllBytes(dir.resolve("model.params")));

        r = CliRun.of("export", "--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("Usage: hwnas export") && r.out().contains("--verify"), r.toString());

        r = CliRun.of("export", dir.toString(), "--format", "tflite", "-o", tmp.resolve("x.tflite").toString());
        assertTrue(r.userError() && r.err().contains("--format"), r.toString());
        assertFalse(Files.exists(tmp.resolve("x.tflite")));
    }

    @Test
    void refusesWeightsOfAnotherArchitecture() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        subnet(a, "k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1", 2, false);
        subnet(b, "k5_e6 skip k3_e3 k3_e1 k3_e1 k3_e1 k3_e1", 3, false);
        Files.copy(b.resolve(SubnetIO.PARAMS_FILE), a.resolve(SubnetIO.PARAMS_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path onnx = tmp.resolve("mixed.onnx");
        CliRun r = CliRun.of("export", a.toString(), "-o", onnx.toString(), "--verify");
        assertTrue(r.userError() && r.err().contains(SubnetIO.PARAMS_FILE) && r.err().contains("k5_e6 skip"),
                r.toString());
        assertFalse(Files.exists(onnx));
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains("mixed")), "no temporary file left");
        }
    }

    @Test
    void anUnknownDatasetInOriginIsRefusedNamingTheFileAndField() throws Exception {
        Path dir = tmp.resolve("mnist");
        subnet(dir, "skip k5_e1 k3_e1_g2 k5_e1_g2 k3_e6 k5_e6 k3_e3", 4, false);
        Json.writeFile(dir.resolve(Origin.FILE), new Origin(1, "extracted", null, "argmax", "mnist", null, null, 0, 0,
                false, null));
        Path onnx = tmp.resolve("mnist.onnx");
        for (String[] args : new String[][] {{"export", dir.toString(), "-o", onnx.toString(), "--verify"},
                {"export", dir.toString(), "-o", onnx.toString()}, {"eval", dir.toString(), "--runs", "0"}}) {
            CliRun r = CliRun.of(args);
            assertTrue(r.userError() && r.err().contains(dir.resolve(Origin.FILE) + ": field 'dataset' = \"mnist\"")
                    && r.err().contains("fashion-mnist"), r.toString());
            assertFalse(Files.exists(onnx));
        }
        // --dataset overrides it
        CliRun r = CliRun.of("export", dir.toString(), "-o", onnx.toString(), "--dataset", "fmnist", "--verify",
                "--verify-images", "50");
        assertEquals(0, r.code(), r.toString());
    }

    @Test
    void verifyFindsTheDatasetWithoutOrigin() throws Exception {
        Path dir = tmp.resolve("plain");
        subnet(dir, "skip k5_e1 k3_e1_g2 k5_e1_g2 k3_e6 k5_e6 k3_e3", 4, false);
        Path onnx = tmp.resolve("plain.onnx");
        CliRun r = CliRun.of("export", dir.toString(), "-o", onnx.toString(), "--verify", "--verify-images", "50");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("on 50 fashion-mnist test images") && r.out().contains(": ok"), r.out());
    }
}
