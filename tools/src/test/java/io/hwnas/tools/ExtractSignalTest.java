package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.Progress;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.search.train.TrainingRun;
import io.hwnas.supernet.net.SubnetIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signal while {@code hwnas extract} works (in a child JVM, at random moments from start-up on, and as soon as the
 * subnet's first file appears) leaves no empty output folder behind and says what happened: the folder it created is
 * removed again unless a subnet was being written, and then the message says so and the folder still holds it (the
 * command's thread runs on while the shutdown hooks run: a clean-up of its own once said "may hold an incomplete
 * subnet" of a folder it then emptied).
 */
class ExtractSignalTest {
    @TempDir
    Path tmp;

    @Test
    void anInterruptedExtractionLeavesNoEmptyFolderAndSaysWhatItKept() throws Exception {
        Path run = tinyRun(tmp);
        Random rnd = new Random(3);
        List<String> seen = new ArrayList<>();
        int interrupted = 0;
        for (int i = 0; i < 6; i++) {
            Path out = tmp.resolve("sub-" + i).resolve("nested");
            Path log = tmp.resolve("extract-" + i + ".log");
            Process p = hwnas(log, "extract", run.toString(), "--recalibrate-batches", "20", "-o", out.toString());
            if (i % 3 == 2) { // anywhere from start-up on
                p.waitFor(300 + rnd.nextInt(2500), TimeUnit.MILLISECONDS);
            } else if (i % 3 == 1) { // once the subnet's first file is there: while its other files are written
                long until = System.nanoTime() + 60_000_000_000L;
                while (p.isAlive() && !holdsAFile(out) && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
            } else { // once the output check has made the folder: loading the run and the data, or writing
                long until = System.nanoTime() + 30_000_000_000L;
                while (p.isAlive() && !Files.exists(out) && System.nanoTime() < until) {
                    Thread.sleep(2);
                }
                p.waitFor(rnd.nextInt(120), TimeUnit.MILLISECONDS);
            }
            p.destroy(); // SIGTERM: the same shutdown hooks as Ctrl-C
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no exit 60 s after the signal");
            String text = Files.readString(log);
            int code = p.exitValue();
            seen.add(code + (Files.exists(out) ? " kept" : " none"));
            assertTrue(!text.contains("internal error") && !text.contains("\tat "), text);
            boolean whole = Files.isRegularFile(out.resolve(io.hwnas.search.subnet.Origin.FILE)); // written last
            if (code == 0 || text.contains("extracted ") || whole && !text.contains("hwnas: interrupted")) {
                // finished before the signal, or in the moment between the subnet's last file and its report
                assertTrue(Files.isRegularFile(out.resolve(SubnetIO.ARCH_FILE)), text);
                continue;
            }
            assertEquals(143, code, text);
            interrupted++;
            if (text.contains("may hold an incomplete subnet")) { // stopped while writing: said so
                assertTrue(Files.isDirectory(out) && !isEmpty(out), text);
            } else { // stopped before writing (in start-up, before any folder was made, no message): nothing left
                assertTrue(!Files.exists(out) && !Files.exists(out.getParent()), "created folders left: " + text);
                seen.set(seen.size() - 1, seen.get(seen.size() - 1) + (text.contains("hwnas: interrupted: no subnet was"
                        + " written") ? " said" : " silent"));
            }
        }
        System.out.println("extract signal test: " + seen);
        assertTrue(interrupted >= 2 && seen.stream().anyMatch(x -> x.endsWith(" said")),
                "too few extractions interrupted after the folder was made: " + seen);
    }

    /** A tiny trained run in {@code tmp}/run (2 epochs of 320 images), its MACs LUT in {@code tmp}/lut.json. */
    static Path tinyRun(Path tmp) throws Exception {
        Path space = Path.of(ExtractSignalTest.class.getResource("/test-tiny-space.json").toURI());
        Path lut = TrainCommandsTest.writeMacsLut(tmp.resolve("lut.json"));
        Path cfg = tmp.resolve("cfg.json");
        Files.writeString(cfg, "{\"space\": \"" + space + "\", \"dataset\": \"fashion-mnist\", \"lut\": \"" + lut
                + "\", \"epochs\": 2, \"warmup_epochs\": 1, \"batch_size\": 16, \"train_subset\": 320,"
                + " \"final_samples\": 1, \"threads\": 1}");
        Path run = tmp.resolve("run");
        TrainingRun.start(TrainConfig.read(cfg), run, Progress.NONE, TrainingRun.Stopper.NEVER);
        return run;
    }

    /** {@code hwnas ARGS} in a child JVM, its output (both streams) to {@code log}. */
    static Process hwnas(Path log, String... args) throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                System.getProperty("java.class.path"), Hwnas.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Whether {@code dir} holds a file of the subnet (not the output check's write probe). */
    private static boolean holdsAFile(Path dir) {
        try (var s = Files.list(dir)) {
            return s.anyMatch(f -> !f.getFileName().toString().startsWith(".hwnas-write-probe"));
        } catch (java.io.IOException | java.io.UncheckedIOException e) { // not there yet, or removed while listed
            return false;
        }
    }

    private static boolean isEmpty(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
