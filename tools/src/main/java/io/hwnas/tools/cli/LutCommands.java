package io.hwnas.tools.cli;

import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.HwNasBenchImport;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutEntry;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hwnas lut import|show|measure|validate} and {@code hwnas latency}. */
public final class LutCommands {
    private LutCommands() {}

    @Command(name = "lut", mixinStandardHelpOptions = true,
            description = "Latency lookup tables: import published ones, measure one here, inspect, validate.",
            subcommands = {Import.class, Show.class, LutMeasureCommands.Measure.class, LutMeasureCommands.Validate.class})
    public static final class LutGroup extends UsageGroup {
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Turn a published latency table into a LUT file (format hwnasbench-fbnet: the HW-NAS-Bench "
                    + "FBNet CIFAR-100 table in shared/data/latency, for space fbnet-cifar).")
    public static final class Import implements Callable<Integer> {
        @Option(names = "--format", required = true, description = "Table format: hwnasbench-fbnet.")
        String format;

        @Option(names = "--device", required = true, description = "Device of the table: raspi4, pixel3, eyeriss, fpga.")
        String device;

        @Option(names = "--csv", description = "Per-(layer, op) table (default: shared/data/" + HwNasBenchImport.DEFAULT_CSV
                + ").")
        Path csv;

        @Option(names = "--base", description = "Per-device base latencies (default: shared/data/"
                + HwNasBenchImport.DEFAULT_BASE + ").")
        Path base;

        @Option(names = "--space", defaultValue = "fbnet-cifar",
                description = "Space the table is for (id or JSON file; default ${DEFAULT-VALUE}).")
        String space;

        @Option(names = {"-o", "--output"}, required = true, description = "LUT JSON file to write.")
        Path output;

        @Option(names = "--force", description = "Replace an existing file at -o (a LUT or anything else).")
        boolean force;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            if (!HwNasBenchImport.FORMAT.equals(format)) {
                throw new HwnasException("option '--format' = \"" + format + "\": unknown format; known: "
                        + HwNasBenchImport.FORMAT);
            }
            HwNasBenchImport.checkDevice(device);
            Outputs.lutFile(output, force);
            SearchSpace s = SpaceRegistry.resolve(space);
            Path c = csv != null ? csv : HwNasBenchImport.defaultCsv();
            Path b = base != null ? base : HwNasBenchImport.defaultBase();
            Lut lut = HwNasBenchImport.fbnet(c, b, device, s);
            lut.write(output);
            double[] r = lut.rangeMs(s);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("output", output.toString());
            json.put("space", lut.space());
            json.put("device", lut.device());
            json.put("entries", lut.entries().size());
            json.put("fixed_ms", lut.fixedMs());
            json.put("min_ms", r[0]);
            json.put("max_ms", r[1]);
            out.print(json, String.format("wrote %s: space %s, device %s, %d entries, fixed %.4f ms, "
                    + "architectures %.3f-%.3f ms", output, lut.space(), lut.device().describe(), lut.entries().size(),
                    lut.fixedMs(), r[0], r[1]));
            return 0;
        }
    }

    /** The space of a LUT: {@code --space} when given (id or file), else the registered space the LUT names. */
    static SearchSpace spaceOf(Lut lut, Path lutFile, String spaceOption) {
        SearchSpace s;
        if (spaceOption != null) {
            s = SpaceRegistry.resolve(spaceOption);
        } else if (SpaceRegistry.IDS.contains(lut.space())) {
            s = SpaceRegistry.get(lut.space());
        } else {
            throw HwnasException.inFile(lutFile, "field 'space' = \"" + lut.space()
                    + "\" is not a registered space; give its JSON file with --space FILE");
        }
        try {
            io.hwnas.latency.LatencyModels.of(lut, s, lutFile.toString()); // entries, fingerprint, positive range
        } catch (HwnasException e) {
            throw e.getMessage().startsWith(lutFile.toString()) ? e : HwnasException.inFile(lutFile, e.getMessage());
        }
        return s;
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print a LUT: device record, fixed part, and a layer x op table of median latencies (ms).")
    public static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "LUT.json", description = "LUT file.")
        Path file;

