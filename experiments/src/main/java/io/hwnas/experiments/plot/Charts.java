package io.hwnas.experiments.plot;

import io.hwnas.core.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts drawn by XChart (headless): line/scatter charts with axes and a legend, and a labelled
 * heatmap. Written atomically (temporary file, then rename).
 */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Series colours, in order (matplotlib's tab10, so plots look alike across tools). */
    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)
    };
    /** The heatmap's scale: white at {@code lo}, this blue at {@code hi}. */
    static final Color HEAT_LOW = Color.WHITE;
    static final Color HEAT_HIGH = new Color(33, 100, 180);

    private Charts() {}

    /**
     * One named series of points; {@code line} joins them, otherwise they are drawn as dots; {@code markers}
     * draws a circle at each point (by default: dots, and lines of at most 40 points).
     */
    public record Series(String name, double[] x, double[] y, boolean line, boolean markers) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x vs " + y.length + " y");
            }
        }

        public Series(String name, double[] x, double[] y, boolean line) {
            this(name, x, y, line, !line || x.length <= 40);
        }
    }

    /** Draws series on shared axes and writes a PNG (900 x 560); non-finite points are left out. */
    public static void xy(Path png, String title, String xLabel, String yLabel, List<Series> series) throws IOException {
        XYChart chart = new XYChart(900, 560);
        chart.setTitle(title);
        chart.setXAxisTitle(xLabel);
        chart.setYAxisTitle(yLabel);
        var st = chart.getStyler();
        style(st);
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        st.setXAxisDecimalPattern("#,##0.####"); // at most 4 decimals: a tick at log10(60) is not printed to 16 digits
        int drawn = 0;
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int k = 0; k < s.x().length; k++) {
                if (Double.isFinite(s.x()[k]) && Double.isFinite(s.y()[k])) {
                    xs.add(s.x()[k]);
                    ys.add(s.y()[k]);
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            XYSeries xs1 = chart.addSeries(unique(chart, s.name()), xs, ys);
            Color c = PALETTE[i % PALETTE.length];
            xs1.setLineColor(c);
            xs1.setMarkerColor(c);
            xs1.setXYSeriesRenderStyle(s.line() ? XYSeries.XYSeriesRenderStyle.Line
                    : XYSeries.XYSeriesRenderStyle.Scatter);
            xs1.setMarker(s.markers() ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            drawn++;
        }
        if (drawn == 0) { // XChart needs a series: an empty chart says so
            XYSeries none = chart.addSeries("(no data)", new double[] {0}, new double[] {0});
            none.setMarker(SeriesMarkers.NONE);
            none.setLineColor(Color.WHITE);
        }
        write(png, chart);
    }

    /** A heatmap of {@code values[row][col]} in [lo, hi] (white to blue), with row/column labels; row 0 on top. */
    public static void heatmap(Path png, String title, List<String> rows, List<String> cols, double[][] values,
            double lo, double hi, boolean annotate) throws IOException {
        int cell = Math.max(34, Math.min(70, 760 / Math.max(1, cols.size())));
        int cellH = Math.max(16, Math.min(34, 640 / Math.max(1, rows.size())));
        int w = Math.max(560, 220 + cell * cols.size() + 130);
        int h = 170 + cellH * rows.size();
        HeatMapChart chart = new HeatMapChart(w, h, Styler.ChartTheme.XChart); // (w, h) alone leaves the styler unset
        chart.setTitle(title);
        var st = chart.getStyler();
        style(st);
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setXAxisLabelRotation(45);
        st.setMin(lo);
        st.setMax(hi > lo ? hi : lo + 1);
        st.setRangeColors(new Color[] {HEAT_LOW, HEAT_HIGH});
        st.setShowValue(annotate);
        st.setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        st.setHeatMapDecimalValueFormatter(Charts::fmt);
        st.setHeatMapValueDecimalPattern(pattern(lo, hi)); // 3.8.8 paints the values with this pattern
        st.setDrawBorder(true);
        // XChart puts the first y category at the bottom: reverse so row 0 is on top, as in a table
        List<String> ys = new ArrayList<>();
        for (int r = rows.size() - 1; r >= 0; r--) {
            ys.add(unique(ys, rows.get(r)));
        }
        List<String> xs = new ArrayList<>();
        for (String c : cols) {
            xs.add(unique(xs, c));
        }
        List<Number[]> data = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < cols.size(); c++) {
                double v = values[r][c];
                data.add(new Number[] {c, rows.size() - 1 - r, Double.isFinite(v) ? v : lo});
            }
        }
        chart.addSeries(title, xs, ys, data);
        write(png, chart);
    }

    private static void style(org.knowm.xchart.style.AxesChartStyler st) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setLegendBorderColor(Color.LIGHT_GRAY);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setPlotGridLinesColor(new Color(0xe6e6e6));
        st.setAntiAlias(true);
        st.setLocale(java.util.Locale.ROOT); // the heatmap styler has none by default (NPE when painting)
    }

    /** XChart keys series and categories by name: repeated names get a suffix. */
    private static String unique(XYChart chart, String name) {
        String n = name;
        for (int k = 2; chart.getSeriesMap().containsKey(n); k++) {
            n = name + " (" + k + ")";
        }
        return n;
    }

    private static String unique(List<String> seen, String name) {
        String n = name;
        for (int k = 2; seen.contains(n); k++) {
            n = name + " (" + k + ")";
        }
        return n;
    }

    private static void write(Path png, Chart<?, ?> chart) throws IOException {
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    /** A decimal pattern with about 3 significant figures for values in [lo, hi]. */
    static String pattern(double lo, double hi) {
        double a = Math.max(Math.abs(lo), Math.abs(hi));
        return a >= 100 ? "0" : a >= 10 ? "0.#" : a >= 1 ? "0.##" : "0.###";
    }

    /** Cell annotations: 3 significant figures at most, no trailing zeros. */
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
