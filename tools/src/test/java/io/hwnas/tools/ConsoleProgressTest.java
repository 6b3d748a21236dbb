package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.tools.cli.ConsoleProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The progress display: one summary line per task in a pipe; a redrawn bar, then the summary, on a terminal. */
class ConsoleProgressTest {
    @Test
    void inAPipeEachTaskEndsWithOneSummaryLineAndNoRedraws() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(b, true, StandardCharsets.UTF_8), false);
        p.start("epoch 1/2", 100);
        for (int i = 1; i <= 100; i++) {
            p.update(i, "loss 0.5");
        }
        p.finish("acc 90.00%");
        p.start("epoch 2/2", 10);
        p.finish("");
        String out = b.toString(StandardCharsets.UTF_8);
        assertEquals("epoch 1/2: done in 0:00 | acc 90.00%\nepoch 2/2: done in 0:00\n", out.replace("\r\n", "\n"));
        assertFalse(out.contains("\r") || out.contains("\033"), out);
    }

    @Test
    void onATerminalTheBarIsDrawnThenReplacedByTheSummary() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(b, true, StandardCharsets.UTF_8), true);
        p.start("measure", 4);
        p.update(2, "k3_e1");
        Thread.sleep(450); // the bar redraws every 200 ms
        p.update(4, "done");
        p.finish("63 entries");
        String out = b.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("measure") && out.contains("\r"), out);
        assertTrue(out.contains("k3_e1") || out.contains("done"), out);
        assertTrue(out.matches("(?s).*\\r[ ]+\\r?\\R?measure: done in 0:0\\d \\| 63 entries\\R"), out);
    }
}
