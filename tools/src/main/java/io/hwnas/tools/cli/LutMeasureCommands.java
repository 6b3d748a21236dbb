package io.hwnas.tools.cli;

import io.hwnas.experiments.plot.Charts;
import io.hwnas.latency.Agreement;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LutModel;
import io.hwnas.latency.MeasureRuntime;
import io.hwnas.latency.predict.CalibratedValidation;
import io.hwnas.latency.predict.LutCalibration;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutMeasurer;
import io.hwnas.latency.LutValidation;
import io.hwnas.latency.MeasureConfig;
import io.hwnas.latency.OrtLutMeasurer;
import io.hwnas.latency.SupernetBlocks;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hwnas lut measure} and {@code hwnas lut validate}: timings on this machine with DJL or ONNX Runtime. */
public final class LutMeasureCommands {
    private LutMeasureCommands() {}

    /** The runtime that runs the timed blocks. */
    public enum RuntimeKind { DJL, ONNXRUNTIME }

    @Command(name = "measure", mixinStandardHelpOptions = true,
            description = "Measure a LUT on this machine: every candidate op at its layer's input shape, plus stem and "
                    + "head, with DJL/PyTorch in inference mode (GPU when DJL has one, else CPU) or, with --runtime "
                    + "onnxruntime, as ONNX graphs of their own in ONNX Runtime (CPU); median of many runs.")
    public static final class Measure implements Callable<Integer> {
        @Option(names = "--space", required = true, description = "Space id or JSON file.")
        String space;

        @Option(names = "--runtime", defaultValue = "djl", paramLabel = "djl|onnxruntime",
                description = "Runtime that runs the ops: djl (default) or onnxruntime.")
        RuntimeKind runtime;

        @Option(names = "--threads", defaultValue = "0",
                description = "Intra-op threads of PyTorch or ONNX Runtime (default 0: the launcher's, all cores"
                        + " or HWNAS_THREADS).")
        int threads;

        @Option(names = "--batch", defaultValue = "1", description = "Batch size (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--repeats", defaultValue = "100", description = "Timed runs per block (default ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--warmup", defaultValue = "20", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--clock", defaultValue = "wall",
                description = "wall (elapsed time, default) or cpu (the thread's CPU time; needs --threads 1: robust "
                        + "to other processes loading the machine, a proxy for an unloaded machine).")
        MeasureConfig.Clock clock;

        @Option(names = "--device-name", description = "Name for the device record (default: <host>-cpu-<threads>t).")
        String deviceName;

        @Mixin
        LutOutput lutOutput;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            Checks.atLeast("--threads", threads, 0, "0: the launcher's setting");
            Checks.atLeast("--batch", batch, 1, null);
            Checks.atLeast("--repeats", repeats, 1, null);
            Checks.atLeast("--warmup", warmup, 0, null);
            Checks.timing(clock, threads, "--threads");
            if (deviceName != null && deviceName.isBlank()) {
                throw new HwnasException("option '--device-name' = \"" + deviceName + "\": give a name, or leave the"
                        + " option out for <host>-cpu-<threads>t");
            }
            SearchSpace s = Checks.space("--space", space);
            Path output = lutOutput.checked(Outputs.spaceFile(space));
            MeasureConfig cfg = new MeasureConfig(threads, batch, warmup, repeats, deviceName, clock);
            long t0 = System.nanoTime();
            Lut lut;
            try (Interrupted i = Interrupted.say("no LUT was written (" + output + "); run the same command again")) {
                lut = runtime == RuntimeKind.ONNXRUNTIME ? OrtLutMeasurer.measure(s, cfg, new ConsoleProgress())
                        : LutMeasurer.measure(s, SupernetBlocks.INSTANCE, cfg, new ConsoleProgress());
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            lut.write(output);
            LoadWarning.print("the measurement", LoadWarning.stored(lut.device().otherLoadCores(), wall), clock,
                    lut.device().threads() == null ? 0 : lut.device().threads());
            LatencyModel.LatencyRange range = LatencyModels.of(lut, s, output.toString()).rangeMs();
            double[] r = {range.fastestMs(), range.slowestMs()};
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("output", output.toString());
            json.put("space", lut.space());
            json.put("device", lut.device());
            json.put("wall_s", wall);
            json.put("entries", lut.entries().size());
            json.put("fixed_ms", lut.fixedMs());
            json.put("min_ms", r[0]);
            json.put("max_ms", r[1]);
            out.print(json, String.format("wrote %s in %.1f s: %d entries, fixed %.4f ms, architectures %.3f-%.3f ms%n%s",
                    output, wall, lut.entries().size(), lut.fixedMs(), r[0], r[1], LutTables.render(output, lut, s)));
            return 0;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Time N random whole architectures end to end on this machine and compare with the LUT's "
                    + "prediction (mean absolute %% error, Kendall tau).",
                    "--calibrate also times --calibrate-archs other architectures, fits corrections of the table to "
                    + "them (offset, scale, per-entry least squares toward the table) and scores raw and calibrated "
                    + "tables on the N test architectures (MAPE, Kendall tau, share within 10 %%)."})
    public static final class Validate implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        LutOptions lut;

