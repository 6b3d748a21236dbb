package io.hwnas.experiments.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.experiments.plot.Charts;
import io.hwnas.search.train.EpochMetrics;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.LatencyUnit;
import io.hwnas.latency.LutModel;
import io.hwnas.search.run.RunDir;
import io.hwnas.search.train.TrainState;
import io.hwnas.search.train.TrainingRun;
import io.hwnas.search.run.RunFiles;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.AtomicFiles;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The latency term at work: the same supernet run (space, data, seed, LUT) under several loss
 * settings, from plain cross-entropy to strong latency pressure. Each setting is a training run of
 * its own in {@code OUT/runs/NAME} (a finished one is reused, an interrupted one resumed, so the
 * sweep can be stopped and started again); the comparison is written as {@code results.json},
 * {@code results.csv}, {@code results.md}, {@code expected-latency.png} (E[latency] under softmax θ
 * after each epoch) and {@code op-probabilities.png} (mean probability of each op over the layers,
 * ops from the cheapest to the dearest under the LUT).
 *
 * <p>The sweep file: {@code {"schema": 1, "name": ..., "base": {training config}, "settings":
 * [{"name": ..., field: value, ...}, ...]}}; each setting overrides fields of the base. Relative
 * paths are resolved against the file's folder (the built-in sweep: the repository root).
 */
public final class LatencySweep {
    /** The folders of an output folder a rerun continues from: one run per setting, the shared warm-ups. */
    public static final String RUNS = "runs";
    public static final String WARMUP = "warmup";

    public static final String BUILT_IN = "latency-sweep";

    private LatencySweep() {}

    /** One named training run of the sweep. */
    public record Setting(String name, TrainConfig config) {}

    public record Config(String source, String name, String description, List<Setting> settings) {}

    /**
     * One setting's outcome.
     *
     * @param opProbabilities mean of softmax(θ) over the layers, per op in the space's order
     * @param skipProbability the same for {@code skip} (null if the space has no skip)
     * @param argmaxChangePct argmax latency against the plain cross-entropy run (null without one)
     * @param thetaCe the θ pass's cross-entropy in the last epoch that ran θ steps (a θ frozen by
     *     {@code theta_freeze_entropy} runs none in its later epochs)
     */
    public record Row(String name, double alpha, double beta, String latencyLoss, String argmax,
            double argmaxLatencyMs, double expectedLatencyMs, Double argmaxChangePct, Double skipProbability,
            List<Double> opProbabilities, List<Double> expectedLatencyByEpoch, Double thetaCe, Double thetaAccuracy,
            double weightAccuracy, double wallSeconds) {}

    /**
     * @param opMeanLatencyMs each op's LUT latency averaged over the layers (what "cheaper" means)
     */
    public record Result(int schema, String name, String space, String lut, String lutDevice, String lutUnit,
            double fastestMs, double slowestMs, List<String> ops, List<Double> opMeanLatencyMs, List<Row> rows) {}

