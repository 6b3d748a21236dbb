package io.hwnas.tools.cli;

import io.hwnas.latency.LatencyModel;
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
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
                description = "Intra-op threads of PyTorch or ONNX Runtime (default: the launcher's, all cores; "
                        + "HWNAS_THREADS).")
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

        @Option(names = {"-o", "--output"}, required = true, description = "LUT JSON file to write.")
        Path output;

        @Option(names = "--force", description = "Replace an existing file at -o (a LUT or anything else).")
        boolean force;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            Checks.atLeast("--threads", threads, 0, "0: the launcher's setting");
            Checks.atLeast("--batch", batch, 1, null);
            Checks.atLeast("--repeats", repeats, 1, null);
            Checks.atLeast("--warmup", warmup, 0, null);
            SearchSpace s = SpaceRegistry.resolve(space);
            Outputs.lutFile(output, force);
            MeasureConfig cfg = new MeasureConfig(threads, batch, warmup, repeats, deviceName, clock);
            long t0 = System.nanoTime();
            Lut lut = runtime == RuntimeKind.ONNXRUNTIME ? OrtLutMeasurer.measure(s, cfg, new ConsoleProgress())
                    : LutMeasurer.measure(s, SupernetBlocks.INSTANCE, cfg, new ConsoleProgress());
            double wall = (System.nanoTime() - t0) / 1e9;
            lut.write(output);
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
            description = "Time N random whole architectures end to end on this machine and compare with the LUT's "
                    + "prediction (mean absolute %% error, Kendall tau).")
    public static final class Validate implements Callable<Integer> {
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
                description = "Intra-op threads of PyTorch or ONNX Runtime (default: the LUT's).")
        int threads;

        @Option(names = "--clock", defaultValue = "wall",
                description = "wall (elapsed time, default) or cpu (the thread's CPU time; needs --threads 1: robust "
                        + "to other processes loading the machine, a proxy for an unloaded machine).")
        MeasureConfig.Clock clock;

        @Option(names = "--repeats", defaultValue = "30", description = "Timed runs per network (default ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--warmup", defaultValue = "5", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
        int warmup;

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
            LatencyModel m = lut.model();
            int t = threads > 0 ? threads : m.device().threads() == null ? 0 : m.device().threads();
            MeasureConfig cfg = new MeasureConfig(t, m.device().batch(), warmup, repeats, null, clock);
            RuntimeKind rt = runtime != null ? runtime
                    : OrtLutMeasurer.isOrt(m.device()) ? RuntimeKind.ONNXRUNTIME : RuntimeKind.DJL;
            LutValidation.Result r = rt == RuntimeKind.ONNXRUNTIME
                    ? OrtLutMeasurer.validate(m, cfg, archs, seed, new ConsoleProgress())
                    : LutValidation.validate(m, SupernetBlocks.INSTANCE, cfg, archs, seed, new ConsoleProgress());
            if (output != null) {
                Json.writeFile(output, r);
            }
            StringBuilder sb = new StringBuilder(String.format("%-4s %12s %12s %8s  %s%n", "#", "predicted_ms",
                    "measured_ms", "error", "arch"));
            for (int i = 0; i < r.rows().size(); i++) {
                LutValidation.Row row = r.rows().get(i);
                sb.append(String.format("%-4d %12.4f %12.4f %+7.1f%%  %s%n", i, row.predictedMs(), row.measuredMs(),
                        row.errorPct(), row.arch()));
            }
            sb.append(String.format("%d architectures of %s on %s, timed with %s: mean |error| %.1f%%, max %.1f%%, "
                    + "bias %+.1f%%, Kendall tau %.2f", r.archs(), r.space(), r.device(),
                    rt == RuntimeKind.ONNXRUNTIME ? OrtLutMeasurer.runtimeName() : "DJL", r.meanAbsErrorPct(),
                    r.maxAbsErrorPct(), r.meanBiasPct(), r.kendallTau()));
            out.print(r, sb.toString());
            return 0;
        }
    }
}
