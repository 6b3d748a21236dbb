package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import io.hwnas.search.run.Checkpoints;
import io.hwnas.search.run.RunFiles;
import io.hwnas.search.train.EpochMetrics;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.search.train.TrainResult;
import io.hwnas.search.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 (4): SIGTERM/SIGINT at random moments of a real training in a child JVM ({@code hwnas
 * train}, then {@code hwnas train --resume} until it finishes). Every kill must exit with 130/143,
 * never crash natively (no hs_err file, no 134/139), print how to resume when it stopped inside the
 * training loop, and the run must finish with exactly the θ and metrics of an uninterrupted run.
 * Half the kills land at a random time after the start (JVM start-up, data loading, training); the
 * other half right after a checkpoint, inside the training loop.
 */
class TrainSignalTest {
    @TempDir
    Path tmp;

    @Test
    void killsAtRandomMomentsStopCleanlyAndTheRunResumesToTheSameResult() throws Exception {
        kills(20, 4, 1920, 3); // long enough that no child finishes the run inside its random wait
    }

    @Test
    @Tag("slow")
    void manyKills() throws Exception {
        kills(600, 60, 3200, 4);
    }

    private void kills(double budgetSeconds, int minKills, int images, int epochs) throws Exception {
        Path space = Path.of(TrainSignalTest.class.getResource("/test-tiny-space.json").toURI());
        Path lut = TrainCommandsTest.writeMacsLut(tmp.resolve("lut.json"));
        Path cfg = tmp.resolve("cfg.json");
        Files.writeString(cfg, "{\"space\": \"" + space + "\", \"dataset\": \"fashion-mnist\", \"lut\": \"" + lut
                + "\", \"epochs\": " + epochs + ", \"warmup_epochs\": 1, \"batch_size\": 16, \"train_subset\": " + images
                + ", \"checkpoint_every_steps\": 4, \"final_samples\": 1, \"threads\": 1, \"seed\": 5}");
        Path run = tmp.resolve("run");
        Random rnd = new Random(11);
        long deadline = System.nanoTime() + (long) (budgetSeconds * 1e9);
        int kills = 0;
        int inLoop = 0;
        List<String> seen = new ArrayList<>();
        // for the budget, and at least minKills kills however slow the machine is
        for (int i = 0; (System.nanoTime() < deadline || kills < minKills) && i < 4 * minKills + 40
                && !Files.exists(run.resolve(RunFiles.RESULT)); i++) {
            boolean resume = Checkpoints.exists(run);
            Path log = tmp.resolve("child-" + i + ".log");
            FileTime before = mtime(run.resolve(Checkpoints.POINTER));
            Process p = child(log, resume ? List.of("train", "--resume", run.toString())
                    : List.of("train", "--config", cfg.toString(), "-o", run.toString()));
            if (i % 2 == 0) {
                p.waitFor(200 + rnd.nextInt(4000), TimeUnit.MILLISECONDS);
            } else { // inside the loop: after the next checkpoint, 0..300 ms later
                while (p.isAlive() && mtime(run.resolve(Checkpoints.POINTER)).equals(before)) {
                    Thread.sleep(10);
                }
                p.waitFor(rnd.nextInt(300), TimeUnit.MILLISECONDS);
            }
            if (!p.isAlive()) { // it finished the run before the signal
                assertEquals(0, p.exitValue(), Files.readString(log));
                break;
            }
            boolean sigint = rnd.nextBoolean() && !sigintIgnored(p.pid());
            if (sigint) {
                assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
            } else {
                p.destroy(); // SIGTERM
            }
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "no exit 120 s after the signal");
            String out = Files.readString(log);
            int code = p.exitValue();
            seen.add((sigint ? "INT" : "TERM") + "->" + code);
            if (code == 0 && Files.exists(run.resolve(RunFiles.RESULT))) {
                break; // finished between the check and the signal
            }
            assertEquals(sigint ? 130 : 143, code, "kill " + i + ":\n" + out);
            assertTrue(!out.contains("internal error") && !out.contains("\tat "), out);
            if (out.contains("training stopped by a signal")) {
                inLoop++;
                assertTrue(out.contains("hwnas: continue with: hwnas train --resume " + run), out);
            }
            kills++;
        }
        assertNoCrashFiles();
        // the rest, uninterrupted
        Path log = tmp.resolve("child-final.log");
        Process p = child(log, Checkpoints.exists(run) ? List.of("train", "--resume", run.toString())
                : List.of("train", "--config", cfg.toString(), "-o", run.toString()));
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(log));
        assertNoCrashFiles();
        System.out.println("signal test: " + kills + " kills, " + inLoop + " inside the training loop: " + seen);
        assertTrue(kills >= minKills, kills + " kills in " + budgetSeconds + " s: " + seen);
        assertTrue(inLoop >= Math.max(1, minKills / 3), inLoop + " of " + kills + " kills inside the loop: " + seen);

        // the same result as a run that was never interrupted (in this JVM)
        Path straight = tmp.resolve("straight");
        TrainResult s = TrainingRun.start(TrainConfig.read(cfg), straight, Progress.NONE, TrainingRun.Stopper.NEVER);
        assertEquals(Json.read(straight.resolve(RunFiles.THETA), RunFiles.ThetaFile.class),
                Json.read(run.resolve(RunFiles.THETA), RunFiles.ThetaFile.class), seen.toString());
        assertEquals(s.metrics().stream().map(EpochMetrics::withoutTime).toList(),
                RunFiles.readMetrics(run).stream().map(EpochMetrics::withoutTime).toList());
        assertArrayEquals(Files.readAllBytes(straight.resolve(RunFiles.ARGMAX)),
                Files.readAllBytes(run.resolve(RunFiles.ARGMAX)));
    }

    private Process child(Path log, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-XX:ErrorFile=" + tmp.resolve("hs_err_pid%p.log"), "-cp", System.getProperty("java.class.path"),
                Hwnas.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    private void assertNoCrashFiles() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            List<Path> crashes = s.filter(f -> f.getFileName().toString().startsWith("hs_err")
                    || f.getFileName().toString().startsWith("core")).toList();
            assertTrue(crashes.isEmpty(), "native crash: " + crashes);
        }
    }

    private static FileTime mtime(Path f) throws IOException {
        return Files.exists(f) ? Files.getLastModifiedTime(f) : FileTime.fromMillis(0);
    }

    /** Whether the process ignores SIGINT (a background job of a non-interactive shell does): then SIGTERM. */
    private static boolean sigintIgnored(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(l.substring(7).trim(), 16) & (1L << 1)) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
