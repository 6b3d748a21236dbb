package io.hwnas.tools.cli;

import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.HwNasBenchImport;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
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
            description = "Latency lookup tables: import published ones, carry one over to another space, measure one"
                    + " here, inspect, validate.",
            subcommands = {Import.class, Transfer.class, Show.class, LutMeasureCommands.Measure.class, LutMeasureCommands.Validate.class})
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

        @Mixin
        LutOutput lutOutput;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            if (!HwNasBenchImport.FORMAT.equals(format)) {
                throw new HwnasException("option '--format' = \"" + format + "\": unknown format; known: "
                        + HwNasBenchImport.FORMAT);
            }
            if (!HwNasBenchImport.DEVICES.contains(device)) {
                throw new HwnasException("option '--device' = \"" + device + "\": unknown device for format "
                        + HwNasBenchImport.FORMAT + "; known: " + String.join(", ", HwNasBenchImport.DEVICES));
            }
            Path c = csv != null ? csv : HwNasBenchImport.defaultCsv();
            Path b = base != null ? base : HwNasBenchImport.defaultBase();
            Path output = lutOutput.checked(c, b, Outputs.spaceFile(space));
            SearchSpace s = Checks.space("--space", space);
            Lut lut = HwNasBenchImport.fbnet(c, b, device, s);
            lut.write(output);
            LatencyModel.LatencyRange range = LatencyModels.of(lut, s, output.toString()).rangeMs();
            double[] r = {range.fastestMs(), range.slowestMs()};
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

    @Command(name = "transfer", mixinStandardHelpOptions = true,
            description = {"Carry a device's LUT over to another space with the same stages and the same ops or some of them (an"
                    + " estimate: each layer takes the entries of the source layer in its stage, scaled by the two layers' ratio of"
                    + " multiply-accumulates; the fixed part from the networks' MAC ratio). Marked 'estimated'; it keeps"
                    + " the device's ranking of the ops within each layer, its milliseconds are rough.",
                "Example: hwnas lut import --format hwnasbench-fbnet --device raspi4 -o raspi4.json; hwnas lut"
                    + " transfer raspi4.json --space fbnet-fmnist-tiny -o raspi4-fmnist-tiny.json"})
    public static final class Transfer implements Callable<Integer> {
        @Parameters(paramLabel = "LUT.json", description = "The device's table (measured or imported).")
        Path file;

        @Option(names = "--from-space", description = "Space JSON file (or id) of LUT.json when it is not registered.")
        String fromSpace;

        @Option(names = "--space", required = true, description = "Space to carry the table over to (id or JSON file).")
        String space;

        @Mixin
        LutOutput lutOutput;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            Path output = lutOutput.checked(file, Outputs.spaceFile(fromSpace), Outputs.spaceFile(space));
            Lut lut = Lut.read(file);
            SearchSpace from = LutOptions.spaceOf(lut, file, fromSpace); // fingerprint checked, errors name the file
            SearchSpace to = SpaceRegistry.resolve(space);
            io.hwnas.latency.LutTransfer.Result r;
            try { // the table is the cause, not --space
                io.hwnas.latency.LutTransfer.checkSource(from, to);
            } catch (HwnasException e) {
                throw HwnasException.inFile(file, e.getMessage());
            }
            try {
                r = io.hwnas.latency.LutTransfer.transfer(lut, from, to, file.getFileName().toString());
            } catch (HwnasException e) {
                throw new HwnasException("option '--space' = \"" + space + "\": " + e.getMessage(), e);
            }
            r.lut().write(output);
            LatencyModel.LatencyRange range = LatencyModels.of(r.lut(), to, output.toString()).rangeMs();
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("output", output.toString());
            json.put("source", file.toString());
            json.put("source_space", from.id());
            json.put("space", to.id());
            json.put("device", r.lut().device());
            json.put("fixed_ms", r.lut().fixedMs());
            json.put("network_scale", r.networkScale());
            json.put("layers", r.layers());
            json.put("min_ms", range.fastestMs());
            json.put("max_ms", range.slowestMs());
            StringBuilder t = new StringBuilder(String.format("wrote %s: the %s table of %s carried over to %s"
                    + " (estimated), fixed %.4f ms, architectures %.3f-%.3f ms%n  layer            from             MAC scale%n",
                    output, lut.device().name(), from.id(), to.id(), r.lut().fixedMs(), range.fastestMs(),
                    range.slowestMs()));
            for (io.hwnas.latency.LutTransfer.LayerMap m : r.layers()) {
                t.append(String.format("  %-16s %-16s %.4g%n", m.layerName(), m.sourceLayerName(), m.scale()));
            }
            t.append("an estimate: the device's ranking of the ops within each layer is kept, its milliseconds are rough");
            out.print(json, t.toString());
            return 0;
        }
    }

    /** The space of a LUT: {@code --space} when given (id or file), else the registered space the LUT names. */
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
            SearchSpace s = LutOptions.spaceOf(lut, file, space);
            double[][] t = lut.tableMs(s);
            LatencyModel.LatencyRange range = LatencyModels.of(lut, s, file.toString()).rangeMs();
            double[] r = {range.fastestMs(), range.slowestMs()};
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
            out.print(json, LutTables.render(file, lut, s));
            return 0;
        }
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

    /**
     * Architectures, one canonical op string per line (blank lines and lines starting with # skipped);
     * a file that is not text, too large ({@link io.hwnas.core.TextFiles#MAX_TEXT_BYTES}) or has an
     * overlong line is refused naming it.
     */
    static List<Architecture> archList(Path file, SearchSpace s) {
        // bounded, regular files or pipes only, UTF-8 checked line by line: /dev/zero or a program is refused at once
        List<String> lines = io.hwnas.core.TextFiles.readLines(file);
        List<Architecture> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                out.add(Architecture.parse(s, line));
            } catch (HwnasException e) {
                throw HwnasException.inFile(file, "line " + (i + 1) + ": " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw HwnasException.inFile(file, "no architectures (one canonical op string per line)");
        }
        return out;
    }

    @Command(name = "latency", mixinStandardHelpOptions = true,
            description = {"Predict architectures' latency (ms) under a latency model: a LUT (fixed part + its ops'"
                + " entries) or a fitted predictor (lut-fit, mlp, xgboost, flops).",
                "'hwnas latency fit' fits a predictor to measured (architecture, latency) pairs."},
            subcommands = {LatencyFitCommand.class})
    public static final class Latency implements Callable<Integer> {
        @Option(names = "--lut", paramLabel = "MODEL", description = "Latency model file: a LUT or a fitted predictor.")
        Path lutFile;

        @Option(names = "--arch", description = "Architecture: one op per searchable layer, e.g. \"k5_e6 skip k3_e1 ...\".")
        String arch;

        @Option(names = "--arch-file", description = "Architecture JSON file ({\"schema\":1, \"space\":..., \"ops\":[...]}).")
        Path archFile;

        @Option(names = "--arch-list", paramLabel = "FILE",
                description = "Many architectures: one canonical op string per line (# comments allowed).")
        Path archList;

        @Option(names = "--space", description = "Space JSON file (or id) when the model's space is not registered.")
        String space;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            if (lutFile == null) {
                throw new HwnasException("option '--lut' is required: a LUT or latency model file (or use 'hwnas latency"
                        + " fit' to make one)");
            }
            int given = (arch != null ? 1 : 0) + (archFile != null ? 1 : 0) + (archList != null ? 1 : 0);
            if (given != 1) {
                throw new HwnasException("give exactly one of --arch, --arch-file, --arch-list (got " + given + ")");
            }
            LatencyModel m = LatencyModels.read(lutFile, id -> LutOptions.resolve(id, lutFile, space)); // read once
            SearchSpace s = m.space();
            if (archList != null) {
                List<Architecture> archs = archList(archList, s);
                List<Map<String, Object>> json = new ArrayList<>();
                StringBuilder text = new StringBuilder();
                for (Architecture a : archs) {
                    double ms = m.predictMs(a);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("arch", a.canonical());
                    row.put("latency_ms", ms);
                    json.add(row);
                    text.append(String.format(java.util.Locale.ROOT, "%.4f ms  %s%n", ms, a.canonical()));
                }
                out.print(json, text.toString());
                return 0;
            }
            ArchInput in = new ArchInput();
            in.arch = arch;
            in.archFile = archFile;
            Architecture a = in.resolve(s);
            double ms = m.predictMs(a);
            if (!(ms > 0) || !Double.isFinite(ms)) { // the range checks make this unreachable; never print it
                throw HwnasException.inFile(lutFile, "predicts " + ms + " ms for " + a.canonical()
                        + ": a latency must be positive and finite; the model is broken");
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("latency_ms", ms);
            json.put("space", s.id());
            json.put("device", m.device().name());
            json.put("source", m.device().source());
            json.put("arch", a.canonical());
            out.print(json, String.format("%.4f ms  (space %s, device %s)", ms, s.id(), m.device().describe()));
            return 0;
        }
    }
}
