package io.hwnas.tools;

import io.hwnas.tools.cli.SpaceCommands;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
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
        try {
            io.hwnas.supernet.ops.Layout.channelsLast(); // a bad -Dhwnas.channels_last refused before any work
            CommandLine cl = new CommandLine(new Hwnas());
            io.hwnas.tools.cli.Errors errors = new io.hwnas.tools.cli.Errors();
            cl.setExecutionExceptionHandler(errors);
            cl.setParameterExceptionHandler(errors);
            cl.setCaseInsensitiveEnumValuesAllowed(true);
            cl.registerConverter(Path.class, Hwnas::path);
            cl.setExecutionStrategy(Hwnas::refuseUnmatched);
            return cl.execute(args);
        } catch (Throwable t) { // last resort: a user error stays one line, a bug says so (and OOM says how to fix)
            PrintWriter err = new PrintWriter(System.err, true);
            return io.hwnas.tools.cli.Errors.report(t, err);
        }
    }

    /**
     * Paths as picocli option values: an empty one (which Java reads as the working folder: -o '' trained
     * into it), NUL characters and unencodable names refused in one line.
     */
    static Path path(String s) {
        if (s.isBlank()) {
            throw new CommandLine.TypeConversionException("an empty path; give a file or folder name (. for the"
                    + " working folder)");
        }
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException(io.hwnas.tools.cli.Errors.invalidPath(e));
        }
    }

    /**
     * Picocli ignores leftover arguments when --help is given ("hwnas specialize --help" printed the
     * top-level help, exit 0): any unmatched argument is refused, naming the unknown command.
     */
    static int refuseUnmatched(CommandLine.ParseResult pr) {
        for (CommandLine.ParseResult p = pr; p != null; p = p.subcommand()) {
            List<String> unmatched = p.unmatched();
            if (!unmatched.isEmpty()) {
                CommandLine cl = p.commandSpec().commandLine();
                throw new CommandLine.UnmatchedArgumentException(cl, unmatched); // worded by Errors.unmatched
            }
        }
        return new CommandLine.RunLast().execute(pr);
    }
}
