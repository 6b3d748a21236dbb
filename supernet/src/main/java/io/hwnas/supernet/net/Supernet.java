package io.hwnas.supernet.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.ops.ConvBn;
import io.hwnas.supernet.ops.Head;
import io.hwnas.supernet.ops.Ops;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.HwnasException;
import java.util.ArrayList;
import java.util.List;

/**
 * A supernet: "stem", one {@link SearchableLayer} per searchable layer of the space (named
 * {@code stage{i}.block{j}}), "head". It is weights only: which op(s) run is always an argument
 * (a path of op indices, or gates [layers, ops]); the architecture logits θ belong to the search
 * that optimizes them. The layers come from a {@link LayerFactory}: {@link #PER_OP} builds FBNet's
 * {@link MixedLayer} (every candidate op with its own weights). Parameter paths
 * ({@link BlockTree#parameters}) of per-op layers match those of {@link FixedNet}: e.g.
 * {@code stage2.block0.k3_e6.dw.weight}.
 */
public final class Supernet extends AbstractBlock {
    /** Builds the searchable layer of one layer of the space from its candidate ops. */
    @FunctionalInterface
    public interface LayerFactory {
        SearchableLayer create(LayerSpec layer, List<String> ops);
    }

    /** FBNet's per-op layers: every candidate op with its own weights. */
    public static final LayerFactory PER_OP = MixedLayer::new;

    /**
     * The layer factory of a supernet kind: "per-op" (FBNet: every op its own weights), "shared" (one
     * weight set per layer, {@link ElasticLayer} with one project BN per op: the soft mixture is exact
     * in training mode too, one project conv per kernel size) or "shared-masked" (one shared project
     * BN: one project conv on channel-masked activations, exact in eval mode only) or
     * "shared-superkernel" (one project BN and one depthwise BN for all kernel sizes: the mixture also
     * mixes the kernel sizes inside one depthwise weight, so it runs one conv of each kind; an
     * approximation wherever two kernel sizes have nonzero gates).
     */
    public static LayerFactory layers(String kind) {
        return switch (kind) {
            case "per-op" -> PER_OP;
            case "shared" -> (l, ops) -> new ElasticLayer(l, ops, ElasticLayer.ProjectBn.PER_CHOICE);
            case "shared-masked" -> (l, ops) -> new ElasticLayer(l, ops, ElasticLayer.ProjectBn.SHARED);
            case "shared-superkernel" -> (l, ops) -> new ElasticLayer(l, ops, ElasticLayer.ProjectBn.SUPERKERNEL);
            default -> throw new HwnasException("field 'supernet' = \"" + kind + "\": must be shared, shared-masked,"
                    + " shared-superkernel or per-op");
        };
    }

    /** The path of the largest subnet: per layer the op with the most MACs (all {@code k5_e6} in FBNet's space). */
    public static int[] largestPath(SearchSpace space) {
        return extremePath(space, true);
    }

    /** The path of the smallest subnet: per layer the op with the fewest MACs (skip where it is the identity). */
    public static int[] smallestPath(SearchSpace space) {
        return extremePath(space, false);
    }

    /**
     * Per op of the space: whether it is dense ({@code kK_eE}: neither {@code skip} nor a grouped op),
     * the ops a progressive-shrinking stage samples first.
     */
    public static boolean[] denseOps(SearchSpace space) {
        boolean[] dense = new boolean[space.ops().size()];
        for (int k = 0; k < dense.length; k++) {
            io.hwnas.supernet.space.OpSpec op = io.hwnas.supernet.space.OpSpec.parse(space.ops().get(k));
            dense[k] = !op.isSkip() && op.groups() == 1;
        }
        return dense;
    }

    /** Whether {@code space} has a dense op ({@code kK_eE}: no skip, no grouped op; {@link #denseOps}). */
    public static boolean hasDenseOp(SearchSpace space) {
        for (boolean d : denseOps(space)) {
            if (d) {
                return true;
            }
        }
        return false;
    }

    /** The smallest subnet among dense ops only ({@link #denseOps}): per layer the dense op with the fewest MACs. */
    public static int[] smallestDensePath(SearchSpace space) {
        return extremePath(space, false, denseOps(space));
    }

    private static int[] extremePath(SearchSpace space, boolean largest) {
        boolean[] all = new boolean[space.ops().size()];
        java.util.Arrays.fill(all, true);
        return extremePath(space, largest, all);
    }

    /** Per layer the op among {@code allowed} with the most (largest) or fewest MACs. */
    private static int[] extremePath(SearchSpace space, boolean largest, boolean[] allowed) {
        int[] path = new int[space.layerCount()];
        for (LayerSpec l : space.layers()) {
            long best = largest ? Long.MIN_VALUE : Long.MAX_VALUE;
            for (int k = 0; k < space.ops().size(); k++) {
                if (!allowed[k]) {
                    continue;
                }
                long macs = io.hwnas.supernet.space.Costs.op(l, io.hwnas.supernet.space.OpSpec.parse(space.ops().get(k)))
                        .macs();
                if (largest ? macs > best : macs < best) {
                    best = macs;
                    path[l.index()] = k;
                }
            }
        }
        return path;
    }

    private final SearchSpace space;
    private final ConvBn stem;
    private final SearchableLayer[] layers;
    private final Head head;

    /** A supernet of FBNet's per-op layers. */
    public Supernet(SearchSpace space) {
        this(space, PER_OP);
    }

