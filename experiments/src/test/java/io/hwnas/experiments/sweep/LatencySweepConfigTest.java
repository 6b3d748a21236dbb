package io.hwnas.experiments.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a sweep file: a misspelt key is named where it is written (base.X or settings[i].X), with the file. */
class LatencySweepConfigTest {
    @TempDir
    Path tmp;

    private static String sweep(String base, String settings) {
        return "{\"schema\": 1, \"name\": \"t\", \"base\": {\"space\": \"fbnet-fmnist-tiny\", \"dataset\":"
                + " \"fashion-mnist\", \"lut\": \"lut.json\", \"epochs\": 3" + base + "}, \"settings\": " + settings + "}";
    }

    private HwnasException refused(String json) throws IOException {
        Path f = tmp.resolve("sw.json");
        Files.writeString(f, json);
        return assertThrows(HwnasException.class, () -> LatencySweep.read(f));
    }

    private static void has(HwnasException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
    }

    @Test
    void readsAGoodSweep() throws IOException {
        Path f = tmp.resolve("sw.json");
        Files.writeString(f, sweep("", "[{\"name\": \"a\", \"alpha\": 0}, {\"name\": \"b\", \"alpha\": 0.2}]"));
        LatencySweep.Config c = LatencySweep.read(f);
        assertEquals(2, c.settings().size());
        assertEquals(0.2, c.settings().get(1).config().alpha());
    }

    @Test
    void unknownKeyInBaseIsNamedInBase() throws IOException {
        HwnasException e = refused(sweep(", \"epochz\": 1", "[{\"name\": \"a\", \"alpha\": 0}, {\"name\": \"b\"}]"));
        has(e, "sw.json: field 'base.epochz' is not known", "known there: ");
        assertTrue(!e.getMessage().contains("settings["), e.getMessage());
    }

    @Test
    void unknownKeyInASettingIsNamedInThatSetting() throws IOException {
        has(refused(sweep("", "[{\"name\": \"a\", \"alpha\": 0}, {\"name\": \"b\", \"alpah\": 0.3}]")),
                "sw.json: field 'settings[1].alpah' is not known");
    }

    /** The sweep reports α, β and LAT in one unit: settings of different units are refused, naming the setting. */
    @Test
    void settingsOfDifferentLatencyUnitsAreRefused() throws IOException {
        has(refused(sweep("", "[{\"name\": \"a\", \"alpha\": 0}, {\"name\": \"b\", \"latency_unit\": \"fastest/4\"}]")),
                "sw.json", "settings[1]", "'latency_unit' = \"fastest/4\"", "same unit", "\"auto\"");
        Path f = tmp.resolve("sw.json");
        Files.writeString(f, sweep(", \"latency_unit\": \"fastest/4\"", "[{\"name\": \"a\", \"alpha\": 0}, {\"name\": \"b\"}]"));
        assertEquals("fastest/4", LatencySweep.read(f).settings().get(1).config().latencyUnit());
    }

    @Test
    void emptyFileIsSaidToBeEmpty() throws IOException {
        has(refused(""), "sw.json: is empty");
    }
}
