package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The benchmark itself is not run here (JMH plus a 500-generation evolution); its arguments are checked. */
class BenchSearchCommandTest {

    @Test
    void badSettingsAreUserErrors() {
        CliRun r = CliRun.of("bench", "search", "--forks", "2");
        assertTrue(r.userError() && r.err().contains("--forks") && r.err().contains("2"), r.toString());
        r = CliRun.of("bench", "search", "--iterations", "0");
        assertTrue(r.userError() && r.err().contains("--iterations"), r.toString());
    }

    @Test
    void helpListsWhatItPrints() {
        CliRun r = CliRun.of("bench", "search", "--help");
        assertTrue(r.code() == 0 && r.out().contains("lut_evals_per_s") && r.out().contains("evolution_500_s"),
                r.toString());
    }
}
