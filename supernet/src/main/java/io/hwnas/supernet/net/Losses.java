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

    /**
     * Label smoothing (Szegedy et al. 2016): {@code (1 - ε) · CE + ε · mean over classes of -log_softmax(z)}, the
     * cross-entropy against targets with ε spread evenly over the classes, from {@code ce}, the plain
     * {@link #crossEntropy} of the same logits. {@code eps} is an NDArray scalar kept alive until backward
     * ({@code mul(Number)} frees its scalar before backward reads it).
     */
    public static NDArray smoothed(NDArray logits, NDArray ce, NDArray eps) {
        return ce.add(logits.logSoftmax(1).mean().neg().sub(ce).mul(eps));
    }

    /**
     * Mean cross-entropy of logits [B, classes] against soft targets [B, classes] (rows on the
     * simplex, e.g. a teacher's softmax, detached): {@code -mean_b Σ_c t[b,c] · log_softmax(z)[b,c]}.
     * In-place distillation's loss (OFA, BigNAS). NDArray-NDArray ops only.
     */
    public static NDArray softCrossEntropy(NDArray logits, NDArray targets) {
        return logits.logSoftmax(1).mul(targets).sum(new int[] {1}).mean().neg();
    }
}
