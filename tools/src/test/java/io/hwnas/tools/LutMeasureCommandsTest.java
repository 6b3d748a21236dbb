package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutEntry;
import io.hwnas.supernet.space.HeadSpec;
import io.hwnas.supernet.space.InputSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.StageSpec;
import io.hwnas.supernet.space.StemSpec;
import io.hwnas.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas lut measure} and {@code lut validate} on a 2-layer space, 3 repeats (a few seconds). */
class LutMeasureCommandsTest {
    @TempDir
    Path dir;

    Path tinySpace() {
        SearchSpace s = new SearchSpace(1, "unit-2layer", "2 searchable layers, for tests", new InputSpec(3, 8, 8),
                new StemSpec(8, 3, 1), List.of(new StageSpec(1, 8, 1), new StageSpec(1, 16, 2)), new HeadSpec(32, 10),
                List.of("k3_e1", "k3_e1_g2", "k5_e3", "skip"));
        Path f = dir.resolve("unit-2layer.json");
        Json.writeFile(f, s);
        return f;
    }

    /** In {@code dir}: the 2-layer test space and a LUT of it ({@code lutName}) measured on 1 thread, 1 warm-up round. */
    static Path[] measuredTinyLut(Path dir, String lutName, int repeats) {
        LutMeasureCommandsTest m = new LutMeasureCommandsTest();
        m.dir = dir;
        Path space = m.tinySpace(); // 2 layers x 4 ops
        Path lut = dir.resolve(lutName);
        CliRun r = CliRun.of("lut", "measure", "--space", space.toString(), "--threads", "1", "--repeats",
                String.valueOf(repeats), "--warmup", "1", "-o", lut.toString());
        assertEquals(0, r.code(), r.toString());
        return new Path[] {space, lut};
    }

    @Test
    void measureShowLatencyValidate() throws Exception {
        Path space = tinySpace();
        Path lutFile = dir.resolve("measured.json");
        CliRun r = CliRun.of("lut", "measure", "--space", space.toString(), "--threads", "1", "--batch", "1",
                "--repeats", "3", "--warmup", "1", "-o", lutFile.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = Json.mapper().readTree(r.out());
        assertEquals(8, j.get("entries").asInt());
        assertTrue(j.get("wall_s").asDouble() > 0);
        assertTrue(r.err().contains("measure unit-2layer: done"), r.err()); // the progress bar's summary

        Lut lut = Lut.read(lutFile);
        assertEquals("unit-2layer", lut.space());
        DeviceRecord d = lut.device();
        assertEquals(DeviceRecord.Source.MEASURED, d.source());
        assertEquals(1, d.threads());
        assertEquals(1, d.batch());
        assertTrue(d.runtime().startsWith("DJL 0.35.1 / PyTorch 2.7.1"), d.runtime());
        for (LutEntry e : lut.entries()) {
            assertEquals(3, e.count(), e.toString());
            assertTrue(e.medianMs() >= 0, e.toString());
        }
        // layer 0 keeps 8 channels at stride 1: skip is the identity, far cheaper than a conv block
        assertTrue(lut.entry(0, "skip").medianMs() < lut.entry(0, "k5_e3").medianMs(), lut.entries().toString());
        assertEquals(List.of("stem", "head"), List.copyOf(lut.fixedBreakdownMs().keySet()));

        // a LUT of an unregistered space needs --space
        r = CliRun.of("lut", "show", lutFile.toString());
        assertTrue(r.userError() && r.err().contains("--space"), r.toString());
        r = CliRun.of("lut", "show", lutFile.toString(), "--space", space.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("stage1.block0") && r.out().contains("(measured)"), r.out());

        r = CliRun.of("latency", "--lut", lutFile.toString(), "--space", space.toString(), "--arch", "k5_e3 skip",
                "--json");
        assertEquals(0, r.code(), r.toString());
        double want = lut.fixedMs() + lut.entry(0, "k5_e3").medianMs() + lut.entry(1, "skip").medianMs();
        assertEquals(want, Json.mapper().readTree(r.out()).get("latency_ms").asDouble(), 1e-12);

        Path result = dir.resolve("validation.json");
        r = CliRun.of("lut", "validate", "--lut", lutFile.toString(), "--space", space.toString(), "--archs", "2",
                "--repeats", "3", "--warmup", "1", "-o", result.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("mean |error|"), r.out());
        assertEquals(2, Json.mapper().readTree(result.toFile()).get("rows").size());
    }

    @Test
    void measureAndValidateWithOnnxRuntime() throws Exception {
        Path space = tinySpace();
        Path lutFile = dir.resolve("ort.json");
        CliRun r = CliRun.of("lut", "measure", "--runtime", "onnxruntime", "--space", space.toString(), "--threads",
                "1", "--repeats", "3", "--warmup", "1", "-o", lutFile.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("ONNX Runtime 1.29.0 (cpu)") && r.out().contains("8 entries"), r.out());
        Lut lut = Lut.read(lutFile);
        assertEquals("ONNX Runtime 1.29.0 (cpu)", lut.device().runtime());
        assertEquals(1, lut.device().threads());
        assertEquals(8, lut.entries().size());
        for (LutEntry e : lut.entries()) {
            assertEquals(3, e.count(), e.toString());
            assertTrue(e.medianMs() > 0, e.toString());
        }
        // validate takes the LUT's runtime unless told otherwise
        r = CliRun.of("lut", "validate", "--lut", lutFile.toString(), "--space", space.toString(), "--archs", "2",
                "--repeats", "2", "--warmup", "1");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("timed here with ONNX Runtime 1.29.0 (cpu)"), r.out());
        r = CliRun.of("lut", "validate", "--lut", lutFile.toString(), "--space", space.toString(), "--archs", "2",
                "--repeats", "2", "--warmup", "1", "--runtime", "djl");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("timed here with DJL"), r.out());
        r = CliRun.of("lut", "measure", "--runtime", "tvm", "--space", space.toString(), "-o",
                dir.resolve("x.json").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--runtime"), r.toString());
    }

