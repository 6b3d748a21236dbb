package io.hwnas.latency.predict;

import io.hwnas.core.HwnasException;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * (architecture, latency) pairs of one space on one device that a predictor is fitted to, with
 * where they come from (for the fitted model's device record).
 *
 * @param space the space every architecture belongs to
 * @param archs op indices into {@code space.ops()}, one row per architecture
 * @param latencyMs measured latency of each architecture, in ms (finite, &gt; 0)
 * @param device short device name, e.g. {@code gold_6226}
 * @param batch batch size the latencies are for
 * @param origin where the pairs come from (file and column), for the model's notes
 */
public record TrainingSet(SearchSpace space, int[][] archs, double[] latencyMs, String device, int batch,
        String origin) {

    private static final Pattern BATCH = Pattern.compile(".*_(\\d+)_ms$");

    public TrainingSet {
        if (archs.length != latencyMs.length) {
            throw new IllegalArgumentException(archs.length + " architectures vs " + latencyMs.length + " latencies");
        }
        for (int i = 0; i < archs.length; i++) {
            if (archs[i].length != space.layerCount()) {
                throw new HwnasException(origin + ": row " + i + " has " + archs[i].length + " layers; space "
                        + space.id() + " has " + space.layerCount());
            }
            for (int k : archs[i]) {
                if (k < 0 || k >= space.ops().size()) {
                    throw new HwnasException(origin + ": row " + i + " has op index " + k + "; space " + space.id()
                            + " has " + space.ops().size() + " ops");
                }
            }
            if (!(latencyMs[i] > 0) || !Double.isFinite(latencyMs[i])) {
                throw new HwnasException(origin + ": row " + i + ": latency " + latencyMs[i]
                        + " ms must be a finite positive number");
            }
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch " + batch);
        }
    }

    public int size() {
        return archs.length;
    }

    /** The rows {@code rows} (in that order). */
    public TrainingSet subset(int[] rows) {
        int[][] a = new int[rows.length][];
        double[] y = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            a[i] = archs[rows[i]];
            y[i] = latencyMs[rows[i]];
        }
        return new TrainingSet(space, a, y, device, batch, origin);
    }

    /** A seeded random permutation of 0..n-1 (Fisher-Yates). */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The device a latency column describes: {@code gold_6226_ms} -> gold_6226. */
    public static String deviceOfColumn(String column) {
        return column.endsWith("_ms") ? column.substring(0, column.length() - 3) : column;
    }

    /**
     * The batch a column name states, as HELP's GPU columns do ({@code titan_rtx_32_ms} -> 32): a
     * trailing {@code _N_ms} with N at most 1024; else 1 (so {@code gold_6226_ms}, a CPU model
     * number, is batch 1).
     */
    public static int batchOfColumn(String column) {
        Matcher m = BATCH.matcher(column);
        if (m.matches() && m.group(1).length() <= 4) {
            int b = Integer.parseInt(m.group(1));
            return b >= 1 && b <= 1024 ? b : 1;
        }
        return 1;
    }

    /**
     * Reads a CSV with a header, an architecture column ({@code arch}, else {@code ops}: canonical
     * op strings) and the numeric column {@code target}. Errors name the file, the line and the
     * field: a missing column, a non-numeric or non-positive latency, an architecture that is not
     * one of {@code space} (wrong layer count or an unknown op).
     */
    public static TrainingSet readCsv(Path file, String target, SearchSpace space) {
        List<String> lines = io.hwnas.core.TextFiles.readLines(file); // bounded, text only; errors name the file
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw HwnasException.inFile(file, "empty file; expected a header with an 'arch' (or 'ops') column and '"
                    + target + "'");
        }
        List<String> header = Arrays.asList(lines.get(0).trim().split(",", -1));
        int archCol = header.indexOf("arch");
        if (archCol < 0) {
            archCol = header.indexOf("ops");
        }
        if (archCol < 0) {
            throw HwnasException.inFile(file, "line 1: no 'arch' column (nor 'ops') of canonical op strings; columns: "
                    + String.join(", ", header));
        }
        int yCol = header.indexOf(target);
        if (yCol < 0) {
            throw HwnasException.inFile(file, "line 1: no column '" + target + "'; columns: " + String.join(", ", header));
        }
        List<int[]> archs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            int lineNo = i + 1;
            String[] f = line.trim().split(",", -1);
            if (f.length != header.size()) {
                throw HwnasException.inFile(file, "line " + lineNo + ": " + f.length + " fields; expected "
                        + header.size());
            }
            int[] idx;
            try {
                idx = Architecture.parse(space, f[archCol]).indices(space);
            } catch (HwnasException e) {
                throw HwnasException.inFile(file, "line " + lineNo + ": field '" + header.get(archCol) + "': "
                        + e.getMessage());
            }
            double y;
            try {
                y = Double.parseDouble(f[yCol].trim());
            } catch (NumberFormatException e) {
                throw HwnasException.inFile(file, "line " + lineNo + ": field '" + target + "' = \"" + f[yCol]
                        + "\": expected a number (ms)");
            }
            if (!Double.isFinite(y) || y <= 0) {
                throw HwnasException.inFile(file, "line " + lineNo + ": field '" + target + "' = \"" + f[yCol]
                        + "\": expected a finite latency > 0 ms");
            }
            archs.add(idx);
            ys.add(y);
        }
        if (archs.isEmpty()) {
            throw HwnasException.inFile(file, "no data rows after the header");
        }
        double[] y = new double[ys.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = ys.get(i);
        }
        return new TrainingSet(space, archs.toArray(new int[0][]), y, deviceOfColumn(target), batchOfColumn(target),
                file + " column " + target);
    }
}
