package io.hwnas.supernet.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.ops.OpBlock;
import io.hwnas.supernet.ops.Ops;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import java.util.List;

/**
 * One searchable layer of a supernet: it holds the weights of every candidate op of its layer (each
 * op its own, as {@link MixedLayer}, or shared between ops, as an elastic layer) and runs whichever
 * choice it is given. The choice is always an argument, never state of the layer.
 *
 * <p>Choices are indices into the space's op list ({@link #choices()}).
 */
public interface SearchableLayer extends Block {

    /** The layer of the space this block implements (shapes, stride, name). */
    LayerSpec layer();

    /** The candidate ops, in the space's order: choice k is {@code choices().get(k)}. */
    List<String> choices();

    /** Runs choice {@code k} alone. */
    NDArray forward(ParameterStore ps, NDArray x, int k, boolean training);

    /**
     * The gated mixture Σ_k gateRow[k] · op_k(x) for one row of gates ([ops]), differentiable in the
     * gates and the weights. When {@code skipZeros} (gates that carry no gradient, e.g. one-hot),
     * {@code gateValues} holds the gates' values and choices whose gate is exactly 0 need not run.
     */
    NDArray forwardMixed(ParameterStore ps, NDArray x, NDArray gateRow, float[] gateValues, boolean skipZeros,
            boolean training);

    /** The trainable parameters choice {@code k} uses (whole tensors, also when only a slice is used). */
    List<Parameter> parameters(int k);

    /**
     * Writes choice {@code k}'s weights and BN statistics into {@code target}: an initialized
     * standalone block of that op, as {@link Ops#op} builds it (the block a {@link FixedNet} holds).
     * In eval mode {@code target.forward(x)} then equals {@code forward(ps, x, k, false)}.
     */
    void extract(int k, Block target);

    /** Choice {@code k} as a new standalone block in {@code manager}, with its weights. */
    default OpBlock extract(int k, NDManager manager, DataType type) {
        LayerSpec l = layer();
        OpBlock b = Ops.op(l, OpSpec.parse(choices().get(k)));
        b.initialize(manager, type, new Shape(1, l.inChannels(), l.inHeight(), l.inWidth()));
        extract(k, b);
        return b;
    }
}
