package io.hwnas.supernet.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Channel counts whose MACs overflow are refused; a space's identity is its content, not its id alone. */
class SpaceTruthTest {
    private static void has(HwnasException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
    }

    private static String tinyWith(String stage1Channels) {
        return "{\"schema\": 1, \"id\": \"big\", \"description\": \"\", \"input\": {\"channels\": 3, \"height\": 32, \"width\": 32},"
                + " \"stem\": {\"channels\": 8, \"kernel\": 3, \"stride\": 1},"
                + " \"stages\": [{\"layers\": 1, \"channels\": 8, \"stride\": 1}, {\"layers\": 1, \"channels\": "
                + stage1Channels + ", \"stride\": 2}, {\"layers\": 1, \"channels\": 16, \"stride\": 1}],"
                + " \"head\": {\"channels\": 32, \"classes\": 10}, \"ops\": [\"k3_e1\", \"k5_e6\", \"skip\"]}";
    }

    @Test
    void channelCountsWhoseMacsOverflowAreRefusedNamingTheField() {
        // 2e9 channels feeding a k5_e6 layer: its mid channels (6 x 2e9) overflow an int, MACs would wrap
        HwnasException e = assertThrows(HwnasException.class, () -> Json.parse("big.json", tinyWith("2000000000"),
                SearchSpace.class));
        has(e, "big.json", "stages[1].channels", "2000000000", "2^53");
        // 100k channels stays countable: MACs positive and exact
        SearchSpace ok = Json.parse("ok.json", tinyWith("100000"), SearchSpace.class);
        Costs.Cost[] r = Costs.range(ok);
        assertTrue(r[0].macs() > 0 && r[1].macs() > r[0].macs() && r[1].macs() < Costs.MAX_COUNT, r[1].toString());
        has(assertThrows(HwnasException.class, () -> new StageSpec(1, 0, 1)), "stages[].channels");
    }

    @Test
    void fingerprintIsContentNotDescription() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar");
        assertEquals(64, s.sha256().length());
        assertEquals(s.sha256(), Json.parse("copy", Json.write(s), SearchSpace.class).sha256());
        SearchSpace described = new SearchSpace(1, s.id(), "another text", s.input(), s.stem(), s.stages(), s.head(),
                s.ops());
        assertEquals(s.sha256(), described.sha256());
        assertNotEquals(s.sha256(), s.scaled(s.id(), 4, 8, null, null, s.head().classes()).sha256());
        for (SearchSpace a : SpaceRegistry.all()) {
            for (SearchSpace b : SpaceRegistry.all()) {
                assertEquals(a == b, a.sha256().equals(b.sha256()), a.id() + " vs " + b.id());
            }
        }
    }

    @Test
    void aFileReusingARegisteredIdWithOtherContentIsRefused(@TempDir Path tmp) throws IOException {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar");
        Path wide = tmp.resolve("wide.json");
        Json.writeFile(wide, s.scaled(s.id(), 4, 8, null, null, s.head().classes()));
        HwnasException e = assertThrows(HwnasException.class, () -> SpaceRegistry.resolve(wide.toString()));
        has(e, "wide.json", "field 'id' = \"fbnet-cifar\"", "differs", "stem", "give your space its own id");
        Path same = tmp.resolve("same.json");
        Json.writeFile(same, s);
        assertEquals(s, SpaceRegistry.resolve(same.toString()));
    }
}
