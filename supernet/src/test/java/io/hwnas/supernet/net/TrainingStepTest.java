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

/** Losses.crossEntropy against hand-computed values and DJL's own loss; label smoothing's value and gradient. */
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

    @Test
    void smoothedLossAndGradientAreThoseOfTheSmoothedTargets() {
        double eps = 0.1;
        float[] z = {1f, 2f, 3f, 0f, 0f, 5f};
        long[] y = {2, 0};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(z, new Shape(2, 3));
            logits.setRequiresGradient(true);
            NDArray labels = m.create(y);
            float value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = Losses.smoothed(logits, Losses.crossEntropy(logits, labels), m.create((float) eps));
                value = loss.getFloat();
                gc.backward(loss);
            }
            float[] g = logits.getGradient().toFloatArray();
            double expected = 0;
            for (int b = 0; b < 2; b++) {
                double lse = 0;
                for (int c = 0; c < 3; c++) {
                    lse += Math.exp(z[b * 3 + c]);
                }
                lse = Math.log(lse);
                for (int c = 0; c < 3; c++) {
                    double target = (c == y[b] ? 1 - eps : 0) + eps / 3;
                    expected += -target * (z[b * 3 + c] - lse) / 2;
                    double softmax = Math.exp(z[b * 3 + c] - lse);
                    assertEquals((softmax - target) / 2, g[b * 3 + c], 1e-6, "gradient [" + b + ", " + c + "]");
                }
            }
            assertEquals(expected, value, 1e-5);
        }
    }
}
