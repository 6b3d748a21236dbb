package io.hwnas.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.HwnasException;
import io.hwnas.core.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HwNasBenchImportTest {
    static HelpData help;
    static SearchSpace space;

    @BeforeAll
    static void load() {
        space = SpaceRegistry.get("fbnet-cifar");
        help = HelpData.read(SharedData.data(HelpData.DEFAULT));
    }

    /** The imported tables reproduce HELP's whole-network latencies of all 5,000 architectures. */
    @ParameterizedTest
    @ValueSource(strings = {"raspi4", "pixel3", "eyeriss", "fpga"})
    void reproducesHelpColumns(String device) {
        Lut lut = HwNasBenchImport.fbnet(HwNasBenchImport.defaultCsv(), HwNasBenchImport.defaultBase(), device, space);
        assertEquals("fbnet-cifar", lut.space());
        assertEquals(DeviceRecord.Source.IMPORTED, lut.device().source());
        assertEquals(22 * 9, lut.entries().size());
        double[] want = help.column(device + "_ms");
        assertEquals(5000, help.size());
        LatencyModel model = LatencyModels.of(lut, space, "raspi4");
        double worst = 0;
        for (int i = 0; i < help.size(); i++) {
            Architecture a = help.arch(i, space);
            double got = model.predictMs(a);
            assertEquals(got, model.predictMs(a.indices(space)));
            worst = Math.max(worst, Math.abs(got - want[i]));
        }
        assertTrue(worst < 1e-6, device + ": worst error " + worst + " ms");
    }

    @Test
    void keepsTheStoredNumbersExactly() {
        Lut lut = HwNasBenchImport.fbnet(HwNasBenchImport.defaultCsv(), HwNasBenchImport.defaultBase(), "raspi4", space);
        assertEquals(17.618579145142597, lut.fixedMs());
        assertEquals(0.0, lut.entry(0, "k3_e1").medianMs());
        assertEquals(0.322389251, lut.entry(0, "k3_e1_g2").medianMs());
        assertEquals(-0.225804874, lut.entry(21, "skip").medianMs());
        assertEquals(lut.fixedMs(), LatencyModels.of(lut, space, "raspi4").predictMs(Architecture.uniform(space, "k3_e1")));
    }

    @Test
    void refusesUnknownDevice() {
        HwnasException e = assertThrows(HwnasException.class, () -> HwNasBenchImport.fbnet(
                HwNasBenchImport.defaultCsv(), HwNasBenchImport.defaultBase(), "tpu", space));
        assertTrue(e.getMessage().contains("tpu") && e.getMessage().contains("raspi4"), e.getMessage());
    }

    @Test
    void refusesTableOfAnotherSpace() {
        HwnasException e = assertThrows(HwnasException.class, () -> HwNasBenchImport.fbnet(
                HwNasBenchImport.defaultCsv(), HwNasBenchImport.defaultBase(), "pixel3",
                SpaceRegistry.get("fbnet-imagenet")));
        assertTrue(e.getMessage().contains("hwnasbench-fbnet-cifar100-lut.csv") && e.getMessage().contains("line"),
                e.getMessage());
    }

    @Test
    void refusesBrokenRowsNamingLine(@TempDir Path dir) throws Exception {
        List<String> lines = Files.readAllLines(HwNasBenchImport.defaultCsv());
        Path csv = dir.resolve("t.csv");
        List<String> bad = new java.util.ArrayList<>(lines);
        bad.set(5, bad.get(5).replaceFirst(",[^,]*$", ",abc"));
        Files.write(csv, bad);
        HwnasException e = assertThrows(HwnasException.class,
                () -> HwNasBenchImport.fbnet(csv, HwNasBenchImport.defaultBase(), "raspi4", space));
        assertTrue(e.getMessage().contains("line 6") && e.getMessage().contains("abc"), e.getMessage());

        List<String> absurd = new java.util.ArrayList<>(lines);
        absurd.set(4, absurd.get(4).replaceFirst(",[^,]*$", ",1e9"));
        Files.write(csv, absurd);
        e = assertThrows(HwnasException.class,
                () -> HwNasBenchImport.fbnet(csv, HwNasBenchImport.defaultBase(), "raspi4", space));
        // the CSV's line and column, not the LUT field it would have become
        assertTrue(e.getMessage().startsWith(csv + ": line 5: field 'delta_vs_k3_e1_ms' = 1e9: is absurd"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("entries["), e.getMessage());

        List<String> dup = new java.util.ArrayList<>(lines);
        dup.add(lines.get(3));
        Files.write(csv, dup);
        e = assertThrows(HwnasException.class,
                () -> HwNasBenchImport.fbnet(csv, HwNasBenchImport.defaultBase(), "raspi4", space));
        assertTrue(e.getMessage().contains("duplicate") && e.getMessage().contains("layer 0")
                && e.getMessage().contains("k3_e3"), e.getMessage());

        List<String> missing = new java.util.ArrayList<>(lines);
        missing.remove(4);
        Files.write(csv, missing);
        e = assertThrows(HwnasException.class,
                () -> HwNasBenchImport.fbnet(csv, HwNasBenchImport.defaultBase(), "raspi4", space));
        assertTrue(e.getMessage().contains("missing entry for layer 0") && e.getMessage().contains("k3_e6"),
                e.getMessage());
    }
}
