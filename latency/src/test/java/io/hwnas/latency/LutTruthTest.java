package io.hwnas.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.SharedData;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LUTs refuse what cannot be a latency, at load, naming the entry; a LUT knows the space it was made for. */
class LutTruthTest {
    @TempDir
    Path tmp;

    private static void has(HwnasException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
    }

    private Path withEntry(String name, int index, String value) throws IOException {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar-tiny");
        Path f = tmp.resolve(name);
        LutTest.synthetic(s).write(f);
        // replace the index-th median_ms value in the file text
        String text = Files.readString(f);
        int at = -1;
        for (int i = 0; i <= index; i++) {
            at = text.indexOf("\"median_ms\" : ", at + 1);
        }
        int start = at + "\"median_ms\" : ".length();
        int end = text.indexOf(',', start);
        Files.writeString(f, text.substring(0, start) + value + text.substring(end));
        return f;
    }

    @Test
    void absurdEntryIsRefusedAtLoadNamingIt() throws IOException {
        Path f = withEntry("huge.json", 5, "1e300");
        HwnasException e = assertThrows(HwnasException.class, () -> Lut.read(f));
        has(e, "huge.json", "entries[5].median_ms", "1.0E300", "absurd", "op k5_e1_g2");
        Path inf = withEntry("inf.json", 5, "1e400");
        has(assertThrows(HwnasException.class, () -> Lut.read(inf)), "inf.json", "entries[5].median_ms", "out of range");
    }

    @Test
    void negativeMeasuredEntryIsRefusedButImportedDeltasAreKept() throws IOException {
        Path f = withEntry("neg.json", 3, "-0.5");
        has(assertThrows(HwnasException.class, () -> Lut.read(f)), "neg.json", "entries[3].median_ms", "-0.5",
                "measured latency cannot be negative");
        Path px = tmp.resolve("px.json");
        HwNasBenchImport.fbnet(HwNasBenchImport.defaultCsv(), HwNasBenchImport.defaultBase(), "pixel3",
                SpaceRegistry.get("fbnet-cifar")).write(px);
        Lut lut = Lut.read(px);
        assertTrue(lut.entries().stream().anyMatch(x -> x.medianMs() < 0), "imported deltas stay relative");
        LatencyModel m = LatencyModels.read(px, SpaceRegistry.get("fbnet-cifar"));
        assertTrue(m.rangeMs().fastestMs() > 0);
    }

    @Test
    void aTableWhoseFastestArchitectureIsNotPositiveIsRefused() throws IOException {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar-tiny");
        Lut ok = LutTest.synthetic(s);
        List<LutEntry> es = ok.entries().stream().map(x -> LutEntry.of(x.layer(), x.layerName(), x.op(), -1.0)).toList();
        DeviceRecord est = new DeviceRecord("model", DeviceRecord.Source.ESTIMATED, "test", 1, 1, null, null, null,
                null, null);
        Path f = tmp.resolve("rel.json");
        new Lut(s.id(), est, 0.75, es, null).write(f);
        HwnasException e = assertThrows(HwnasException.class, () -> LatencyModels.read(f, s));
        has(e, "rel.json", "fastest architecture", "-6.25", "must be positive");
    }

    @Test
    void aLutRecordsItsSpaceAndRefusesAnotherSpaceOfTheSameId() throws IOException {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar-tiny");
        Path f = tmp.resolve("l.json");
        LutTest.synthetic(s).withSpace(s).write(f);
        assertEquals(s.sha256(), Lut.read(f).spaceSha256());
        assertTrue(Files.readString(f).contains("\"space_sha256\" : \"" + s.sha256() + "\""));
        // same id, 4x wider: same layer names and ops, so only the fingerprint tells them apart
        SearchSpace wide = s.scaled(s.id(), 4, 8, null, null, s.head().classes());
        HwnasException e = assertThrows(HwnasException.class, () -> LatencyModels.read(f, wide));
        has(e, "l.json", "space_sha256", "another space with the id fbnet-cifar-tiny");
        assertEquals(s, LatencyModels.read(f, s).space());
    }

    @Test
    void aLutWhoseSpaceFieldWasEditedNamesTheSpaceItsEntriesAreFor() throws IOException {
        SearchSpace fm = SpaceRegistry.get("fbnet-fmnist-tiny");
        Path f = tmp.resolve("fm.json");
        LutTest.synthetic(fm).withSpace(fm).write(f);
        // same layer names and ops as fbnet-cifar-tiny: only the fingerprint tells the edit
        Path edited = tmp.resolve("edited.json");
        Files.writeString(edited, Files.readString(f).replace("\"space\" : \"fbnet-fmnist-tiny\"",
                "\"space\" : \"fbnet-cifar-tiny\""));
        SearchSpace c = SpaceRegistry.get("fbnet-cifar-tiny");
        HwnasException e = assertThrows(HwnasException.class, () -> LatencyModels.read(edited, c));
        has(e, "edited.json", "made for space fbnet-fmnist-tiny", "'space' field says fbnet-cifar-tiny",
                "was the 'space' field edited");
        // a fingerprint no space has: said to differ from the space it is used with, naming the file
        Path zeros = tmp.resolve("zeros.json");
        Files.writeString(zeros, Files.readString(f).replace(fm.sha256(), "0".repeat(64)));
        e = assertThrows(HwnasException.class, () -> Lut.read(zeros, fm));
        has(e, "zeros.json", "space_sha256", "does not match space fbnet-fmnist-tiny", "it is used with");
    }

    @Test
    void aLutOfAnotherSpaceSaysSoNotThatItWasEdited() throws IOException {
        SearchSpace c = SpaceRegistry.get("fbnet-cifar-tiny");
        Path f = tmp.resolve("c.json");
        LutTest.synthetic(c).withSpace(c).write(f); // fingerprint and 'space' field agree
        SearchSpace fm = SpaceRegistry.get("fbnet-fmnist-tiny");
        HwnasException e = assertThrows(HwnasException.class, () -> LatencyModels.read(f, fm));
        has(e, "c.json", "field 'space' = \"fbnet-cifar-tiny\"", "this LUT is for space fbnet-cifar-tiny",
                "used with space fbnet-fmnist-tiny", "hwnas lut measure --space fbnet-fmnist-tiny",
                "hwnas lut transfer");
        assertFalse(e.getMessage().contains("edited"), e.getMessage());
        e = assertThrows(HwnasException.class, () -> Lut.read(f, fm));
        has(e, "c.json", "this LUT is for space fbnet-cifar-tiny", "used with space fbnet-fmnist-tiny");
        assertFalse(e.getMessage().contains("edited"), e.getMessage());
    }

    @Test
    void everyLutOfTheRepositoryStillLoads() throws IOException {
        Path root = Path.of(System.getProperty("hwnas.root", "."));
        Path dir = root.resolve("latency/luts");
        int legacy = 0; // written before fingerprints: the path that keeps old tables readable
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".json"))::iterator) {
                Lut lut = Lut.read(p);
                if (lut.spaceSha256() == null) {
                    legacy++;
                }
                LatencyModel m = LatencyModels.read(p, SpaceRegistry.get(lut.space())); // a fingerprint is checked here
                assertTrue(m.rangeMs().fastestMs() > 0, p.toString());
            }
        }
        assertTrue(legacy >= 5, "found " + legacy + " tables without a fingerprint");
        assertTrue(Json.readTree(dir.resolve("fbnet-cifar-vm-2t-wall.json")).has("entries"));
    }
}
