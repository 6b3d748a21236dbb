package io.hwnas.search.specialize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import java.nio.file.Path;
import java.util.List;
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
            "multi-target", "co-search", "accuracy-latency-pi.png", "a".repeat(65), "a/b", "", "Summary.JSON",
            "Multi-Target", "Accuracy-Latency-x"}) {
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

    @Test
    void theRecordItselfKeepsTheRulesAndRunRefusesNamesOneFolderApartByCase() {
        assertThrows(HwnasException.class, () -> new Specialize.TargetSpec("..", Path.of("l.json"), null));
        assertThrows(HwnasException.class, () -> new Specialize.TargetSpec("summary.md", Path.of("l.json"), null));
        List<Specialize.TargetSpec> two = List.of(new Specialize.TargetSpec("Pi", Path.of("l.json"), null),
                new Specialize.TargetSpec("pi", Path.of("l.json"), null));
        HwnasException e = assertThrows(HwnasException.class, () -> Specialize.run(Path.of("no-such-run"), two,
                new Specialize.Options("evolution", "supernet", 20, 4, 1, 1, 10, 0.5, 0), Path.of("out"),
                null, s -> { }));
        assertTrue(e.getMessage().contains("names two targets") && e.getMessage().contains("letter case"),
                e.getMessage());
    }

    @Test
    void accuracyFloorIsAPercentage() {
        for (double bad : new double[] {-1, 100.5, Double.NaN, 150}) {
            HwnasException e = assertThrows(HwnasException.class, () -> new Specialize.Options("evolution", "supernet",
                    20, 4, 1, 1, 10, 0.5, 0, 300, null, 3, true, "worst-ratio", bad, false, null));
            assertTrue(e.getMessage().contains("--accuracy-floor") && e.getMessage().contains("0 to 100"),
                    e.getMessage());
        }
        new Specialize.Options("evolution", "supernet", 20, 4, 1, 1, 10, 0.5, 0, 300, null, 3, true, "worst-ratio", 80.0,
                false, null);
    }
}
