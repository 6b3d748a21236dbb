package io.hwnas.tools;

import io.hwnas.tools.cli.SpaceCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hwnas} command line. Each subcommand lives in {@code io.hwnas.tools.cli}. */
@Command(name = "hwnas", mixinStandardHelpOptions = true, version = "hwnas 0.1.0",
        description = "Hardware-aware neural architecture search on the JVM (DJL + PyTorch).",
        subcommands = {
            SpaceCommands.Spaces.class,
            SpaceCommands.Space.class,
            io.hwnas.tools.cli.LutCommands.LutGroup.class,
            io.hwnas.tools.cli.LutCommands.Latency.class,
            io.hwnas.tools.cli.TrainCommands.Train.class,
            io.hwnas.tools.cli.SubnetCommands.Extract.class,
            io.hwnas.tools.cli.SubnetCommands.Eval.class,
            io.hwnas.tools.cli.SubnetCommands.Tune.class,
            io.hwnas.tools.cli.ExportCommand.class,
            io.hwnas.tools.cli.BenchTrainCommand.Bench.class,
            io.hwnas.tools.cli.ExperimentCommands.Group.class,
            io.hwnas.tools.cli.SpecializeCommand.class,
            io.hwnas.tools.cli.QuickstartCommand.class,
            io.hwnas.tools.cli.DataCommands.Data.class,
        })
public final class Hwnas implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line; returns the exit code (0 ok, 1 internal error, 2 user error). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Hwnas());
        cl.setExecutionExceptionHandler(new io.hwnas.tools.cli.Errors());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl.execute(args);
    }
}
