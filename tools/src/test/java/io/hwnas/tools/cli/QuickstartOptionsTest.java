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
    void samplingDefaultsAreUniformDepthWithoutAProgressiveStage() {
        QuickstartCommand c = parse();
        assertEquals("uniform", c.depthSampling);
        assertEquals(0, c.progressiveEpochs);
        assertEquals("op", parse("--depth-sampling", "op").depthSampling);
        assertEquals("theta", c.weightPaths);
        assertEquals("uniform", parse("--weight-paths", "uniform").weightPaths);
    }
}
