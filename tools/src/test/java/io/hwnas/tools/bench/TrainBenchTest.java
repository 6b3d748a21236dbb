package io.hwnas.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainBenchTest {
    /**
     * Every mode's step frees what it made: the bench would otherwise report the leak (its peak grew
     * with the number of steps before the batch moved into the step's manager) and refuses to.
     */
    @Test
    void everyModeRunsWithoutLeavingArraysBehind() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        for (String mode : TrainBench.MODES) {
            TrainBench.Row r = TrainBench.measure(s, mode, 2, 2, 1, 1);
            assertEquals(mode, r.mode());
            assertTrue(r.msPerStep() > 0 && r.imagesPerS() > 0, mode + ": " + r);
        }
    }

    @Test
    void aLeakingStepIsRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new ai.djl.ndarray.types.Shape(4));
            List<NDArray> kept = new ArrayList<>();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TrainBench.time(1, 3,
                    step -> kept.add(x.add(1)), () -> m.getManagedArrays().size()));
            assertTrue(e.getMessage().contains("leaves arrays behind"), e.getMessage());
            double ms = TrainBench.time(1, 3, step -> {
                try (NDManager sm = m.newSubManager()) {
                    x.tempAttach(sm);
                    x.add(1);
                }
            }, () -> m.getManagedArrays().size());
            assertTrue(ms >= 0, "a step that frees what it makes is timed: " + ms);
        }
    }
}
