package io.hwnas.search.train;

import io.hwnas.supernet.net.Losses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.datasets.Augment;
import io.hwnas.datasets.Batch;
import io.hwnas.datasets.Batches;
import io.hwnas.datasets.ImageSet;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hand-written SGD step decreases the loss of a supernet path on a fixed batch (it can fail). */
class SgdLearnsTest {
    @Test
    void lossFallsOnARepeatedBatch() {
        SearchSpace s = SpaceRegistry.resolve(SupernetTrainerTest.SPACE_FILE.toString());
        ImageSet set = TrainData.load("fashion-mnist", null, true, 64, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            Supernet net = new Supernet(s);
            net.initialize(m, DataType.FLOAT32, new Shape(2, 1, 28, 28));
            Map<String, String> keys = Nets.keys(net);
            int[] path = new int[s.layerCount()];
            List<Parameter> ps = net.weights(path);
            Batches bs = new Batches(set, 64, false, Augment.NONE, 1, 0);
            float first = Float.NaN;
            float last = Float.NaN;
            try (Sgd sgd = new Sgd(m, 0.9, 0); Batch b = bs.batch(m, 0)) {
                for (int i = 0; i < 20; i++) {
                    try (NDManager sm = m.newSubManager()) {
                        Nets.zeroGrads(ps);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray logits = net.forwardPath(new ParameterStore(sm, false), b.x(), path, true);
                            NDArray loss = Losses.crossEntropy(logits, b.y());
                            last = loss.getFloat();
                            if (i == 0) {
                                first = last;
                            }
                            gc.backward(loss);
                        }
                        sgd.update(ps, keys, 0.1);
                    }
                }
            }
            assertTrue(last < first * 0.8, "loss " + first + " -> " + last);
        }
    }
}
