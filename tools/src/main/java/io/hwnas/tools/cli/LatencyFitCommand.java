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

    @Option(names = "--samples", paramLabel = "N", description = "Fit to N rows drawn at random (seeded); default all.")
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
        if (samples != null) {
            if (samples < 1) {
                throw new HwnasException("option '--samples' = " + samples + ": must be positive");
            }
            if (samples > all.size()) {
                throw HwnasException.inFile(data, "option '--samples' = " + samples + ": the file has only "
                        + all.size() + " rows");
            }
            set = all.subset(Arrays.copyOf(TrainingSet.permutation(all.size(), seed), samples));
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
        json.put("warning", warning);
        if (warning != null) {
            System.err.println("hwnas: warning: " + warning);
        }
        out.print(json, String.format(Locale.ROOT, "wrote %s: %s model of space %s, device %s, %d samples of %s,"
                + " fitted in %.2f s; architectures %.4f-%.4f ms%s", output, kind, s.id(), m.device().name(),
                f.samples(), target, f.fitSeconds(), r.fastestMs(), r.slowestMs(), m.differentiable() ? ""
                : " (range estimated by sampling)"));
        return 0;
    }
}
