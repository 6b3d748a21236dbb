package io.hwnas.supernet.space;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchitectureTest {
    private final SearchSpace tiny = SpaceRegistry.get("fbnet-cifar-tiny");

    @Test
    void canonicalStringAndJsonRoundTrip(@TempDir Path dir) {
        String text = "k3_e1 k3_e1_g2 k3_e3 k3_e6 k5_e1 k5_e6 skip";
        Architecture a = Architecture.parse(tiny, text);
        assertEquals(text, a.canonical());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 7, 8}, a.indices(tiny));
        assertEquals(a, Architecture.ofIndices(tiny, a.indices(tiny)));
        Path f = dir.resolve("arch.json");
        Json.writeFile(f, a);
        assertEquals(a, Json.read(f, Architecture.class).check(tiny));
        assertEquals(a, Architecture.parse(tiny, "  k3_e1,k3_e1_g2 k3_e3\tk3_e6 k5_e1 k5_e6 skip "));
    }

    @Test
    void wrongLayerCountUnknownOpAndOtherSpaceAreRefused() {
        HwnasException e = assertThrows(HwnasException.class, () -> Architecture.parse(tiny, "k3_e1 skip"));
        assertTrue(e.getMessage().contains("2 layers") && e.getMessage().contains("7"), e.getMessage());
        e = assertThrows(HwnasException.class,
                () -> Architecture.parse(tiny, "k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k7_e2"));
        assertTrue(e.getMessage().contains("ops[6]") && e.getMessage().contains("k7_e2"), e.getMessage());
        Architecture other = Architecture.uniform(SpaceRegistry.get("fbnet-fmnist-tiny"), "skip");
        e = assertThrows(HwnasException.class, () -> other.check(tiny));
        assertTrue(e.getMessage().contains("fbnet-fmnist-tiny"), e.getMessage());
        assertThrows(HwnasException.class, () -> Architecture.parse(tiny, "   "));
    }
}
