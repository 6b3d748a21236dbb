package io.hwnas.experiments.plot;

import io.hwnas.core.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Small PNG charts drawn with the JDK alone (headless AWT): line/scatter charts with axes and a
 * legend, and a labelled heatmap. Written atomically.
 */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)
    };

    private Charts() {}

    /** One named series of points; {@code line} joins them, otherwise they are drawn as dots. */
    public record Series(String name, double[] x, double[] y, boolean line) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x vs " + y.length + " y");
            }
        }
    }

    /** Draws series on shared axes and writes a PNG. */
    public static void xy(Path png, String title, String xLabel, String yLabel, List<Series> series) throws IOException {
        int w = 900;
        int h = 560;
        int left = 90;
        int right = 200;
        int top = 50;
        int bottom = 70;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        double xmin = Double.POSITIVE_INFINITY;
        double xmax = Double.NEGATIVE_INFINITY;
        double ymin = Double.POSITIVE_INFINITY;
        double ymax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                    xmin = Math.min(xmin, s.x()[i]);
                    xmax = Math.max(xmax, s.x()[i]);
                    ymin = Math.min(ymin, s.y()[i]);
                    ymax = Math.max(ymax, s.y()[i]);
                }
            }
        }
        if (!Double.isFinite(xmin)) {
            xmin = 0;
            xmax = 1;
            ymin = 0;
            ymax = 1;
        }
        double[] xr = pad(xmin, xmax);
        double[] yr = pad(ymin, ymax);
        int pw = w - left - right;
        int ph = h - top - bottom;
        title(g, title, w);
        // axes, ticks and grid
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double t : ticks(xr[0], xr[1])) {
            int px = left + (int) Math.round((t - xr[0]) / (xr[1] - xr[0]) * pw);
            g.setColor(new Color(0xeeeeee));
            g.drawLine(px, top, px, top + ph);
            g.setColor(Color.DARK_GRAY);
            String s = fmt(t);
            g.drawString(s, px - fm.stringWidth(s) / 2, top + ph + 18);
        }
        for (double t : ticks(yr[0], yr[1])) {
            int py = top + ph - (int) Math.round((t - yr[0]) / (yr[1] - yr[0]) * ph);
            g.setColor(new Color(0xeeeeee));
            g.drawLine(left, py, left + pw, py);
            g.setColor(Color.DARK_GRAY);
            String s = fmt(t);
            g.drawString(s, left - 8 - fm.stringWidth(s), py + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.drawString(xLabel, left + pw / 2 - fm.stringWidth(xLabel) / 2, h - 25);
        Graphics2D gy = (Graphics2D) g.create();
        gy.rotate(-Math.PI / 2);
        gy.drawString(yLabel, -(top + ph / 2) - fm.stringWidth(yLabel) / 2, 22);
        gy.dispose();
        // series and legend
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            g.setColor(PALETTE[k % PALETTE.length]);
            g.setStroke(new BasicStroke(2f));
            int prevX = Integer.MIN_VALUE;
            int prevY = 0;
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) {
                    prevX = Integer.MIN_VALUE;
                    continue;
                }
                int px = left + (int) Math.round((s.x()[i] - xr[0]) / (xr[1] - xr[0]) * pw);
                int py = top + ph - (int) Math.round((s.y()[i] - yr[0]) / (yr[1] - yr[0]) * ph);
                if (s.line() && prevX != Integer.MIN_VALUE) {
                    g.drawLine(prevX, prevY, px, py);
                }
                int r = s.line() ? 3 : 2;
                g.fillOval(px - r, py - r, 2 * r, 2 * r);
                prevX = px;
                prevY = py;
            }
            int ly = top + 10 + k * 20;
            g.fillRect(left + pw + 15, ly, 14, 10);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), left + pw + 35, ly + 10);
        }
        g.dispose();
        write(png, img);
    }

    /** A heatmap of {@code values[row][col]} in [lo, hi] (white to blue), with row/column labels. */
    public static void heatmap(Path png, String title, List<String> rows, List<String> cols, double[][] values,
            double lo, double hi, boolean annotate) throws IOException {
        int cell = Math.max(26, Math.min(60, 700 / Math.max(1, cols.size())));
        int cellH = Math.max(14, Math.min(30, 600 / Math.max(1, rows.size())));
        int left = 130;
        int top = 60;
        int w = left + cell * cols.size() + 30;
        int h = top + cellH * rows.size() + 70;
        BufferedImage img = new BufferedImage(Math.max(w, 420), h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        title(g, title, img.getWidth());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < cols.size(); c++) {
                double v = values[r][c];
                double t = hi > lo ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 0;
                Color col = new Color((int) (255 - 222 * t), (int) (255 - 155 * t), (int) (255 - 75 * t));
                g.setColor(col);
                g.fillRect(left + c * cell, top + r * cellH, cell, cellH);
                if (annotate) {
                    g.setColor(t > 0.6 ? Color.WHITE : Color.BLACK);
                    String s = fmt(v);
                    g.drawString(s, left + c * cell + (cell - fm.stringWidth(s)) / 2, top + r * cellH + cellH / 2 + 4);
                }
            }
            g.setColor(Color.BLACK);
            g.drawString(rows.get(r), left - 6 - fm.stringWidth(rows.get(r)), top + r * cellH + cellH / 2 + 4);
        }
        for (int c = 0; c < cols.size(); c++) {
            Graphics2D gr = (Graphics2D) g.create();
            gr.setColor(Color.BLACK);
            gr.translate(left + c * cell + cell / 2 + 4, top + rows.size() * cellH + 8);
            gr.rotate(Math.PI / 4);
            gr.drawString(cols.get(c), 0, 0);
            gr.dispose();
        }
        g.setColor(Color.GRAY);
        g.drawRect(left, top, cell * cols.size(), cellH * rows.size());
        g.dispose();
        write(png, img);
    }

    private static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }

    private static void title(Graphics2D g, String title, int w) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, (w - g.getFontMetrics().stringWidth(title)) / 2, 30);
    }

    private static void write(Path png, BufferedImage img) throws IOException {
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer");
            }
        });
    }

    static double[] pad(double lo, double hi) {
        if (hi - lo < 1e-12) {
            double d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
            return new double[] {lo - d, hi + d};
        }
        double d = (hi - lo) * 0.05;
        return new double[] {lo - d, hi + d};
    }

    /** "Nice" tick positions (1, 2, 5 x 10^k steps) covering [lo, hi]. */
    static double[] ticks(double lo, double hi) {
        double raw = (hi - lo) / 6;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        double start = Math.ceil(lo / step) * step;
        int n = (int) Math.floor((hi - start) / step) + 1;
        double[] t = new double[Math.max(0, n)];
        for (int i = 0; i < t.length; i++) {
            t[i] = start + i * step;
        }
        return t;
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-3)) {
            return String.format("%.1e", v);
        }
        if (a >= 100) {
            return String.format("%.0f", v);
        }
        if (a >= 1) {
            return String.format("%.2f", v).replaceAll("\\.?0+$", "");
        }
        return String.format("%.3f", v).replaceAll("\\.?0+$", "");
    }
}
