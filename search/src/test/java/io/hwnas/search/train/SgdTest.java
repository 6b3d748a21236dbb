package io.hwnas.search.train;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sgd follows PyTorch's SGD (momentum, coupled weight decay) and its state survives a checkpoint. */
class SgdTest {
    /** Three steps (momentum 0.9, weight decay 0.1, lr 0.5 then 0.25) on w with loss sum(w * c). */
    @Test
    void followsPyTorchSemanticsAndRestoresItsState() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(2)).optInitializer(Initializer.ONES).build();
            p.initialize(m, DataType.FLOAT32);
            NDArray c = m.create(new float[] {2f, -1f});
            Map<String, String> keys = Map.of(p.getId(), "w");
            Sgd sgd = new Sgd(m, 0.9, 0.1);
            double[] w = {1, 1};
            double[] buf = {0, 0};
            double[] cs = {2, -1};
            for (int step = 0; step < 3; step++) {
                if (step == 2) {
                    // a resumed run: a fresh optimizer loaded from the saved state
                    NDList saved = sgd.state();
                    Sgd resumed = new Sgd(m, 0.9, 0.1);
                    resumed.load(saved);
                    assertEquals(1, resumed.size());
                    sgd = resumed;
                }
                Nets.zeroGrads(List.of(p));
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(p.getArray().mul(c).sum());
                }
                double lr = step == 2 ? 0.25 : 0.5;
                sgd.update(List.of(p), keys, lr);
                for (int i = 0; i < 2; i++) {
                    double d = cs[i] + 0.1 * w[i];
                    buf[i] = step == 0 ? d : 0.9 * buf[i] + d;
                    w[i] -= lr * buf[i];
                }
                assertArrayEquals(new float[] {(float) w[0], (float) w[1]}, p.getArray().toFloatArray(), 1e-5f,
                        "step " + step);
            }
            Nets.zeroGrads(List.of(p));
            assertArrayEquals(new float[] {0f, 0f}, p.getArray().getGradient().toFloatArray(), "gradient zeroed");
        }
    }
}
