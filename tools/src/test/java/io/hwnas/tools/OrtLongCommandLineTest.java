package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.latency.Lut;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hwnas lut measure/validate --runtime onnxruntime} in a child JVM started the way the
 * launcher starts one: every class-path entry an absolute path on the command line, ONNX Runtime's
 * telemetry on (as in any JVM the launcher did not start). The telemetry matches the whole command
 * line with a recursive regex when ONNX Runtime creates its environment; on the 1 MB main thread
 * that killed the JVM with SIGSEGV (exit 139, no crash log) once the command line passed about
 * 4,000 characters, which the launcher's did. The command line here is padded well past that, so
 * the test does not depend on how short this checkout's paths are.
 */
class OrtLongCommandLineTest {
    @TempDir
    Path tmp;

    @Test
    void measuresAndValidatesWithALongCommandLineAndTelemetryOn() throws Exception {
        Path lut = tmp.resolve("ort.json");
        Child m = run("lut", "measure", "--runtime", "onnxruntime", "--space", "fbnet-fmnist-tiny", "--threads", "1",
                "--repeats", "1", "--warmup", "0", "-o", lut.toString());
        assertEquals(0, m.code, m.toString());
        assertTrue(m.out.contains("wrote " + lut), m.toString());
        assertEquals("ONNX Runtime 1.29.0 (cpu)", Lut.read(lut).device().runtime());
        Child v = run("lut", "validate", "--lut", lut.toString(), "--runtime", "onnxruntime", "--archs", "2",
                "--repeats", "1", "--warmup", "0");
        assertEquals(0, v.code, v.toString());
        assertTrue(v.out.contains("2 architectures of fbnet-fmnist-tiny"), v.toString());
        try (Stream<Path> s = Files.list(tmp)) {
            List<Path> crashes = s.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList();
            assertTrue(crashes.isEmpty(), "native crash: " + crashes);
        }
    }

    private record Child(int code, String out) {
        @Override
        public String toString() {
            return "exit " + code + (code == 139 ? " (SIGSEGV)" : "") + "\n" + out;
        }
    }

    private Child run(String... args) throws IOException, InterruptedException {
        StringBuilder cp = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                cp.append(cp.length() == 0 ? "" : File.pathSeparator).append(Path.of(e).toAbsolutePath());
            }
        }
        List<String> cmd = new ArrayList<>(List.of(TrainSafetyCliTest.java(), "-Xss1m", "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-XX:ErrorFile=" + tmp.resolve("hs_err_pid%p.log"),
                "-Dhwnas.test.padding=" + "x".repeat(8000), "-cp", cp.toString(), Hwnas.class.getName()));
        cmd.addAll(List.of(args));
        Path log = tmp.resolve("child.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().remove("ORT_DISABLE_TELEMETRY");
        // the telemetry's files (mat-debug-<pid>.log, its database) go here, not into the machine's /tmp and ~/.cache
        pb.environment().put("TMPDIR", tmp.toString());
        pb.environment().put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "no exit in 300 s");
        return new Child(p.exitValue(), Files.readString(log));
    }
}
