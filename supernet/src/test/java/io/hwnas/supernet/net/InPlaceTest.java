package io.hwnas.supernet.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

/**
 * {@link InPlace#copy}: values land in the target array itself, which keeps its type and gradient, also while
 * autograd records. (What it replaced, DJL's {@code copyTo}, made libtorch print a deprecation warning on
 * stderr once per process; that is not checked here.)
 */
class InPlaceTest {
    @Test
    void copiesValuesIntoTheSameArray() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray src = m.arange(24f).reshape(2, 3, 4);
            NDArray dst = m.zeros(new Shape(2, 3, 4));
            NDArray alias = dst;
            InPlace.copy(src, dst);
            assertArrayEquals(src.toFloatArray(), alias.toFloatArray());
            src.addi(1); // no sharing of storage afterwards
            assertEquals(0f, dst.getFloat(0, 0, 0));
        }
    }

    @Test
    void convertsToTheTargetType() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray src = m.create(new double[] {1.5, -2.25});
            NDArray dst = m.zeros(new Shape(2), DataType.FLOAT32);
            InPlace.copy(src, dst);
            assertEquals(DataType.FLOAT32, dst.getDataType());
            assertArrayEquals(new float[] {1.5f, -2.25f}, dst.toFloatArray());
        }
    }

    @Test
    void refusesAnotherShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> InPlace.copy(m.zeros(new Shape(2, 3)), m.zeros(new Shape(3, 2))));
            assertTrue(e.getMessage().contains("(2, 3)"), e.getMessage());
        }
    }

    @Test
    void aParameterLikeTargetStillTakesGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.zeros(new Shape(3));
            w.setRequiresGradient(true);
            InPlace.copy(m.create(new float[] {1f, 2f, 3f}), w);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray two = m.create(2f);
                gc.backward(w.mul(two).sum());
            }
            assertArrayEquals(new float[] {2f, 2f, 2f}, w.getGradient().toFloatArray());
            assertArrayEquals(new float[] {1f, 2f, 3f}, w.toFloatArray());
        }
    }

    @Test
    void copiesIntoAGradientTakingArrayWhileAutogradRecords() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.zeros(new Shape(3));
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                InPlace.copy(m.create(new float[] {4f, 5f, 6f}), w);
                NDArray two = m.create(2f);
                gc.backward(w.mul(two).sum());
            }
            assertArrayEquals(new float[] {4f, 5f, 6f}, w.toFloatArray());
            assertArrayEquals(new float[] {2f, 2f, 2f}, w.getGradient().toFloatArray());
        }
    }
}
