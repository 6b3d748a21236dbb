package io.hwnas.supernet.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/** Losses used in training steps. */
public final class Losses {
    private static final Loss CE = Loss.softmaxCrossEntropyLoss();

    private Losses() {}

    /** Mean softmax cross-entropy of logits [B, classes] against int64 labels [B]; a scalar. */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        return CE.evaluate(new NDList(labels), new NDList(logits));
    }
}
