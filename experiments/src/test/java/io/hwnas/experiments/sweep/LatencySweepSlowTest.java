package io.hwnas.experiments.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.Progress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's latency-sweep claims, on the built-in sweep (about 40 minutes on 2 cores; the runs
 * stay in {@code experiments/target/latency-sweep}, so a second run only re-checks):
 * {@code mvn -B verify -Dhwnas.test.excluded=gpu -Dtest=LatencySweepSlowTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("slow")
class LatencySweepSlowTest {
    @Test
    void latencyPressureCutsLatencyAndMovesThetaToCheaperOps() {
        Path out = Path.of("target", "latency-sweep");
        LatencySweep.Result r = LatencySweep.run(LatencySweep.builtIn(), out, Progress.NONE, s -> {});
        Map<String, LatencySweep.Row> rows = new HashMap<>();
        r.rows().forEach(w -> rows.put(w.name(), w));
        assertEquals(8, rows.size());
        LatencySweep.Row plain = rows.get("ce-only");
        // α > 0 against α = 0: at least 20 % off the argmax latency for the strong settings
        for (String s : new String[] {"fbnet-a0.2-b1.5", "fbnet-a0.2-b3.0", "additive-a1.0", "additive-a3.0"}) {
            assertTrue(rows.get(s).argmaxLatencyMs() <= 0.8 * plain.argmaxLatencyMs(), s);
        }
        // more pressure, cheaper expected architecture and more weight on skip, in both families
        String[][] ladders = {{"ce-only", "fbnet-a0.2-b0.6", "fbnet-a0.2-b1.5", "fbnet-a0.2-b3.0"},
            {"ce-only", "additive-a0.3", "additive-a1.0", "additive-a3.0"}};
        for (String[] ladder : ladders) {
            for (int i = 1; i < ladder.length; i++) {
                LatencySweep.Row lo = rows.get(ladder[i - 1]);
                LatencySweep.Row hi = rows.get(ladder[i]);
                assertTrue(hi.expectedLatencyMs() < lo.expectedLatencyMs(), ladder[i] + " vs " + ladder[i - 1]);
                assertTrue(hi.skipProbability() > lo.skipProbability(), ladder[i] + " vs " + ladder[i - 1]);
            }
        }
    }
}
