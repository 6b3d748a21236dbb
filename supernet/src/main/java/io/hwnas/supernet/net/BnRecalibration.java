package io.hwnas.supernet.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.ops.ConvBn;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * BatchNorm recalibration: running statistics recomputed as the exact average, over the given
 * batches, of each batch's statistics (per-channel mean, and variance with PyTorch's unbiased
 * n/(n-1) correction, as PyTorch's running_var uses), i.e. PyTorch's {@code momentum=None}.
 * Nothing but the running statistics changes.
 */
public final class BnRecalibration {
    private BnRecalibration() {}

    /** Every BN of {@code net} (a standalone network: every BN runs on each forward, e.g. a FixedNet). */
    public static void recalibrate(Block net, Iterable<NDArray> batches) {
        recalibrate(BlockTree.convBns(net),
                (ps, x) -> net.forward(ps, new NDList(x), true).singletonOrThrow(), batches);
    }

    /**
     * The BNs on one path of a per-op supernet (stem, the chosen ops, head); other BNs are left
     * alone. Layers whose BN is shared between choices cannot be recalibrated in place for one
     * choice: extract the subnet and recalibrate that.
     */
    public static void recalibrate(Supernet net, int[] path, Iterable<NDArray> batches) {
        List<ConvBn> bns = new ArrayList<>(BlockTree.convBns(net.stem()));
        for (int l = 0; l < net.layerCount(); l++) {
            if (!(net.layer(l) instanceof MixedLayer ml)) {
                throw new UnsupportedOperationException("layer " + net.layer(l).layer().name() + " shares its BN"
                        + " between choices: extract the subnet (Subnets.extract) and recalibrate it instead");
            }
            bns.addAll(BlockTree.convBns(ml.op(path[l])));
        }
        bns.addAll(BlockTree.convBns(net.head()));
        recalibrate(bns, (ps, x) -> net.forwardPath(ps, x, path, true), batches);
    }

    static void recalibrate(List<ConvBn> bns, BiFunction<ParameterStore, NDArray, NDArray> forward,
            Iterable<NDArray> batches) {
        if (bns.isEmpty()) {
            return;
        }
        float[] momenta = new float[bns.size()];
        NDManager owner = bns.get(0).runningMean().getArray().getManager();
        try (NDManager acc = owner.newSubManager()) {
            NDArray[] meanSum = new NDArray[bns.size()];
            NDArray[] varSum = new NDArray[bns.size()];
            for (int i = 0; i < bns.size(); i++) {
                ConvBn b = bns.get(i);
                momenta[i] = b.momentum();
                b.setMomentum(1f); // running stats := this batch's stats
                meanSum[i] = acc.zeros(b.runningMean().getArray().getShape(), b.runningMean().getArray().getDataType());
                varSum[i] = acc.zeros(b.runningVar().getArray().getShape(), b.runningVar().getArray().getDataType());
            }
            int n = 0;
            try {
                for (NDArray x : batches) {
                    try (NDManager step = x.getManager().newSubManager()) {
                        NDArray xs = x.duplicate();
                        xs.attach(step);
                        // weights detached: a forward pass only (no graph), in NCHW like inference (Layout)
                        forward.apply(new DetachedWeights(step), xs);
                        for (int i = 0; i < bns.size(); i++) {
                            meanSum[i].addi(bns.get(i).runningMean().getArray());
                            varSum[i].addi(bns.get(i).runningVar().getArray());
                        }
                    }
                    n++;
                }
                if (n == 0) {
                    throw new IllegalArgumentException("BN recalibration needs at least one batch");
                }
                NDArray count = acc.create((double) n);
                for (int i = 0; i < bns.size(); i++) {
                    NDArray rm = bns.get(i).runningMean().getArray();
                    NDArray rv = bns.get(i).runningVar().getArray();
                    InPlace.copy(meanSum[i].div(count.toType(rm.getDataType(), false)), rm);
                    InPlace.copy(varSum[i].div(count.toType(rv.getDataType(), false)), rv);
                }
            } finally {
                for (int i = 0; i < bns.size(); i++) {
                    bns.get(i).setMomentum(momenta[i]);
                }
            }
        }
    }
}