    /** The sweep shipped with hwnas (fbnet-fmnist-tiny, the example LUT of latency/luts). */
    public static Config builtIn() {
        String res = "/io/hwnas/experiments/" + BUILT_IN + ".json";
        try (InputStream in = LatencySweep.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + res);
            }
            String root = System.getProperty("hwnas.root");
            Path base = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
            return parse("built-in " + BUILT_IN, Json.mapper().readTree(in), base);
        } catch (IOException e) {
            throw Json.describe("built-in " + BUILT_IN, e);
        }
    }

    public static Config read(Path file) {
        JsonNode n = Json.readTree(file); // bounded, regular files only, UTF-8 checked, not empty
        return parse(file.toString(), n, file.toAbsolutePath().getParent());
    }

    static Config parse(String source, JsonNode n, Path base) {
        if (n == null || !n.isObject()) {
            throw new HwnasException(source + ": a sweep must be a JSON object with \"base\" and \"settings\"");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!Set.of("schema", "name", "description", "base", "settings").contains(f)) {
                throw new HwnasException(source + ": field '" + f + "' is not known (known there: schema, name,"
                        + " description, base, settings)");
            }
        }
        if (!n.has("schema") || !n.get("schema").canConvertToInt() || n.get("schema").asInt() != Json.SCHEMA) {
            throw new HwnasException(source + ": field 'schema' = " + n.get("schema") + ": this version of hwnas"
                    + " reads schema " + Json.SCHEMA);
        }
        JsonNode b = n.get("base");
        if (b == null || !b.isObject()) {
            throw new HwnasException(source + ": field 'base' = " + b + ": must be a training config object");
        }
        JsonNode s = n.get("settings");
        if (s == null || !s.isArray() || s.isEmpty()) {
            throw new HwnasException(source + ": field 'settings' = " + s + ": must be a non-empty array of"
                    + " {\"name\": ..., field: value} objects");
        }
        // a misspelt key is named where it is: base.X, or settings[i].X (never a setting it was merged into)
        TrainConfig.checkFields(source, "base.", b, Set.of());
        for (int i = 0; i < s.size(); i++) {
            if (s.get(i).isObject()) {
                TrainConfig.checkFields(source, "settings[" + i + "].", s.get(i), Set.of("name"));
            }
        }
        List<Setting> settings = new ArrayList<>();
        Set<String> names = new HashSet<>();
        TrainConfig first = null;
        for (int i = 0; i < s.size(); i++) {
            String where = source + ": settings[" + i + "]";
            JsonNode e = s.get(i);
            if (!e.isObject() || !e.hasNonNull("name") || !e.get("name").isTextual()) {
                throw new HwnasException(where + ": needs a \"name\" (text)");
            }
            String name = e.get("name").asText();
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new HwnasException(where + ": field 'name' = \"" + name + "\": use letters, digits, '.', '_'"
                        + " and '-' (it names a folder)");
            }
            if (!names.add(name)) {
                throw new HwnasException(where + ": field 'name' = \"" + name + "\": used twice");
            }
            ObjectNode merged = ((ObjectNode) b).deepCopy();
            if (!merged.has("schema")) {
                merged.put("schema", Json.SCHEMA);
            }
            e.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("name")) {
                    merged.set(f.getKey(), f.getValue());
                }
            });
            TrainConfig c = TrainConfig.parse(where, merged).resolved(base);
            if (first == null) {
                first = c;
            } else if (!first.space().equals(c.space()) || !String.valueOf(first.lut()).equals(String.valueOf(c.lut()))) {
                throw new HwnasException(where + ": every setting must use the same space and LUT (the sweep"
                        + " compares them under one table); this one has space " + c.space() + ", lut " + c.lut());
            } else if (!first.latencyUnit().equals(c.latencyUnit())) {
                throw new HwnasException(where + ": field 'latency_unit' = \"" + c.latencyUnit() + "\": every setting"
                        + " must use the same unit (the sweep reports its α, β and LAT in one, here \""
                        + first.latencyUnit() + "\"); set it in 'base'");
            }
            settings.add(new Setting(name, c));
        }
        if (first.lut() == null || first.lut().isBlank()) {
            throw new HwnasException(source + ": field 'base.lut' is required (the sweep measures latency with it)");
        }
        String name = n.hasNonNull("name") ? n.get("name").asText() : BUILT_IN;
        String description = n.hasNonNull("description") ? n.get("description").asText() : "";
        return new Config(source, name, description, List.copyOf(settings));
    }

    /**
     * Runs (or resumes, or reuses) every setting's training, then writes the comparison into
     * {@code out}. {@code log} gets one line per setting; {@code progress} the trainer's epochs.
     */
    public static Result run(Config c, Path out, Progress progress, java.util.function.Consumer<String> log) {
        return run(c, out, "hwnas experiment sweep -o " + out, progress, log);
    }

    /** As above; {@code command} (the sweep's own) is what an interrupted run's message says continues it. */
    public static Result run(Config c, Path out, String command, Progress progress,
            java.util.function.Consumer<String> log) {
        TrainConfig c0 = c.settings().get(0).config();
        SearchSpace space = c0.resolveSpace();
        LatencyModel term = c0.latencyModel(space);
        LatencyUnit unit = term.lossUnit(c0.latencyUnit());
        Path runs = out.resolve(RUNS);
        for (Setting s : c.settings()) { // every stored run checked before the first setting trains
            Path dir = runs.resolve(s.name());
            if (Files.isRegularFile(dir.resolve(RunFiles.CONFIG))) {
                TrainConfig stored = RunDir.open(dir).config();
                if (!stored.equals(s.config())) {
                    throw new HwnasException(dir + ": holds a run of another config than setting '" + s.name()
                            + "' of " + c.source() + " (" + firstDifference(stored, s.config()) + "): remove that"
                            + " folder or write the sweep elsewhere");
                }
            }
        }
        int i = 0;
        for (Setting s : c.settings()) {
            i++;
            Path dir = runs.resolve(s.name());
            String head = String.format("setting %d/%d %s", i, c.settings().size(), s.name());
            if (Files.isRegularFile(dir.resolve(RunFiles.CONFIG)) && RunDir.open(dir).finished()) {
                log.accept(head + ": finished earlier, reused (" + dir + ")");
                continue;
            }
            boolean resume = Files.isRegularFile(dir.resolve(RunFiles.CONFIG)) && RunDir.open(dir).hasCheckpoint();
            if (!resume && s.config().warmupEpochs() > 0) {
                Path template = warmupTemplate(out, s.config(), command, progress, log);
                copyTree(template, dir);
                RunDir.branch(dir, s.config()); // config.json and provenance.json's copy of it
                log.accept(head + ": " + s.config().warmupEpochs() + " warm-up epoch(s) taken from " + template);
                resume = true;
            }
            log.accept(head + (resume ? ": continuing " : ": training ") + dir);
            if (resume) {
                TrainingRun.resume(dir, progress, TrainingRun.Stopper.continuedBy(command));
            } else {
                TrainingRun.start(s.config(), dir, progress, TrainingRun.Stopper.continuedBy(command));
            }
        }
        Result r = collect(c, out, space, term, unit);
        write(r, out);
        return r;
    }

    /**
     * The warm-up epochs train the weights alone (θ stays 0), so they are the same for every setting
     * that differs only in the latency loss and the θ optimiser: they run once, in
     * {@code OUT/warmup/KEY}, and each setting continues from a copy. Exact: a continued run equals a
     * straight one (the trainer's resume guarantee).
     */
    static Path warmupTemplate(Path out, TrainConfig c, String command, Progress progress,
            java.util.function.Consumer<String> log) {
        TrainConfig neutral = c.with("alpha", 0).with("beta", 0.6).with("latency_loss", "multiplicative")
                .with("latency_expectation", "sample").with("theta_lr", 0).with("theta_weight_decay", 0)
                .with("final_samples", 0);
        String key = io.hwnas.search.run.Provenance.sha256(Json.write(neutral).getBytes(
                java.nio.charset.StandardCharsets.UTF_8)).substring(0, 12);
        Path dir = out.resolve(WARMUP).resolve(key);
        int warm = c.warmupEpochs();
        // stops at the warm-up's end; after a signal the sweep's command continues it (a resume of the template
        // alone would train it past the warm-up, and every setting would then copy that)
        TrainingRun.Stopper atWarmupEnd = new TrainingRun.Stopper() {
            @Override
            public boolean stop(TrainState st) {
                return st.epochsDone() >= warm && st.phase() == 0 && st.stepInPhase() == 0;
            }

            @Override
            public String continueCommand(Path runDir) {
                return command;
            }
        };
        if (Files.isRegularFile(dir.resolve(RunFiles.CONFIG)) && RunDir.open(dir).hasCheckpoint()) {
            TrainState p = RunDir.open(dir).state();
            if (p.epochsDone() == warm && p.phase() == 0 && p.stepInPhase() == 0) {
                return dir;
            }
            log.accept("warm-up " + key + ": continuing " + dir);
            TrainingRun.resume(dir, progress, atWarmupEnd);
        } else {
            log.accept("warm-up " + key + ": training the " + warm + " shared warm-up epoch(s) in " + dir);
            TrainingRun.start(neutral, dir, progress, atWarmupEnd);
        }
        return dir;
    }

    /** Copies a folder to a temporary sibling, then renames it into place (no half-copied run is left). */
    static void copyTree(Path from, Path to) {
        try {
            Files.createDirectories(to.toAbsolutePath().getParent());
            Path tmp = Files.createTempDirectory(to.toAbsolutePath().getParent(), ".tmp-" + to.getFileName() + "-");
            try (java.util.stream.Stream<Path> all = Files.walk(from)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    Path q = tmp.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(q);
                    } else {
                        Files.copy(p, q);
                    }
                }
                Files.move(tmp, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                if (Files.exists(tmp)) {
                    try (java.util.stream.Stream<Path> left = Files.walk(tmp)) {
                        for (Path p : left.sorted(Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new HwnasException(to + ": cannot copy the warm-up run " + from + ": " + e.getMessage(), e);
        }
    }

    static Result collect(Config c, Path out, SearchSpace space, LatencyModel term, LatencyUnit unit) {
        List<String> ops = space.ops();
        int skip = ops.indexOf("skip");
        List<Row> rows = new ArrayList<>();
        Double plainMs = null;
        for (Setting s : c.settings()) {
            if (s.config().alpha() == 0) {
                plainMs = term.predictMs(RunDir.open(out.resolve(RUNS).resolve(s.name())).argmax());
                break;
            }
        }
        for (Setting s : c.settings()) {
            RunDir run = RunDir.open(out.resolve(RUNS).resolve(s.name()));
            RunFiles.ThetaFile theta = run.thetaFile();
            float[][] probs = new float[theta.layers().size()][];
            double[] mean = new double[ops.size()];
            for (int l = 0; l < probs.length; l++) {
                List<Double> p = theta.layers().get(l).probabilities();
                probs[l] = new float[p.size()];
                for (int k = 0; k < p.size(); k++) {
                    probs[l][k] = p.get(k).floatValue();
                    mean[k] += p.get(k) / probs.length;
                }
            }
            Architecture argmax = run.argmax();
            double argmaxMs = term.predictMs(argmax);
            List<EpochMetrics> ms = run.metrics();
            EpochMetrics last = ms.get(ms.size() - 1);
            EpochMetrics lastTheta = lastThetaEpoch(ms);
            double wall = ms.stream().mapToDouble(EpochMetrics::wallSeconds).sum();
            List<Double> byEpoch = ms.stream().map(EpochMetrics::expectedLatencyMs).toList();
            List<Double> meanList = new ArrayList<>();
            for (double v : mean) {
                meanList.add(v);
            }
            TrainConfig tc = s.config();
            rows.add(new Row(s.name(), tc.alpha(), tc.beta(), tc.alpha() == 0 ? "none" : tc.latencyLoss(),
                    argmax.canonical(), argmaxMs, term.expectedMs(probs),
                    plainMs == null ? null : 100 * (argmaxMs - plainMs) / plainMs,
                    skip < 0 ? null : mean[skip], meanList, byEpoch, lastTheta.thetaCe(), lastTheta.thetaAccuracy(),
                    last.weightAccuracy(), wall));
        }
        List<Double> opMs = null;
        if (term instanceof LutModel lut) {
            opMs = new ArrayList<>();
            double[][] table = lut.tableMs();
            for (int k = 0; k < ops.size(); k++) {
                double sum = 0;
                for (double[] row : table) {
                    sum += row[k];
                }
                opMs.add(sum / table.length);
            }
        }
        TrainConfig c0 = c.settings().get(0).config();
        return new Result(Json.SCHEMA, c.name(), space.id(), shown(Path.of(c0.lut())), term.device().name(),
                unit.name(), term.rangeMs().fastestMs(), term.rangeMs().slowestMs(), ops, opMs, rows);
    }

    static void write(Result r, Path out) {
        Json.writeFile(out.resolve("results.json"), r);
        try {
            AtomicFiles.writeString(out.resolve("results.csv"), csv(r));
            AtomicFiles.writeString(out.resolve("results.md"), markdown(r));
            List<Charts.Series> series = new ArrayList<>();
            for (Row row : r.rows()) {
                double[] x = new double[row.expectedLatencyByEpoch().size()];
                double[] y = new double[x.length];
                for (int e = 0; e < x.length; e++) {
                    x[e] = e + 1;
                    Double v = row.expectedLatencyByEpoch().get(e);
                    y[e] = v == null ? Double.NaN : v;
                }
                series.add(new Charts.Series(row.name(), x, y, true));
            }
            Charts.xy(out.resolve("expected-latency.png"), r.name() + ": E[latency] under softmax(θ)", "epoch",
                    "expected latency (ms, " + r.lutDevice() + ")", series);
            Integer[] order = new Integer[r.ops().size()];
            for (int k = 0; k < order.length; k++) {
                order[k] = k;
            }
            java.util.Arrays.sort(order, Comparator.comparingDouble(k -> r.opMeanLatencyMs().get(k)));
            List<String> cols = new ArrayList<>();
            for (int k : order) {
                cols.add(r.ops().get(k));
            }
            List<String> rowNames = new ArrayList<>();
            double[][] v = new double[r.rows().size()][order.length];
            double hi = 0;
            for (int i = 0; i < r.rows().size(); i++) {
                rowNames.add(r.rows().get(i).name());
                for (int j = 0; j < order.length; j++) {
                    v[i][j] = r.rows().get(i).opProbabilities().get(order[j]);
                    hi = Math.max(hi, v[i][j]);
                }
            }
            Charts.heatmap(out.resolve("op-probabilities.png"), "mean P(op) over layers; ops cheapest -> dearest",
                    rowNames, cols, v, 0, Math.max(hi, 1e-9), true);
        } catch (IOException e) {
            throw new HwnasException(out + ": cannot write results: " + e.getMessage(), e);
        }
    }

    static String csv(Result r) {
        StringBuilder sb = new StringBuilder("name,alpha,beta,latency_loss,argmax_latency_ms,expected_latency_ms,"
                + "argmax_change_pct,skip_probability,theta_ce,theta_accuracy,weight_accuracy,wall_seconds,argmax");
        for (String op : r.ops()) {
            sb.append(",p_").append(op);
        }
        sb.append('\n');
        for (Row w : r.rows()) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%.6f,%.6f,%s,%s,%s,%s,%.6f,%.1f,%s", w.name(), w.alpha(),
                    w.beta(), w.latencyLoss(), w.argmaxLatencyMs(), w.expectedLatencyMs(), fmt(w.argmaxChangePct()),
                    fmt(w.skipProbability()), fmt(w.thetaCe()), fmt(w.thetaAccuracy()), w.weightAccuracy(),
                    w.wallSeconds(), w.argmax()));
            for (double p : w.opProbabilities()) {
                sb.append(String.format(Locale.ROOT, ",%.6f", p));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * The last epoch that ran θ steps (the last epoch when none did): with {@code theta_freeze_entropy} the epochs
     * after θ settled run none, and their θ-pass figures are null.
     */
    static EpochMetrics lastThetaEpoch(List<EpochMetrics> ms) {
        return ms.stream().filter(m -> m.thetaCe() != null).reduce((a, b) -> b).orElse(ms.get(ms.size() - 1));
    }

    public static String markdown(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "# %s%n%nSpace `%s`, LUT `%s` (%s; LAT in %s inside the log; architectures"
                + " %.3f-%.3f ms).%n%n", r.name(), r.space(), r.lut(), r.lutDevice(), r.lutUnit(), r.fastestMs(),
                r.slowestMs()));
        sb.append("| setting | loss | α | β | argmax latency (ms) | vs α=0 | E[latency] (ms) | P(skip) | θ-pass CE |"
                + " argmax |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row w : r.rows()) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.4f | %s | %.4f | %s | %s | `%s` |%n",
                    w.name(), w.latencyLoss(), trim(w.alpha()), trim(w.beta()), w.argmaxLatencyMs(),
                    w.argmaxChangePct() == null ? "" : String.format(Locale.ROOT, "%+.1f %%", w.argmaxChangePct()),
                    w.expectedLatencyMs(), w.skipProbability() == null ? "" : String.format(Locale.ROOT, "%.3f",
                    w.skipProbability()), w.thetaCe() == null ? "" : String.format(Locale.ROOT, "%.3f", w.thetaCe()),
                    w.argmax()));
        }
        sb.append(String.format(Locale.ROOT, "%nOps from the cheapest to the dearest (mean LUT ms over the layers): %s.%n",
                opsByLatency(r)));
        sb.append("\nPlots: `expected-latency.png` (E[latency] after each epoch), `op-probabilities.png` (mean"
                + " P(op) over the layers).\n");
        return sb.toString();
    }

    private static String opsByLatency(Result r) {
        List<Integer> idx = new ArrayList<>();
        for (int k = 0; k < r.ops().size(); k++) {
            idx.add(k);
        }
        idx.sort(Comparator.comparingDouble(k -> r.opMeanLatencyMs().get(k)));
        StringBuilder sb = new StringBuilder();
        for (int k : idx) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(String.format(Locale.ROOT, "%s %.3f", r.ops().get(k), r.opMeanLatencyMs().get(k)));
        }
        return sb.toString();
    }

    /** A path as the user would type it: relative to the working folder when it lies inside it. */
    static String shown(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static String fmt(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.6f", v);
    }

    private static String firstDifference(TrainConfig a, TrainConfig b) {
        JsonNode x = Json.mapper().valueToTree(a);
        JsonNode y = Json.mapper().valueToTree(b);
        for (Iterator<String> it = x.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!x.get(f).equals(y.get(f))) {
                return "field '" + f + "': " + x.get(f) + " there, " + y.get(f) + " in the sweep";
            }
        }
        return "configs differ";
    }
}
