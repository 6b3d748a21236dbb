package io.hwnas.tools.cli;

import io.hwnas.core.HwnasException;
import io.hwnas.search.run.RunFiles;
import io.hwnas.supernet.net.SubnetIO;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of a command's input folder made before any work starts: a training run (extract,
 * specialize) or a subnet (eval, finetune, export); anything else is refused with a message saying
 * what the path is instead and which command takes it.
 */
final class Inputs {
    private Inputs() {}

    /** A training run folder, or a message saying what {@code dir} is instead. */
    static void requireRun(Path dir) {
        if (Files.isRegularFile(dir.resolve(RunFiles.CONFIG))) {
            return;
        }
        if (Files.isRegularFile(dir)) {
            throw new HwnasException(dir + ": is a file, not a training run folder; give the -o folder of hwnas train");
        }
        if (!Files.isDirectory(dir)) {
            throw new HwnasException(dir + ": no such training run folder");
        }
        if (Files.isRegularFile(dir.resolve(SubnetIO.ARCH_FILE))) {
            throw new HwnasException(dir + ": this is a subnet, not a training run: evaluate it with hwnas eval " + dir
                    + ", or fine-tune it with hwnas finetune " + dir + " -o DIR");
        }
        throw new HwnasException(dir + ": not a training run folder (" + RunFiles.CONFIG + " missing); give the -o"
                + " folder of hwnas train");
    }

    /** A subnet folder (space.json, arch.json, model.params), or a message saying what {@code dir} is instead. */
    static void requireSubnet(Path dir) {
        if (Files.isRegularFile(dir.resolve(SubnetIO.SPACE_FILE)) || Files.isRegularFile(dir.resolve(SubnetIO.ARCH_FILE))) {
            return;
        }
        if (Files.isRegularFile(dir)) {
            throw new HwnasException(dir + ": is a file, not a subnet folder; give the -o folder of hwnas extract or"
                    + " hwnas finetune");
        }
        if (!Files.isDirectory(dir)) {
            throw new HwnasException(dir + ": no such subnet folder");
        }
        if (Files.isRegularFile(dir.resolve(RunFiles.CONFIG))) {
            throw new HwnasException(dir + ": this is a training run, not a subnet: extract one first with hwnas extract "
                    + dir + " -o DIR");
        }
        throw new HwnasException(dir + ": not a subnet folder (no " + SubnetIO.SPACE_FILE + ", " + SubnetIO.ARCH_FILE
                + "); give the -o folder of hwnas extract or hwnas finetune");
    }
}
