package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signal while {@code hwnas specialize} works (in a child JVM: while it loads, searches, or writes its picks)
 * leaves either nothing of the call in its output folder or the whole specialization, and says which: its shutdown
 * hook shuts the file gate before it undoes the picks, so the command's own thread, still running, cannot write a
 * pick after the hook has said none was kept.
 */
class SpecializeSignalTest {
    @TempDir
    Path tmp;

    @Test
    void anInterruptedSpecializationKeepsAllOrNothingAndSaysWhich() throws Exception {
        Path run = ExtractSignalTest.tinyRun(tmp);
        Path lut = tmp.resolve("lut.json");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path out = tmp.resolve("spec-" + i);
            Path log = tmp.resolve("specialize-" + i + ".log");
            Process p = ExtractSignalTest.hwnas(log, "specialize", run.toString(), "--target", "a=" + lut + ":0.6",
                    "--target", "b=" + lut + ":0.45", "--accuracy", "supernet", "--population", "8", "--generations",
                    "3", "--held-out", "16", "--recalibrate-batches", "2", "-o", out.toString());
            if (i % 2 == 0) { // once the first pick's folder is there: while the picks are written
                long until = System.nanoTime() + 60_000_000_000L;
                while (p.isAlive() && !Files.isDirectory(out.resolve("a")) && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
            } else { // while it starts, loads and searches
                p.waitFor(400L * (i + 1), TimeUnit.MILLISECONDS); // 0.8 s and 1.6 s
            }
            p.destroy(); // SIGTERM: the same shutdown hooks as Ctrl-C
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no exit 60 s after the signal");
            String text = Files.readString(log);
            assertTrue(!text.contains("internal error") && !text.contains("\tat "), text);
            boolean whole = Files.isRegularFile(out.resolve("summary.md"));
            boolean nothing = !Files.exists(out) || isEmpty(out);
            seen.add(p.exitValue() + (whole ? " whole" : nothing ? " nothing" : " partial"));
            if (p.exitValue() == 0) {
                assertTrue(whole, text);
                continue;
            }
            assertEquals(143, p.exitValue(), text);
            if (text.contains("hwnas: interrupted")) { // undone whole, or finished whole: never "may remain"
                assertTrue(text.contains("nothing of this call was kept") ? nothing
                        : text.contains("are complete") && whole, seen + ": " + text);
            } else { // before the hook was registered (start-up): nothing made
                assertTrue(nothing, text);
            }
        }
        System.out.println("specialize signal test: " + seen);
    }

    private static boolean isEmpty(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
