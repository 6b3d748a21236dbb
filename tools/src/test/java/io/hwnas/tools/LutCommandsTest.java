package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.latency.HelpData;
import io.hwnas.latency.HwNasBenchImport;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.Json;
import io.hwnas.core.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LutCommandsTest {
    @TempDir
    static Path dir;
    static Path raspi4;
    static HelpData help;

    @BeforeAll
    static void importRaspi4() {
        raspi4 = dir.resolve("raspi4.json");
        CliRun r = CliRun.of("lut", "import", "--format", "hwnasbench-fbnet", "--device", "raspi4", "-o",
                raspi4.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("wrote") && r.out().contains("198 entries"), r.toString());
        help = HelpData.read(SharedData.data(HelpData.DEFAULT));
    }

    @Test
    void latencyOfHelpArchitecturesMatchesTheData() throws Exception {
        double[] want = help.column("raspi4_ms");
        for (int i : new int[] {0, 1, 4999}) {
            CliRun r = CliRun.of("latency", "--lut", raspi4.toString(), "--arch", help.ops(i), "--json");
            assertEquals(0, r.code(), r.toString());
            JsonNode j = Json.mapper().readTree(r.out());
            assertEquals(want[i], j.get("latency_ms").asDouble(), 1e-6);
            assertEquals("fbnet-cifar", j.get("space").asText());
            assertEquals("raspi4", j.get("device").asText());
        }
        CliRun text = CliRun.of("latency", "--lut", raspi4.toString(), "--arch", help.ops(0));
        assertEquals(0, text.code(), text.toString());
        assertTrue(text.out().startsWith(String.format("%.4f ms", want[0])), text.toString());
    }

    @Test
    void latencyFromArchFile() throws Exception {
        Path arch = dir.resolve("arch.json");
        Json.writeFile(arch, Architecture.parse(SpaceRegistry.get("fbnet-cifar"), help.ops(7)));
        CliRun r = CliRun.of("latency", "--lut", raspi4.toString(), "--arch-file", arch.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertEquals(help.column("raspi4_ms")[7], Json.mapper().readTree(r.out()).get("latency_ms").asDouble(), 1e-6);
    }

    @Test
    void showPrintsDeviceFixedPartAndTable() throws Exception {
        CliRun r = CliRun.of("lut", "show", raspi4.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("raspi4 (imported)"), r.out());
        assertTrue(r.out().contains("fixed   17.6186 ms"), r.out());
        assertTrue(r.out().contains("stage6.block0") && r.out().contains("k5_e1_g2"), r.out());
        assertEquals(7 + 22, r.out().split("\n").length, r.out()); // 7 header lines (with notes) + 22 rows
        CliRun j = CliRun.of("lut", "show", raspi4.toString(), "--json");
        assertEquals(0, j.code(), j.toString());
        JsonNode n = Json.mapper().readTree(j.out());
        assertEquals(22, n.get("table_ms").size());
        assertEquals(9, n.get("table_ms").get(0).size());
        assertEquals(0.322389251, n.get("table_ms").get(0).get(1).asDouble());
        assertEquals("imported", n.get("device").get("source").asText());
    }

    // ---- bad input: exit 2, a message naming file/field/value, no stack trace, nothing written

    @Test
    void malformedLut() throws Exception {
        Path bad = dir.resolve("malformed.json");
        Files.writeString(bad, "{\"schema\": 1, \"space\": \"fbnet-cifar\", ");
        CliRun r = CliRun.of("latency", "--lut", bad.toString(), "--arch", help.ops(0));
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("malformed.json") && r.err().contains("malformed JSON"), r.toString());

        Path neg = dir.resolve("neg-batch.json");
        Files.writeString(neg, Files.readString(raspi4).replace("\"batch\" : 1", "\"batch\" : -3"));
        r = CliRun.of("lut", "show", neg.toString());
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("neg-batch.json") && r.err().contains("device.batch") && r.err().contains("-3"),
                r.toString());

        r = CliRun.of("lut", "show", dir.resolve("nope.json").toString());
        assertTrue(r.userError() && r.err().contains("nope.json") && r.err().contains("no such file"), r.toString());
    }

    @Test
    void emptyFilesAreSaidToBeEmpty() throws Exception {
        Path empty = dir.resolve("empty.json");
        Files.writeString(empty, "");
        String[][] cmds = {{"space", "show", empty.toString()},
            {"latency", "--lut", raspi4.toString(), "--arch-file", empty.toString()},
            {"lut", "transfer", empty.toString(), "--space", "fbnet-fmnist-tiny", "-o", dir.resolve("t4.json").toString()},
            {"lut", "show", empty.toString()}};
        for (String[] c : cmds) {
            CliRun r = CliRun.of(c);
            assertTrue(r.userError(), r.toString());
            assertTrue(r.err().contains("empty.json: is empty (expected a JSON object"), r.toString());
            assertFalse(r.err().contains("No content") || r.err().contains("unavailable"), r.toString());
        }
        assertFalse(Files.exists(dir.resolve("t4.json")));
    }

    @Test
    void archListMustBeText() throws Exception {
        CliRun r = CliRun.of("latency", "--lut", raspi4.toString(), "--arch-list", "/dev/zero");
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("/dev/zero: not a regular file"), r.toString());
        Path bin = dir.resolve("prog");
        Files.write(bin, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0});
        r = CliRun.of("latency", "--lut", raspi4.toString(), "--arch-list", bin.toString());
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("prog: not a text file (line 1"), r.toString());
        Files.write(bin, ("# archs\n" + help.ops(0) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.write(bin, new byte[] {(byte) 0xff, (byte) 0xfe, 'x', '\n'}, java.nio.file.StandardOpenOption.APPEND);
        r = CliRun.of("latency", "--lut", raspi4.toString(), "--arch-list", bin.toString());
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("prog: not a text file (line 3 is not UTF-8)"), r.toString());
        assertFalse(r.err().contains("Input length"), r.toString());
        Path ok = dir.resolve("list.txt");
        Files.writeString(ok, "# two\n" + help.ops(0) + "\r\n\n" + help.ops(1) + "\n");
        r = CliRun.of("latency", "--lut", raspi4.toString(), "--arch-list", ok.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertEquals(2, Json.mapper().readTree(r.out()).size());
    }

    @Test
    void anEditedFingerprintIsReportedWithTheLutFile() throws Exception {
        String sha = SpaceRegistry.get("fbnet-cifar").sha256();
        Path edited = dir.resolve("edited-sha.json");
        Files.writeString(edited, Files.readString(raspi4).replace(sha, "0".repeat(64)));
        for (String[] c : new String[][] {{"lut", "show", edited.toString()},
            {"latency", "--lut", edited.toString(), "--arch", help.ops(0)}}) {
            CliRun r = CliRun.of(c);
            assertTrue(r.userError(), r.toString());
            assertTrue(r.err().contains("edited-sha.json: field 'space_sha256'")
                    && r.err().contains("does not match space fbnet-cifar"), r.toString());
        }
    }

    @Test
    void unknownOpInArch() {
        String[] ops = help.ops(0).split(" ");
        ops[3] = "k7_e6";
        CliRun r = CliRun.of("latency", "--lut", raspi4.toString(), "--arch", String.join(" ", ops));
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("--arch") && r.err().contains("ops[3]") && r.err().contains("k7_e6"), r.toString());
    }

    @Test
    void wrongNumberOfLayers() throws Exception {
        CliRun r = CliRun.of("latency", "--lut", raspi4.toString(), "--arch", "k3_e1 skip k5_e6");
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("--arch") && r.err().contains("3 layers") && r.err().contains("22"), r.toString());

        Path arch = dir.resolve("short-arch.json");
        Files.writeString(arch, "{\"schema\": 1, \"space\": \"fbnet-cifar\", \"ops\": [\"k3_e1\", \"skip\"]}");
        r = CliRun.of("latency", "--lut", raspi4.toString(), "--arch-file", arch.toString());
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("short-arch.json") && r.err().contains("2 layers"), r.toString());
    }

    @Test
    void lutOfAnotherSpace() throws Exception {
        CliRun r = CliRun.of("lut", "show", raspi4.toString(), "--space", "fbnet-cifar-tiny");
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("raspi4.json") && r.err().contains("fbnet-cifar-tiny")
                && r.err().contains("'space'"), r.toString());
        Path arch = dir.resolve("tiny-arch.json");
        Json.writeFile(arch, Architecture.uniform(SpaceRegistry.get("fbnet-cifar-tiny"), "k3_e1"));
        r = CliRun.of("latency", "--lut", raspi4.toString(), "--arch-file", arch.toString());
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("tiny-arch.json") && r.err().contains("fbnet-cifar-tiny"), r.toString());
    }

    @Test
    void missingAndDuplicateEntries() throws Exception {
        ObjectNode root = (ObjectNode) Json.mapper().readTree(raspi4.toFile());
        ArrayNode entries = (ArrayNode) root.get("entries");
        int victim = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).get("layer").asInt() == 13 && entries.get(i).get("op").asText().equals("k5_e3")) {
                victim = i;
            }
        }
        JsonNode removed = entries.remove(victim);
        Path missing = dir.resolve("missing.json");
        Files.writeString(missing, Json.write(root));
        CliRun r = CliRun.of("latency", "--lut", missing.toString(), "--arch", help.ops(0));
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("missing.json") && r.err().contains("layer 13 (stage4.block0)")
                && r.err().contains("k5_e3"), r.toString());

        entries.add(removed);
        entries.add(removed.deepCopy());
        Path dup = dir.resolve("dup.json");
        Files.writeString(dup, Json.write(root));
        r = CliRun.of("lut", "show", dup.toString());
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("dup.json") && r.err().contains("duplicate") && r.err().contains("layer 13")
                && r.err().contains("k5_e3"), r.toString());
    }

    @Test
    void unknownDeviceOrFormatWritesNothing() throws Exception {
        Path o = dir.resolve("never.json");
        CliRun r = CliRun.of("lut", "import", "--format", "hwnasbench-fbnet", "--device", "tpu", "-o", o.toString());
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("option '--device'") && r.err().contains("\"tpu\"") && r.err().contains("raspi4"),
                r.toString());
        assertFalse(Files.exists(o));
        r = CliRun.of("lut", "import", "--format", "nasbench201", "--device", "raspi4", "-o", o.toString());
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("--format") && r.err().contains("nasbench201"), r.toString());
        assertFalse(Files.exists(o));
        // a LUT given as the base file, an empty device name and an unknown calibration method are named plainly
        r = CliRun.of("lut", "import", "--format", "hwnasbench-fbnet", "--device", "raspi4", "--base", raspi4.toString(),
                "-o", o.toString());
        assertTrue(r.userError() && r.err().contains("is a LUT, not HW-NAS-Bench's base file"), r.toString());
        r = CliRun.of("lut", "measure", "--space", "fbnet-fmnist-tiny", "--device-name", "", "-o", o.toString());
        assertTrue(r.userError() && r.err().contains("option '--device-name' = \"\""), r.toString());
        r = CliRun.of("lut", "validate", "--lut", raspi4.toString(), "--calibrate", "--calibrate-methods", "foo");
        assertTrue(r.userError() && r.err().contains("option '--calibrate-methods' = \"foo\""), r.toString());
        assertFalse(Files.exists(o));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains("never")), "no temp file left");
        }
    }

    @Test
    void brokenCsvKeepsExistingOutput() throws Exception {
        List<String> lines = Files.readAllLines(HwNasBenchImport.defaultCsv());
        lines.set(10, lines.get(10).replace(",24,", ",25,"));
        Path csv = dir.resolve("broken.csv");
        Files.write(csv, lines);
        Path o = dir.resolve("existing.json");
        Files.writeString(o, "keep me");
        // --force: replacing is allowed, yet a failed import still leaves the old file as it was
        CliRun r = CliRun.of("lut", "import", "--format", "hwnasbench-fbnet", "--device", "raspi4", "--csv",
                csv.toString(), "-o", o.toString(), "--force");
        assertTrue(r.userError(), r.toString());
        assertTrue(r.err().contains("broken.csv") && r.err().contains("line 11") && r.err().contains("25"),
                r.toString());
        assertEquals("keep me", Files.readString(o));
    }

    /** lut transfer: an estimated table of another space, clear refusals, nothing overwritten unasked. */
    @Test
    void transferCarriesATableOverToAnotherSpace() throws Exception {
        Path out = dir.resolve("raspi4-fmnist-tiny.json");
        CliRun r = CliRun.of("lut", "transfer", raspi4.toString(), "--space", "fbnet-fmnist-tiny", "-o", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("carried over to fbnet-fmnist-tiny (estimated)")
                && r.out().contains("stage6.block0    stage6.block0"), r.toString());
        JsonNode j = Json.mapper().readTree(out.toFile());
        assertEquals("fbnet-fmnist-tiny", j.get("space").asText());
        assertEquals("estimated", j.get("device").get("source").asText());
        assertEquals(63, j.get("entries").size());
        CliRun shown = CliRun.of("latency", "--lut", out.toString(), "--arch", "k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1");
        assertEquals(0, shown.code(), shown.toString());

        byte[] before = Files.readAllBytes(out);
        CliRun again = CliRun.of("lut", "transfer", raspi4.toString(), "--space", "fbnet-cifar-tiny", "-o", out.toString());
        assertTrue(again.userError() && again.err().contains("--force"), again.toString());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(out)), "not overwritten");

        CliRun bad = CliRun.of("lut", "transfer", raspi4.toString(), "--space", "no-such-space", "-o",
                dir.resolve("x.json").toString());
        assertTrue(bad.userError() && bad.err().contains("no-such-space"), bad.toString());
        assertFalse(Files.exists(dir.resolve("x.json")));
    }
}
