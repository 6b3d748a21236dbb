package io.hwnas.supernet.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/** A block with one input and one output, callable without NDList wrapping (the hot path). */
public interface OpBlock extends Block {
    NDArray forward(ParameterStore ps, NDArray x, boolean training);
}
