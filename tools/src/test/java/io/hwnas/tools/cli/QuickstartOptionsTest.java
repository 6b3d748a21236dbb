package io.hwnas.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.search.specialize.Specialize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class QuickstartOptionsTest {
    private static QuickstartCommand parse(String... args) {
        QuickstartCommand c = new QuickstartCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    /** --no-specialize stops after the evaluated subnet (the earlier negatable option read it as true). */
    @Test
    void noSpecializeSkipsTheSpecialization() {
        assertFalse(parse().noSpecialize);
        assertTrue(parse("--no-specialize").noSpecialize);
    }

    @Test
    void samplingDefaultsAreUniformDepthAfterOneDenseEpoch() {
        QuickstartCommand c = parse();
        assertEquals("uniform", c.depthSampling());
        assertEquals(1, c.progressiveEpochs());
        assertEquals(0, parse("--progressive-epochs", "0").progressiveEpochs());
        assertEquals(0, parse("--warmup-epochs", "0").progressiveEpochs()); // no warm-up: no dense-only stage
        assertEquals(0, parse("--weight-sampling", "soft").progressiveEpochs()); // a soft step runs every op
        assertEquals("op", parse("--depth-sampling", "op").depthSampling());
        // soft steps sample no paths, and a training config refuses uniform depth with them: the README's old
        // FBNet pipeline (--weight-sampling soft without --depth-sampling) was refused until op became its default
        assertEquals("op", parse("--weight-sampling", "soft").depthSampling());
        assertEquals("uniform", parse("--weight-sampling", "sandwich").depthSampling());
        assertEquals("uniform", parse("--weight-sampling", "soft", "--depth-sampling", "uniform").depthSampling());
        assertEquals("theta", c.weightPaths);
        assertEquals("uniform", parse("--weight-paths", "uniform").weightPaths);
    }

    /** Refusals name the quickstart's options, not the training config's fields they set. */
    @Test
    void messagesNameOptionsNotConfigFields() {
        assertEquals("quickstart options: --depth-sampling = \"uniform\": uniform needs --weight-sampling single-path"
                + " or sandwich", QuickstartRun.asOptions("quickstart options: field 'depth_sampling' = \"uniform\":"
                + " uniform needs weight_sampling single-path or sandwich"));
        assertEquals("--weight-lr = 2: over 2 epochs", QuickstartRun.asOptions("field 'weight_lr' = 2: over 2 epochs"));
        // a field no option sets keeps its name
        assertEquals("field 'momentum' = 2: must be in [0, 1)", QuickstartRun.asOptions("field 'momentum' = 2: must be"
                + " in [0, 1)"));
        assertEquals("--epochs", QuickstartRun.asOptions("epochs"));
        assertEquals("--tau-start", QuickstartRun.asOptions("tau_start"));
    }

    /** θ settles within the quickstart's epochs: τ starts at 1 (FBNet's 5 is for 90 epochs) and θ's Adam rate is 0.5. */
    @Test
    void thetaDefaultsAreTauOneAndLearningRateOneHalf() {
        QuickstartCommand c = parse();
        assertEquals(1.0, c.tauStart);
        assertEquals(0.5, c.thetaLr);
        assertEquals(5.0, parse("--tau-start", "5").tauStart);
        assertEquals(0.05, parse("--theta-lr", "0.05").thetaLr);
        assertEquals(0.0, c.thetaWeightDecay); // FBNet's 5e-4 kept θ near uniform through the quickstart
        assertEquals(5e-4, parse("--theta-weight-decay", "5e-4").thetaWeightDecay);
        assertEquals(0.1, c.thetaFreezeEntropy); // θ's steps stop once it has settled (stop 41)
        assertEquals(0.0, parse("--theta-freeze-entropy", "0").thetaFreezeEntropy);
        assertEquals("fastest/4", c.latencyUnit); // the same trade-off whatever the machine's speed (stop 44)
        assertEquals("fastest/10", parse("--latency-unit", "fastest/10").latencyUnit);
    }

    /** 90 % of the training images train the weights, 10 % θ; a training-config refusal names the option. */
    @Test
    void weightFractionDefaultsToNineTenthsAndIsNamedAsAnOption(@TempDir Path tmp) {
        assertEquals(0.9, parse().weightFraction);
        assertEquals(64, parse().batchSize);
        assertEquals(32, parse("--batch-size", "32").batchSize);
        assertEquals(0.1, parse().weightLr);
        assertEquals(5e-4, parse().weightDecay); // stop 44 (the training config's default is 1e-4)
        assertEquals(1e-4, parse("--weight-decay", "1e-4").weightDecay);
        assertEquals(0.8, parse("--weight-fraction", "0.8").weightFraction);
        var cfg = QuickstartRun.config(QuickstartCommand.SPACE, null, tmp.resolve("lut.json"), 0.2, 0.6, 3, 1, 30000,
                1, 2, 1.0, 0.2);
        cfg.put("weight_fraction", 1.0);
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.hwnas.core.HwnasException.class,
                () -> QuickstartRun.plan(tmp.resolve("run"), cfg, false));
        assertTrue(e.getMessage().contains("--weight-fraction") && !e.getMessage().contains("weight_fraction"),
                e.getMessage());
    }

    /**
     * A rerun reuses the stored specialization only while everything it depends on is unchanged:
     * the run's last checkpoint and θ, each target's name and table, the search options.
     */
    @Test
    void specializationIsReusedOnlyForTheSameRunTablesAndOptions(@TempDir Path tmp) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("checkpoint.json"), "{\"latest\": \"ckpt-e0003\"}");
        Files.writeString(run.resolve("theta.json"), "[[0.1, 0.2]]");
        Files.writeString(run.resolve("config.json"), "{\"seed\": 1}");
        Path lut = Files.writeString(tmp.resolve("lut.json"), "{\"a\": 1}");
        Path other = Files.writeString(tmp.resolve("lut-1t.json"), "{\"a\": 2}");
        Specialize.Options opt = new Specialize.Options("evolution", "supernet", 20, 12, 6, 5, 500, 0.5, 1);
        List<Specialize.TargetSpec> targets = List.of(new Specialize.TargetSpec("cpu-2t", lut, null),
                new Specialize.TargetSpec("cpu-1t", other, null));
        String base = QuickstartCommand.specializationInputs(run, targets, opt);
        assertEquals(base, QuickstartCommand.specializationInputs(run, targets, opt));
        assertNotEquals(base, QuickstartCommand.specializationInputs(run, targets,
                new Specialize.Options("evolution", "supernet", 20, 12, 6, 5, 500, 0.5, 2)), "another seed");
        assertNotEquals(base, QuickstartCommand.specializationInputs(run, List.of(targets.get(1), targets.get(0)), opt));
        Files.writeString(other, "{\"a\": 3}"); // a remeasured table
        String lutChanged = QuickstartCommand.specializationInputs(run, targets, opt);
        assertNotEquals(base, lutChanged);
        Files.writeString(run.resolve("checkpoint.json"), "{\"latest\": \"ckpt-e0004\"}"); // trained further
        assertNotEquals(lutChanged, QuickstartCommand.specializationInputs(run, targets, opt));
        // nothing stored, or stored for other inputs: searched again
        Path spec = Files.createDirectories(tmp.resolve("specialized"));
        assertNull(QuickstartCommand.Reused.read(spec, base));
        io.hwnas.core.Json.writeFile(spec.resolve(QuickstartCommand.Stored.FILE), new QuickstartCommand.Stored(base,
                List.of(new QuickstartCommand.Tested("cpu-2t", "skip", 0.8, 10000))));
        assertNull(QuickstartCommand.Reused.read(spec, base), "no summary.json");
        Files.writeString(spec.resolve("summary.json"), "not json");
        assertNull(QuickstartCommand.Reused.read(spec, base), "an unreadable summary");
        // a stored specialization of these inputs with every pick's weights: reused
        Specialize.Pick pick = new Specialize.Pick("cpu-2t", lut.toString(), 1.0, "skip", 0.5, 80.0, null, 1.0, 10,
                "elsewhere/cpu-2t", null, null, null, null);
        io.hwnas.core.Json.writeFile(spec.resolve("summary.json"), new Specialize.Summary(1, run.toString(),
                "evolution", "supernet", List.of(pick), List.of("cpu-2t"), new double[][] {{0.5}}, null, null, null,
                List.of()));
        assertNull(QuickstartCommand.Reused.read(spec, base), "the pick's weights are missing");
        Files.createDirectories(spec.resolve("cpu-2t"));
        Files.writeString(spec.resolve("cpu-2t").resolve(io.hwnas.supernet.net.SubnetIO.PARAMS_FILE), "w");
        QuickstartCommand.Reused reused = QuickstartCommand.Reused.read(spec, base);
        assertEquals("skip", reused.summary().targets().get(0).arch());
        assertEquals(0.8, reused.tested().get(0).testAccuracy());
        assertNull(QuickstartCommand.Reused.read(spec, lutChanged), "other inputs");
    }

    /** The command an interrupted quickstart names: its own, without --fresh, paths quoted for a shell. */
    /** What --fresh names as left beside the discarded run: a user's files, none of the quickstart's own. */
    @Test
    void freshNamesTheUsersFilesItLeaves(@TempDir Path tmp) throws Exception {
        Path q = Files.createDirectories(tmp.resolve("q"));
        for (String own : List.of("lut.json", "train-config.json", QuickstartRun.MARKER)) {
            Files.writeString(q.resolve(own), "{}");
        }
        Files.createDirectories(q.resolve("run"));
        Files.createDirectories(q.resolve("subnet"));
        assertEquals(List.of(), QuickstartRun.notOwn(q));
        Files.writeString(q.resolve("model.onnx"), "x");
        Files.createDirectories(q.resolve("my-ft"));
        assertEquals(List.of("model.onnx", "my-ft"), QuickstartRun.notOwn(q));
        assertEquals(List.of(), QuickstartRun.notOwn(tmp.resolve("none")));
    }

    @Test
    void rerunCommandIsTheSameCommandWithoutFresh() {
        for (String fresh : List.of("--fresh", "--fresh=true")) {
            QuickstartCommand q = new QuickstartCommand();
            new CommandLine(new Root()).addSubcommand("quickstart", q).parseArgs("quickstart", fresh, "-o", "my runs/q",
                    "--seed=2");
            assertEquals("hwnas quickstart -o 'my runs/q' --seed=2", q.rerunCommand());
        }
        assertEquals("'it'\\''s'", Shell.quote("it's"));
        assertEquals("runs/q", Shell.quote("runs/q"));
    }

    /**
     * The longer training the quickstart suggests below 90 %: the same options, its own folder, 10 epochs; from the
     * default space (whose 10 epochs gave no more than its 8) on the 28x28 one, another space kept.
     */
    @Test
    void longerCommandKeepsTheOptionsButEpochsFolderAndFresh() {
        QuickstartCommand q = new QuickstartCommand();
        new CommandLine(new Root()).addSubcommand("quickstart", q).parseArgs("quickstart", "--fresh", "--epochs", "4",
                "-o", "runs/q", "--seed=2", "--no-specialize");
        assertEquals("hwnas quickstart --seed=2 --no-specialize -o runs/q-shortcut-10-epochs --space"
                + " fbnet-fmnist-tiny-shortcut --epochs 10", q.longerCommand());
        QuickstartCommand d = new QuickstartCommand();
        new CommandLine(new Root()).addSubcommand("quickstart", d).parseArgs("quickstart", "--epochs=2", "-oruns/x",
                "--space=fbnet-fmnist-tiny-stem2");
        assertEquals("hwnas quickstart -o runs/x-shortcut-10-epochs --space fbnet-fmnist-tiny-shortcut --epochs 10",
                d.longerCommand());
        QuickstartCommand none = new QuickstartCommand();
        new CommandLine(new Root()).addSubcommand("quickstart", none).parseArgs("quickstart");
        assertEquals("hwnas quickstart -o runs/quickstart-shortcut-10-epochs --space fbnet-fmnist-tiny-shortcut"
                + " --epochs 10", none.longerCommand());
        QuickstartCommand full = new QuickstartCommand();
        new CommandLine(new Root()).addSubcommand("quickstart", full).parseArgs("quickstart", "--space",
                "fbnet-fmnist-tiny-shortcut", "--epochs", "3", "-o", "runs/y");
        assertEquals("hwnas quickstart --space fbnet-fmnist-tiny-shortcut -o runs/y-10-epochs --epochs 10",
                full.longerCommand());
    }

    /**
     * A folder with only other files (a README, .gitkeep) may hold a quickstart; its specialized/ is
     * replaced whole, so anything there the quickstart did not write is refused before any work.
     */
    @Test
    void foldersWithOtherFilesAreTakenButAForeignSpecializationIsNot(@TempDir Path tmp) throws Exception {
        Path q = Files.createDirectories(tmp.resolve("q"));
        Files.writeString(q.resolve("README.md"), "mine");
        Files.writeString(q.resolve(".gitkeep"), "");
        QuickstartRun.checkFolder(q); // no exception: nothing the quickstart reads or replaces
        Path spec = Files.createDirectories(q.resolve(QuickstartRun.SPECIALIZED));
        for (String n : List.of("cpu-2t", "cpu-1t", "batch-1", "batch-32", "raspi4-est", "pixel3-est", "summary.md",
                "summary.json", "summary.csv", "cross-target.png", "accuracy-latency-cpu-12t.png",
                "accuracy-latency-raspi4-est.png", QuickstartCommand.Stored.FILE, ".summary.json.8812345.tmp")) {
            Files.createDirectories(spec.resolve(n));
        }
        QuickstartRun.checkSpecialized(spec); // its own names, and a temporary file an interrupted write left
        Files.createDirectories(spec.resolve("mycpu"));
        Files.writeString(spec.resolve("MYNOTES.md"), "mine");
        Files.writeString(spec.resolve("my-plot.png"), "mine");
        io.hwnas.core.HwnasException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.hwnas.core.HwnasException.class, () -> QuickstartRun.checkSpecialized(spec));
        assertTrue(e.getMessage().contains("holds MYNOTES.md, my-plot.png, mycpu")
                && e.getMessage().contains("--no-specialize"), e.getMessage());
        // a training run or a subnet folder is never the quickstart's folder
        Path run = Files.createDirectories(tmp.resolve("a-run"));
        Files.writeString(run.resolve("checkpoint.json"), "{}");
        e = org.junit.jupiter.api.Assertions.assertThrows(io.hwnas.core.HwnasException.class,
                () -> QuickstartRun.checkFolder(run));
        assertTrue(e.getMessage().contains("is a training run"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(io.hwnas.core.HwnasException.class,
                () -> QuickstartRun.checkFolder(Files.createDirectories(run.resolve("inner"))));
        assertTrue(e.getMessage().contains("is inside the training run"), e.getMessage());
        // nor a new folder below one (it was accepted, and the quickstart wrote its run into the run's checkpoints/)
        e = org.junit.jupiter.api.Assertions.assertThrows(io.hwnas.core.HwnasException.class,
                () -> QuickstartRun.checkFolder(run.resolve("checkpoints/x")));
        assertTrue(e.getMessage().contains("is inside the training run"), e.getMessage());
        assertFalse(Files.exists(run.resolve("checkpoints")));
        Path sub = Files.createDirectories(tmp.resolve("a-subnet"));
        Files.writeString(sub.resolve("arch.json"), "{}");
        e = org.junit.jupiter.api.Assertions.assertThrows(io.hwnas.core.HwnasException.class,
                () -> QuickstartRun.checkFolder(sub));
        assertTrue(e.getMessage().contains("is a subnet folder"), e.getMessage());
    }

    @CommandLine.Command(name = "hwnas")
    static final class Root {}

    /** --fresh removes the discarded run's picks unless the folder holds files of the user's. */
    @Test
    void freshRemovesTheDiscardedRunsPicks(@TempDir Path tmp) throws Exception {
        Path spec = java.nio.file.Files.createDirectories(tmp.resolve("specialized/cpu-2t"));
        java.nio.file.Files.writeString(spec.resolve("arch.json"), "{}");
        java.nio.file.Files.writeString(tmp.resolve("specialized/summary.json"), "{}");
        QuickstartRun.dropSpecialized(tmp.resolve("specialized"));
        org.junit.jupiter.api.Assertions.assertFalse(java.nio.file.Files.exists(tmp.resolve("specialized")));
        Path mine = java.nio.file.Files.createDirectories(tmp.resolve("s2"));
        java.nio.file.Files.writeString(mine.resolve("summary.json"), "{}");
        java.nio.file.Files.writeString(mine.resolve("my-notes.txt"), "keep");
        QuickstartRun.dropSpecialized(mine);
        org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.isRegularFile(mine.resolve("my-notes.txt"))
                && java.nio.file.Files.isRegularFile(mine.resolve("summary.json")));
    }
}
