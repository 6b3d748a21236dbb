package io.hwnas.supernet.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.loss.Loss;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Losses.crossEntropy and SgdMomentum against hand-computed values and DJL's own loss. */
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

    /** Two steps of PyTorch's SGD (momentum 0.9, weight decay 0.1, lr 0.5) on w with loss sum(w * c). */
    @Test
    void sgdMomentumFollowsPyTorchAndZeroesGradients() {
        for (boolean plain : new boolean[] {false, true}) {
            try (NDManager m = NDManager.newBaseManager()) {
                Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(2)).optInitializer(Initializer.ONES).build();
                p.initialize(m, DataType.FLOAT32);
                NDArray c = m.create(new float[] {2f, -1f});
                SgdMomentum sgd = new SgdMomentum(m, 0.5f, 0.9f, 0.1f);
                double[] w = {1, 1};
                double[] buf = {0, 0};
                double[] cs = {2, -1};
                for (int step = 0; step < 3; step++) {
                    if (step == 2) {
                        sgd.setLearningRate(0.25f);
                    }
                    try (NDManager sm = m.newSubManager(); GradientCollector gc =
                            Engine.getInstance().newGradientCollector()) {
                        gc.backward(p.getArray().mul(c).sum());
                    }
                    if (plain) {
                        sgd.stepPlain(List.of(p));
                    } else {
                        sgd.step(List.of(p));
                    }
                    double lr = step == 2 ? 0.25 : 0.5;
                    for (int i = 0; i < 2; i++) {
                        double d = cs[i] + 0.1 * w[i];
                        buf[i] = step == 0 ? d : 0.9 * buf[i] + d;
                        w[i] -= lr * buf[i];
                    }
                    float[] got = p.getArray().toFloatArray();
                    assertArrayEquals(new float[] {(float) w[0], (float) w[1]}, got, 1e-5f,
                            (plain ? "plain" : "fused") + " step " + step);
                    assertArrayEquals(new float[] {0f, 0f}, p.getArray().getGradient().toFloatArray(),
                            "gradient zeroed");
                }
            }
        }
    }
}
