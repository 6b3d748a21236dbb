package io.hwnas.search.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a run stopped by a signal says continues it: the training's own resume, or the caller's command. */
class StopperTest {
    @Test
    void aRunStartedByAnotherCommandNamesThatCommandAsWhatContinuesIt() {
        Path run = Path.of("runs", "x");
        assertEquals("hwnas train --resume " + run, TrainingRun.Stopper.NEVER.continueCommand(run));
        TrainingRun.Stopper q = TrainingRun.Stopper.continuedBy("hwnas quickstart --seed 2");
        assertEquals("hwnas quickstart --seed 2", q.continueCommand(run));
        assertFalse(q.stop(null));
        assertFalse(q.stopNow());
        // the signal handler's stopper (the user's, plus a stop once the JVM is shutting down) keeps the command
        try (ShutdownStop sig = ShutdownStop.install()) {
            TrainingRun.Stopper both = sig.and(q);
            assertEquals("hwnas quickstart --seed 2", both.continueCommand(run));
            assertFalse(both.stopNow());
        }
    }
}
