package io.hwnas.experiments.plot;

import io.hwnas.search.train.EpochMetrics;
import io.hwnas.search.run.RunFiles;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The pictures of a training run, drawn from its files: {@code accuracy.png} (weight-pass and
 * θ-pass accuracy per epoch, and test accuracy when evaluated), {@code latency.png} (E[latency]
 * under softmax θ and the argmax architecture's latency per epoch) and {@code theta.png}
 * (softmax θ, layers x ops).
 */
public final class RunPlots {
    public static final List<String> FILES = List.of("accuracy.png", "latency.png", "theta.png");

    private RunPlots() {}

    public static void write(Path runDir) {
        List<EpochMetrics> ms = RunFiles.readMetrics(runDir);
        RunFiles.ThetaFile theta = Json.read(runDir.resolve(RunFiles.THETA), RunFiles.ThetaFile.class);
        try {
            Charts.xy(runDir.resolve("accuracy.png"), "accuracy per epoch (" + theta.space() + ")", "epoch",
                    "accuracy", present(series("weight pass", ms, EpochMetrics::weightAccuracy),
                            series("θ pass (soft mixture)", ms, EpochMetrics::thetaAccuracy),
                            series("test, argmax path", ms, EpochMetrics::testAccuracy)));
            Charts.xy(runDir.resolve("latency.png"), "LUT latency per epoch", "epoch", "ms",
                    present(series("E[latency], softmax(θ)", ms, EpochMetrics::expectedLatencyMs),
                            series("argmax architecture", ms, EpochMetrics::argmaxLatencyMs)));
            List<String> rows = new ArrayList<>();
            double[][] v = new double[theta.layers().size()][];
            for (int l = 0; l < v.length; l++) {
                RunFiles.LayerTheta lt = theta.layers().get(l);
                rows.add(lt.name());
                v[l] = lt.probabilities().stream().mapToDouble(Double::doubleValue).toArray();
            }
            Charts.heatmap(runDir.resolve("theta.png"), "softmax(θ) after epoch " + ms.size(), rows, theta.ops(), v, 0,
                    1, true);
        } catch (IOException e) {
            throw new HwnasException(runDir + ": cannot write plots: " + e.getMessage(), e);
        }
    }

    /** The series that have at least one point (a run without a LUT has no latency, ...). */
    private static List<Charts.Series> present(Charts.Series... all) {
        List<Charts.Series> out = new ArrayList<>();
        for (Charts.Series c : all) {
            if (java.util.Arrays.stream(c.y()).anyMatch(Double::isFinite)) {
                out.add(c);
            }
        }
        return out;
    }

    private static Charts.Series series(String name, List<EpochMetrics> ms, Function<EpochMetrics, Number> f) {
        double[] x = new double[ms.size()];
        double[] y = new double[ms.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = ms.get(i).epoch();
            Number n = f.apply(ms.get(i));
            y[i] = n == null ? Double.NaN : n.doubleValue();
        }
        return new Charts.Series(name, x, y, true);
    }
}