        @Option(names = "--runtime", paramLabel = "djl|onnxruntime",
                description = "Runtime that runs the networks (default: the LUT's, from its device record).")
        RuntimeKind runtime;

        @Option(names = "--archs", defaultValue = "10", description = "Random architectures (default ${DEFAULT-VALUE}).")
        int archs;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the random architectures.")
        long seed;

        @Option(names = "--threads", defaultValue = "0",
                description = "Intra-op threads of PyTorch or ONNX Runtime (default 0: the LUT's).")
        int threads;

        @Option(names = "--clock", defaultValue = "wall",
                description = "wall (elapsed time, default) or cpu (the thread's CPU time; needs --threads 1: robust "
                        + "to other processes loading the machine, a proxy for an unloaded machine).")
        MeasureConfig.Clock clock;

        @Option(names = "--repeats", defaultValue = "30", description = "Timed runs per network (default ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--warmup", defaultValue = "5", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--calibrate", description = "Fit corrections from other architectures and score them too.")
        boolean calibrate;

        @Option(names = "--calibrate-archs", defaultValue = "20", paramLabel = "N",
                description = "Calibration architectures, apart from the test ones (default ${DEFAULT-VALUE}).")
        int calibrateArchs;

        @Option(names = "--calibrate-methods", split = ",", paramLabel = "M",
                description = "offset, scale, per-entry (default all three; per-entry needs 10 architectures).")
        List<String> calibrateMethods;

        @Option(names = "--calibrated-lut", paramLabel = "FILE",
                description = "Write the calibrated table (--calibrated-method) as a LUT file.")
        Path calibratedLut;

        @Option(names = "--calibrated-method", defaultValue = "per-entry", paramLabel = "M",
                description = "The correction --calibrated-lut writes (default ${DEFAULT-VALUE}).")
        String calibratedMethod;

        @Option(names = "--plot", paramLabel = "PNG",
                description = "Predicted vs measured plot (with --calibrate; default with -o: beside it, .png).")
        Path plot;

        @Option(names = "--force", description = "Replace existing files at -o, at --plot (or the plot beside -o) and"
                + " at --calibrated-lut.")
        boolean force;

        @Option(names = {"-o", "--output"}, description = "Write the result as JSON here too.")
        Path output;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            HwnasException.require(archs >= 1 && archs <= 100_000, "--archs", archs, "must be 1..100000");
            Checks.atLeast("--threads", threads, 0, "0: the LUT's");
            Checks.atLeast("--repeats", repeats, 1, null);
            Checks.atLeast("--warmup", warmup, 0, null);
            if (!calibrate) {
                for (Object[] o : new Object[][] {{"--calibrated-lut", calibratedLut}, {"--plot", plot},
                        {"--calibrate-methods", calibrateMethods}}) {
                    if (o[1] != null) {
                        throw new HwnasException("option '" + o[0] + "' needs --calibrate");
                    }
                }
                for (String o : new String[] {"--calibrate-archs", "--calibrated-method"}) { // options with defaults
                    if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                        throw new HwnasException("option '" + o + "' needs --calibrate");
                    }
                }
            }
            checkOutputs();
            LatencyModel m = lut.model();
            int t = threads > 0 ? threads : m.device().threads() == null ? 0 : m.device().threads();
            Checks.timing(clock, t, threads > 0 ? "--threads" : "the LUT's device record");
            MeasureConfig cfg = new MeasureConfig(t, m.device().batch(), warmup, repeats, null, clock);
            RuntimeKind rt = runtime != null ? runtime
                    : OrtLutMeasurer.isOrt(m.device()) ? RuntimeKind.ONNXRUNTIME : RuntimeKind.DJL;
            if (calibrate) {
                return calibrate(m, cfg, rt);
            }
            notes(m);
            long v0 = System.nanoTime();
            LutValidation.Result r = rt == RuntimeKind.ONNXRUNTIME
                    ? OrtLutMeasurer.validate(m, cfg, archs, seed, new ConsoleProgress())
                    : LutValidation.validate(m, SupernetBlocks.INSTANCE, cfg, archs, seed, new ConsoleProgress());
            if (output != null) {
                Json.writeFile(output, r);
            }
            out.print(r, rows(r) + summary(r, rt));
            LoadWarning.print("the validation", LoadWarning.stored(r.otherLoadCores(), (System.nanoTime() - v0) / 1e9), clock,
                    cfg.threads());
            return 0;
        }

        /** What the user should know before the timing starts (printed once every input has been checked). */
        private void notes(LatencyModel m) {
            if (m.device().source() != io.hwnas.latency.DeviceRecord.Source.MEASURED) {
                System.err.printf("hwnas: note: %s holds %s latencies of device %s; this compares them with networks"
                        + " timed on this machine, not on that device%n", lut.file, m.device().source().name()
                        .toLowerCase(Locale.ROOT), m.device().name());
            }
            double distinct = Math.pow(m.space().ops().size(), m.space().layerCount());
            if (archs > distinct) {
                System.err.printf(Locale.ROOT, "hwnas: warning: space %s has only %.0f architectures; some of the %d"
                        + " test architectures drawn are the same one, timed again%n", m.space().id(), distinct, archs);
            }
        }

        /** The plot to write: --plot, else with -o and --calibrate the PNG beside it; none without --calibrate. */
        private Path plotFile() {
            return !calibrate ? null : plot != null ? plot : output == null ? null : sibling(output, ".png");
        }

        /** Every output checked before anything is timed: never an input, an existing file only with --force. */
        private void checkOutputs() {
            Path png = plotFile();
            String plotOption = plot != null ? "--plot" : "the plot beside -o";
            Outputs.distinct("-o", output, plotOption, png, "--calibrated-lut", calibratedLut);
            Path[] inputs = {lut.file, Outputs.spaceFile(lut.space)};
            if (output != null) {
                Outputs.resultFile("-o", output, force, inputs);
            }
            if (png != null) {
                Outputs.resultFile(plotOption, png, force, inputs);
            }
            if (calibratedLut != null) {
                Outputs.lutFile("--calibrated-lut", calibratedLut, force, inputs);
            }
        }

        private static String rows(LutValidation.Result r) {
            StringBuilder sb = new StringBuilder(String.format("%-4s %12s %12s %8s  %s%n", "#", "predicted_ms",
                    "measured_ms", "error", "arch"));
            for (int i = 0; i < r.rows().size(); i++) {
                LutValidation.Row row = r.rows().get(i);
                sb.append(String.format("%-4d %12.4f %12.4f %+7.1f%%  %s%n", i, row.predictedMs(), row.measuredMs(),
                        row.errorPct(), row.arch()));
            }
            return sb.toString();
        }

        private static String summary(LutValidation.Result r, RuntimeKind rt) {
            return String.format("%d architectures of %s, predicted by the model of %s, timed here with %s: mean |error|"
                    + " %.1f%%, max %.1f%%, bias %+.1f%%, Kendall tau %.2f", r.archs(), r.space(), r.device(),
                    rt == RuntimeKind.ONNXRUNTIME ? OrtLutMeasurer.runtimeName() : "DJL", r.meanAbsErrorPct(),
                    r.maxAbsErrorPct(), r.meanBiasPct(), r.kendallTau());
        }

        private int calibrate(LatencyModel m, MeasureConfig cfg, RuntimeKind rt) {
            if (!(m instanceof LutModel table)) {
                throw HwnasException.inFile(lut.file, "--calibrate corrects a table (a LUT, or a lut-fit or flops"
                        + " model); this is an " + m.kindName() + " (" + m.device().runtime() + ")");
            }
            List<LutCalibration.Method> methods = new ArrayList<>();
            for (String name : calibrateMethods != null ? calibrateMethods : List.of("offset", "scale", "per-entry")) {
                LutCalibration.Method meth = LutCalibration.Method.of(name, "--calibrate-methods");
                if (!methods.contains(meth)) {
                    methods.add(meth);
                }
            }
            Checks.atLeast("--calibrate-archs", calibrateArchs, 1, null);
            HwnasException.require(calibrateArchs <= 100_000, "--calibrate-archs", calibrateArchs, "must be 1..100000");
            LutCalibration.Method written = LutCalibration.Method.of(calibratedMethod, "--calibrated-method");
            if (calibratedLut != null && !methods.contains(written)) {
                throw new HwnasException("option '--calibrated-method' = \"" + calibratedMethod + "\": not among"
                        + " --calibrate-methods " + String.join(",", methods.stream().map(LutCalibration.Method::id)
                        .toList()));
            }
            CalibratedValidation.check(table.space(), archs, seed, calibrateArchs, methods, "--calibrate-archs");
            Path png = plotFile();
            MeasureRuntime runtime = rt == RuntimeKind.ONNXRUNTIME ? MeasureRuntime.ONNXRUNTIME : MeasureRuntime.DJL;
            notes(m);
            CalibratedValidation.Report r = CalibratedValidation.run(table, runtime, cfg, archs, calibrateArchs, seed,
                    methods, "--calibrate-archs", new ConsoleProgress());
            LutCalibration.Fit chosen = r.fit(written);
            // the results first: a calibration that cannot be written does not cost the measurements
            if (output != null) {
                Json.writeFile(output, r);
            }
            if (png != null) {
                plot(png, r);
            }
            if (calibratedLut != null && !chosen.usable()) {
                throw new HwnasException(String.format(Locale.ROOT, "--calibrated-lut %s: the %s calibration makes the"
                        + " fastest architecture take %.4f ms (the table over-predicts by more than the fastest"
                        + " network takes), which is no latency; the calibrated LUT was not written%s; write another"
                        + " --calibrated-method", calibratedLut, written.id(), chosen.fastestMs(), output == null && png
                        == null ? "" : " (the results were: " + String.join(", ", java.util.stream.Stream.of(output, png)
                        .filter(java.util.Objects::nonNull).map(Path::toString).toList()) + ")"));
            }
            if (calibratedLut != null) {
                chosen.lut().write(calibratedLut);
                CalibratedValidation.MethodResult mr = r.methods().stream().filter(x -> x.fit().method() == written)
                        .findFirst().orElseThrow();
                if (mr.test().mapePct() > r.raw().mapePct()) {
                    System.err.printf(Locale.ROOT, "hwnas: warning: the %s calibration written to %s scores worse on"
                            + " the test architectures than the table as it is (MAPE %.2f %% against %.2f %%): keep using %s,"
                            + " or calibrate on more architectures (--calibrate-archs)%n", written.id(), calibratedLut,
                            mr.test().mapePct(), r.raw().mapePct(), lut.file);
                }
            }
            StringBuilder sb = new StringBuilder(rows(r.validation()));
            sb.append(summary(r.validation(), rt)).append('\n');
            sb.append(String.format(Locale.ROOT, "%ncalibration: %d other architectures; scores on the %d test"
                    + " architectures%n%-10s %8s %8s %8s %10s %8s %10s  %s%n", r.calibrationArchs(), r.testArchs(),
                    "model", "MAPE", "max", "bias", "RMSE_ms", "tau", "within10", "correction"));
            sb.append(scoreLine("raw", r.raw(), ""));
            for (CalibratedValidation.MethodResult mr : r.methods()) {
                LutCalibration.Fit f = mr.fit();
                String what = switch (f.method()) {
                    case OFFSET -> String.format(Locale.ROOT, "%+.4f ms", f.offsetMs());
                    case SCALE -> String.format(Locale.ROOT, "x %.4f", f.scale());
                    case PER_ENTRY -> String.format(Locale.ROOT, "fixed %+.4f ms, mean |entry change| %.4f ms",
                            f.offsetMs(), f.meanEntryChangeMs());
                };
                sb.append(scoreLine(mr.method(), mr.test(), what + (f.usable() ? "" : String.format(Locale.ROOT,
                        " (fastest architecture %.4f ms: not usable as a latency model)", f.fastestMs()))));
            }
            if (calibratedLut != null) {
                sb.append(String.format("wrote %s (%s)%n", calibratedLut, written.id()));
            }
            if (output != null) {
                sb.append(String.format("wrote %s%n", output));
            }
            if (png != null) {
                sb.append(String.format("wrote %s%n", png));
            }
            out.print(r, sb.toString());
            return 0;
        }

        private static String scoreLine(String name, Agreement.Scores s, String what) {
            return String.format(Locale.ROOT, "%-10s %7.2f%% %7.2f%% %+7.2f%% %10.4f %8.3f %9.1f%%  %s%n", name,
                    s.mapePct(), s.maxAbsErrorPct(), s.biasPct(), s.rmseMs(), s.kendallTau(), s.within10Pct(), what);
        }

        static Path sibling(Path file, String ext) {
            String n = file.getFileName().toString();
            String stem = n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
            return file.resolveSibling(stem + ext);
        }

        static void plot(Path png, CalibratedValidation.Report r) {
            List<Charts.Series> series = new ArrayList<>();
            double lo = Double.POSITIVE_INFINITY;
            double hi = 0;
            List<String> names = new ArrayList<>(r.testRows().get(0).predictedMs().keySet());
            for (String name : names) {
                double[] x = new double[r.testRows().size()];
                double[] y = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = r.testRows().get(i).measuredMs();
                    y[i] = r.testRows().get(i).predictedMs().get(name);
                    lo = Math.min(lo, Math.min(x[i], y[i]));
                    hi = Math.max(hi, Math.max(x[i], y[i]));
                }
                Agreement.Scores sc = name.equals("raw") ? r.raw() : r.methods().stream()
                        .filter(mr -> mr.method().equals(name)).findFirst().orElseThrow().test();
                series.add(new Charts.Series(String.format(Locale.ROOT, "%s (MAPE %.1f %%)", name, sc.mapePct()), x, y,
                        false));
            }
            series.add(new Charts.Series("predicted = measured", new double[] {lo, hi}, new double[] {lo, hi}, true));
            try {
                Charts.xy(png, r.space() + " on " + r.device() + " (" + r.runtime() + "): " + r.testArchs()
                        + " test architectures, calibrated on " + r.calibrationArchs(), "measured latency (ms)",
                        "predicted latency (ms)", series);
            } catch (java.io.IOException e) {
                throw new HwnasException(png + ": cannot write the plot: " + e.getMessage(), e);
            }
        }
    }
}