    public Supernet(SearchSpace space, LayerFactory factory) {
        this.space = space;
        stem = addChildBlock("stem", Ops.stem(space));
        List<LayerSpec> ls = space.layers();
        layers = new SearchableLayer[ls.size()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = addChildBlock(ls.get(i).name(), factory.create(ls.get(i), space.ops()));
        }
        head = addChildBlock("head", Ops.head(space));
    }

    /** The input shape [batch, C, H, W] of a space's networks. */
    public static Shape inputShape(SearchSpace space, long batch) {
        return new Shape(batch, space.input().channels(), space.input().height(), space.input().width());
    }

    public SearchSpace space() {
        return space;
    }

    public ConvBn stem() {
        return stem;
    }

    public Head head() {
        return head;
    }

    public SearchableLayer layer(int i) {
        return layers[i];
    }

    public int layerCount() {
        return layers.length;
    }

    /**
     * Layer output = Σ_k gates[l,k] · op_k(x) over all ops, with {@code gates} [layers, ops]. Every op
     * runs, so gradients reach θ through any gates computed from it (DJL's {@code hasGradient()} is
     * false for derived arrays, so it cannot tell whether skipping is safe).
     */
    public NDArray forwardMixed(ParameterStore ps, NDArray x, NDArray gates, boolean training) {
        return forwardMixed(ps, x, gates, training, false);
    }

    /**
     * As {@link #forwardMixed(ParameterStore, NDArray, NDArray, boolean)}; with
     * {@code skipZeroGates} the ops whose gate is exactly 0 are not run: only for gates that carry
     * no gradient (e.g. one-hot or sparse gates built from numbers).
     */
    public NDArray forwardMixed(ParameterStore ps, NDArray x, NDArray gates, boolean training,
            boolean skipZeroGates) {
        Shape gs = gates.getShape();
        if (gs.dimension() != 2 || gs.get(0) != layers.length || gs.get(1) != space.ops().size()) {
            throw new IllegalArgumentException("gates must be [" + layers.length + ", " + space.ops().size()
                    + "], got " + gs);
        }
        float[] values = skipZeroGates ? gates.toType(DataType.FLOAT32, false).toFloatArray() : null;
        int k = space.ops().size();
        NDArray y = stem.forward(ps, x, training);
        for (int l = 0; l < layers.length; l++) {
            float[] row = null;
            if (skipZeroGates) {
                row = new float[k];
                System.arraycopy(values, l * k, row, 0, k);
            }
            y = layers[l].forwardMixed(ps, y, gates.get(l), row, skipZeroGates, training);
        }
        return head.forward(ps, y, training);
    }

    /** One op per layer ({@code path[l]} indexes {@code space.ops()}). */
    public NDArray forwardPath(ParameterStore ps, NDArray x, int[] path, boolean training) {
        checkPath(path);
        NDArray y = stem.forward(ps, x, training);
        for (int l = 0; l < layers.length; l++) {
            y = layers[l].forward(ps, y, path[l], training);
        }
        return head.forward(ps, y, training);
    }

    /** A supernet has no architecture of its own: run it through {@link #forwardPath} or {@link #forwardMixed}. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        throw new UnsupportedOperationException("a supernet runs a given architecture: use forwardPath(ps, x, path,"
                + " training) or forwardMixed(ps, x, gates, training)");
    }

    /** Every trainable parameter (BN running statistics excluded). */
    public List<Parameter> weights() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : BlockTree.parameters(this).values()) {
            if (BlockTree.trainable(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** The trainable parameters that run on this path: stem, the chosen ops' (whole tensors), head. */
    public List<Parameter> weights(int[] path) {
        checkPath(path);
        List<Parameter> out = new ArrayList<>();
        addTrainable(stem, out);
        for (int l = 0; l < layers.length; l++) {
            out.addAll(layers[l].parameters(path[l]));
        }
        addTrainable(head, out);
        return out;
    }

    private static void addTrainable(ai.djl.nn.Block b, List<Parameter> out) {
        for (Parameter p : BlockTree.parameters(b).values()) {
            if (BlockTree.trainable(p)) {
                out.add(p);
            }
        }
    }

    /** The data type of the (initialized) weights. */
    public DataType dataType() {
        NDArray a = stem.getParameters().get(0).getValue().getArray();
        if (a == null) {
            throw new IllegalStateException("the supernet is not initialized");
        }
        return a.getDataType();
    }

    private void checkPath(int[] path) {
        if (path == null || path.length != layers.length) {
            throw new HwnasException("path has " + (path == null ? 0 : path.length) + " entries; space "
                    + space.id() + " has " + layers.length + " layers");
        }
        for (int l = 0; l < path.length; l++) {
            if (path[l] < 0 || path[l] >= space.ops().size()) {
                throw new HwnasException("path[" + l + "] = " + path[l] + ": must be 0.." + (space.ops().size() - 1));
            }
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long b = inputShapes[0].get(0);
        stem.initialize(manager, dataType, inputShapes);
        for (SearchableLayer ml : layers) {
            LayerSpec l = ml.layer();
            ml.initialize(manager, dataType, new Shape(b, l.inChannels(), l.inHeight(), l.inWidth()));
        }
        int[] hw = space.headInputSize();
        head.initialize(manager, dataType, new Shape(b, space.lastChannels(), hw[0], hw[1]));
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (in.dimension() != 4 || in.get(1) != space.input().channels() || in.get(2) != space.input().height()
                || in.get(3) != space.input().width()) {
            throw new IllegalArgumentException("space " + space.id() + " takes [B, " + space.input().channels() + ", "
                    + space.input().height() + ", " + space.input().width() + "], got " + in);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), space.head().classes())};
    }
}
