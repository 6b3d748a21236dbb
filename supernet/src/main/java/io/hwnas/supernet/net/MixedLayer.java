package io.hwnas.supernet.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.ops.OpBlock;
import io.hwnas.supernet.ops.Ops;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * One searchable layer of the supernet: every candidate op with its own weights (FBNet style), as
 * children named by op ("k3_e6", "skip", ...). Which op(s) run is always an explicit argument.
 */
public final class MixedLayer extends AbstractBlock implements SearchableLayer {
    private final LayerSpec layer;
    private final OpBlock[] ops;
    private final List<String> choices;

    public MixedLayer(LayerSpec layer, List<String> opNames) {
        this.layer = layer;
        this.choices = List.copyOf(opNames);
        ops = new OpBlock[opNames.size()];
        for (int k = 0; k < ops.length; k++) {
            ops[k] = addChildBlock(opNames.get(k), Ops.op(layer, OpSpec.parse(opNames.get(k))));
        }
    }

    @Override
    public LayerSpec layer() {
        return layer;
    }

    @Override
    public List<String> choices() {
        return choices;
    }

    public OpBlock op(int k) {
        return ops[k];
    }

    public int size() {
        return ops.length;
    }

    /** Only op {@code k}. */
    @Override
    public NDArray forward(ParameterStore ps, NDArray x, int k, boolean training) {
        return ops[k].forward(ps, x, training);
    }

    /**
     * Σ_k gate_k · op_k(x) for one row of gates ([ops]). When {@code skipZeros} (gates carry no
     * gradient), ops whose gate value is exactly 0 are not run.
     */
    @Override
    public NDArray forwardMixed(ParameterStore ps, NDArray x, NDArray gateRow, float[] gateValues,
            boolean skipZeros, boolean training) {
        NDArray sum = null;
        for (int k = 0; k < ops.length; k++) {
            if (skipZeros && gateValues[k] == 0f) {
                continue;
            }
            NDArray y = ops[k].forward(ps, x, training).mul(gateRow.get(k));
            sum = sum == null ? y : sum.add(y);
        }
        if (sum == null) {
            throw new IllegalArgumentException("layer " + layer.name() + ": every gate is 0");
        }
        return sum;
    }

    /** The trainable parameters of op {@code k}'s own block. */
    @Override
    public List<Parameter> parameters(int k) {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : BlockTree.parameters(ops[k]).values()) {
            if (BlockTree.trainable(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Copies op {@code k}'s tensors (weights and BN statistics) into {@code target} by path. */
    @Override
    public void extract(int k, Block target) {
        Subnets.copyByName(BlockTree.parameters(ops[k]), target);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        throw new UnsupportedOperationException(
                "a mixed layer runs through Supernet.forwardPath or Supernet.forwardMixed");
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (OpBlock op : ops) {
            op.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return ops[0].getOutputShapes(inputShapes);
    }
}
