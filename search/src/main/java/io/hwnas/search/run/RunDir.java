package io.hwnas.search.run;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyModels;
import io.hwnas.search.train.EpochMetrics;
import io.hwnas.search.train.Theta;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.search.train.TrainState;
import io.hwnas.supernet.net.Supernet;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.ops.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The one reader of a training run's folder: its config, space, provenance (seed, LUT identity),
 * latest checkpoint and state, θ, metrics and final architectures, and the trained supernet with
 * its θ. Extraction, specialization, the sweep and the command line read runs through it, never
 * through the checkpoint files directly.
 */
public final class RunDir {
    private final Path dir;
    private final TrainConfig config;
    private final SearchSpace space;
    private final Provenance provenance;

    private RunDir(Path dir, TrainConfig config, SearchSpace space, Provenance provenance) {
        this.dir = dir;
        this.config = config;
        this.space = space;
        this.provenance = provenance;
    }

    /** provenance.json's fields that runs written before they were recorded lack (read as null). */
    private static final String[] PROVENANCE_OPTIONAL = {"config", "depthwise_layout", "data.train_sha256"};

    /** Opens a run folder; anything else (a subnet, an empty folder) is refused with a clear message. */
    public static RunDir open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new HwnasException(dir + ": no such folder");
        }
        Path cfgFile = dir.resolve(RunFiles.CONFIG);
        if (!Files.isRegularFile(cfgFile)) {
            String hint = Files.isRegularFile(dir.resolve("arch.json")) ? " (it holds a subnet: use eval/finetune/export"
                    + " on it)" : "";
            throw new HwnasException(dir + ": not a training run directory (" + RunFiles.CONFIG + " missing)" + hint);
        }
        TrainConfig cfg = TrainConfig.read(cfgFile);
        SearchSpace space = cfg.resolveSpace();
        Path prov = dir.resolve(RunFiles.PROVENANCE);
        // one written before the config copy was recorded reads with a null config (not checked on resume)
        Provenance p = Files.isRegularFile(prov)
                ? RunFiles.readWithOptional(prov, Provenance.class, PROVENANCE_OPTIONAL) : null;
        return new RunDir(dir, cfg, space, p);
    }

    /** Whether {@code dir} holds a run with at least one checkpoint (something to resume). */
    public static boolean exists(Path dir) {
        return Checkpoints.exists(dir);
    }

    public Path dir() {
        return dir;
    }

    public TrainConfig config() {
        return config;
    }

    public SearchSpace space() {
        return space;
    }

    /** The run's provenance, or null for a run that stopped before writing it. */
    public Provenance provenance() {
        return provenance;
    }

    public long seed() {
        return config.seed();
    }

    public boolean hasCheckpoint() {
        return Checkpoints.exists(dir);
    }

    /** Where the latest complete checkpoint is (a clear error without one). */
    public Path latestCheckpoint() {
        return Checkpoints.latest(dir);
    }

    /** The counters of the latest checkpoint (refused if it is of another space). */
    public TrainState state() {
        return Checkpoints.readState(latestCheckpoint(), space, config.space());
    }

    /** Whether every epoch ran ({@code result.json} written). */
    public boolean finished() {
        return Files.isRegularFile(dir.resolve(RunFiles.RESULT));
    }

    /** {@code result.json} of a finished run (a clear error otherwise). */
    public RunFiles.RunResult result() {
        Path f = dir.resolve(RunFiles.RESULT);
        if (!Files.isRegularFile(f)) {
            throw new HwnasException(dir + ": the run has not finished (" + RunFiles.RESULT + " missing)");
        }
        return Json.read(f, RunFiles.RunResult.class);
    }

    public List<EpochMetrics> metrics() {
        return RunFiles.readMetrics(dir);
    }

    /** {@code theta.json}: θ, softmax(θ) and entropy per layer as of the last epoch end. */
    public RunFiles.ThetaFile thetaFile() {
        return Json.read(dir.resolve(RunFiles.THETA), RunFiles.ThetaFile.class);
    }

    /** {@code arch-argmax.json} of a finished run. */
    public Architecture argmax() {
        return RunFiles.readArch(dir.resolve(RunFiles.ARGMAX), space);
    }

    /** {@code arch-sample-K.json}, or a clear error. */
    public Architecture sample(int k) {
        Path f = dir.resolve(RunFiles.sampleFile(k));
        if (!Files.isRegularFile(f)) {
            throw new HwnasException(f + " does not exist (samples are written when the run finishes; final_samples"
                    + " in the config sets how many)");
        }
        return RunFiles.readArch(f, space);
    }

    /**
     * The run's latency model (its LUT, read once) for continuing the run: refused if the file
     * changed since the run started (its sha256 differs from provenance.json's) or cannot be read
     * (the message names config.json's field 'lut'); null for a run without one.
     */
    public LatencyModel latencyModel() {
        return latencyModel(null);
    }

    /**
     * As {@link #latencyModel()}, but the table read from {@code moved} (a --lut option: the run's LUT at another
     * path) when it is not null; it must be the file the run started with, byte for byte.
     */
    public LatencyModel latencyModel(Path moved) {
        String started = startedLutSha();
        if (moved != null) {
            if (config.lut() == null || config.lut().isBlank()) {
                throw new HwnasException("option '--lut' = " + moved + ": the run has no LUT ("
                        + dir.resolve(RunFiles.CONFIG) + " names none)");
            }
            LatencyModel m = LatencyModels.read(moved, space);
            if (started == null || !started.equals(m.sha256())) {
                throw new HwnasException("option '--lut' = " + moved + ": not the LUT the run started with (sha256 "
                        + m.sha256() + ", provenance.json says " + started + "); give the run's own table");
            }
            return m;
        }
        LatencyModel m = readLut();
        if (m != null && started != null && m.sha256() != null && !m.sha256().equals(started)) {
            throw new HwnasException(config.lut() + ": the LUT changed since the run started (sha256 " + m.sha256()
                    + ", provenance.json says " + started + "): resuming would not reproduce the run; restore the"
                    + " file the run started with (byte for byte: any edit, even of spacing, counts), or start a new run"
                    + " with this LUT (hwnas train --config ... -o NEW_DIR)");
        }
        return m;
    }

    /**
     * The run's LUT as read for a report about the run's results (extract records the subnet's
     * latency under it; nothing is trained with it).
     *
     * @param model the LUT as the file is now, or null (no LUT, or it cannot be read)
     * @param problem null, or why there is no latency (the file cannot be read: model is null) or it is
     *     not the run's (the file changed since the run started); the caller says what that means for it
     */
    public record ReportLut(LatencyModel model, String problem) {}

    /**
     * The run's LUT for a report: unlike {@link #latencyModel()}, a LUT that changed since the run
     * started, or that is missing or unreadable, is not refused, only reported in the warning.
     */
    public ReportLut reportLut() {
        LatencyModel m;
        try {
            m = readLut();
        } catch (HwnasException e) {
            return new ReportLut(null, e.getMessage());
        }
        String started = startedLutSha();
        if (m != null && started != null && m.sha256() != null && !m.sha256().equals(started)) {
            return new ReportLut(m, config.lut() + ": the LUT changed since the run started (sha256 " + m.sha256()
                    + ", provenance.json says " + started + ")");
        }
        return new ReportLut(m, null);
    }

    /** The sha256 of the LUT the run started with (provenance.json), or null when not recorded. */
    public String startedLutSha() {
        return provenance == null || provenance.lut() == null ? null : provenance.lut().sha256();
    }

    /** The config's LUT as the file is now; an unreadable one is refused naming config.json and its field 'lut'. */
    private LatencyModel readLut() {
        try {
            return config.latencyModel(space);
        } catch (HwnasException e) {
            throw new HwnasException(dir.resolve(RunFiles.CONFIG) + ": " + e.getMessage(), e);
        }
    }

    /** {@link #latencyModel(Path)} for resuming: a missing table's message says how to continue the run. */
    public LatencyModel latencyModelForResume(Path moved) {
        try {
            return latencyModel(moved);
        } catch (HwnasException e) {
            if (moved != null || config.lut() == null || java.nio.file.Files.isRegularFile(Path.of(config.lut()))) {
                throw e;
            }
            throw new HwnasException(e.getMessage() + " (the run's LUT: put it back there, or give --lut FILE, the same"
                    + " table elsewhere)", e);
        }
    }

    /**
     * Refuses a {@code config.json} that differs from the config the run started with (the copy in
     * provenance.json), naming every changed field with both values: a resume of an edited config
     * would not continue the same run. Runs written before the copy was recorded are not checked.
     */
    public void requireConfigUnchanged() {
        if (provenance == null || provenance.config() == null) {
            return;
        }
        List<Diff> diffs = differences(provenance.config(), config);
        if (!diffs.isEmpty()) {
            throw new HwnasException(dir.resolve(RunFiles.CONFIG) + ": changed since the run started: "
                    + String.join(", ", diffs.stream().map(d -> "'" + d.field() + "' = " + d.now() + " (started with "
                    + d.then() + ")").toList()) + " (the run started with the values in " + dir.resolve(
                    RunFiles.PROVENANCE) + "); resuming would not continue the same run: restore "
                    + (diffs.size() == 1 ? "the value" : "the values") + ", or start a new run with hwnas train"
                    + " --config CONFIG.json -o NEW_DIR");
        }
    }

    /**
     * A warning when this process, training on {@code gpu} or a CPU, runs depthwise convolutions in
     * another memory layout than the run started with (HWNAS_CHANNELS_LAST): the run continues
     * correctly, but other rounding can move θ and the chosen architecture away from what an
     * uninterrupted run gives. Null when they agree or there is no provenance.json. A run that did not
     * record its layout started before channels-last training existed (2026-12-06), so in NCHW.
     *
     * @throws HwnasException when provenance.json holds a layout this version does not know
     */
    public String layoutWarning(boolean gpu) {
        if (provenance == null) {
            return null;
        }
        String then = provenance.depthwiseLayout() == null ? Layout.NCHW : provenance.depthwiseLayout();
        if (!Layout.NAMES.contains(then)) {
            throw new HwnasException(dir.resolve(RunFiles.PROVENANCE) + ": 'depthwise_layout' = '" + then
                    + "': must be one of " + String.join(", ", Layout.NAMES));
        }
        String now = Layout.name(gpu);
        if (then.equals(now)) {
            return null;
        }
        return "hwnas: warning: " + dir.resolve(RunFiles.PROVENANCE) + ": this run started with its depthwise"
                + " convolutions " + then + ", this process trains them " + now + ". It continues correctly, but other"
                + " rounding can move θ and the chosen architecture away from an uninterrupted run's; "
                + (then.equals(Layout.NCHW) ? "HWNAS_CHANNELS_LAST=0" : "HWNAS_CHANNELS_LAST=1 on a CPU")
                + " continues it as it started (provenance.json keeps the layout it started with)";
    }

    /**
     * Makes the copy of a run in {@code dir} a new run that continues from its checkpoint under
     * {@code cfg} (the latency sweep branches its shared warm-up this way): writes {@code config.json}
     * and records {@code cfg} as the config the run started with in provenance.json, so a resume
     * accepts it.
     */
    public static void branch(Path dir, TrainConfig cfg) {
        Path f = dir.resolve(RunFiles.PROVENANCE);
        Provenance p = RunFiles.readWithOptional(f, Provenance.class, PROVENANCE_OPTIONAL);
        Json.writeFile(dir.resolve(RunFiles.CONFIG), cfg);
        Json.writeFile(f, new Provenance(p.schema(), cfg.seed(), p.hwnasVersion(), p.javaVersion(), p.djlVersion(),
                p.engine(), p.engineVersion(), p.device(), p.host(), p.os(), p.cores(), p.threads(), p.depthwiseLayout(),
                p.created(),
                p.lut(), p.data(), cfg));
    }

    /** A config field whose value differs: its JSON name and both values as JSON text. */
    public record Diff(String field, String then, String now) {}

    /** The fields whose values differ, in the config's field order; {@code skip} names fields not compared. */
    public static List<Diff> differences(TrainConfig then, TrainConfig now, String... skip) {
        var a = io.hwnas.core.Json.mapper().<com.fasterxml.jackson.databind.node.ObjectNode>valueToTree(then);
        var b = io.hwnas.core.Json.mapper().<com.fasterxml.jackson.databind.node.ObjectNode>valueToTree(now);
        List<Diff> out = new java.util.ArrayList<>();
        List<String> skipped = List.of(skip);
        for (var it = b.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!skipped.contains(f) && !b.get(f).equals(a.get(f))) {
                out.add(new Diff(f, String.valueOf(a.get(f)), String.valueOf(b.get(f))));
            }
        }
        return out;
    }

    /** A trained supernet and its θ, as of the latest checkpoint. */
    public record Trained(Supernet net, Theta theta, TrainState state) {}

    /** Loads the latest checkpoint's supernet and θ into {@code m}. */
    public Trained load(NDManager m) {
        Path ckpt = latestCheckpoint();
        TrainState st = Checkpoints.readState(ckpt, space, config.space());
        Supernet net = new Supernet(space, Supernet.layers(config.supernet()));
        net.initialize(m, DataType.FLOAT32, Supernet.inputShape(space, 2));
        Checkpoints.loadParams(ckpt, net, m);
        Theta theta = new Theta(space, m);
        try (NDManager tmp = m.newSubManager()) {
            theta.load(Checkpoints.loadTheta(ckpt, tmp), ckpt.resolve(Checkpoints.THETA).toString());
        }
        return new Trained(net, theta, st);
    }
}
