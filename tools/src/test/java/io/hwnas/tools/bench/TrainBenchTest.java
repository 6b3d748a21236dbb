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

    /** Rounds combine into medians: a slow round moves the step time of no mode by itself. */
    @Test
    void roundsCombineIntoMedians() {
        TrainBench.Row r = TrainBench.combine(List.of(new TrainBench.Row("shared-single", 100, 640, 500L, null),
                new TrainBench.Row("shared-single", 300, 213, 700L, null), new TrainBench.Row("shared-single", 110, 582,
                        520L, null)), 64);
        assertEquals(110, r.msPerStep(), 1e-9);
        assertEquals(64 * 1000.0 / 110, r.imagesPerS(), 1e-9);
        assertEquals(520L, r.peakBytes());
        assertEquals(List.of(100.0, 300.0, 110.0), r.msRounds());
        TrainBench.Row even = TrainBench.combine(List.of(new TrainBench.Row("m", 100, 1, 10L, "a"),
                new TrainBench.Row("m", 200, 1, null, "a")), 64);
        assertEquals(150, even.msPerStep(), 1e-9);
        assertEquals(null, even.peakBytes(), "a round without a peak leaves the peak unknown");
    }
}
