package io.hwnas.experiments.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.hwnas.search.train.EpochMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A sweep row's θ-pass figures come from the last epoch that ran θ steps, not from a weights-only epoch after it. */
class LatencySweepRowTest {
    private static EpochMetrics epoch(int e, Double thetaCe) {
        return new EpochMetrics(e, e == 1, 1.0, 0.1, 0.5, 0.8, thetaCe == null ? null : 0.1, thetaCe,
                thetaCe == null ? null : 0.7, null, 1.0, 1.0, "a", List.of(0.5), null, 1.0);
    }

    @Test
    void thetaFiguresOfTheLastEpochWithThetaSteps() {
        List<EpochMetrics> frozen = List.of(epoch(1, null), epoch(2, 0.42), epoch(3, 0.37), epoch(4, null),
                epoch(5, null));
        assertEquals(0.37, LatencySweep.lastThetaEpoch(frozen).thetaCe());
        assertEquals(3, LatencySweep.lastThetaEpoch(frozen).epoch());
        List<EpochMetrics> plain = List.of(epoch(1, null), epoch(2, 0.42), epoch(3, 0.37));
        assertSame(plain.get(2), LatencySweep.lastThetaEpoch(plain));
        List<EpochMetrics> warmOnly = List.of(epoch(1, null));
        assertSame(warmOnly.get(0), LatencySweep.lastThetaEpoch(warmOnly));
    }
}
