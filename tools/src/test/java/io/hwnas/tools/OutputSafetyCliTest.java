package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.SharedData;
import io.hwnas.latency.HelpData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that write result files or folders (lut validate, latency fit, the experiments) refuse an
 * existing output without --force, never write over a file they read, and check -o before any work;
 * a failed command leaves no folder behind.
 */
class OutputSafetyCliTest {
    @TempDir
    static Path dir;

    static Path space;
    static Path lut;

    @BeforeAll
    static void measure() {
        Path[] sl = LutMeasureCommandsTest.measuredTinyLut(dir, "lut.json", 2);
        space = sl[0];
        lut = sl[1];
    }

    private static CliRun validate(String... more) {
        return CliRun.of(LutCalibrateCommandTest.concat(new String[] {"lut", "validate", "--lut", lut.toString(),
            "--space", space.toString(), "--archs", "2", "--repeats", "1", "--warmup", "0", "--threads", "1"}, more));
    }

    @Test
    void lutValidateNeverWritesOverItsLutAndReplacesOnlyWithForce() throws Exception {
        byte[] table = Files.readAllBytes(lut);
        CliRun r = validate("-o", lut.toString(), "--force");
        assertTrue(r.userError() && r.err().contains("is a file this command reads"), r.toString());
        r = validate("--calibrate", "--calibrate-archs", "10", "--plot", lut.toString(), "--force");
        assertTrue(r.userError() && r.err().contains("--plot") && r.err().contains("reads"), r.toString());
        r = validate("--calibrate", "--calibrate-archs", "10", "--calibrated-lut", lut.toString(), "--force");
        assertTrue(r.userError() && r.err().contains("--calibrated-lut") && r.err().contains("reads"), r.toString());
        r = validate("--calibrate", "--calibrate-archs", "10", "--plot", space.toString(), "--force");
        assertTrue(r.userError() && r.err().contains("reads"), r.toString()); // the --space file is read too
        r = CliRun.of("lut", "transfer", lut.toString(), "--space", space.toString(), "-o", lut.toString(), "--force");
        assertTrue(r.userError() && r.err().contains("reads"), r.toString());
        assertArrayEquals(table, Files.readAllBytes(lut));
        Path same = dir.resolve("same.json");
        r = validate("--calibrate", "--calibrate-archs", "10", "-o", same.toString(), "--calibrated-lut",
                same.toString());
        assertTrue(r.userError() && r.err().contains("--calibrated-lut") && r.err().contains("is also -o"),
                r.toString());

        Path o = dir.resolve("v.json");
        Files.writeString(o, "{\"mine\": 1}");
        r = validate("-o", o.toString());
        assertTrue(r.userError() && r.err().contains("already exists") && r.err().contains("--force"), r.toString());
        assertEquals("{\"mine\": 1}", Files.readString(o));
        assertFalse(r.err().contains("validate unit-2layer"), "refused before timing: " + r.err());
        r = validate("-o", dir.toString());
        assertTrue(r.userError() && r.err().contains("is a folder"), r.toString());
        r = validate("-o", o.toString(), "--force");
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.readString(o).contains("mean_abs_error_pct"), Files.readString(o));

