package io.hwnas.experiments.estimators;

import io.hwnas.core.AtomicFiles;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.experiments.plot.Charts;
import io.hwnas.latency.Agreement;
import io.hwnas.latency.LatencyModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * What parts (a) and (b) of Figure 3 share ({@link LatencyEstimators}, {@link LatencyEstimatorsLocal}):
 * scoring an estimator's test-set predictions, pricing the fixed-budget search, and writing the
 * results (JSON, CSV, Markdown, per-method curves over the training size).
 */
final class Estimation {
    private Estimation() {}

    /**
     * An estimator on the test set: agreement with the measurements, µs per query, and the search
     * speed-ups (query only, and with preparation) of part (b)'s definition.
     */
    record Evaluation(Agreement.Scores scores, double queryMicros, double searchSpeedupQueryOnly,
            double searchSpeedup) {}

    /** {@code m}'s prediction of each architecture, one call each. */
    static double[] predictions(LatencyModel m, int[][] archs) {
        double[] p = new double[archs.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = m.predictMs(archs[i]);
        }
        return p;
    }

    /**
     * Scores predictions {@code p} of the test set against {@code testY} and prices a search of
     * {@code queries} latency queries: measured, each at {@code meanMs}; with the estimator,
     * {@code prepMs} of measuring plus {@code fitSeconds} plus queries x {@code queryMicros}.
     */
    static Evaluation evaluate(double[] p, double[] testY, double queryMicros, double meanMs, double prepMs,
            double fitSeconds, int queries) {
        Agreement.Scores a = Agreement.of(p, testY);
        double measured = queries * meanMs / 1000.0; // seconds
        double predicted = prepMs / 1000.0 + fitSeconds + queries * queryMicros / 1e6;
        return new Evaluation(a, queryMicros, meanMs * 1000 / queryMicros, measured / predicted);
    }

    /**
     * One curve per method over log10 of the training size: the rows of the group ({@code inGroup})
     * with that method, in order, {@code value} of each (points and a line).
     */
    static <R> List<Charts.Series> curves(List<R> rows, List<String> methods, Predicate<R> inGroup,
            Function<R, String> method, ToIntFunction<R> trainingSamples, ToDoubleFunction<R> value) {
        List<Charts.Series> s = new ArrayList<>();
        for (String m : methods) {
            List<R> rs = rows.stream().filter(w -> inGroup.test(w) && method.apply(w).equals(m)).toList();
            double[] x = new double[rs.size()];
            double[] y = new double[rs.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.log10(trainingSamples.applyAsInt(rs.get(i)));
                y[i] = value.applyAsDouble(rs.get(i));
            }
            s.add(new Charts.Series(m, x, y, true));
        }
        return s;
    }

    /** Draws charts into the output folder. */
    @FunctionalInterface
    interface Plots {
        void draw() throws IOException;
    }

    /** Writes {@code results.json}, {@code results.csv} and {@code results.md} into {@code out}, then the plots. */
    static void write(Path out, Object result, Supplier<String> csv, Supplier<String> markdown, Plots plots) {
        Json.writeFile(out.resolve("results.json"), result);
        try {
            AtomicFiles.writeString(out.resolve("results.csv"), csv.get());
            AtomicFiles.writeString(out.resolve("results.md"), markdown.get());
            plots.draw();
        } catch (IOException e) {
            throw new HwnasException(out + ": cannot write results: " + e.getMessage(), e);
        }
    }
}
