package io.hwnas.tools.cli;

import io.hwnas.tools.bench.TrainBench;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.HwnasException;
import java.util.List;
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
            description = "Time one training step (forward + backward + SGD update, random data) per mode, with its"
                    + " peak memory: the shared-weight supernet's soft, single-path and sandwich steps, FBNet's per-op"
                    + " supernet, and plain subnets (largest, smallest, the sampled paths). Each mode runs in a JVM of its"
                    + " own, --rounds times (the modes in turn); figures are medians over the rounds. --json: {\"rows\": [{\"mode\", \"ms_per_step\", \"images_per_s\", \"peak_bytes\", \"ms_rounds\", \"layout\", \"arch\"}...], ...}.")
    public static final class Train implements Callable<Integer> {
        @Option(names = "--space", defaultValue = "fbnet-fmnist-tiny", paramLabel = "SPACE",
                description = "Search space (id or JSON file) whose supernet and subnets are timed (default"
                        + " ${DEFAULT-VALUE}).")
        String space;

        @Option(names = "--batch", defaultValue = "64", description = "Images per training step (default"
                + " ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--threads", defaultValue = "0", description = "PyTorch intra-op threads (0: all cores;"
                + " default ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--steps", defaultValue = "20", description = "Timed steps per mode, after warm-up (default"
                + " ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps per mode before the timed"
                + " ones (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--rounds", defaultValue = "3", description = "Runs per mode, the modes in turn (round 1"
                + " runs every mode, then round 2...); each mode reports its medians over the rounds (default"
                + " ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--sandwich-random", defaultValue = "2", description = "Random subnets per sandwich step"
                + " (default ${DEFAULT-VALUE}).")
        int sandwichRandom;

        @Option(names = "--layout", paramLabel = "nchw|channels-last|both",
                description = "Memory layout of the training-mode depthwise convolutions: channels-last, nchw, or"
                + " both: every mode in each, side by side in the same rounds, with the speed-up (default: the one"
                + " training uses, nchw unless HWNAS_CHANNELS_LAST=1).")
        String layout;

        @Option(names = "--modes", split = ",", description = "Modes to time (default all): ${COMPLETION-CANDIDATES}",
                completionCandidates = Modes.class)
        List<String> modes;

        @Mixin
        Output out;

        static final class Modes extends java.util.ArrayList<String> {
            Modes() {
                super(TrainBench.MODES);
            }
        }

        @Override
        public Integer call() {
            HwnasException.require(batch >= 1, "--batch", batch, "must be positive");
            HwnasException.require(steps >= 1, "--steps", steps, "must be positive");
            HwnasException.require(warmup >= 0, "--warmup", warmup, "must be >= 0");
            HwnasException.require(rounds >= 1, "--rounds", rounds, "must be positive");
            HwnasException.require(threads >= 0, "--threads", threads, "must be >= 0");
            HwnasException.require(sandwichRandom >= 0 && sandwichRandom <= 16, "--sandwich-random", sandwichRandom,
                    "must be 0..16");
            List<String> ms = modes == null ? TrainBench.MODES : modes;
            for (String m : ms) {
                HwnasException.require(TrainBench.MODES.contains(m), "--modes", m, "must be among "
                        + String.join(", ", TrainBench.MODES));
            }
            if (layout == null) {
                layout = io.hwnas.supernet.ops.Layout.name(false);
            }
            HwnasException.require(layout.equals("both") || TrainBench.LAYOUTS.contains(layout), "--layout", layout,
                    "must be channels-last, nchw or both");
            List<String> layouts = layout.equals("both") ? TrainBench.LAYOUTS : List.of(layout);
            SearchSpace s = Checks.space("--space", space);
            int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            TrainBench.Result r = TrainBench.run(s, space, batch, steps, warmup, t, sandwichRandom, rounds, ms,
                    layouts, new ConsoleProgress());
            StringBuilder sb = new StringBuilder(String.format(
                    "%s, batch %d, %d threads, median of %d steps, median over %d round(s), one JVM per mode%s and round"
                    + " (%s)%n", r.space(), r.batch(), r.threads(), r.steps(), r.rounds(), layouts.size() > 1 ? ", layout"
                    : "", r.cpu()));
            for (String l : layouts) {
                sb.append("depthwise convolutions in training: ").append(l).append(String.format("%n"));
                table(sb, r, l);
            }
            if (layouts.size() > 1) {
                java.util.Map<String, TrainBench.Row> cl = TrainBench.byMode(r, io.hwnas.supernet.ops.Layout.CHANNELS_LAST);
                java.util.Map<String, TrainBench.Row> nchw = TrainBench.byMode(r, io.hwnas.supernet.ops.Layout.NCHW);
                sb.append(String.format("channels-last speed-up (nchw ms / channels-last ms, per round side by side:"
                        + " range)%n"));
                for (String m : nchw.keySet()) { // the modes timed (each once)
                    TrainBench.Row a = nchw.get(m);
                    TrainBench.Row b = cl.get(m);
                    double lo = Double.MAX_VALUE;
                    double hi = 0;
                    for (int i = 0; i < Math.min(a.msRounds().size(), b.msRounds().size()); i++) {
                        double x = a.msRounds().get(i) / b.msRounds().get(i);
                        lo = Math.min(lo, x);
                        hi = Math.max(hi, x);
                    }
                    sb.append(String.format("%-23s %5.2fx%s%n", m, a.msPerStep() / b.msPerStep(),
                            a.msRounds().size() < 2 ? "" : String.format(" (rounds %.2f-%.2fx)", lo, hi)));
                }
            }
            out.print(r, sb.toString());
            return 0;
        }

        private static void table(StringBuilder sb, TrainBench.Result r, String layout) {
            java.util.Map<String, TrainBench.Row> by = TrainBench.byMode(r, layout);
            TrainBench.Row largest = by.get("fixed-largest");
            for (TrainBench.Row row : by.values()) {
                String spread = row.msRounds() == null || row.msRounds().size() < 2 ? "" : String.format(
                        " (rounds %.0f-%.0f)", java.util.Collections.min(row.msRounds()),
                        java.util.Collections.max(row.msRounds()));
                sb.append(String.format("%-23s %7.1f ms/step%s %7.1f images/s  peak %s%s%s%n", row.mode(), row.msPerStep(),
                        spread,
                        row.imagesPerS(), row.peakBytes() == null ? "n/a" : String.format("%.1f MB",
                        row.peakBytes() / 1e6), largest == null ? "" : String.format("  %.2fx time, %s memory of"
                        + " fixed-largest", row.msPerStep() / largest.msPerStep(), row.peakBytes() == null
                        || largest.peakBytes() == null || largest.peakBytes() == 0 ? "n/a" : String.format("%.2fx",
                        row.peakBytes() / (double) largest.peakBytes())), row.arch() == null ? "" : "  [" + row.arch()
                        + "]"));
            }
        }
    }
}
