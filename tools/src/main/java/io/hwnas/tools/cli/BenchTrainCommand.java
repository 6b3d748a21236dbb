package io.hwnas.tools.cli;

import io.hwnas.search.train.SupernetTrainer;
import io.hwnas.search.train.TrainBench;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.HwnasException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hwnas bench train}: ms per training step for soft supernet, single-path supernet and a fixed subnet. */
public final class BenchTrainCommand {
    private BenchTrainCommand() {}

    @Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
            subcommands = {Train.class, BenchSearchCommand.Search.class})
    public static final class Bench extends UsageGroup {
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Time one training step (forward + backward + update, random data): supernet with all"
                    + " paths (soft), with one sampled path, and a fixed subnet. Prints ms/step and images/s.")
    public static final class Train implements Callable<Integer> {
        @Option(names = "--space", defaultValue = "fbnet-fmnist-tiny", paramLabel = "SPACE")
        String space;

        @Option(names = "--batch", defaultValue = "64")
        int batch;

        @Option(names = "--threads", defaultValue = "0", description = "PyTorch intra-op threads (0: launcher's setting).")
        int threads;

        @Option(names = "--steps", defaultValue = "20", description = "Timed steps per mode (after warm-up).")
        int steps;

        @Option(names = "--warmup", defaultValue = "3")
        int warmup;

        @Option(names = "--arch", paramLabel = "OPS", description = "Fixed subnet (default: k3_e3 in every layer,"
                + " else the first op).")
        String arch;

        @Option(names = "--modes", defaultValue = "soft,single,fixed", split = ",",
                description = "Which steps to time: soft, single, fixed (default all).")
        java.util.Set<String> modes;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            HwnasException.require(batch >= 1, "--batch", batch, "must be positive");
            HwnasException.require(steps >= 1, "--steps", steps, "must be positive");
            HwnasException.require(warmup >= 0, "--warmup", warmup, "must be >= 0");
            SupernetTrainer.applyThreads(threads);
            SearchSpace s = SpaceRegistry.resolve(space);
            Architecture a = arch != null ? Architecture.parse(s, arch)
                    : Architecture.uniform(s, s.ops().contains("k3_e3") ? "k3_e3" : s.ops().get(0));
            TrainBench.Result r = TrainBench.run(s, batch, steps, warmup, a, modes, new ConsoleProgress());
            StringBuilder sb = new StringBuilder(String.format("%s, batch %d, %d threads, median of %d steps%n",
                    r.space(), r.batch(), r.threads(), r.steps()));
            for (TrainBench.Row row : r.rows()) {
                sb.append(String.format("%-60s %9.1f ms/step %9.1f images/s%n", row.mode(), row.medianMs(),
                        row.imagesPerSecond()));
            }
            out.print(r, sb.toString());
            return 0;
        }
    }
}
