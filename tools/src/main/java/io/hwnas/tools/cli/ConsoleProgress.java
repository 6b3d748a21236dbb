package io.hwnas.tools.cli;

import io.hwnas.core.Progress;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on standard error. On a terminal: a redrawn one-line bar (task, bar, percentage, count,
 * elapsed, ETA, status) drawn by the progressbar library, cleared when the task ends. When standard
 * error is not a terminal (a pipe, a log file): a plain line at most every 10 s, no redraws. Either
 * way each task ends with one summary line {@code "<task>: done in m:ss | <summary>"}.
 *
 * <p>The pipe mode stays hand-written: progressbar always renders a line when a bar starts and
 * again when it closes, so a log would get three lines per task instead of one summary line, and
 * its background refresh thread would interleave with other output.
 */
public final class ConsoleProgress implements Progress {
    private final PrintStream err;
    private final boolean tty;
    private String task = "";
    private long total;
    private long startNanos;
    private long lastDraw;
    private ProgressBar bar;

    public ConsoleProgress() {
        this(System.err, System.console() != null);
    }

    public ConsoleProgress(PrintStream err, boolean tty) {
        this.err = err;
        this.tty = tty;
    }

    @Override
    public void start(String task, long total) {
        closeBar();
        this.task = task;
        this.total = Math.max(1, total);
        this.startNanos = System.nanoTime();
        this.lastDraw = startNanos;
        if (tty) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(this.total)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).clearDisplayOnFinish()
                    .setConsumer(new ConsoleProgressBarConsumer(err)).build();
        }
    }

    @Override
    public void update(long done, String status) {
        if (bar != null) {
            bar.stepTo(Math.min(done, total));
            bar.setExtraMessage(status == null ? "" : status);
            return;
        }
        long now = System.nanoTime();
        if (!tty && done > 0 && (now - lastDraw >= 10_000_000_000L || done >= total && now - lastDraw >= 1_000_000_000L)) {
            lastDraw = now;
            err.println(line(done, status, now));
            err.flush();
        }
    }

    @Override
    public void finish(String summary) {
        closeBar();
        double s = (System.nanoTime() - startNanos) / 1e9;
        err.printf("%s: done in %s%s%n", task, time(s), summary == null || summary.isEmpty() ? "" : " | " + summary);
        err.flush();
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    /** The plain status line of the pipe mode. */
    String line(long done, String status, long now) {
        double s = (now - startNanos) / 1e9;
        double frac = Math.min(1.0, done / (double) total);
        String eta = done == 0 ? "?" : time(s / done * (total - done));
        int width = 24;
        int fill = (int) Math.round(frac * width);
        String b = "#".repeat(fill) + "-".repeat(width - fill);
        return String.format("%s [%s] %d/%d %3.0f%% %s<%s %s", task, b, done, total, frac * 100, time(s), eta,
                status == null ? "" : status);
    }

    static String time(double seconds) {
        long t = Math.round(seconds);
        return t >= 3600 ? String.format("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format("%d:%02d", t / 60, t % 60);
    }
}
