package io.hwnas.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.HwnasException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LutTest {
    static List<String> spaces() {
        return SpaceRegistry.IDS;
    }

    /** A synthetic LUT: entry(l, k) = 1 + l + 0.01 k, fixed = stem 0.5 + head 0.25. */
    static Lut synthetic(SearchSpace s) {
        List<LutEntry> es = new ArrayList<>();
        for (LayerSpec l : s.layers()) {
            for (int k = 0; k < s.ops().size(); k++) {
                double v = 1 + l.index() + 0.01 * k;
                es.add(new LutEntry(l.index(), l.name(), s.ops().get(k), v, v + 0.1, 0.05, 30));
            }
        }
        Map<String, Double> fixed = new LinkedHashMap<>();
        fixed.put("stem", 0.5);
        fixed.put("head", 0.25);
        DeviceRecord d = new DeviceRecord("test", DeviceRecord.Source.MEASURED, "unit test", 2, 1, "fp32", "cpu",
                "host", "2025-01-01T00:00:00Z", null, 0.75); // measured under load: the reading round-trips
        return new Lut(s.id(), d, 0.75, es, fixed);
    }

    @ParameterizedTest
    @MethodSource("spaces")
    void predictSumsFixedAndEntries(String id, @TempDir Path dir) {
        SearchSpace s = SpaceRegistry.get(id);
        Lut lut = synthetic(s);
        Path f = dir.resolve("lut.json");
        lut.write(f);
        Lut back = Lut.read(f, s);
        assertEquals(lut, back);
        int[] idx = new int[s.layerCount()];
        double want = 0.75;
        for (int l = 0; l < idx.length; l++) {
            idx[l] = (l * 7 + 3) % s.ops().size();
            want += 1 + l + 0.01 * idx[l];
        }
        Architecture a = Architecture.ofIndices(s, idx);
        LatencyModel model = LatencyModels.of(back, s, "back");
        assertEquals(want, model.predictMs(a), 1e-9);
        double[][] t = back.tableMs(s);
        assertEquals(s.layerCount(), t.length);
        assertEquals(1 + 2 + 0.01 * 4, t[2][4], 1e-12);
        LatencyModel.LatencyRange r = model.rangeMs();
        assertTrue(r.fastestMs() <= want && want <= r.slowestMs());
    }

    @Test
    void jsonCarriesSchemaAndSnakeCase(@TempDir Path dir) throws Exception {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        Path f = dir.resolve("lut.json");
        synthetic(s).write(f);
        String text = Files.readString(f);
        assertTrue(text.contains("\"schema\" : 1"), text);
        assertTrue(text.contains("\"fixed_ms\""), text);
        assertTrue(text.contains("\"median_ms\""), text);
        assertTrue(text.contains("\"source\" : \"measured\""), text);
        assertTrue(text.indexOf("\"fixed_ms\"") < text.indexOf("\"entries\""), "fixed part before the entries");
    }

    @Test
    void refusesAnotherSpace() {
        Lut lut = synthetic(SpaceRegistry.get("fbnet-cifar-tiny"));
        HwnasException e = assertThrows(HwnasException.class, () -> lut.checkSpace(SpaceRegistry.get("fbnet-fmnist-tiny")));
        assertTrue(e.getMessage().contains("fbnet-cifar-tiny") && e.getMessage().contains("fbnet-fmnist-tiny"),
                e.getMessage());
    }

    @Test
    void refusesMissingEntryNamingLayerAndOp() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar-tiny");
        Lut full = synthetic(s);
        List<LutEntry> es = new ArrayList<>(full.entries());
        es.removeIf(e -> e.layer() == 3 && e.op().equals("k5_e6"));
        Lut lut = new Lut(s.id(), full.device(), full.fixedMs(), es, null);
        HwnasException e = assertThrows(HwnasException.class, () -> lut.checkSpace(s));
        assertTrue(e.getMessage().contains("layer 3") && e.getMessage().contains("k5_e6")
                && e.getMessage().contains("stage3.block0"), e.getMessage());
        assertThrows(HwnasException.class, () -> LatencyModels.of(lut, s, "test"));
    }

    @Test
    void refusesDuplicateEntryNamingLayerAndOp() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar-tiny");
        Lut full = synthetic(s);
        List<LutEntry> es = new ArrayList<>(full.entries());
        es.add(full.entry(2, "skip"));
        HwnasException e = assertThrows(HwnasException.class,
                () -> new Lut(s.id(), full.device(), full.fixedMs(), es, null));
        assertTrue(e.getMessage().contains("duplicate") && e.getMessage().contains("layer 2")
                && e.getMessage().contains("skip"), e.getMessage());
    }

    @Test
    void refusesUnknownOpAndLayer() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar-tiny");
        Lut full = synthetic(s);
        List<LutEntry> es = new ArrayList<>(full.entries());
        es.add(new LutEntry(1, "stage1.block0", "k7_e6", 1, 1, 0, 1));
        HwnasException e = assertThrows(HwnasException.class,
                () -> new Lut(s.id(), full.device(), full.fixedMs(), es, null).checkSpace(s));
        assertTrue(e.getMessage().contains("k7_e6"), e.getMessage());
        List<LutEntry> es2 = new ArrayList<>(full.entries());
        es2.add(new LutEntry(99, "stage9.block0", "skip", 1, 1, 0, 1));
        e = assertThrows(HwnasException.class,
                () -> new Lut(s.id(), full.device(), full.fixedMs(), es2, null).checkSpace(s));
        assertTrue(e.getMessage().contains("99"), e.getMessage());
    }

    @Test
    void readReportsFileFieldAndValue(@TempDir Path dir) throws Exception {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        Path f = dir.resolve("bad.json");
        synthetic(s).write(f);
        String text = Files.readString(f).replace("\"batch\" : 1", "\"batch\" : 0");
        Files.writeString(f, text);
        HwnasException e = assertThrows(HwnasException.class, () -> Lut.read(f));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("device.batch")
                && e.getMessage().contains("= 0"), e.getMessage());

        Files.writeString(f, Files.readString(f).replace("\"batch\" : 0", "\"batch\" : 1")
                .replace("\"source\" : \"measured\"", "\"source\" : \"guessed\""));
        e = assertThrows(HwnasException.class, () -> Lut.read(f));
        assertTrue(e.getMessage().contains("guessed"), e.getMessage());

        // a null entry in a table without space_sha256 (older files; the reader adds it as null): the entry is named
        com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode)
                io.hwnas.core.Json.mapper().readTree(Files.readString(f).replace("\"source\" : \"guessed\"",
                "\"source\" : \"measured\""));
        n.remove("space_sha256");
        ((com.fasterxml.jackson.databind.node.ArrayNode) n.get("entries")).insertNull(0);
        Files.writeString(f, n.toString());
        e = assertThrows(HwnasException.class, () -> Lut.read(f));
        assertTrue(e.getMessage().contains("entries[0]") && !e.getMessage().contains("space_sha256"), e.getMessage());

        Files.writeString(f, "{\"schema\": 1, \"space\": ");
        e = assertThrows(HwnasException.class, () -> Lut.read(f));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("malformed"), e.getMessage());
    }

    static List<Path> measuredExamples() throws java.io.IOException {
        try (var files = Files.list(Path.of(System.getProperty("hwnas.root", ".."), "latency", "luts"))) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    /** The example LUTs kept in latency/luts read, cover their space and predict positive latencies. */
    @ParameterizedTest
    @MethodSource("measuredExamples")
    void measuredExamplesAreValid(Path file) {
        Lut lut = Lut.read(file);
        SearchSpace s = SpaceRegistry.get(lut.space());
        lut.checkSpace(s);
        assertEquals(DeviceRecord.Source.MEASURED, lut.device().source());
        assertTrue(LatencyModels.of(lut, s, file.toString()).rangeMs().fastestMs() > 0, file.toString());
    }

    @Test
    void breakdownMustSumToFixed() {
        SearchSpace s = SpaceRegistry.get("fbnet-fmnist-tiny");
        Lut ok = synthetic(s);
        HwnasException e = assertThrows(HwnasException.class,
                () -> new Lut(s.id(), ok.device(), 1.0, ok.entries(), ok.fixedBreakdownMs()));
        assertTrue(e.getMessage().contains("fixed_breakdown_ms"), e.getMessage());
    }

    /** Another of hwnas's JSON files given as a LUT is named for what it is, not by its first unknown field. */
    @Test
    void otherHwnasFilesAreNamedForWhatTheyAre(@TempDir Path dir) throws Exception {
        String[][] cases = {
            {"{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"lut\": \"l.json\"}",
                "is a training config"},
            {"{\"schema\": 1, \"space\": \"fbnet-fmnist-tiny\", \"ops\": [\"skip\"]}", "is an architecture"},
            {"{\"schema\": 1, \"id\": \"x\", \"stages\": []}", "is a search space"},
            {"{\"schema\": 1, \"method\": \"evolution\", \"targets\": []}", "is a specialization summary"},
        };
        for (String[] c : cases) {
            Path f = Files.writeString(dir.resolve("f.json"), c[0]);
            HwnasException e = assertThrows(HwnasException.class, () -> Lut.read(f));
            assertTrue(e.getMessage().startsWith(f + ": " + c[1]) && e.getMessage().contains("not a LUT"),
                    e.getMessage());
            e = assertThrows(HwnasException.class, () -> LatencyModels.read(f, SpaceRegistry.get("fbnet-fmnist-tiny")));
            assertTrue(e.getMessage().startsWith(f + ": " + c[1]), e.getMessage());
        }
    }
}