    /**
     * A process spinning beside the measurement: the LUT's device record holds the load it saw and
     * the command warns, suggesting the cpu clock; on a quiet run there is no warning.
     */
    @Test
    void busyMachineIsDetectedRecordedAndWarnedAbout() throws Exception {
        Path space = tinySpace();
        Path lutFile = dir.resolve("busy.json");
        Process spinner = new ProcessBuilder("bash", "-c", "while [ $SECONDS -lt 30 ]; do :; done").start();
        // killed below, and it ends by itself after 30 s should this JVM die first (a `timeout`
        // wrapper killed by destroyForcibly would leave its loop running)
        CliRun r;
        try {
            Thread.sleep(200);
            r = CliRun.of("lut", "measure", "--space", space.toString(), "--threads", "1", "--repeats", "600",
                    "--warmup", "5", "-o", lutFile.toString());
        } finally {
            spinner.destroyForcibly().waitFor();
        }
        assertEquals(0, r.code(), r.toString());
        DeviceRecord d = Lut.read(lutFile).device();
        assertTrue(d.otherLoadCores() != null && d.otherLoadCores() > 0.4, d.toString());
        assertTrue(d.measuredBusy() && d.describe().contains("other load"), d.describe());
        assertTrue(r.err().contains("warning: busy machine: other processes kept"), r.err());
        assertTrue(r.err().contains("--threads 1 --clock cpu"), r.err());
        assertTrue(Files.readString(lutFile).contains("\"other_load_cores\""));
    }

    @Test
    void badMeasureArgumentsWriteNothing() {
        Path o = dir.resolve("never.json");
        CliRun r = CliRun.of("lut", "measure", "--space", "fbnet-nope", "-o", o.toString());
        assertTrue(r.userError() && r.err().contains("fbnet-nope"), r.toString());
        r = CliRun.of("lut", "measure", "--space", tinySpace().toString(), "--repeats", "0", "-o", o.toString());
        assertTrue(r.userError() && r.err().contains("repeats") && r.err().contains("= 0"), r.toString());
        r = CliRun.of("lut", "measure", "--space", tinySpace().toString(), "--clock", "cpu", "--threads", "2", "-o",
                o.toString());
        assertTrue(r.userError() && r.err().contains("threads") && r.err().contains("cpu clock"), r.toString());
        assertFalse(Files.exists(o));
    }

