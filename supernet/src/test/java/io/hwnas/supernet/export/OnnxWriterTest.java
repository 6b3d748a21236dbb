package io.hwnas.supernet.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.hwnas.core.HwnasException;
import io.hwnas.supernet.TestNets;
import io.hwnas.supernet.net.FixedNet;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.ops.ConvBn;
import io.hwnas.supernet.ops.Ops;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** ONNX export of fixed networks and single ops, run in ONNX Runtime against DJL's eval-mode outputs. */
class OnnxWriterTest {
    static final double TOL = 1e-4;
    static final double FC_STD = 0.1;
    static OrtEnvironment env;
    static NDManager manager;

    @BeforeAll
    static void setUp() {
        env = OrtEnvironment.getEnvironment();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    static Stream<String> ids() {
        return SpaceRegistry.all().stream().map(SearchSpace::id);
    }

    /** Op (l + offset) mod 9 in layer l: with 7 layers, offsets 0 and 7 cover the nine ops; with 22, any offset does. */
    static Architecture rotated(SearchSpace s, int offset) {
        int[] idx = new int[s.layerCount()];
        for (int l = 0; l < idx.length; l++) {
            idx[l] = (l + offset) % s.ops().size();
        }
        return Architecture.ofIndices(s, idx);
    }

    /** Architectures of a space that together use every op (and, in the tiny spaces, every op in layer 0). */
    static List<Architecture> archs(SearchSpace s) {
        List<Architecture> out = new ArrayList<>();
        if (s.input().height() > 64) {
            out.add(rotated(s, 0));
        } else if (s.layerCount() >= s.ops().size() * 2) {
            out.add(rotated(s, 0));
            out.add(rotated(s, 4));
        } else {
            for (int off = 0; off < s.ops().size(); off++) {
                out.add(rotated(s, off));
            }
        }
        Set<String> used = new HashSet<>();
        out.forEach(a -> used.addAll(a.ops()));
        assertEquals(Set.copyOf(s.ops()), used, "the test architectures must cover every op");
        return out;
    }

    /** Random BN statistics and affine parameters (and FC bias), so BN is not the identity. */
    static void randomizeBn(Block net, long seed) {
        Random r = new Random(seed);
        for (ConvBn cb : BlockTree.convBns(net)) {
            int n = cb.outChannels();
            fill(cb.gamma(), n, () -> 0.5 + r.nextDouble());
            fill(cb.beta(), n, () -> 0.2 * r.nextGaussian());
            fill(cb.runningMean(), n, () -> 0.2 * r.nextGaussian());
            fill(cb.runningVar(), n, () -> 0.5 + 1.5 * r.nextDouble());
        }
        for (Map.Entry<String, Parameter> e : BlockTree.parameters(net).entrySet()) {
            if (e.getKey().endsWith("fcBias")) {
                fill(e.getValue(), (int) e.getValue().getArray().size(), () -> 0.1 * r.nextGaussian());
            }
            if (e.getKey().endsWith("fcWeight")) { // larger than the 0.01 init, so the logits show differences
                fill(e.getValue(), (int) e.getValue().getArray().size(), () -> FC_STD * r.nextGaussian());
            }
        }
    }

    private static void fill(Parameter p, int n, java.util.function.DoubleSupplier f) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = f.getAsDouble();
        }
        TestNets.setData(p.getArray(), v);
    }

    static float[] ort(byte[] model, NDArray x) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.setInterOpNumThreads(1);
            try (OrtSession sess = env.createSession(model, o)) {
                return run(sess, x);
            }
        }
    }

    static float[] run(OrtSession sess, NDArray x) throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), x.getShape().getShape());
                OrtSession.Result res = sess.run(Map.of(OnnxWriter.INPUT, t))) {
            OnnxTensor y = (OnnxTensor) res.get(0);
            FloatBuffer fb = y.getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length, "output sizes");
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @ParameterizedTest
    @MethodSource("ids")
    void exportedNetworkMatchesDjlInOnnxRuntime(String id) throws OrtException {
        SearchSpace s = SpaceRegistry.get(id);
        boolean big = s.input().height() > 64;
        long seed = 1;
        for (Architecture a : archs(s)) {
            try (NDManager m = manager.newSubManager()) {
                SequentialBlock net = FixedNet.build(s, a);
                Shape one = new Shape(1, s.input().channels(), s.input().height(), s.input().width());
                net.initialize(m, DataType.FLOAT32, one);
                randomizeBn(net, seed++);
                ModelProto model = OnnxWriter.network(s, a, net);
                assertEquals(OnnxWriter.OPSET, model.getOpsetImport(0).getVersion());
                byte[] bytes = OnnxWriter.bytes(model);
                try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                    o.setIntraOpNumThreads(1);
                    try (OrtSession sess = env.createSession(bytes, o)) {
                        assertEquals(List.of(OnnxWriter.INPUT), List.copyOf(sess.getInputNames()));
                        assertEquals(List.of(OnnxWriter.OUTPUT), List.copyOf(sess.getOutputNames()));
                        for (int batch : big ? new int[] {1} : new int[] {1, 3}) {
                            Shape in = new Shape(batch, s.input().channels(), s.input().height(), s.input().width());
                            NDArray x = TestNets.random(m, in, DataType.FLOAT32, seed++);
                            float[] want = TestNets.forward(m, net, x, false).toFloatArray();
                            float[] got = run(sess, x);
                            assertEquals((long) batch * s.head().classes(), got.length, a + " batch " + batch);
                            double d = maxAbsDiff(want, got);
                            assertTrue(d <= TOL, id + " | " + a + " | batch " + batch + ": max |ORT - DJL| = " + d
                                    + " (outputs up to " + maxAbs(want) + ")");
                            assertTrue(maxAbs(want) > 0.3, "logits must not be trivially small: " + maxAbs(want));
                        }
                    }
                }
            }
        }
    }

    /** Every op of every layer of a tiny space as its own graph, with the DJL block's weights: same outputs. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"fbnet-cifar-tiny", "fbnet-cifar-tiny-shortcut"})
    void singleOpGraphsMatchTheirBlocks(String id) throws OrtException {
        SearchSpace s = SpaceRegistry.get(id);
        long seed = 100;
        for (LayerSpec l : s.layers()) {
            for (String name : s.ops()) {
                OpSpec op = OpSpec.parse(name);
                try (NDManager m = manager.newSubManager()) {
                    Block b = Ops.op(l, op);
                    Shape in = new Shape(2, l.inChannels(), l.inHeight(), l.inWidth());
                    b.initialize(m, DataType.FLOAT32, in);
                    randomizeBn(b, seed++);
                    ModelProto model = OnnxWriter.op(l, op, OnnxWriter.NamedWeights.of(b, l.name() + " " + name));
                    NDArray x = TestNets.random(m, in, DataType.FLOAT32, seed++);
                    float[] want = TestNets.forward(m, b, x, false).toFloatArray();
                    double d = maxAbsDiff(want, ort(OnnxWriter.bytes(model), x));
                    assertTrue(d <= TOL, l.name() + " " + name + ": max |ORT - DJL| = " + d);
                }
            }
        }
        try (NDManager m = manager.newSubManager()) {
            Block stem = Ops.stem(s);
            Shape in = new Shape(2, s.input().channels(), s.input().height(), s.input().width());
            stem.initialize(m, DataType.FLOAT32, in);
            randomizeBn(stem, 7);
            NDArray x = TestNets.random(m, in, DataType.FLOAT32, 8);
            assertTrue(maxAbsDiff(TestNets.forward(m, stem, x, false).toFloatArray(),
                    ort(OnnxWriter.bytes(OnnxWriter.stem(s, OnnxWriter.NamedWeights.of(stem, "stem"))), x)) <= TOL);
            Block head = Ops.head(s);
            int[] hw = s.headInputSize();
            Shape hin = new Shape(2, s.lastChannels(), hw[0], hw[1]);
            head.initialize(m, DataType.FLOAT32, hin);
            randomizeBn(head, 9);
            NDArray hx = TestNets.random(m, hin, DataType.FLOAT32, 10);
            assertTrue(maxAbsDiff(TestNets.forward(m, head, hx, false).toFloatArray(),
                    ort(OnnxWriter.bytes(OnnxWriter.head(s, OnnxWriter.NamedWeights.of(head, "head"))), hx)) <= TOL);
        }
    }

    @Test
    void randomWeightPartsRunWithTheirShapes() throws OrtException {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        LayerSpec l = s.layers().get(0); // 8 -> 8, stride 1: the identity skip is an Identity node
        try (NDManager m = manager.newSubManager()) {
            NDArray x = TestNets.random(m, new Shape(2, l.inChannels(), l.inHeight(), l.inWidth()), DataType.FLOAT32, 3);
            float[] y = ort(OnnxWriter.bytes(OnnxWriter.op(l, OpSpec.parse("skip"), OnnxWriter.random(1))), x);
            assertArrayEquals(x.toFloatArray(), y);
            float[] z = ort(OnnxWriter.bytes(OnnxWriter.op(l, OpSpec.parse("k5_e3"), OnnxWriter.random(1))), x);
            assertEquals(2L * l.outChannels() * l.outHeight() * l.outWidth(), z.length);
        }
        assertArrayEquals(OnnxWriter.bytes(OnnxWriter.head(s, OnnxWriter.random(5))),
                OnnxWriter.bytes(OnnxWriter.head(s, OnnxWriter.random(5))));
    }

    @Test
    void sameInputSameBytes(@TempDir Path dir) throws Exception {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        Architecture a = rotated(s, 1); // k3_e1_g2 first: a shuffle
        try (NDManager m = manager.newSubManager()) {
            SequentialBlock net = FixedNet.build(s, a);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
            randomizeBn(net, 3);
            OnnxWriter.write(dir.resolve("a.onnx"), OnnxWriter.network(s, a, net));
            OnnxWriter.write(dir.resolve("b.onnx"), OnnxWriter.network(s, a, net));
            byte[] first = Files.readAllBytes(dir.resolve("a.onnx"));
            assertArrayEquals(first, Files.readAllBytes(dir.resolve("b.onnx")));
            ModelProto back = ModelProto.parseFrom(first);
            assertEquals("hwnas", back.getProducerName());
            Set<String> types = new HashSet<>();
            for (NodeProto n : back.getGraph().getNodeList()) {
                types.add(n.getOpType());
            }
            assertTrue(types.containsAll(List.of("Conv", "BatchNormalization", "Relu", "Reshape", "Transpose", "Add",
                    "GlobalAveragePool", "Flatten", "Gemm")), types.toString());
            assertEquals(OnnxWriter.BATCH_DIM,
                    back.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        }
    }

    @Test
    void refusesWeightsOfAnotherArchitecture() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        Architecture a = rotated(s, 0);
        Architecture b = rotated(s, 2);
        try (NDManager m = manager.newSubManager()) {
            SequentialBlock net = FixedNet.build(s, a);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 1, 28, 28));
            HwnasException e = assertThrows(HwnasException.class, () -> OnnxWriter.network(s, b, net));
            assertTrue(e.getMessage().contains("no parameter"), e.getMessage());

            // same parameter names, one with the wrong shape
            OnnxWriter.NamedWeights w = OnnxWriter.NamedWeights.of(net, "w");
            OnnxWriter.NamedWeights bad = new OnnxWriter.NamedWeights("bad.params");
            for (var en : BlockTree.parameters(net).entrySet()) {
                long[] shape = en.getValue().getShape().getShape();
                if (en.getKey().equals("head.fcBias")) {
                    bad.put(en.getKey(), new long[] {shape[0] + 1}, new float[(int) shape[0] + 1]);
                } else {
                    bad.put(en.getKey(), shape, w.get(en.getKey(), shape));
                }
            }
            e = assertThrows(HwnasException.class, () -> OnnxWriter.network(s, a, bad));
            assertTrue(e.getMessage().contains("head.fcBias") && e.getMessage().contains("bad.params"), e.getMessage());

            // every needed parameter, plus one the architecture does not have
            OnnxWriter.NamedWeights extra = OnnxWriter.NamedWeights.of(net, "extra.params");
            extra.put("stage0.block0.k5_e6.pw1.weight", new long[] {1}, new float[1]);
            e = assertThrows(HwnasException.class, () -> OnnxWriter.network(s, a, extra));
            assertTrue(e.getMessage().contains("does not have"), e.getMessage());
        }
    }
}
