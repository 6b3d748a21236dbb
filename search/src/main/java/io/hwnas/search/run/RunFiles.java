package io.hwnas.search.run;

import io.hwnas.search.train.EpochMetrics;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.AtomicFiles;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The files of a run directory besides the checkpoints (all written atomically). */
public final class RunFiles {
    public static final String CONFIG = "config.json";
    public static final String PROVENANCE = "provenance.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String THETA = "theta.json";
    public static final String ARGMAX = "arch-argmax.json";
    public static final String RESULT = "result.json";

    private RunFiles() {}

    public static String sampleFile(int k) {
        return "arch-sample-" + k + ".json";
    }

    /** {@code theta.json}: per layer, θ, softmax(θ) and its entropy, ops in the space's order. */
    public record ThetaFile(int schema, String space, List<String> ops, List<LayerTheta> layers) {}

    public record LayerTheta(int index, String name, List<Double> theta, List<Double> probabilities, double entropy,
            String argmax) {}

    /** {@code result.json}: the architectures a finished run recommends. */
    public record RunResult(int schema, String space, int epochs, String argmax, Double argmaxLatencyMs,
            long argmaxMacs, long argmaxParams, Double expectedLatencyMs, List<Sample> samples,
            EpochMetrics lastEpoch) {}

    public record Sample(String file, String arch, Double latencyMs) {}

    public static void writeMetrics(Path runDir, List<EpochMetrics> metrics) {
        StringBuilder sb = new StringBuilder();
        var w = Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);
        try {
            for (EpochMetrics m : metrics) {
                sb.append(w.writeValueAsString(m)).append('\n');
            }
            AtomicFiles.writeString(runDir.resolve(METRICS), sb.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new HwnasException(runDir.resolve(METRICS) + ": cannot write: " + e.getMessage(), e);
        }
    }

    public static List<EpochMetrics> readMetrics(Path runDir) {
        Path f = runDir.resolve(METRICS);
        List<EpochMetrics> out = new ArrayList<>();
        try {
            int line = 0;
            for (String s : Files.readAllLines(f)) {
                line++;
                if (!s.isBlank()) {
                    out.add(Json.parse(f + " line " + line, s, EpochMetrics.class));
                }
            }
        } catch (IOException e) {
            throw new HwnasException(f + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    public static ThetaFile theta(SearchSpace space, float[][] theta, float[][] probs) {
        List<LayerTheta> layers = new ArrayList<>();
        for (int l = 0; l < theta.length; l++) {
            List<Double> t = new ArrayList<>();
            List<Double> p = new ArrayList<>();
            int best = 0;
            for (int k = 0; k < theta[l].length; k++) {
                t.add((double) theta[l][k]);
                p.add((double) probs[l][k]);
                if (theta[l][k] > theta[l][best]) {
                    best = k;
                }
            }
            layers.add(new LayerTheta(l, space.layers().get(l).name(), t, p, entropy(probs[l]), space.ops().get(best)));
        }
        return new ThetaFile(Json.SCHEMA, space.id(), space.ops(), layers);
    }

    public static double entropy(float[] p) {
        double h = 0;
        for (float v : p) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return h;
    }

    /**
     * Reads a JSON file into {@code type}, the {@code optional} fields read as null when absent (files
     * written before those fields were recorded).
     */
    public static <T> T readWithOptional(Path file, Class<T> type, String... optional) {
        com.fasterxml.jackson.databind.JsonNode n = Json.readTree(file);
        for (String f : optional) { // "a.b": field b of object a, where a is there and an object
            com.fasterxml.jackson.databind.JsonNode at = n;
            String[] parts = f.split("\\.");
            for (int i = 0; i < parts.length - 1 && at != null; i++) {
                at = at.get(parts[i]);
            }
            if (at instanceof com.fasterxml.jackson.databind.node.ObjectNode o && !o.has(parts[parts.length - 1])) {
                o.putNull(parts[parts.length - 1]);
            }
        }
        try {
            return Json.mapper().treeToValue(n, type);
        } catch (IOException | RuntimeException e) {
            throw Json.describe(file.toString(), e);
        }
    }

    public static Architecture readArch(Path file, SearchSpace space) {
        Architecture a = Json.read(file, Architecture.class);
        try {
            return a.check(space);
        } catch (io.hwnas.core.HwnasException e) { // the check's message names the field, not the file
            throw e.getMessage().startsWith(file.toString()) ? e : io.hwnas.core.HwnasException.inFile(file, e.getMessage());
        }
    }
}
