package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hwnas.core.Json;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutEntry;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, one test per failure found: each asserts the message, the exit code and that no existing
 * file changed (bytes and modification time of every file in the test folder, before and after).
 */
class TrustCliTest {
    @TempDir
    Path tmp;
    Path tinySpace;

    @BeforeEach
    void setUp() throws Exception {
        tinySpace = tmp.resolve("test-tiny-space.json");
        Files.copy(Path.of(TrustCliTest.class.getResource("/test-tiny-space.json").toURI()), tinySpace);
    }

    /** Runs the command; asserts a one-line user error (exit 2) holding every part, and that nothing in tmp changed. */
    private CliRun refused(String[] args, String... parts) {
        Snapshot before = Snapshot.of(tmp);
        CliRun r = CliRun.of(args);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.userError(), r.toString());
        for (String p : parts) {
            assertTrue(r.err().contains(p), () -> "'" + p + "' not in\n" + r);
        }
        assertEquals(before, Snapshot.of(tmp), "files changed by a refused command\n" + r);
        return r;
    }

    private static String[] a(String... args) {
        return args;
    }

    private Path lutOf(SearchSpace s, String name, DeviceRecord.Source source, double fixed, DoubleUnaryOperator entry)
            throws IOException {
        List<LutEntry> es = new ArrayList<>();
        for (LayerSpec l : s.layers()) {
            for (int k = 0; k < s.ops().size(); k++) {
                es.add(LutEntry.of(l.index(), l.name(), s.ops().get(k), entry.applyAsDouble(l.index() * 10 + k)));
            }
        }
        Path f = tmp.resolve(name);
        new Lut(s.id(), new DeviceRecord("dev", source, "test", 1, 1, "fp32", null, null, "2026-01-01T00:00:00Z", null),
                fixed, es, null).write(f);
        return f;
    }

    private Path subnetFolder(String name, SearchSpace s, String ops) throws IOException {
        Path d = tmp.resolve(name);
        Files.createDirectories(d);
        Json.writeFile(d.resolve("space.json"), s);
        Json.writeFile(d.resolve("arch.json"), Architecture.parse(s, ops));
        Files.writeString(d.resolve("model.params"), "weights of " + ops);
        return d;
    }

    private Path runFolder(String name) throws IOException {
        Path run = tmp.resolve(name);
        Files.createDirectories(run);
        Path lut = lutOf(SpaceRegistry.resolve(tinySpace.toString()), "run-lut.json", DeviceRecord.Source.ESTIMATED, 0.3,
                i -> 0.1);
        Files.writeString(run.resolve("config.json"), "{\"space\": \"" + tinySpace + "\", \"dataset\": \"fashion-mnist\","
                + " \"lut\": \"" + lut + "\", \"epochs\": 1, \"warmup_epochs\": 0}");
        return run;
    }

    // (1) outputs overwritten without warning

    @Test
    void lutImportRefusesToOverwriteALutWithoutForce() throws IOException {
        Path o = tmp.resolve("pixel3.json");
        assertEquals(0, CliRun.of("lut", "import", "--format", "hwnasbench-fbnet", "--device", "pixel3", "-o",
                o.toString()).code());
        refused(a("lut", "import", "--format", "hwnasbench-fbnet", "--device", "raspi4", "-o", o.toString()),
                o.toString(), "already exists", "a LUT (space fbnet-cifar, device pixel3)", "--force");
        byte[] old = Files.readAllBytes(o);
        CliRun r = CliRun.of("lut", "import", "--format", "hwnasbench-fbnet", "--device", "raspi4", "-o", o.toString(),
                "--force");
        assertEquals(0, r.code(), r.toString());
        assertNotEquals(new String(old, StandardCharsets.UTF_8), Files.readString(o));
        assertEquals("raspi4", Lut.read(o).device().name());
    }

    @Test
    void lutImportAndMeasureRefuseAnUnrelatedFile() throws IOException {
        Path notes = tmp.resolve("notes.txt");
        Files.writeString(notes, "my notes, not a LUT\n");
        refused(a("lut", "import", "--format", "hwnasbench-fbnet", "--device", "pixel3", "-o", notes.toString()),
                "notes.txt", "not a LUT", "--force");
        // refused before measuring: a measurement would end with its "measure...: done in" line on stderr
        CliRun m = refused(a("lut", "measure", "--space", tinySpace.toString(), "--repeats", "2", "--warmup", "0",
                "-o", notes.toString()), "notes.txt", "not a LUT", "--force");
        assertEquals(1, m.err().strip().lines().count(), m.toString());
        assertFalse(m.err().contains("done in"), m.toString());
        refused(a("lut", "measure", "--space", tinySpace.toString(), "-o", tmp.toString()), "is a folder");
    }

    @Test
    void lutMeasureChecksAnUnwritableOutputBeforeMeasuring() {
        // a file where a folder is needed: unwritable even for root
        Path o = tinySpace.resolve("sub").resolve("lut.json");
        refused(a("lut", "measure", "--space", tinySpace.toString(), "-o", o.toString()), "-o " + o,
                "cannot write there", "nothing was done");
        refused(a("lut", "import", "--format", "hwnasbench-fbnet", "--device", "pixel3", "-o", o.toString()),
                "cannot write there");
    }

    @Test
    void extractRefusesASubnetOfAnotherArchitectureAndAnUnwritableOutputFirst() throws IOException {
        SearchSpace s = SpaceRegistry.resolve(tinySpace.toString());
        Path run = runFolder("run");
        Path other = subnetFolder("subnet", s, "k3_e1 k3_e1 k3_e1");
        refused(a("extract", run.toString(), "--arch", "k5_e1 skip k3_e3", "-o", other.toString()), other.toString(),
                "another architecture", "k3_e1 k3_e1 k3_e1", "k5_e1 skip k3_e3", "--force");
        // argmax is not known before loading the run: an existing subnet needs --force
        refused(a("extract", run.toString(), "-o", other.toString()), "already holds a subnet", "--force");
        Path junk = tmp.resolve("junk");
        Files.createDirectories(junk);
        Files.writeString(junk.resolve("thesis.tex"), "\\documentclass{article}");
        refused(a("extract", run.toString(), "--arch", "k5_e1 skip k3_e3", "-o", junk.toString()), "not empty",
                "--force");
        // unwritable -o: refused before anything is loaded (the run has no checkpoint: that error would come later)
        Path bad = tinySpace.resolve("subnet");
        refused(a("extract", run.toString(), "-o", bad.toString()), "cannot write there");
        // a subnet folder given as RUN_DIR
        refused(a("extract", other.toString(), "-o", tmp.resolve("new").toString()), "this is a subnet, not a training run");
        assertFalse(Files.exists(tmp.resolve("new")));
    }

    @Test
    void finetuneRefusesASubnetOfAnotherArchitectureAndAnUnwritableOutputFirst() throws IOException {
        SearchSpace s = SpaceRegistry.resolve(tinySpace.toString());
        Path in = subnetFolder("in", s, "k5_e1 skip k3_e3");
        Path other = subnetFolder("other", s, "k3_e1 k3_e1 k3_e1");
        refused(a("finetune", in.toString(), "-o", other.toString(), "--epochs", "1"), other.toString(),
                "another architecture", "--force");
        refused(a("finetune", in.toString(), "-o", tinySpace.resolve("x").toString()), "cannot write there");
        refused(a("finetune", in.toString(), "-o", tmp.resolve("new").toString(), "--train-subset", "-5"),
                "--train-subset", "-5", ">= 0");
        assertFalse(Files.exists(tmp.resolve("new")));
    }

    // (2) the tool ran something other than asked

    @Test
    void latencyNeverPrintsANonPositiveLatency() throws IOException {
        SearchSpace s = SpaceRegistry.resolve(tinySpace.toString());
        // an estimated (relative) table whose fastest architecture sums to -0.2 ms
        Path neg = lutOf(s, "neg.json", DeviceRecord.Source.ESTIMATED, 0.1, i -> -0.1);
        refused(a("latency", "--lut", neg.toString(), "--space", tinySpace.toString(), "--arch", "skip skip skip"),
                "neg.json", "fastest architecture", "-0.2", "positive");
        // zero
        Path zero = lutOf(s, "zero.json", DeviceRecord.Source.ESTIMATED, 0, i -> 0);
        refused(a("latency", "--lut", zero.toString(), "--space", tinySpace.toString(), "--arch", "skip skip skip"),
                "zero.json", "positive");
        // a measured table with a negative entry is refused at load, naming the entry
        Path m = lutOf(s, "measured.json", DeviceRecord.Source.ESTIMATED, 1, i -> i == 12 ? -0.05 : 0.1);
        Files.writeString(m, Files.readString(m).replace("\"source\" : \"estimated\"", "\"source\" : \"measured\""));
        refused(a("latency", "--lut", m.toString(), "--space", tinySpace.toString(), "--arch", "skip skip skip"),
                "measured.json", "entries[6].median_ms", "-0.05", "layer 1", "k5_e1", "cannot be negative");
        // an absurd entry (1e300 ms) is refused at load, naming it
        String json = Files.readString(lutOf(s, "huge.json", DeviceRecord.Source.MEASURED, 1, i -> 0.1));
        Files.writeString(tmp.resolve("huge.json"), json.replaceFirst("\"median_ms\" : 0.1", "\"median_ms\" : 1e300"));
        refused(a("latency", "--lut", tmp.resolve("huge.json").toString(), "--space", tinySpace.toString(), "--arch",
                "skip skip skip"), "huge.json", "entries[0].median_ms", "1.0E300", "absurd");
        // imported HW-NAS-Bench tables keep their negative deltas: the sum stays positive and is printed
        Path px = tmp.resolve("px.json");
        assertEquals(0, CliRun.of("lut", "import", "--format", "hwnasbench-fbnet", "--device", "pixel3", "-o",
                px.toString()).code());
        CliRun r = CliRun.of("latency", "--lut", px.toString(), "--arch", String.join(" ",
                java.util.Collections.nCopies(22, "skip")), "--json");
        assertEquals(0, r.code(), r.toString());
        assertTrue(Json.parse("out", r.out(), com.fasterxml.jackson.databind.JsonNode.class).get("latency_ms")
                .asDouble() > 0, r.out());
    }

    @Test
    void aSpaceFileReusingARegisteredIdWithOtherContentIsRefused() throws IOException {
        SearchSpace reg = SpaceRegistry.get("fbnet-cifar");
        String wide = Json.write(reg).replace("\"channels\" : 16,", "\"channels\" : 64,");
        assertNotEquals(Json.write(reg), wide);
        Path f = tmp.resolve("wide.json");
        Files.writeString(f, wide);
        Path px = tmp.resolve("px.json");
        assertEquals(0, CliRun.of("lut", "import", "--format", "hwnasbench-fbnet", "--device", "pixel3", "-o",
                px.toString()).code());
        refused(a("latency", "--lut", px.toString(), "--space", f.toString(), "--arch", String.join(" ",
                java.util.Collections.nCopies(22, "skip"))), "wide.json", "'id' = \"fbnet-cifar\"", "differs");
        refused(a("space", "show", f.toString()), "wide.json", "registered space", "give your space its own id");
        // same content under the registered id: accepted
        Path same = tmp.resolve("same.json");
        Files.writeString(same, Json.write(reg));
        assertEquals(0, CliRun.of("space", "show", same.toString()).code());
        // a LUT records the space's fingerprint; a same-id space of other content is refused by it too
        assertEquals(reg.sha256(), Lut.read(px).spaceSha256());
    }

    @Test
    void fractionalEpochsAndDuplicateKeysInAConfigAreRefused() throws IOException {
        Path run = tmp.resolve("run");
        Path cfg = tmp.resolve("cfg.json");
        Files.writeString(cfg, "{\"space\": \"" + tinySpace + "\", \"dataset\": \"fashion-mnist\", \"epochs\": 2.5}");
        refused(a("train", "--config", cfg.toString(), "-o", run.toString()), "cfg.json", "'epochs' = 2.5",
                "whole number");
        Files.writeString(cfg, "{\"space\": \"" + tinySpace + "\", \"epochs\": 2, \"dataset\": \"fashion-mnist\","
                + " \"epochs\": 3}");
        refused(a("train", "--config", cfg.toString(), "-o", run.toString()), "cfg.json", "key 'epochs' is given twice");
        assertFalse(Files.exists(run));
    }

    private static void png(Path f, int grey) throws IOException {
        Files.createDirectories(f.getParent());
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(4, 4,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(0, 0, 0, grey);
        javax.imageio.ImageIO.write(img, "png", f.toFile());
    }

    @Test
    void imageFolderClassesAreMatchedByNameAndASplitIsNeededForTestImages() throws IOException {
        Path d = tmp.resolve("pets");
        png(d.resolve("train/cat/1.png"), 10);
        png(d.resolve("train/dog/1.png"), 20);
        png(d.resolve("train/emu/1.png"), 30);
        png(d.resolve("test/cat/1.png"), 10);
        png(d.resolve("test/emu/1.png"), 30); // by position, emu would have been labelled dog
        refused(a("data", "check", "--dataset", "folder", "--data", d.toString()), "no class folder 'dog'",
                "matched by name");
        // no split: training data only; data check says there is no test set, eval refuses
        Path flat = tmp.resolve("flat");
        for (int i = 0; i < 5; i++) { // enough for the 80/20 split data check prints
            png(flat.resolve("cat/" + i + ".png"), 10 + i);
            png(flat.resolve("dog/" + i + ".png"), 20 + i);
        }
        CliRun r = CliRun.of("data", "check", "--dataset", "folder", "--data", flat.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("test  none: no test/ folder"), r.toString());
        // classes by their folder names, as they are labelled
        assertTrue(r.out().contains(" 0 cat ") && r.out().contains(" 1 dog ") && !r.out().contains("class 0"),
                r.toString());
    }

    @Test
    void hugeChannelCountsAreRefusedNamingTheField() throws IOException {
        Path f = tmp.resolve("big.json");
        Files.writeString(f, Files.readString(tinySpace).replace("\"channels\": 16", "\"channels\": 2000000000")
                .replace("\"test-tiny\"", "\"big\""));
        refused(a("space", "show", f.toString()), "big.json", "stages[1].channels", "2000000000", "2^53");
    }

    @Test
    void negativeCountOptionsAreRefused() throws IOException {
        SearchSpace s = SpaceRegistry.resolve(tinySpace.toString());
        Path in = subnetFolder("in", s, "k5_e1 skip k3_e3");
        refused(a("eval", in.toString(), "--runs", "-3"), "--runs", "-3");
        refused(a("eval", in.toString(), "--test-subset", "-2"), "--test-subset", "-2");
        refused(a("lut", "measure", "--space", tinySpace.toString(), "--threads", "-1", "-o",
                tmp.resolve("l.json").toString()), "--threads", "-1");
        refused(a("quickstart", "-o", tmp.resolve("q").toString(), "--train-subset", "-5"), "--train-subset", "-5");
        // every epoch a warm-up: no θ to take the argmax of, refused before the LUT and the training
        refused(a("quickstart", "-o", tmp.resolve("q").toString(), "--epochs", "1"), "--warmup-epochs' = 1",
                "no θ epoch");
        assertFalse(Files.exists(tmp.resolve("q")));
    }

    // (4) stack traces for user input

    @Test
    void nulInAPathIsOneLine() throws IOException {
        refused(a("space", "show", "sp\0ace.json"), "NUL character", "sp\\u0000ace.json");
        refused(a("train", "--config", "c\0.json", "-o", tmp.resolve("r").toString()), "NUL character");
        Path cfg = tmp.resolve("cfg.json");
        Files.writeString(cfg, "{\"space\": \"a\\u0000b.json\", \"dataset\": \"fashion-mnist\", \"alpha\": 0}");
        refused(a("train", "--config", cfg.toString(), "-o", tmp.resolve("r").toString()), "NUL character");
    }

    /** An empty path is not the working folder: -o '' trained into it (or was told to --force the checkout). */
    @Test
    void anEmptyPathIsRefused() throws IOException {
        Path cfg = tmp.resolve("cfg.json");
        Files.writeString(cfg, "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\"}");
        refused(a("train", "--config", cfg.toString(), "-o", ""), "-o", "an empty path");
        refused(a("train", "--config", "", "-o", tmp.resolve("r").toString()), "--config", "an empty path");
        refused(a("extract", tmp.toString(), "-o", " "), "an empty path");
        assertFalse(Files.exists(tmp.resolve("r")));
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES,
            threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD) // a hang guard: reading /dev/zero never ends
    void devZeroAsAConfigIsRefusedAtOnce() {
        refused(a("train", "--config", "/dev/zero", "-o", tmp.resolve("r").toString()), "/dev/zero",
                "not a regular file");
        refused(a("lut", "show", "/dev/zero"), "/dev/zero", "not a regular file");
        refused(a("experiment", "latency-sweep", "--config", "/dev/zero", "-o", tmp.resolve("s").toString()),
                "not a regular file");
    }

    @Test
    void nonAsciiPathUnderCLocaleIsOneLine() throws Exception {
        assumeTrue("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")), "needs a UTF-8 parent JVM");
        Path f = tmp.resolve("\u00e9t\u00e9.json");
        Files.copy(tinySpace, f);
        Snapshot before = Snapshot.of(tmp);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", "io.hwnas.tools.Hwnas",
                "space", "show", f.toString());
        pb.environment().put("LANG", "C");
        pb.environment().put("LC_ALL", "C");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.startsWith("hwnas: error: path \"") && out.contains("file-name encoding")
                && out.contains("UTF-8"), out);
        assertFalse(out.contains("\tat ") || out.contains("Exception"), out);
        assertEquals(before, Snapshot.of(tmp));
    }

    // (5) unclear messages

    @Test
    void binaryConfigSaysBinary() throws IOException {
        Path cfg = tmp.resolve("model.params");
        Files.write(cfg, new byte[] {(byte) 0xff, (byte) 0xfe, 'x', 1, 2, 3});
        CliRun r = refused(a("train", "--config", cfg.toString(), "-o", tmp.resolve("r").toString()), "model.params",
                "not UTF-8", "binary");
        assertFalse(r.err().contains("Input length"), r.toString());
    }

    @Test
    void evalOfARunFolderSaysExtractFirst() throws IOException {
        Path run = runFolder("run");
        refused(a("eval", run.toString()), "this is a training run, not a subnet: extract one first with hwnas extract "
                + run + " -o DIR");
        refused(a("finetune", run.toString(), "-o", tmp.resolve("x").toString()), "this is a training run");
    }

    @Test
    void everySubnetCommandSaysWhatItsInputIsInstead() throws IOException {
        Path run = runFolder("run");
        refused(a("export", run.toString(), "-o", tmp.resolve("m.onnx").toString()),
                "this is a training run, not a subnet: extract one first with hwnas extract " + run + " -o DIR");
        Path file = lutOf(SpaceRegistry.resolve(tinySpace.toString()), "fm1.json", DeviceRecord.Source.ESTIMATED, 0.3,
                i -> 0.1);
        for (String[] args : List.of(a("finetune", file.toString(), "-o", tmp.resolve("x").toString()),
                a("eval", file.toString()), a("export", file.toString(), "-o", tmp.resolve("m.onnx").toString()))) {
            refused(args, file + ": is a file, not a subnet folder");
        }
        refused(a("extract", file.toString(), "-o", tmp.resolve("x").toString()), file + ": is a file, not a training"
                + " run folder");
        assertFalse(Files.exists(tmp.resolve("x")) || Files.exists(tmp.resolve("m.onnx")));
    }

    private void origin(Path subnet, String runDir) {
        Json.writeFile(subnet.resolve(io.hwnas.search.subnet.Origin.FILE), new io.hwnas.search.subnet.Origin(1,
                "extracted", runDir, "argmax", "fashion-mnist", null, null, 0, 0, false, null));
    }

    @Test
    void finetuneRefusesASubnetOfTheSameArchitectureFromAnotherRun() throws IOException {
        SearchSpace s = SpaceRegistry.resolve(tinySpace.toString());
        Path in = subnetFolder("in", s, "k5_e1 skip k3_e3");
        origin(in, tmp.resolve("run-a").toString());
        Path out = subnetFolder("out", s, "k5_e1 skip k3_e3");
        origin(out, tmp.resolve("run-b").toString());
        refused(a("finetune", in.toString(), "-o", out.toString(), "--epochs", "1"), "-o " + out,
                "another run (" + tmp.resolve("run-b") + ")", "--force");
    }

    @Test
    void finetuneRefusesZeroEpochsBeforeAnyWork() throws IOException {
        Path in = subnetFolder("in", SpaceRegistry.resolve(tinySpace.toString()), "k5_e1 skip k3_e3");
        refused(a("finetune", in.toString(), "-o", tmp.resolve("new").toString(), "--epochs", "0"),
                "option '--epochs' = 0: must be >= 1");
        assertFalse(Files.exists(tmp.resolve("new")));
    }

    @Test
    void subsetsLargerThanTheDatasetAreRefusedByFinetuneAndEval() throws IOException {
        Path in = tmp.resolve("real");
        ExportCommandTest.subnet(in, "k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1", 5, true);
        refused(a("finetune", in.toString(), "-o", tmp.resolve("new").toString(), "--epochs", "1", "--train-subset",
                "70000"), "option '--train-subset' = 70000", "60000 training images of fashion-mnist");
        assertFalse(Files.exists(tmp.resolve("new")));
        refused(a("eval", in.toString(), "--runs", "0", "--test-subset", "20000"), "option '--test-subset' = 20000",
                "10000 test images of fashion-mnist");
    }

    @Test
    void unknownCommandWithHelpIsAnError() {
        refused(a("specialise", "--help"), "unknown command 'specialise'");
        refused(a("lut", "compare", "--help"), "unknown command 'compare'", "import");
        // a typo gets picocli's close matches, in words (not "Unmatched argument at index 1")
        CliRun r = refused(a("lut", "mesure"), "unknown command 'mesure'; did you mean 'measure'?");
        assertFalse(r.err().contains("Unmatched") || r.err().contains("index"), r.toString());
        refused(a("lut", "mesure", "--help"), "unknown command 'mesure'; did you mean 'measure'?");
        refused(a("lut", "show", "--spaec", "x", "y.json"), "unknown option '--spaec'; did you mean '--space'?");
        CliRun ok = CliRun.of("lut", "--help");
        assertEquals(0, ok.code());
    }

    @Test
    void aBadOptionValueIsCalledAnOption() {
        CliRun r = refused(a("bench", "train", "--batch", "0"), "option '--batch' = 0: must be positive");
        assertFalse(r.err().contains("field '--"), r.toString());
    }

    @Test
    void aRealBugStillShowsItsStackTrace() {
        java.io.StringWriter w = new java.io.StringWriter();
        int code = io.hwnas.tools.cli.Errors.report(new NullPointerException("boom"), new java.io.PrintWriter(w));
        assertEquals(1, code);
        assertTrue(w.toString().contains("internal error, please report") && w.toString().contains("\tat "), w.toString());
    }
}
