package io.hwnas.search.specialize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TargetSpecTest {
    @Test
    void parsesNameModelAndBudgetAndRefusesBudgetsThatAreNoLatency() {
        Specialize.TargetSpec t = Specialize.TargetSpec.parse("pi=luts/raspi4.json:3.5");
        assertEquals("pi", t.name());
        assertEquals(Path.of("luts/raspi4.json"), t.model());
        assertEquals(3.5, t.budgetMs());
        assertNull(Specialize.TargetSpec.parse("pi=luts/raspi4.json").budgetMs());
        for (String bad : new String[] {"pi=l.json:-1", "pi=l.json:0", "pi=l.json:NaN", "pi=l.json:Infinity"}) {
            HwnasException e = assertThrows(HwnasException.class, () -> Specialize.TargetSpec.parse(bad), bad);
            assertTrue(e.getMessage().contains("positive number of ms") && e.getMessage().contains(bad),
                    e.getMessage());
        }
        HwnasException e = assertThrows(HwnasException.class, () -> Specialize.TargetSpec.parse("pi=l.json:fast"));
        assertTrue(e.getMessage().contains("'fast' is not a number of ms"), e.getMessage());
    }

    @Test
    void namesThatWouldLeaveTheOutputFolderOrTakeItsOwnFilesAreRefused() {
        for (String name : new String[] {".", "..", ".hidden", "-x", "summary.json", "summary.md", "cross-target.png",
            "multi-target", "co-search", "accuracy-latency-pi.png", "a".repeat(65), "a/b", ""}) {
            String arg = name + "=l.json:2";
            HwnasException e = assertThrows(HwnasException.class, () -> Specialize.TargetSpec.parse(arg), name);
            assertTrue(e.getMessage().contains("--target"), e.getMessage());
        }
        assertEquals("a".repeat(64), Specialize.TargetSpec.parse("a".repeat(64) + "=l.json").name());
        assertEquals("pi4.v2_b-1", Specialize.TargetSpec.parse("pi4.v2_b-1=l.json").name());
    }

    @Test
    void aModelFileWhoseNameHoldsAColonNeedsNoBudget(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = java.nio.file.Files.writeString(dir.resolve("m1-12:30.json"), "{}");
        Specialize.TargetSpec t = Specialize.TargetSpec.parse("m=" + f);
        assertEquals(f, t.model());
        assertNull(t.budgetMs());
        t = Specialize.TargetSpec.parse("m=" + f + ":4");
        assertEquals(f, t.model());
        assertEquals(4.0, t.budgetMs());
    }
}
