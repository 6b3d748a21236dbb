package io.hwnas.supernet.export;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.hwnas.core.AtomicFiles;
import io.hwnas.core.HwnasException;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.ops.ConvBn;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Writes a standard ONNX model (opset {@value #OPSET}) of a fixed network, built from the search
 * space, the architecture and the named weights of a {@code FixedNet} (parameter paths of
 * {@link BlockTree#parameters}, e.g. {@code stage2.block0.k3_e6.dw.weight}); the graph reproduces
 * the blocks' eval-mode maths node for node:
 *
 * <ul>
 *   <li>{@code ConvBn}: {@code Conv} (no bias, padding K/2, stride, groups) → {@code BatchNormalization}
 *       (inference form, the running statistics, epsilon {@value ConvBn#EPS}) → {@code Relu} when the
 *       unit has one;</li>
 *   <li>{@code kK_eE[_gG]}: pw1, channel shuffle when G&gt;1 ({@code Reshape} [N, G, C/G, H, W] →
 *       {@code Transpose} (0, 2, 1, 3, 4) → {@code Reshape} [N, C, H, W]), dw, pw2, {@code Add} of the
 *       input when the op has a residual;</li>
 *   <li>{@code skip}: nothing (the tensor passes through), or its 1x1 projection unit;</li>
 *   <li>head: its unit, {@code GlobalAveragePool}, {@code Flatten}, {@code Gemm} with the FC weight
 *       transposed ({@code transB}) and its bias.</li>
 * </ul>
 *
 * <p>Input {@value #INPUT}: float [N, C, H, W] with a dynamic batch dimension N (the same
 * normalized images the DJL network takes); output {@value #OUTPUT} [N, classes]. Initializers keep
 * the parameter paths as names. The same space, architecture and weights give the same bytes (no
 * time stamps, fixed order). Single ops, the stem and the head can be written as graphs of their own
 * (input {@value #INPUT}, output {@value #PART_OUTPUT}) to time them in an ONNX runtime.
 */
public final class OnnxWriter {
    public static final int OPSET = 13;
    /** IR version 7 is the one of ONNX 1.8, which introduced opset 13. */
    public static final long IR_VERSION = 7;
    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";
    public static final String PART_OUTPUT = "output";
    public static final String BATCH_DIM = "N";
    public static final String PRODUCER = "hwnas";
    public static final String PRODUCER_VERSION = "0.1.0";

    private OnnxWriter() {}

    /** Where the writer takes a parameter's values from. */
    public interface Weights {
        /** The values of parameter {@code path} (row-major), which must have {@code shape}. */
        float[] get(String path, long[] shape);
    }

    /**
     * Weights by parameter path, each with its shape; remembers which were taken so a writer can
     * refuse parameters left over (weights of another architecture).
     */
    public static final class NamedWeights implements Weights {
        private final String source;
        private final Map<String, long[]> shapes = new LinkedHashMap<>();
        private final Map<String, float[]> values = new LinkedHashMap<>();
        private final Set<String> used = new HashSet<>();

        /** @param source what the weights are, for messages (e.g. a file or "the network") */
        public NamedWeights(String source) {
            this.source = source;
        }

        /** Every parameter of a network (running statistics included), by {@link BlockTree} path. */
        public static NamedWeights of(Block net, String source) {
            NamedWeights w = new NamedWeights(source);
            for (Map.Entry<String, Parameter> e : BlockTree.parameters(net).entrySet()) {
                Parameter p = e.getValue();
                if (!p.isInitialized()) {
                    throw new IllegalArgumentException("parameter " + e.getKey() + " of " + source + " is not initialized");
                }
                NDArray a = p.getArray();
                w.put(e.getKey(), a.getShape().getShape(), a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .toFloatArray());
            }
            return w;
        }

        public NamedWeights put(String path, long[] shape, float[] data) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException(path + ": " + data.length + " values for shape " + Arrays.toString(shape));
            }
            shapes.put(path, shape.clone());
            values.put(path, data);
            return this;
        }

        @Override
        public float[] get(String path, long[] shape) {
            long[] have = shapes.get(path);
            if (have == null) {
                throw new HwnasException(source + ": no parameter \"" + path + "\" (weights of another architecture?)");
            }
            if (!Arrays.equals(have, shape)) {
                throw new HwnasException(source + ": parameter \"" + path + "\" has shape " + Arrays.toString(have)
                        + ", the architecture needs " + Arrays.toString(shape));
            }
            used.add(path);
            return values.get(path);
        }

        /** Parameter paths not taken yet, in insertion order. */
        public List<String> unused() {
            List<String> out = new ArrayList<>();
            for (String k : shapes.keySet()) {
                if (!used.contains(k)) {
                    out.add(k);
                }
            }
            return out;
        }

        String source() {
            return source;
        }
    }

    /**
     * Seeded random weights for timing: N(0, 0.1) convolution and FC weights, gamma near 1, small
     * beta and running mean, running variance in [0.5, 1.5].
     */
    public static Weights random(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return (path, shape) -> {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            float[] v = new float[Math.toIntExact(n)];
            String leaf = path.substring(path.lastIndexOf('.') + 1);
            for (int i = 0; i < v.length; i++) {
                double g = gaussian(r);
                v[i] = (float) switch (leaf) {
                    case "gamma" -> 1 + 0.1 * g;
                    case "runningVar" -> 0.5 + r.nextDouble();
                    case "beta", "runningMean", "fcBias" -> 0.05 * g;
                    default -> 0.1 * g;
                };
            }
            return v;
        };
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble(); // (0, 1]
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    // ---------------------------------------------------------------- whole networks

    /** The model of a whole FixedNet of {@code a}; refuses weights that miss, misfit or exceed {@code a}'s. */
    public static ModelProto network(SearchSpace s, Architecture a, Weights w) {
        return network(s, a, w, Map.of());
    }

    /** {@link #network}, with more metadata properties (e.g. the input normalization), in the map's order. */
    public static ModelProto network(SearchSpace s, Architecture a, Weights w, Map<String, String> metadata) {
        a.check(s);
        Graph g = new Graph("hwnas_" + s.id(), w);
        g.input(INPUT, s.input().channels(), s.input().height(), s.input().width());
        String x = stem(g, s, INPUT);
        List<LayerSpec> layers = s.layers();
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            String op = a.ops().get(i);
            x = op(g, l, OpSpec.parse(op), l.name() + "." + op, x);
        }
        x = head(g, s, "head", x);
        g.finish(x, OUTPUT, s.head().classes());
        if (w instanceof NamedWeights nw && !nw.unused().isEmpty()) {
            List<String> extra = nw.unused();
            throw new HwnasException(nw.source() + ": " + extra.size() + " parameter(s) that architecture \"" + a.canonical()
                    + "\" does not have, e.g. \"" + extra.get(0) + "\" (weights of another architecture?)");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("hwnas.space", s.id());
        meta.put("hwnas.arch", a.canonical());
        meta.put("hwnas.input", "normalized images [N, " + s.input().channels() + ", " + s.input().height() + ", "
                + s.input().width() + "]");
        meta.putAll(metadata);
        return model(g, "hwnas " + s.id() + " | " + a.canonical(), meta);
    }

    /** {@link #network} from an initialized FixedNet of {@code a} (its parameters by path). */
    public static ModelProto network(SearchSpace s, Architecture a, Block net) {
        return network(s, a, NamedWeights.of(net, "network " + a.canonical()));
    }

    /** The model of one candidate op in one layer (parameter paths relative to the op: pw1.weight...). */
    public static ModelProto op(LayerSpec l, OpSpec op, Weights w) {
        op.checkFits(l);
        Graph g = new Graph("hwnas_" + l.name() + "_" + op.name(), w);
        g.input(INPUT, l.inChannels(), l.inHeight(), l.inWidth());
        String x = op(g, l, op, "", INPUT);
        g.finish(x, PART_OUTPUT, l.outChannels(), l.outHeight(), l.outWidth());
        return model(g, l.name() + " " + op.name(), Map.of());
    }

    /** The model of the stem alone (parameter paths weight, gamma...). */
    public static ModelProto stem(SearchSpace s, Weights w) {
        Graph g = new Graph("hwnas_stem", w);
        g.input(INPUT, s.input().channels(), s.input().height(), s.input().width());
        String x = convBn(g, "", INPUT, s.input().channels(), s.stem().channels(), s.stem().kernel(), s.stem().stride(),
                1, true);
        g.finish(x, PART_OUTPUT, s.stem().channels(), SearchSpace.convOut(s.input().height(), s.stem().stride()),
                SearchSpace.convOut(s.input().width(), s.stem().stride()));
        return model(g, s.id() + " stem", Map.of());
    }

    /** The model of the head alone (parameter paths conv.weight..., fcWeight, fcBias). */
    public static ModelProto head(SearchSpace s, Weights w) {
        Graph g = new Graph("hwnas_head", w);
        int[] hw = s.headInputSize();
        g.input(INPUT, s.lastChannels(), hw[0], hw[1]);
        String x = head(g, s, "", INPUT);
        g.finish(x, PART_OUTPUT, s.head().classes());
        return model(g, s.id() + " head", Map.of());
    }

    public static byte[] bytes(ModelProto m) {
        return m.toByteArray();
    }

    /** Writes a model atomically (a temporary sibling renamed into place). */
    public static void write(Path file, ModelProto m) {
        try {
            AtomicFiles.write(file, m::writeTo);
        } catch (IOException e) {
            throw new HwnasException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- the blocks' maths

    private static String stem(Graph g, SearchSpace s, String x) {
        return convBn(g, "stem", x, s.input().channels(), s.stem().channels(), s.stem().kernel(), s.stem().stride(), 1,
                true);
    }

    /** SkipOp or InvertedResidual of layer {@code l}, parameters under {@code prefix}. */
    private static String op(Graph g, LayerSpec l, OpSpec op, String prefix, String x) {
        int cin = l.inChannels();
        int cout = l.outChannels();
        if (op.isSkip()) { // a layer's projection shortcut has no ReLU (LayerSpec.hasShortcut)
            return l.needsProjection() ? convBn(g, join(prefix, "proj"), x, cin, cout, 1, l.stride(), 1,
                    !l.hasShortcut()) : x;
        }
        int mid = op.midChannels(cin);
        int groups = op.groups();
        String y = convBn(g, join(prefix, "pw1"), x, cin, mid, 1, 1, groups, true);
        if (groups > 1) {
            y = shuffle(g, join(prefix, "shuffle"), y, mid, groups, l.inHeight(), l.inWidth());
        }
        y = convBn(g, join(prefix, "dw"), y, mid, mid, op.kernel(), l.stride(), mid, true);
        y = convBn(g, join(prefix, "pw2"), y, mid, cout, 1, 1, groups, false);
        if (op.hasResidual(l)) {
            y = g.node("Add", join(prefix, "add"), List.of(y, x));
        } else if (l.hasShortcut()) {
            String s = convBn(g, join(prefix, "short"), x, cin, cout, 1, l.stride(), 1, false);
            y = g.node("Add", join(prefix, "add"), List.of(y, s));
        }
        return y;
    }

    /** Head: conv unit, global average pool, flatten, FC (x W^T + b). */
    private static String head(Graph g, SearchSpace s, String prefix, String x) {
        int ch = s.head().channels();
        int classes = s.head().classes();
        String y = convBn(g, join(prefix, "conv"), x, s.lastChannels(), ch, 1, 1, 1, true);
        y = g.node("GlobalAveragePool", join(prefix, "pool"), List.of(y));
        y = g.node("Flatten", join(prefix, "flatten"), List.of(y), Graph.attr("axis", 1));
        String wName = join(prefix, "fcWeight");
        String bName = join(prefix, "fcBias");
        g.initializer(wName, classes, ch);
        g.initializer(bName, classes);
        return g.node("Gemm", join(prefix, "fc"), List.of(y, wName, bName), Graph.attr("transB", 1));
    }

    /** ConvBn: Conv without bias, BatchNormalization with the running statistics, optional Relu. */
    private static String convBn(Graph g, String prefix, String x, int in, int out, int kernel, int stride, int groups,
            boolean relu) {
        String w = join(prefix, "weight");
        g.initializer(w, out, in / groups, kernel, kernel);
        int p = kernel / 2;
        String y = g.node("Conv", join(prefix, "conv"), List.of(x, w),
                Graph.ints("dilations", 1, 1), Graph.attr("group", groups), Graph.ints("kernel_shape", kernel, kernel),
                Graph.ints("pads", p, p, p, p), Graph.ints("strides", stride, stride));
        List<String> bnIn = new ArrayList<>();
        bnIn.add(y);
        for (String leaf : new String[] {"gamma", "beta", "runningMean", "runningVar"}) {
            String name = join(prefix, leaf);
            g.initializer(name, out);
            bnIn.add(name);
        }
        y = g.node("BatchNormalization", join(prefix, "bn"), bnIn, Graph.attr("epsilon", ConvBn.EPS));
        return relu ? g.node("Relu", join(prefix, "relu"), List.of(y)) : y;
    }

    /** ShuffleNet's channel shuffle on [N, C, H, W]: [N, G, C/G, H, W], swap G and C/G, back to [N, C, H, W]. */
    private static String shuffle(Graph g, String prefix, String x, int channels, int groups, int h, int w) {
        // 0 copies the (dynamic) batch dimension from the input
        String split = g.int64s(join(prefix, "split_shape"), 0, groups, channels / groups, h, w);
        String back = g.int64s(join(prefix, "merge_shape"), 0, channels, h, w);
        String y = g.node("Reshape", join(prefix, "split"), List.of(x, split));
        y = g.node("Transpose", join(prefix, "transpose"), List.of(y), Graph.ints("perm", 0, 2, 1, 3, 4));
        return g.node("Reshape", join(prefix, "merge"), List.of(y, back));
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    private static ModelProto model(Graph g, String doc, Map<String, String> meta) {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName(PRODUCER)
                .setProducerVersion(PRODUCER_VERSION)
                .setDocString(doc)
                .setGraph(g.build());
        meta.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    /** A graph under construction: nodes in forward order, initializers from the weights, unique names. */
    static final class Graph {
        private final GraphProto.Builder g = GraphProto.newBuilder();
        private final Weights weights;
        private final Set<String> names = new HashSet<>();

        Graph(String name, Weights weights) {
            this.weights = weights;
            g.setName(name);
        }

        static AttributeProto attr(String name, long v) {
            return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
        }

        static AttributeProto attr(String name, float v) {
            return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
        }

        static AttributeProto ints(String name, long... v) {
            AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (long x : v) {
                b.addInts(x);
            }
            return b.build();
        }

        private void claim(String name) {
            if (!names.add(name)) {
                throw new IllegalStateException("duplicate ONNX name " + name);
            }
        }

        void input(String name, long... chw) {
            claim(name);
            g.addInput(valueInfo(name, chw));
        }

        /** A float initializer with the weights' values of {@code path}. */
        void initializer(String path, long... shape) {
            float[] v = weights.get(path, shape);
            ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(v);
            claim(path);
            TensorProto.Builder t = TensorProto.newBuilder().setName(path).setDataType(TensorProto.DataType.FLOAT_VALUE);
            for (long d : shape) {
                t.addDims(d);
            }
            g.addInitializer(t.setRawData(ByteString.copyFrom(buf.array())));
        }

        /** A constant int64 vector (e.g. a Reshape target). */
        String int64s(String name, long... values) {
            claim(name);
            ByteBuffer buf = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.asLongBuffer().put(values);
            g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                    .addDims(values.length).setRawData(ByteString.copyFrom(buf.array())));
            return name;
        }

        /** Adds a node whose single output is named like the node; returns that name. */
        String node(String opType, String name, List<String> inputs, AttributeProto... attrs) {
            claim(name);
            NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(inputs).addOutput(name);
            for (AttributeProto a : attrs) {
                n.addAttribute(a);
            }
            g.addNode(n);
            return name;
        }

        /** Makes {@code last} the graph output {@code out} of shape [N, dims...]. */
        void finish(String last, String out, long... dims) {
            int n = g.getNodeCount();
            if (n > 0 && g.getNode(n - 1).getOutput(0).equals(last)) {
                claim(out);
                g.getNodeBuilder(n - 1).setOutput(0, out);
            } else {
                node("Identity", out, List.of(last)); // nothing computed (an identity skip): still one node
            }
            g.addOutput(valueInfo(out, dims));
        }

        private static ValueInfoProto valueInfo(String name, long... dims) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH_DIM));
            for (long d : dims) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
        }

        GraphProto build() {
            return g.build();
        }
    }
}
