package io.hwnas.search.train;

import io.hwnas.search.run.RunFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import io.hwnas.supernet.ops.Layout;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No behavior change across refactorings: small training runs of fixed configs and seeds must give
 * the θ and the per-epoch metrics recorded in {@code src/test/resources/reference/*.json} (to 1e-6).
 *
 * <p>The references were recorded from the code before the seams refactoring (commit 1fea6e2 plus
 * this test) with {@code mvn -pl search -am test -Dtest=BehaviorReferenceTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dhwnas.reference.write=$PWD/search/src/test/resources/reference}.
 * Rewrite them only when a change of behavior is intended, and say so in the commit. One set per kind
 * of CPU (other kernels, other last digits): see {@code src/test/resources/reference/README.md}.
 * The references pin the NCHW arithmetic they were recorded with: the runs here keep depthwise
 * convolutions in NCHW ({@link Layout#PROPERTY} false; channels-last training is checked against NCHW
 * in the supernet module's LayoutTest).
 */
class BehaviorReferenceTest {
    static final double TOL = 1e-6;

    @TempDir
    Path tmp;

    static String config(String name, Path space, Path lut) {
        // per-op: the supernet the references were recorded with (the default became "shared" later)
        String common = "\"space\": \"" + space + "\", \"supernet\": \"per-op\", \"dataset\": \"fashion-mnist\","
                + " \"lut\": \"" + lut + "\","
                + " \"epochs\": 3, \"warmup_epochs\": 1, \"batch_size\": 16, \"train_subset\": 240,"
                + " \"weight_lr\": 0.05, \"theta_lr\": 0.05, \"final_samples\": 2, \"seed\": 11";
        return switch (name) {
            case "soft-fbnet" -> "{" + common + "}";
            case "single-additive-softmax" -> "{" + common + ", \"sampling\": \"single-path\","
                    + " \"latency_loss\": \"additive\", \"alpha\": 0.5, \"latency_expectation\": \"softmax\"}";
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"soft-fbnet", "single-additive-softmax"})
    void sameThetaAndMetricsAsRecorded(String name) throws IOException {
        String layout = System.getProperty(Layout.PROPERTY);
        System.setProperty(Layout.PROPERTY, "false");
        try {
            check(name);
        } finally {
            if (layout == null) {
                System.clearProperty(Layout.PROPERTY);
            } else {
                System.setProperty(Layout.PROPERTY, layout);
            }
        }
    }

    private void check(String name) throws IOException {
        Path spaceFile = SupernetTrainerTest.spaceFile();
        SearchSpace space = SpaceRegistry.resolve(spaceFile.toString());
        Path lut = TestLuts.write(TestLuts.macs(space, 0.2, 0.5, 0.01), tmp.resolve("lut.json"));
        TrainConfig cfg = TrainConfig.parse("test", config(name, spaceFile, lut));
        Path run = tmp.resolve(name);
        TrainingRun.start(cfg, run, Progress.NONE, TrainingRun.Stopper.NEVER);
        Map<String, Object> got = new LinkedHashMap<>();
        got.put("theta", Json.mapper().readTree(run.resolve(RunFiles.THETA).toFile()));
        List<JsonNode> metrics = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(RunFiles.METRICS))) {
            if (!line.isBlank()) {
                com.fasterxml.jackson.databind.node.ObjectNode n =
                        (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(line);
                n.remove("wall_seconds");
                metrics.add(n);
            }
        }
        got.put("metrics", metrics);
        got.put("result_argmax", Json.mapper().readTree(run.resolve(RunFiles.RESULT).toFile()).get("argmax"));
        JsonNode actual = Json.mapper().valueToTree(got);

        String write = System.getProperty("hwnas.reference.write");
        if (write != null && !write.isBlank()) {
            Path out = Path.of(write).resolve(name + ".json");
            Files.createDirectories(out.getParent());
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), actual);
            return;
        }
        // one recorded set per kind of CPU (src/test/resources/reference/README.md): match one of them
        List<String> misses = new ArrayList<>();
        try (var dirs = Files.list(referenceDir())) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                Path f = d.resolve(name + ".json");
                if (!Files.isRegularFile(f)) {
                    misses.add(d.getFileName() + ": no " + f.getFileName());
                    continue;
                }
                JsonNode expected = Json.mapper().readTree(f.toFile());
                try {
                    assertClose(expected, actual, name);
                    return;
                } catch (AssertionError | RuntimeException e) {
                    misses.add(d.getFileName() + ": " + e.getMessage());
                }
            }
        }
        fail("no recorded reference matches (" + cpu() + "; a new kind of CPU is recorded as"
                + " src/test/resources/reference/README.md says):\n" + String.join("\n", misses));
    }

    static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")
                    || l.startsWith("vendor_id") || l.startsWith("cpu family") || l.startsWith("model\t"))
                    .distinct().map(l -> l.replaceAll("\\s+", " ")).reduce((x, y) -> x + "; " + y).orElse("cpu unknown");
        } catch (IOException e) {
            return "cpu unknown";
        }
    }

    static Path referenceDir() {
        try {
            return Path.of(BehaviorReferenceTest.class.getResource("/reference").toURI());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("src/test/resources/reference is missing", e);
        }
    }

    static void assertClose(JsonNode e, JsonNode a, String path) {
        if (e.isNumber()) {
            assertEquals(e.asDouble(), a.asDouble(), TOL * Math.max(1, Math.abs(e.asDouble())), path);
        } else if (e.isArray()) {
            assertEquals(e.size(), a.size(), path + ": length");
            for (int i = 0; i < e.size(); i++) {
                assertClose(e.get(i), a.get(i), path + "[" + i + "]");
            }
        } else if (e.isObject()) {
            for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertClose(e.get(f), a.path(f), path + "." + f);
            }
        } else {
            assertEquals(e, a, path);
        }
    }
}
