package io.hwnas.tools.cli;

import io.hwnas.core.AtomicFiles;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import io.hwnas.search.run.Checkpoints;
import io.hwnas.search.run.RunDir;
import io.hwnas.search.run.RunFiles;
import io.hwnas.search.run.RunLock;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.search.train.TrainResult;
import io.hwnas.search.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The supernet run of {@code hwnas quickstart}: a rerun continues the stored run only when its
 * settings are the stored ones. Any other setting (seed, epochs, images, α, β, data) is refused at
 * once, naming each field with the stored and the requested value, or, with {@code --fresh}, the
 * stored run is discarded and a new one starts. {@code threads} is not compared (0 picks the idle
 * cores anew each time; a resume keeps the stored count).
 */
public final class QuickstartRun {
    static final String NOT_COMPARED = "threads";

    private final Path runDir;
    private final TrainConfig requested;
    private final Map<String, Object> config;
    private final boolean fresh;

    private QuickstartRun(Path runDir, TrainConfig requested, Map<String, Object> config, boolean fresh) {
        this.runDir = runDir;
        this.requested = requested;
        this.config = config;
        this.fresh = fresh;
    }

    /** The training config quickstart asks for (JSON field names). */
    public static Map<String, Object> config(String space, Path data, Path lutFile, double alpha, double beta,
            int epochs, int warmup, int trainSubset, long seed, int threads, double tauStart, double thetaLr) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("space", space);
        c.put("dataset", "fashion-mnist");
        if (data != null) {
            c.put("data_dir", data.toAbsolutePath().toString());
        }
        c.put("lut", lutFile.toAbsolutePath().toString());
        c.put("alpha", alpha);
        c.put("beta", beta);
        c.put("epochs", epochs);
        c.put("warmup_epochs", warmup);
        c.put("batch_size", 64);
        c.put("weight_lr", 0.1);
        c.put("theta_lr", thetaLr);
        c.put("tau_start", tauStart);
        c.put("train_subset", trainSubset);
        c.put("seed", seed);
        c.put("threads", threads);
        return c;
    }

    /**
     * Checks {@code runDir} before any work: refused when another process is using it, or when it
     * holds a run of other settings and {@code fresh} is not given.
     */
    public static QuickstartRun plan(Path runDir, Map<String, Object> config, boolean fresh) {
        TrainConfig requested;
        try {
            requested = TrainConfig.parse("quickstart options", Json.mapper().valueToTree(config));
        } catch (HwnasException e) {
            throw new HwnasException(asOptions(e.getMessage()), e);
        }
        if (Files.isDirectory(runDir)) {
            RunLock.requireFree(runDir);
        }
        if (!fresh && Files.isRegularFile(runDir.resolve(RunFiles.CONFIG))) {
            List<RunDir.Diff> diffs = RunDir.differences(RunDir.open(runDir).config(), requested, NOT_COMPARED);
            if (!diffs.isEmpty()) {
                throw new HwnasException(runDir + ": holds a quickstart run of other settings: " + String.join(", ",
                        diffs.stream().map(d -> asOptions(d.field()) + " stored " + d.then() + ", requested "
                                + d.now()).toList())
                        + "; rerun with the stored settings to continue it, or give --fresh to discard it and start"
                        + " again");
            }
        }
        return new QuickstartRun(runDir, requested, config, fresh);
    }

    /** The training-config fields the quickstart sets from an option of the same name. */
    private static final java.util.Set<String> OPTION_FIELDS = java.util.Set.of("space", "epochs", "warmup_epochs",
            "train_subset", "supernet", "weight_sampling", "progressive_epochs", "depth_sampling", "weight_paths",
            "alpha", "beta", "tau_start", "theta_lr", "seed", "threads", "weight_fraction", "batch_size", "weight_lr",
            "theta_weight_decay", "weight_decay", "theta_freeze_entropy", "latency_unit");

    /** {@code field 'x'}, a snake_case name, or a message that is one bare name (a stored-settings difference). */
    private static final java.util.regex.Pattern FIELD_NAME = java.util.regex.Pattern.compile(
            "field '([a-z_]+)'|\\b([a-z]+(?:_[a-z]+)+)\\b|^([a-z]+)$");

    /**
     * A training-config message in the quickstart's words: {@code field 'x_y'} and the bare snake_case
     * names of fields set by an option become the option ({@code --x-y}); other fields stay as they are.
     */
    static String asOptions(String msg) {
        java.util.regex.Matcher m = FIELD_NAME.matcher(msg);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String repl = OPTION_FIELDS.contains(name) ? "--" + name.replace('_', '-') : m.group();
            m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(repl));
        }
        m.appendTail(b);
        return b.toString();
    }

    /** The file that marks a folder as the quickstart's own (written when it takes the folder). */
    static final String MARKER = ".hwnas-quickstart";
    /** The training config the quickstart writes into its folder. */
    static final String CONFIG_FILE = "train-config.json";

    /**
     * Refuses, before any work, an output folder that is a file, or one
     * not written by the quickstart ({@link #ours}) that holds a name the quickstart reads or replaces
     * (a stray {@code lut.json} would be read as its own, a {@code run/} emptied); other files (a README)
     * may stay beside it. Nothing is created.
     */
    static void checkFolder(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new HwnasException("-o " + dir + ": is a file, not a folder; give a folder for the quickstart");
        }
        if (!ours(dir)) { // also a new folder: one inside a run would put the quickstart into the run's folder
            Path run = Outputs.enclosingRun(dir);
            if (run != null || Files.exists(dir.resolve(io.hwnas.supernet.net.SubnetIO.ARCH_FILE))
                    || Files.exists(dir.resolve(io.hwnas.supernet.net.SubnetIO.SPACE_FILE))) {
                throw new HwnasException("-o " + dir + ": " + (run != null ? (Outputs.same(run, dir)
                        ? "is a training run" : "is inside the training run " + run)
                        : "is a subnet folder") + "; give the quickstart a folder of its own");
            }
            List<String> clash = OWN_NAMES.stream().filter(n -> Files.exists(dir.resolve(n))).toList();
            if (!clash.isEmpty()) {
                throw new HwnasException("-o " + dir + ": was not written by the quickstart and holds "
                        + String.join(", ", clash) + ", which the quickstart would read as its own or replace; give"
                        + " another -o (an empty or new folder, or one with only other files such as a README)");
            }
        }
    }

    /** The names in its folder the quickstart reads as its own or replaces. */
    static final List<String> OWN_NAMES = java.util.stream.Stream.concat(Stream.of("lut.json", "lut-1t.json",
            "lut-batch32.json", CONFIG_FILE, "run", "subnet", "subnet-finetuned", "specialized"),
            QuickstartCommand.IMPORTED_TARGETS.stream().map(d -> "lut-" + d + "-estimated.json")).toList();
    static final String SPECIALIZED = "specialized";
    static final String RUN = "run";

    /**
     * The quickstart replaces {@code specialized/} whole: refused (before any work) when it holds
     * anything the quickstart does not write there (a pick of another target, a user's notes).
     */
    static void checkSpecialized(Path specDir) {
        if (!Files.isDirectory(specDir)) {
            return;
        }
        try (Stream<Path> s = Files.list(specDir)) {
            List<String> foreign = s.map(p -> p.getFileName().toString()).filter(n -> !specializedName(n)).sorted()
                    .toList();
            if (!foreign.isEmpty()) {
                throw new HwnasException(specDir + ": holds " + Outputs.fewNames(foreign) + ", which the quickstart did not write there, and the quickstart replaces this folder whole; move"
                        + " them elsewhere, or give --no-specialize");
            }
        } catch (IOException e) {
            throw new HwnasException(specDir + ": cannot list: " + e.getMessage(), e);
        }
    }

    /**
     * Whether a rerun may show a stored specialization without replacing it (a finished run and a
     * stored {@code specialized/quickstart.json}, no --fresh): then {@code specialized/} is checked only
     * if it is to be replaced after all.
     */
    static boolean mayReuseSpecialization(Path dir, boolean fresh) {
        Path runDir = dir.resolve(RUN);
        return !fresh && RunDir.exists(runDir) && RunDir.open(runDir).finished()
                && Files.isRegularFile(dir.resolve(SPECIALIZED).resolve(QuickstartCommand.Stored.FILE));
    }

    private static boolean specializedName(String n) {
        String target = "(cpu-\\d+t|batch-1|batch-32|" + String.join("|", QuickstartCommand.IMPORTED_TARGETS.stream()
                .map(d -> d + "-est").toList()) + ")";
        return n.equals(QuickstartCommand.Stored.FILE) || n.equals(RunLock.FILE) || n.matches("summary\\.(json|csv|md)")
                || n.matches(target) || n.matches("accuracy-latency-" + target + "\\.png|cross-target\\.png")
                || io.hwnas.core.AtomicFiles.isTemporary(n) // a file an interrupted write left
                || n.equals(".DS_Store") || n.equals("Thumbs.db"); // file browsers' own
    }

    /**
     * Marked, or (a quickstart from before the marker) holding a quickstart's {@code train-config.json}:
     * its space, Fashion-MNIST and this folder's {@code lut.json}. Every quickstart wrote that file
     * before its {@code run/}, so a {@code run/} alone (an experiment's, a training's parent folder)
     * does not count.
     */
    static boolean ours(Path dir) {
        if (Files.exists(dir.resolve(MARKER))) {
            return true;
        }
        Path cfg = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(cfg)) {
            return false;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode c = Json.readTree(cfg);
            return !c.path("space").asText().isEmpty()
                    && c.path("dataset").asText().equals("fashion-mnist")
                    && Path.of(c.path("lut").asText()).normalize().equals(dir.resolve("lut.json").toAbsolutePath().normalize());
        } catch (HwnasException | java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    /** Creates the output folder if needed and marks it as the quickstart's (after {@link #checkFolder}). */
    static void claimFolder(Path dir) {
        try {
            Files.createDirectories(dir);
            if (!Files.exists(dir.resolve(MARKER))) {
                Files.writeString(dir.resolve(MARKER), "written by hwnas quickstart: a rerun continues in this folder\n");
            }
        } catch (IOException e) {
            throw new HwnasException(dir + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * Continues the stored run, or (none, or --fresh) writes {@code cfgFile} and starts one. A run
     * stopped by a signal names {@code rerun} (the quickstart's own command) as what continues it.
     */
    public TrainResult train(Path cfgFile, Progress progress, String rerun) {
        TrainingRun.Stopper stopper = TrainingRun.Stopper.continuedBy(rerun);
        if (!fresh && RunDir.exists(runDir)) {
            System.err.println("quickstart: " + (RunDir.open(runDir).finished() ? "the run in " + runDir
                    + " is finished: reused" : "continuing the run in " + runDir));
            return TrainingRun.resume(runDir, progress, stopper);
        }
        if (Files.isDirectory(runDir)) {
            boolean heldRun = discard(runDir);
            if (heldRun) {
                dropSpecialized(runDir.getParent().resolve(SPECIALIZED));
            }
            List<String> kept = heldRun ? notOwn(runDir.getParent()) : List.of();
            if (!kept.isEmpty()) {
                System.err.println("quickstart: --fresh: left as they are beside it: " + Outputs.fewNames(kept)
                        + " (whatever you made from the discarded run, an export or a fine-tune, is not of the new one)");
            }
        }
        Json.writeFile(cfgFile, config);
        return TrainingRun.start(TrainConfig.read(cfgFile), runDir, progress, stopper);
    }

    TrainConfig requested() {
        return requested;
    }

    /** The entries of a quickstart folder that are not the quickstart's own (sorted names): a user's files. */
    static List<String> notOwn(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !OWN_NAMES.contains(n) && !n.equals(MARKER)
                    && !AtomicFiles.isTemporary(n)).sorted().toList();
        } catch (IOException e) {
            return List.of(); // only a note: the fresh run goes on
        }
    }

    /**
     * With the run it was made from discarded (--fresh), {@code specialized/} describes no run here: removed when it
     * holds only the quickstart's own names (a call with --no-specialize would otherwise leave it beside the new
     * run), left with a note when it holds anything else.
     */
    static void dropSpecialized(Path spec) {
        if (!Files.isDirectory(spec)) {
            return;
        }
        try (Stream<Path> s = Files.list(spec)) {
            if (!s.map(p -> p.getFileName().toString()).allMatch(QuickstartRun::specializedName)) {
                System.err.println("quickstart: --fresh: " + spec + " holds files of yours, so it stays; its picks are"
                        + " of the discarded run");
                return;
            }
        } catch (IOException e) {
            return; // only a clean-up: the fresh run goes on
        }
        try {
            Outputs.deleteContents(spec);
            Files.delete(spec);
            System.err.println("quickstart: --fresh: removed " + spec + " (the discarded run's picks)");
        } catch (IOException | HwnasException e) {
            System.err.println("quickstart: --fresh: could not remove " + spec + " (" + e.getMessage() + "); its picks"
                    + " are of the discarded run");
        }
    }

    /** Empties a run folder (its lock held meanwhile; the lock file stays); true when it held a run (--fresh). */
    static boolean discard(Path runDir) {
        try (RunLock lock = RunLock.acquire(runDir); Stream<Path> s = Files.list(runDir)) {
            boolean heldRun = Files.exists(runDir.resolve(Checkpoints.POINTER));
            if (heldRun) {
                System.err.println("quickstart: --fresh: discarding the run in " + runDir);
            }
            for (Path p : s.filter(p -> !p.getFileName().toString().equals(RunLock.FILE)).toList()) {
                try (Stream<Path> w = Files.walk(p)) {
                    for (Path q : w.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(q);
                    }
                }
            }
            return heldRun;
        } catch (IOException e) {
            throw new HwnasException(runDir + ": cannot empty it for a fresh run: " + e.getMessage(), e);
        }
    }
}
