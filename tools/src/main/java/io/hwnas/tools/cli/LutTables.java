package io.hwnas.tools.cli;

import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.Lut;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The text form of LUTs, shared by {@code lut show}, {@code lut import} and {@code lut measure}. */
final class LutTables {
    private LutTables() {}

    /** The text form of a LUT: device record, fixed part, range, and the layer x op table (ms). */
    static String render(Path file, Lut lut, SearchSpace s) {
        double[][] t = lut.tableMs(s);
        LatencyModel.LatencyRange range = LatencyModels.of(lut, s, file.toString()).rangeMs();
        double[] r = {range.fastestMs(), range.slowestMs()};
        DeviceRecord d = lut.device();
        StringBuilder sb = new StringBuilder();
        sb.append(file).append(": space ").append(lut.space()).append('\n');
        sb.append("device  ").append(d.describe()).append('\n');
        if (d.notes() != null) {
            sb.append("notes   ").append(d.notes()).append('\n');
        }
        sb.append(String.format("fixed   %.4f ms", lut.fixedMs()));
        if (lut.fixedBreakdownMs() != null) {
            List<String> parts = new ArrayList<>();
            lut.fixedBreakdownMs().forEach((k, v) -> parts.add(String.format("%s %.4f", k, v)));
            sb.append(" (").append(String.join(", ", parts)).append(')');
        }
        sb.append('\n');
        sb.append(String.format("range   %.4f-%.4f ms over all architectures%n", r[0], r[1]));
        sb.append("median latency per (layer, op), ms:\n");
        sb.append(String.format("%3s %-14s", "#", "layer"));
        for (String op : s.ops()) {
            sb.append(String.format(" %9s", op));
        }
        sb.append('\n');
        for (LayerSpec l : s.layers()) {
            sb.append(String.format("%3d %-14s", l.index(), l.name()));
            for (int k = 0; k < s.ops().size(); k++) {
                sb.append(String.format(" %9.4f", t[l.index()][k]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

}
