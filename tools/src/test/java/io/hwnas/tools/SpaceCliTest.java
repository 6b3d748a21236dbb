package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpaceCliTest {
    @Test
    void spacesListsEveryRegisteredSpaceAsJson() throws Exception {
        CliRun r = CliRun.of("spaces", "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode rows = Json.mapper().readTree(r.out());
        assertEquals(io.hwnas.supernet.space.SpaceRegistry.IDS.size(), rows.size());
        assertEquals("fbnet-cifar10", rows.get(1).get("id").asText());
        assertEquals("fbnet-cifar", rows.get(0).get("id").asText());
        assertEquals(22, rows.get(0).get("layers").asInt());
        assertTrue(rows.get(0).get("macs_min").asLong() < rows.get(0).get("macs_max").asLong());
    }

    @Test
    void spaceShowPrintsLayersStridesAndOps() {
        CliRun r = CliRun.of("space", "show", "fbnet-cifar");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("stage6.block0"), r.out());
        assertTrue(r.out().contains("k5_e1_g2"), r.out());
        assertTrue(r.out().contains("352x4x4") || r.out().contains("184x4x4"), r.out());
    }

    @Test
    void userErrorsExitTwoWithOneLineAndNoStackTrace(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("space.json");
        Files.writeString(bad, "{ \"schema\": 1, \"id\": \"x\", ");
        CliRun r = CliRun.of("space", "show", bad.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("hwnas: error: " + bad), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        r = CliRun.of("space", "show", "no-such-space");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("registered:"), r.err());
    }
}
