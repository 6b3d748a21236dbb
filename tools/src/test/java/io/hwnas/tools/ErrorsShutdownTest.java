package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A failure while the JVM shuts down after a Ctrl-C or kill (ImageIO registering a shutdown hook while
 * the train command writes its plots, seen in TrainSignalTest) is not reported as an internal error with
 * a stack trace; the same failure before the shutdown still is.
 */
class ErrorsShutdownTest {
    @Test
    void aFailureDuringShutdownIsNotAnInternalErrorReport() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ShutdownReport.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        String[] parts = out.split("during shutdown: ", 2);
        assertTrue(parts.length == 2, out);
        assertTrue(parts[0].contains("hwnas: internal error, please report it") && parts[0].contains("\tat ")
                && parts[0].contains("before: 1"), out);
        assertEquals("1", parts[1].trim(), out);
        assertTrue(!parts[0].substring(parts[0].indexOf("before: 1")).contains("internal error"), out);
    }
}