        @Option(names = "--space", description = "Space JSON file (or id) when the LUT's space is not registered.")
        String space;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            Lut lut = Lut.read(file);
            SearchSpace s = spaceOf(lut, file, space);
            double[][] t = lut.tableMs(s);
            double[] r = lut.rangeMs(s);
            DeviceRecord d = lut.device();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (LayerSpec l : s.layers()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("layer", l.index());
                row.put("layer_name", l.name());
                row.put("input_shape", List.of(l.inChannels(), l.inHeight(), l.inWidth()));
                row.put("out_channels", l.outChannels());
                row.put("stride", l.stride());
                Map<String, Object> cells = new LinkedHashMap<>();
                for (String op : s.ops()) {
                    cells.put(op, lut.entry(l.index(), op));
                }
                row.put("ops", cells);
                rows.add(row);
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("file", file.toString());
            json.put("space", lut.space());
            json.put("device", d);
            json.put("fixed_ms", lut.fixedMs());
            json.put("fixed_breakdown_ms", lut.fixedBreakdownMs());
            json.put("min_ms", r[0]);
            json.put("max_ms", r[1]);
            json.put("ops", s.ops());
            json.put("table_ms", t);
            json.put("layers", rows);
            out.print(json, render(file, lut, s));
            return 0;
        }
    }

    /** The text form of a LUT: device record, fixed part, range, and the layer x op table (ms). */
    static String render(Path file, Lut lut, SearchSpace s) {
        double[][] t = lut.tableMs(s);
        double[] r = lut.rangeMs(s);
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

    /** Exactly one of --arch / --arch-file. */
    public static final class ArchInput {
        @Option(names = "--arch", description = "Architecture: one op per searchable layer, e.g. \"k5_e6 skip k3_e1 ...\".")
        String arch;

        @Option(names = "--arch-file", description = "Architecture JSON file ({\"schema\":1, \"space\":..., \"ops\":[...]}).")
        Path archFile;

        /** The architecture, checked against the space; errors name the option or file. */
        public Architecture resolve(SearchSpace s) {
            if (arch != null) {
                try {
                    return Architecture.parse(s, arch);
                } catch (HwnasException e) {
                    throw new HwnasException("option '--arch': " + e.getMessage(), e);
                }
            }
            Architecture a = Json.read(archFile, Architecture.class);
            try {
                return a.check(s);
            } catch (HwnasException e) {
                throw HwnasException.inFile(archFile, e.getMessage());
            }
        }
    }

    @Command(name = "latency", mixinStandardHelpOptions = true,
            description = "Predict an architecture's latency (ms) from a LUT: fixed part + its ops' entries.")
    public static final class Latency implements Callable<Integer> {
        @Option(names = "--lut", required = true, description = "LUT file.")
        Path lutFile;

        @ArgGroup(exclusive = true, multiplicity = "1")
        ArchInput archInput;

        @Option(names = "--space", description = "Space JSON file (or id) when the LUT's space is not registered.")
        String space;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            Lut lut = Lut.read(lutFile);
            SearchSpace s = spaceOf(lut, lutFile, space);
            Architecture a = archInput.resolve(s);
            double ms = lut.predictMs(s, a);
            if (!(ms > 0) || !Double.isFinite(ms)) { // the range check makes this unreachable; never print it
                throw HwnasException.inFile(lutFile, "predicts " + ms + " ms for " + a.canonical()
                        + ": a latency must be positive and finite; the table is broken");
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("latency_ms", ms);
            json.put("space", s.id());
            json.put("device", lut.device().name());
            json.put("source", lut.device().source());
            json.put("arch", a.canonical());
            out.print(json, String.format("%.4f ms  (space %s, device %s)", ms, s.id(), lut.device().describe()));
            return 0;
        }
    }
}
