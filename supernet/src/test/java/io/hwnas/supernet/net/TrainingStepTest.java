package io.hwnas.supernet.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import org.junit.jupiter.api.Test;

/** Losses.crossEntropy against hand-computed values and DJL's own loss. */
class TrainingStepTest {
    @Test
    void crossEntropyMatchesDjlAndHandComputed() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {1f, 2f, 3f, 0f, 0f, 5f}, new Shape(2, 3));
            NDArray labels = m.create(new long[] {2, 0});
            float ours = Losses.crossEntropy(logits, labels).getFloat();
            float djl = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(logits)).getFloat();
            double l0 = -(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
            double l1 = -(0 - Math.log(2 + Math.exp(5)));
            assertEquals((l0 + l1) / 2, ours, 1e-5);
            assertEquals(djl, ours, 1e-5);
        }
    }

    @Test
    void crossEntropyGradientIsSoftmaxMinusOneHotOverBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {1f, 2f, 3f, 0f, 0f, 5f}, new Shape(2, 3));
            logits.setRequiresGradient(true);
            NDArray labels = m.create(new long[] {2, 0});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(Losses.crossEntropy(logits, labels));
            }
            float[] g = logits.getGradient().toFloatArray();
            double z0 = Math.exp(1) + Math.exp(2) + Math.exp(3);
            assertEquals((Math.exp(3) / z0 - 1) / 2, g[2], 1e-6);
            assertEquals((1 / (2 + Math.exp(5)) - 1) / 2, g[3], 1e-6);
            assertEquals(Math.exp(5) / (2 + Math.exp(5)) / 2, g[5], 1e-6);
        }
    }
}