    @Test
    void helpOfEveryLutCommandFormats() {
        for (String[] cmd : new String[][] {{"lut", "--help"}, {"lut", "import", "--help"}, {"lut", "show", "--help"},
                {"lut", "measure", "--help"}, {"lut", "validate", "--help"}, {"latency", "--help"}}) {
            CliRun r = CliRun.of(cmd);
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().startsWith("Usage: hwnas"), r.toString());
            assertFalse(r.err().contains("WARN"), r.toString());
        }
    }

    /** Every command's help, found by walking the command tree, formats without a picocli warning (a stray '%'). */
    @Test
    void helpOfEveryCommandFormats() {
        java.util.ArrayDeque<java.util.List<String>> todo = new java.util.ArrayDeque<>();
        todo.add(List.of());
        int n = 0;
        while (!todo.isEmpty()) {
            List<String> path = todo.poll();
            picocli.CommandLine cl = new picocli.CommandLine(new io.hwnas.tools.Hwnas());
            for (String p : path) {
                cl = cl.getSubcommands().get(p);
            }
            for (String sub : cl.getSubcommands().keySet()) {
                java.util.List<String> next = new java.util.ArrayList<>(path);
                next.add(sub);
                todo.add(next);
            }
            java.util.List<String> args = new java.util.ArrayList<>(path);
            args.add("--help");
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.toString());
            assertFalse(r.err().contains("WARN") || r.out().contains("%n"), r.toString());
            n++;
        }
        assertTrue(n > 20, "commands walked: " + n);
    }

    /** Descriptions are paragraphs picocli wraps, not lines broken by hand mid-sentence; defaults are shown. */
    @Test
    void helpTextsWrapAsParagraphsAndShowDefaults() {
        CliRun train = CliRun.of("train", "--help");
        assertEquals(0, train.code(), train.toString());
        String usage = train.out().replaceAll("\\s+", " ");
        assertTrue(usage.contains("Ctrl-C or a kill (SIGINT/SIGTERM) stops at the next step"), train.out());
        // before: each hand-made line was wrapped again, leaving stubs ("One process" / "at a time uses a" / "RUN_DIR")
        assertTrue(train.out().contains("\nOne process at a time uses a RUN_DIR (RUN_DIR/.lock).\n"), train.out());
        assertFalse(train.out().contains("\nkill (SIGINT/SIGTERM)\n") || train.out().contains("\nRUN_DIR (RUN_DIR/.lock)."),
                train.out());
        CliRun bench = CliRun.of("bench", "train", "--help");
        assertEquals(0, bench.code(), bench.toString());
        String b = bench.out().replaceAll("\\s+", " ");
        for (String want : new String[] {"--batch=<batch> Images per training step (default 64)",
            "--warmup=<warmup> Untimed steps", "(default 20)", "Random subnets per sandwich step (default 2)",
            "(default fbnet-fmnist-tiny)"}) {
            assertTrue(b.contains(want), want + " not in\n" + bench.out());
        }
        List<String> bare = new java.util.ArrayList<>();
        undescribed(new picocli.CommandLine(new io.hwnas.tools.Hwnas()), bare);
        assertTrue(bare.isEmpty(), "options without a description: " + bare);
    }

    /** Every option of {@code cl} and its subcommands that has no description, as "command --option". */
    private static void undescribed(picocli.CommandLine cl, List<String> out) {
        for (picocli.CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
            if (o.description().length == 0 || String.join("", o.description()).isBlank()) {
                out.add(cl.getCommandSpec().qualifiedName() + " " + o.longestName());
            }
        }
        for (picocli.CommandLine sub : cl.getSubcommands().values()) {
            undescribed(sub, out);
        }
    }
}