        // the plot beside -o is an output too
        Path o2 = dir.resolve("c.json");
        Files.writeString(dir.resolve("c.png"), "not mine to replace");
        r = validate("--calibrate", "--calibrate-archs", "10", "-o", o2.toString());
        assertTrue(r.userError() && r.err().contains("c.png") && r.err().contains("--force"), r.toString());
        assertFalse(Files.exists(o2));
    }

    @Test
    void latencyFitRefusesAnExistingModelAndItsOwnData() throws Exception {
        Path help = SharedData.data(HelpData.DEFAULT);
        Path o = dir.resolve("fit.json");
        Files.writeString(o, "{}");
        String[] fit = {"latency", "fit", "--data", help.toString(), "--target", "pixel3_ms", "--model", "lut",
            "--space", "fbnet-cifar", "--samples", "50"};
        CliRun r = CliRun.of(LutCalibrateCommandTest.concat(fit, "-o", o.toString()));
        assertTrue(r.userError() && r.err().contains("already exists") && r.err().contains("--force"), r.toString());
        assertEquals("{}", Files.readString(o));
        Path csv = dir.resolve("data.csv");
        Files.copy(help, csv);
        r = CliRun.of("latency", "fit", "--data", csv.toString(), "--target", "pixel3_ms", "--model", "lut", "--space",
                "fbnet-cifar", "-o", csv.toString(), "--force");
        assertTrue(r.userError() && r.err().contains("reads"), r.toString());
        assertEquals(Files.size(help), Files.size(csv));
        r = CliRun.of(LutCalibrateCommandTest.concat(fit, "-o", o.toString(), "--force"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.readString(o).contains("\"kind\""), Files.readString(o));

        // a fitted model is no table: the table commands say so
        r = CliRun.of("lut", "show", o.toString());
        assertTrue(r.userError() && r.err().contains("fitted latency model") && r.err().contains(o.toString()),
                r.toString());
    }

    @Test
    void experimentsCheckTheirFolderBeforeAnyWork() throws Exception {
        Path file = dir.resolve("a-file.json");
        Files.writeString(file, "{}");
        CliRun r = CliRun.of("experiment", "latency-sweep", "-o", file.toString());
        assertTrue(r.userError() && r.err().contains("is a file"), r.toString());
        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        r = CliRun.of("experiment", "latency-sweep", "-o", foreign.toString());
        assertTrue(r.userError() && r.err().contains("holds nothing of this experiment") && r.err().contains(
                "notes.txt"), r.toString());
        r = CliRun.of("experiment", "latency-estimators", "--sizes", "10", "--devices", "pixel3_ms", "-o",
                foreign.toString());
        assertTrue(r.userError() && r.err().contains("holds nothing of this experiment"), r.toString());
        assertEquals(1, Files.list(foreign).count());

        Path done = dir.resolve("done");
        Files.createDirectories(done);
        Files.writeString(done.resolve("results.json"), "{}");
        r = CliRun.of("experiment", "latency-estimators", "--sizes", "10", "--devices", "pixel3_ms", "-o",
                done.toString());
        assertTrue(r.userError() && r.err().contains("already holds results") && r.err().contains("--force"),
                r.toString());
        // another experiment's results are not a sweep to continue
        r = CliRun.of("experiment", "latency-sweep", "-o", done.toString());
        assertTrue(r.userError() && r.err().contains("already holds results") && r.err().contains("--force"),
                r.toString());
        assertEquals("{}", Files.readString(done.resolve("results.json")));

        // every device column is checked before the first is fitted, and nothing is created
        Path fresh = dir.resolve("fresh/sub");
        r = CliRun.of("experiment", "latency-estimators", "--sizes", "10", "--devices", "pixel3_ms,arch_id", "-o",
                fresh.toString());
        assertTrue(r.userError() && r.err().contains("arch_id"), r.toString());
        assertFalse(Files.exists(dir.resolve("fresh")));
    }

    @Test
    void cpuClockNeedsOneThreadAndAFailedLutCommandLeavesNoFolder() {
        Path o = dir.resolve("newdir/lut.json");
        CliRun r = CliRun.of("lut", "measure", "--space", space.toString(), "--clock", "cpu", "--repeats", "1", "-o",
                o.toString());
        assertTrue(r.userError() && r.err().contains("'--clock cpu' needs --threads 1"), r.toString());
        r = CliRun.of("lut", "transfer", lut.toString(), "--space", "fbnet-cifar-tiny", "-o", o.toString());
        assertTrue(r.userError(), r.toString());
        assertFalse(Files.exists(dir.resolve("newdir")));
    }
}
