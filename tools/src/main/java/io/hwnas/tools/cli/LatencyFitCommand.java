package io.hwnas.tools.cli;

import io.hwnas.core.HwnasException;
import io.hwnas.latency.LatencyModel;
import io.hwnas.latency.predict.Fitted;
import io.hwnas.latency.predict.Predictors;
import io.hwnas.latency.predict.TrainingSet;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hwnas latency fit}: a latency predictor fitted to measured (architecture, latency) pairs. */
@Command(name = "fit", mixinStandardHelpOptions = true,
        description = {"Fit a latency predictor to a CSV of (architecture, latency) pairs and write it as a latency"
            + " model file (usable wherever a LUT is: hwnas latency --lut MODEL).",
            "CSV: a header, an 'arch' (or 'ops') column of canonical op strings and the --target column in ms, e.g."
            + " shared/data/latency/help-fbnet-space-e2e.csv.",
            "Models: lut (least-squares LUT, differentiable), mlp (ND4J), xgboost (boosted trees), flops (c0 + a·MACs"
            + " + b·bytes + d·convs, non-negative least squares; differentiable)."})
public final class LatencyFitCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "CSV", description = "Training data CSV.")
    Path data;

    @Option(names = "--target", required = true, paramLabel = "COLUMN", description = "Latency column (ms), e.g. gold_6226_ms.")
    String target;

    @Option(names = "--model", required = true, description = "lut, mlp, xgboost or flops.")
    String model;

    @Option(names = "--space", required = true, description = "Search space (id or JSON file) of the architectures.")
    String space;

    /** Held-out rows scored at most (the rest of the file beyond --samples, in the draw's order). */
    static final int HELD_OUT_MAX = 5000;
    /** Held-out rows a score needs at least. */
    static final int HELD_OUT_MIN = 10;

    @Option(names = "--samples", paramLabel = "N", description = "Fit to N rows drawn at random (seeded; the next"
            + " rows of the draw, up to " + HELD_OUT_MAX + ", score the fit); default all (no held-out score).")
    Integer samples;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the row draw and of the model (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "MODEL", description = "Model JSON file to write.")
    Path output;

    @Option(names = "--force", description = "Replace an existing file at -o.")
    boolean force;

    @Mixin
    Output out;

    @Override
    public Integer call() {
        String kind = "lut".equals(model) ? Predictors.LUT_FIT : model;
        if (!Predictors.KINDS.contains(kind)) {
            throw new HwnasException("option '--model' = \"" + model + "\": unknown model; known: lut, mlp, xgboost,"
                    + " flops");
        }
        Outputs.resultFile("-o", output, force, data, Outputs.spaceFile(space));
        SearchSpace s = Checks.space("--space", space);
        TrainingSet all = TrainingSet.readCsv(data, target, s);
        TrainingSet set = all;
        TrainingSet heldOut = null;
        if (samples != null) {
            if (samples < 1) {
                throw new HwnasException("option '--samples' = " + samples + ": must be positive");
            }
            if (samples > all.size()) {
                throw HwnasException.inFile(data, "option '--samples' = " + samples + ": the file has only "
                        + all.size() + " rows");
            }
            int[] perm = TrainingSet.permutation(all.size(), seed);
            set = all.subset(Arrays.copyOf(perm, samples));
            // the rows not fitted score the fit: at least HELD_OUT_MIN (fewer make a score of noise), at most
            // HELD_OUT_MAX (Kendall's τ is O(n²))
            if (samples + HELD_OUT_MIN <= all.size()) {
                heldOut = all.subset(Arrays.copyOfRange(perm, samples, Math.min(all.size(), samples + HELD_OUT_MAX)));
            }
        }
        int unknowns = s.layerCount() * (s.ops().size() - 1) + 1; // a LUT's entries over each layer's cheapest op, + fixed
        if (kind.equals(Predictors.LUT_FIT) && set.size() < unknowns) {
            System.err.printf(Locale.ROOT, "hwnas: warning: %d rows for the %d unknowns of a LUT of %s: the fit is"
                    + " underdetermined, held together by its ridge term only; give more rows (--samples)%n",
                    set.size(), unknowns, s.id());
        }
        Fitted f = Predictors.fit(kind, set, seed);
        LatencyModel m = f.model();
        LatencyModel.LatencyRange r = m.rangeMs();
        // a least-squares LUT extrapolates to the space's corners (all skip) far from the data: its fastest
        // architecture can come out at no positive time, which training and specialization refuse
        String advice = f.samples() < all.size() ? "fit on more rows (--samples, now " + f.samples() + " of "
                + all.size() + ") or use another --model for that" : "use another --model for that (all "
                + all.size() + " rows were used)";
        String warning = r.fastestMs() > 0 && Double.isFinite(r.slowestMs()) ? null : String.format(Locale.ROOT,
                "the fitted %s model predicts %.4f-%.4f ms over %s: it predicts architectures like those of %s, but"
                + " cannot be the LUT of a training run or a specialization target (they need positive, finite times"
                + " over the whole space); %s", model, r.fastestMs(), r.slowestMs(), s.id(), data.getFileName(), advice);
        io.hwnas.latency.Agreement.Scores score = null;
        if (heldOut != null) {
            double[] pred = new double[heldOut.size()];
            for (int i = 0; i < pred.length; i++) {
                pred[i] = m.predictMs(heldOut.archs()[i]);
            }
            score = io.hwnas.latency.Agreement.of(pred, heldOut.latencyMs());
        }
        f.write(output);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("output", output.toString());
        json.put("kind", kind);
        json.put("space", s.id());
        json.put("device", m.device());
        json.put("training_samples", f.samples());
        json.put("fit_seconds", f.fitSeconds());
        json.put("differentiable", m.differentiable());
        json.put("min_ms", r.fastestMs());
        json.put("max_ms", r.slowestMs());
        json.put("held_out", score == null ? null : heldOutJson(score)); // null: the text says why
        json.put("warning", warning);
        if (warning != null) {
            System.err.println("hwnas: warning: " + warning);
        }
        out.print(json, String.format(Locale.ROOT, "wrote %s: %s model of space %s, device %s, %d samples of %s,"
                + " fitted in %.2f s; architectures %.4f-%.4f ms%s%n%s", output, kind, s.id(), m.device().name(),
                f.samples(), target, f.fitSeconds(), r.fastestMs(), r.slowestMs(), m.differentiable() ? ""
                : " (range estimated by sampling)", heldOutText(score, f.samples(), all.size())));
        return 0;
    }

    private static Map<String, Object> heldOutJson(io.hwnas.latency.Agreement.Scores score) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("rows", score.n());
        h.put("mape_pct", score.mapePct());
        h.put("max_abs_error_pct", score.maxAbsErrorPct());
        h.put("bias_pct", score.biasPct());
        h.put("rmse_ms", score.rmseMs());
        h.put("kendall_tau", score.kendallTau());
        h.put("within_10_pct", score.within10Pct());
        return h;
    }

    /** The held-out line of the text output: the score, or why there is none and how to get one. */
    private String heldOutText(io.hwnas.latency.Agreement.Scores score, int fitted, int rows) {
        if (score != null) {
            return String.format(Locale.ROOT, "held-out (%d rows not fitted): MAPE %.2f %% (max %.1f %%, bias %+.2f %%),"
                    + " RMSE %.4f ms, Kendall τ %.3f, %.1f %% within ±10 %%", score.n(), score.mapePct(),
                    score.maxAbsErrorPct(), score.biasPct(), score.rmseMs(), score.kendallTau(), score.within10Pct());
        }
        String file = data.getFileName().toString();
        return "no held-out score: " + (fitted == rows ? "every row of " + file + " was fitted" : "only " + (rows - fitted)
                + " of the rows of " + file + " were not fitted") + " (give --samples N of at most " + (rows - HELD_OUT_MIN)
                + " to score the fit on " + HELD_OUT_MIN + " or more rows it did not see)";
    }
}
