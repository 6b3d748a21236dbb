package io.hwnas.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import org.junit.jupiter.api.Test;

class LatencyUnitTest {

    /** log LAT in the unit chosen for a model whose fastest architecture takes {@code fastestMs}. */
    private static double logLat(double latMs, double fastestMs, String setting) {
        return Math.log(latMs * LatencyUnit.choose(fastestMs, setting, "lut.json", "space").scale());
    }

    @Test
    void autoJumpsAtAPowerOfTenAndFastestOverNDoesNot() {
        // the fastest networks of one space's LUT on the two CPUs of the note in LatencyUnit (Intel Xeon, Zen 2),
        // modelled as one machine 1.8x slower than the other: every latency 1.8x
        double intel = 0.238, zen2 = 1.8 * intel;
        double pickIntel = 4 * intel, pickZen2 = 4 * zen2; // the same network on both
        assertEquals("0.01ms", LatencyUnit.choose(intel, "auto", "lut.json", "space").name());
        assertEquals("0.1ms", LatencyUnit.choose(zen2, "auto", "lut.json", "space").name());
        assertTrue(logLat(pickIntel, intel, "auto") - logLat(pickZen2, zen2, "auto") > 1.5, "auto's jump");
        // fastest/N: log N at the fastest network, the same log LAT for the same network on both machines
        assertEquals(Math.log(20), logLat(zen2, zen2, "fastest/20"), 1e-9);
        assertEquals(logLat(pickIntel, intel, "fastest/20"), logLat(pickZen2, zen2, "fastest/20"), 1e-9);
        assertEquals(Math.log(4 * 2.5), logLat(pickZen2, zen2, "fastest/2.5"), 1e-9);
        assertEquals("fastest/20", LatencyUnit.choose(zen2, "fastest/20", "lut.json", "space").name());
    }

    @Test
    void badSettingsAreRefused() {
        for (String ok : new String[] {"ms", "us", "auto", "fastest/20", "fastest/1.5", "fastest/1000000"}) {
            assertTrue(LatencyUnit.valid(ok), ok);
        }
        // one spelling per number: a stored fastest/4 and a requested fastest/4.0 would differ as settings
        for (String bad : new String[] {"fastest/1", "fastest/0.5", "fastest/", "fastest/x", "fastest/-3", "fastest/2e3",
                "fastest/2000000", "Fastest/20", "0.1ms", "", "fastest", "fastest/4.0", "fastest/04", "fastest/4.",
                "fastest/1.50"}) {
            assertFalse(LatencyUnit.valid(bad), bad);
        }
        assertFalse(LatencyUnit.valid(null));
        HwnasException e = assertThrows(HwnasException.class, () -> LatencyUnit.choose(0.4, "fastest/1", "lut.json",
                "space"));
        assertTrue(e.getMessage().startsWith("lut.json: field 'latency_unit' = \"fastest/1\"")
                && e.getMessage().contains("above 1"), e.getMessage());
        e = assertThrows(HwnasException.class, () -> LatencyUnit.choose(0.4, "fastest/0.5", "lut.json", "space"));
        assertTrue(e.getMessage().contains("above 1"), e.getMessage());
        e = assertThrows(HwnasException.class, () -> LatencyUnit.choose(0.4, "seconds", "lut.json", "space"));
        assertTrue(e.getMessage().contains("fastest/N"), e.getMessage());
        // a model whose fastest network takes no time has no fraction of it
        e = assertThrows(HwnasException.class, () -> LatencyUnit.choose(0, "fastest/20", "fpga.json", "space"));
        assertTrue(e.getMessage().startsWith("fpga.json: ") && e.getMessage().contains("\"auto\""), e.getMessage());
    }
}
