package io.hwnas.tools.cli;

import io.hwnas.core.Progress;
import java.io.PrintStream;

/**
 * A one-line progress bar on standard error: task, bar, count, rate, ETA and a status text.
 * Redraws at most every 200 ms; when standard error is not a terminal it prints a plain line at
 * most every 10 s instead, so logs stay readable.
 */
public final class ConsoleProgress implements Progress {
    private final PrintStream err;
    private final boolean tty;
    private String task = "";
    private long total;
    private long startNanos;
    private long lastDraw;

    public ConsoleProgress() {
        this(System.err, System.console() != null);
    }

    public ConsoleProgress(PrintStream err, boolean tty) {
        this.err = err;
        this.tty = tty;
    }

    @Override
    public void start(String task, long total) {
        this.task = task;
        this.total = Math.max(1, total);
        this.startNanos = System.nanoTime();
        this.lastDraw = 0;
        draw(0, "", true);
    }

    @Override
    public void update(long done, String status) {
        draw(done, status, done >= total);
    }

    @Override
    public void finish(String summary) {
        if (tty) {
            err.print("\r\033[K");
        }
        double s = (System.nanoTime() - startNanos) / 1e9;
        err.printf("%s: done in %s%s%n", task, time(s), summary == null || summary.isEmpty() ? "" : " | " + summary);
        err.flush();
    }

    private void draw(long done, String status, boolean force) {
        long now = System.nanoTime();
        long gap = tty ? 200_000_000L : 10_000_000_000L;
        if (!force && now - lastDraw < gap) {
            return;
        }
        if (!tty && done == 0) {
            return;
        }
        lastDraw = now;
        double s = (now - startNanos) / 1e9;
        double frac = Math.min(1.0, done / (double) total);
        String eta = done == 0 ? "?" : time(s / done * (total - done));
        int width = 24;
        int fill = (int) Math.round(frac * width);
        String bar = "#".repeat(fill) + "-".repeat(width - fill);
        String line = String.format("%s [%s] %d/%d %3.0f%% %s<%s %s", task, bar, done, total, frac * 100, time(s), eta,
                status == null ? "" : status);
        if (tty) {
            err.print("\r\033[K" + line);
        } else {
            err.println(line);
        }
        err.flush();
    }

    static String time(double seconds) {
        long t = Math.round(seconds);
        return t >= 3600 ? String.format("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format("%d:%02d", t / 60, t % 60);
    }
}
