package io.hwnas.tools.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code -o LUT.json [--force]} of the commands that write a LUT (import, transfer, measure). */
public final class LutOutput {
    @Option(names = {"-o", "--output"}, required = true, description = "LUT JSON file to write.")
    Path path;

    @Option(names = "--force", description = "Replace an existing file at -o (a LUT or anything else but a training run's"
            + " or a subnet's files).")
    boolean force;

    /**
     * The file to write, checked before any work: never one of {@code inputs} (the files the command
     * reads), an existing file only with --force, its folder writable.
     */
    Path checked(Path... inputs) {
        Outputs.lutFile("-o", path, force, inputs);
        return path;
    }
}
