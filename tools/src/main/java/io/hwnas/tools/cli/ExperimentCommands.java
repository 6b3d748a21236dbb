package io.hwnas.tools.cli;

import io.hwnas.experiments.sweep.LatencySweep;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hwnas experiment ...}: paper-style experiments, one config and one command each. */
public final class ExperimentCommands {
    private ExperimentCommands() {}

    @Command(name = "experiment", mixinStandardHelpOptions = true,
            description = "Experiments: one config, one command -> results JSON, CSV, markdown table, PNG plots.",
            subcommands = {Sweep.class})
    public static final class Group extends UsageGroup {
    }

    @Command(name = "latency-sweep", mixinStandardHelpOptions = true,
            description = {"Train the same supernet under several latency-loss settings (α, β, multiplicative or"
                + " additive) and compare the architectures and θ they end with.",
                "Without --config: the built-in sweep (fbnet-fmnist-tiny, latency/luts/fbnet-fmnist-tiny-vm-1t-cpu.json,"
                + " 8 settings, about 40 minutes on 2 cores). Run it again to continue an interrupted sweep."})
    public static final class Sweep implements Callable<Integer> {
        @Option(names = {"--config", "-c"}, paramLabel = "SWEEP.json", description = "Sweep file (default: built in).")
        Path config;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
                description = "Output folder: runs/<setting>/ and results.{json,csv,md}, *.png.")
        Path output;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            if (config != null) {
                io.hwnas.core.Json.readText(config); // at once: a device, a huge or a binary file is refused here
            }
            LatencySweep.Config c = config == null ? LatencySweep.builtIn() : LatencySweep.read(config);
            LatencySweep.Result r = LatencySweep.run(c, output, new ConsoleProgress(), System.err::println);
            out.print(r, LatencySweep.markdown(r) + String.format(Locale.ROOT, "%nwritten to %s%n", output));
            return 0;
        }
    }
}
