package io.hwnas.tools.cli;

import picocli.CommandLine;

/** A command that only groups subcommands: run without one, it prints its usage. */
public abstract class UsageGroup implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
