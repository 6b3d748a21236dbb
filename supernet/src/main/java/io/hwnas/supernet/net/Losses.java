package io.hwnas.supernet.net;

import ai.djl.ndarray.NDArray;

/** Losses used in training steps. */
public final class Losses {
    private Losses() {}

    /**
     * Mean softmax cross-entropy of logits [B, classes] against int64 labels [B]; a scalar. Three
     * native ops (log-softmax, gather, mean) plus a negation, the same maths as DJL's
     * SoftmaxCrossEntropyLoss (which goes through an advanced-index pick) and PyTorch's
     * {@code F.cross_entropy}.
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        long b = logits.getShape().get(0);
        return logits.logSoftmax(1).gather(labels.reshape(b, 1), 1).mean().neg();
    }
}
