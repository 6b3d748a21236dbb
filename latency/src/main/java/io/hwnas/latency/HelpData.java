package io.hwnas.latency;

import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.HwnasException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HELP end-to-end latency data of the FBNet space ({@code shared/data/latency/help-fbnet-space-e2e.csv}):
 * one row per architecture with {@code arch_id}, {@code ops} (the op names separated by spaces),
 * {@code L0..L{n-1}} (op indices) and one {@code <device>_ms} column per device configuration.
 */
public final class HelpData {
    public static final String DEFAULT = "latency/help-fbnet-space-e2e.csv";

    private final Path file;
    private final List<String> ops;
    private final int[][] indices;
    private final Map<String, double[]> latencyMs;

    private HelpData(Path file, List<String> ops, int[][] indices, Map<String, double[]> latencyMs) {
        this.file = file;
        this.ops = ops;
        this.indices = indices;
        this.latencyMs = latencyMs;
    }

    public static HelpData read(Path file) {
        List<String> lines = HwNasBenchImport.readLines(file);
        if (lines.isEmpty()) {
            throw HwnasException.inFile(file, "empty file");
        }
        List<String> header = Arrays.asList(lines.get(0).trim().split(",", -1));
        int opsCol = header.indexOf("ops");
        if (opsCol < 0) {
            throw HwnasException.inFile(file, "line 1: no 'ops' column; columns: " + header);
        }
        List<Integer> lCols = new ArrayList<>();
        for (int l = 0; header.contains("L" + l); l++) {
            lCols.add(header.indexOf("L" + l));
        }
        Map<String, Integer> msCols = new LinkedHashMap<>();
        for (int c = 0; c < header.size(); c++) {
            if (header.get(c).endsWith("_ms")) {
                msCols.put(header.get(c), c);
            }
        }
        if (msCols.isEmpty()) {
            throw HwnasException.inFile(file, "line 1: no latency columns (<device>_ms)");
        }
        int n = 0;
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                n++;
            }
        }
        List<String> ops = new ArrayList<>(n);
        int[][] idx = new int[n][];
        Map<String, double[]> ms = new LinkedHashMap<>();
        for (String c : msCols.keySet()) {
            ms.put(c, new double[n]);
        }
        int row = 0;
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            int lineNo = i + 1;
            String[] f = lines.get(i).trim().split(",", -1);
            if (f.length != header.size()) {
                throw HwnasException.inFile(file, "line " + lineNo + ": " + f.length + " fields; expected "
                        + header.size());
            }
            String o = f[opsCol].trim();
            int layers = o.split("\\s+").length;
            if (!lCols.isEmpty() && layers != lCols.size()) {
                throw HwnasException.inFile(file, "line " + lineNo + ": field 'ops' has " + layers + " ops; expected "
                        + lCols.size() + " (L0..L" + (lCols.size() - 1) + ")");
            }
            ops.add(o);
            idx[row] = new int[lCols.size()];
            for (int l = 0; l < lCols.size(); l++) {
                idx[row][l] = HwNasBenchImport.integer(file, lineNo, "L" + l, f[lCols.get(l)]);
            }
            for (Map.Entry<String, Integer> c : msCols.entrySet()) {
                ms.get(c.getKey())[row] = HwNasBenchImport.number(file, lineNo, c.getKey(), f[c.getValue()]);
            }
            row++;
        }
        return new HelpData(file, List.copyOf(ops), idx, ms);
    }

    public Path file() {
        return file;
    }

    public int size() {
        return ops.size();
    }

    /** The latency columns ({@code <device>_ms}), in file order. */
    public List<String> columns() {
        return List.copyOf(latencyMs.keySet());
    }

    /** One latency column, or an error listing the available ones. */
    public double[] column(String name) {
        double[] c = latencyMs.get(name);
        if (c == null) {
            throw HwnasException.inFile(file, "no column \"" + name + "\"; columns: " + String.join(", ", columns()));
        }
        return c.clone();
    }

    /** The op names of row {@code i}, separated by spaces. */
    public String ops(int i) {
        return ops.get(i);
    }

    /**
     * Row {@code i} as an architecture of {@code space}; the op names must agree with the
     * {@code L*} index columns read in the space's op order.
     */
    public Architecture arch(int i, SearchSpace space) {
        Architecture a;
        try {
            a = Architecture.parse(space, ops.get(i));
        } catch (HwnasException e) {
            throw HwnasException.inFile(file, "row " + i + ": " + e.getMessage());
        }
        int[] got = a.indices(space);
        if (indices[i].length > 0 && !Arrays.equals(got, indices[i])) {
            throw HwnasException.inFile(file, "row " + i + ": op indices " + Arrays.toString(indices[i])
                    + " disagree with ops \"" + ops.get(i) + "\" in the op order of space " + space.id());
        }
        return a;
    }
}
