package io.hwnas.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class QuickstartOptionsTest {
    private static QuickstartCommand parse(String... args) {
        QuickstartCommand c = new QuickstartCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    /** --no-specialize stops after the evaluated subnet (the earlier negatable option read it as true). */
    @Test
    void noSpecializeSkipsTheSpecialization() {
        assertFalse(parse().noSpecialize);
        assertTrue(parse("--no-specialize").noSpecialize);
    }

    @Test
    void samplingDefaultsAreUniformDepthAfterOneDenseEpoch() {
        QuickstartCommand c = parse();
        assertEquals("uniform", c.depthSampling);
        assertEquals(1, c.progressiveEpochs());
        assertEquals(0, parse("--progressive-epochs", "0").progressiveEpochs());
        assertEquals(0, parse("--warmup-epochs", "0").progressiveEpochs()); // no warm-up: no dense-only stage
        assertEquals(0, parse("--weight-sampling", "soft").progressiveEpochs()); // a soft step runs every op
        assertEquals("op", parse("--depth-sampling", "op").depthSampling);
        assertEquals("theta", c.weightPaths);
        assertEquals("uniform", parse("--weight-paths", "uniform").weightPaths);
    }

    /** θ learns within three epochs: τ starts at 1 (FBNet's 5 is for 90 epochs) and θ's Adam rate is 0.2. */
    @Test
    void thetaDefaultsAreTauOneAndLearningRateTwoTenths() {
        QuickstartCommand c = parse();
        assertEquals(1.0, c.tauStart);
        assertEquals(0.2, c.thetaLr);
        assertEquals(5.0, parse("--tau-start", "5").tauStart);
        assertEquals(0.05, parse("--theta-lr", "0.05").thetaLr);
    }
}
