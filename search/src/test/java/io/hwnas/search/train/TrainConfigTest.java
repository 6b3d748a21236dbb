package io.hwnas.search.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainConfigTest {
    @TempDir
    Path tmp;

    @Test
    void defaultsFillWhatIsNotGiven() {
        TrainConfig c = TrainConfig.parse("c", "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\","
                + " \"alpha\": 0}");
        assertEquals(0.6, c.beta());
        assertEquals(5.0, c.tauStart());
        assertEquals(0.045, c.tauDecay());
        assertEquals("soft", c.weightSampling());
        assertEquals("multiplicative", c.latencyLoss());
        assertEquals("sample", c.latencyExpectation());
        assertEquals(0.8, c.weightFraction());
    }

    @Test
    void malformedJsonNamesFileAndLine() throws Exception {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\"space\": \"fbnet-fmnist-tiny\",\n \"dataset\": }");
        HwnasException e = assertThrows(HwnasException.class, () -> TrainConfig.read(f));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("malformed JSON")
                && e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void unknownFieldIsRefused() {
        HwnasException e = assertThrows(HwnasException.class, () -> TrainConfig.parse("cfg.json",
                "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"alpah\": 0.3}"));
        assertTrue(e.getMessage().contains("cfg.json") && e.getMessage().contains("alpah"), e.getMessage());
    }

    @Test
    void missingDatasetIsRefused() {
        HwnasException e = assertThrows(HwnasException.class,
                () -> TrainConfig.parse("cfg.json", "{\"space\": \"fbnet-fmnist-tiny\", \"lut\": \"x.json\"}"));
        assertTrue(e.getMessage().contains("cfg.json") && e.getMessage().contains("dataset"), e.getMessage());
    }

    @Test
    void badValuesNameTheField() {
        HwnasException e = assertThrows(HwnasException.class, () -> TrainConfig.parse("cfg.json",
                "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"lut\": \"l.json\","
                        + " \"sampling\": \"greedy\"}"));
        assertTrue(e.getMessage().contains("sampling") && e.getMessage().contains("greedy"), e.getMessage());
        e = assertThrows(HwnasException.class, () -> TrainConfig.parse("cfg.json",
                "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\"}"));
        assertTrue(e.getMessage().contains("lut"), e.getMessage());
        e = assertThrows(HwnasException.class, () -> TrainConfig.parse("cfg.json",
                "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"alpha\": 0, \"epochs\": \"ten\"}"));
        assertTrue(e.getMessage().contains("epochs"), e.getMessage());
    }

    /** Null and boolean mistakes are one line naming file, field and value: no Jackson or Java internals. */
    @Test
    void nullAndBooleanValuesNameFieldAndValue() {
        String base = "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"lut\": \"l.json\", ";
        plainlyRefused(base + "\"beta\": null}", "cfg.json: field 'beta' = null: must be a JSON number");
        plainlyRefused(base + "\"alpha\": null}", "cfg.json: field 'alpha' = null: must be a JSON number");
        plainlyRefused(base + "\"weight_sampling\": null}", "cfg.json: field 'weight_sampling' = null: must be");
        plainlyRefused(base + "\"epochs\": null}", "cfg.json: field 'epochs' = null: must be a JSON whole number");
        plainlyRefused(base + "\"eval_test\": 1}", "cfg.json: field 'eval_test' = 1: must be true or false");
        plainlyRefused(base + "\"weight_lr\": 0}", "cfg.json: field 'weight_lr' = 0.0: must be > 0");
        plainlyRefused(base + "\"eval_test\": null}", "cfg.json: field 'eval_test' = null: must be true or false");
        plainlyRefused(base + "\"augment\": \"yes\"}", "cfg.json: field 'augment' = \"yes\": must be true or false,"
                + " not a string");
        plainlyRefused(base + "\"latency_unit\": \"fastest/1\"}", "cfg.json: field 'latency_unit' = \"fastest/1\":"
                + " must be ms, us, auto or fastest/N (1 < N");
        assertEquals("fastest/20", TrainConfig.parse("cfg.json", base + "\"latency_unit\": \"fastest/20\"}")
                .latencyUnit());
        for (String f : new String[] {"latency_loss", "latency_unit", "latency_expectation", "supernet",
                "depth_sampling", "weight_paths", "device"}) {
            plainlyRefused(base + "\"" + f + "\": null}", "cfg.json: field '" + f + "' = null: must be");
        }
    }

    /** A number or a boolean given for a text field is refused as it is, not read as the text "3". */
    @Test
    void numbersAndBooleansForTextFieldsAreRefused() {
        String base = "{\"space\": \"fbnet-fmnist-tiny\", \"lut\": \"l.json\", ";
        plainlyRefused(base + "\"dataset\": 3}", "cfg.json: field 'dataset' = 3: must be");
        plainlyRefused(base + "\"dataset\": \"fashion-mnist\", \"supernet\": true}",
                "cfg.json: field 'supernet' = true: must be");
        plainlyRefused(base + "\"dataset\": \"fashion-mnist\", \"device\": 0.5}", "cfg.json: field 'device' = 0.5: must be");
    }

    /** warmup_epochs' default (2) refused beside a shorter run says it is the default, which the user never wrote. */
    @Test
    void theDefaultWarmupBeyondEpochsIsNamedAsTheDefault() {
        String base = "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"alpha\": 0, ";
        plainlyRefused(base + "\"epochs\": 1}", "cfg.json: field 'warmup_epochs' = 2 (the default; give"
                + " warmup_epochs <= epochs): must be 0..epochs (1)");
        HwnasException e = assertThrows(HwnasException.class, () -> TrainConfig.parse("cfg.json", base
                + "\"epochs\": 1, \"warmup_epochs\": 3}"));
        assertTrue(e.getMessage().contains("field 'warmup_epochs' = 3: must be 0..epochs (1)")
                && !e.getMessage().contains("default"), e.getMessage());
        assertEquals(2, TrainConfig.parse("c", base + "\"epochs\": 2}").warmupEpochs());
        assertEquals(1, TrainConfig.parse("c", base + "\"epochs\": 1, \"warmup_epochs\": 1}").warmupEpochs());
    }

    private static void plainlyRefused(String json, String expected) {
        HwnasException e = assertThrows(HwnasException.class, () -> TrainConfig.parse("cfg.json", json));
        assertTrue(e.getMessage().startsWith(expected), expected + " is not the start of: " + e.getMessage());
        for (String internal : new String[] {"io.hwnas", "java.lang", "Exception", "Deserialization", "`", "\n"}) {
            assertTrue(!e.getMessage().contains(internal), internal + " in: " + e.getMessage());
        }
    }

    @Test
    void progressiveEpochsAreAPartOfTheWarmUpAndNeedSampledPaths() {
        String base = "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"alpha\": 0, ";
        assertEquals(0, TrainConfig.parse("c", base + "\"epochs\": 3}").progressiveEpochs());
        assertEquals(1, TrainConfig.parse("c", base + "\"weight_sampling\": \"single-path\", \"warmup_epochs\": 2,"
                + " \"progressive_epochs\": 1}").progressiveEpochs());
        refusedNaming(base + "\"weight_sampling\": \"single-path\", \"warmup_epochs\": 1, \"progressive_epochs\": 2}",
                "progressive_epochs", "2");
        refusedNaming(base + "\"weight_sampling\": \"soft\", \"warmup_epochs\": 2, \"progressive_epochs\": 1}",
                "single-path or sandwich");
    }

    @Test
    void depthSamplingIsOpOrUniformAndNeedsSampledPaths() {
        String base = "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"alpha\": 0, ";
        assertEquals("op", TrainConfig.parse("c", base + "\"epochs\": 3}").depthSampling());
        assertEquals("uniform", TrainConfig.parse("c", base + "\"weight_sampling\": \"sandwich\","
                + " \"depth_sampling\": \"uniform\"}").depthSampling());
        refusedNaming(base + "\"weight_sampling\": \"single-path\", \"depth_sampling\": \"deep\"}", "depth_sampling",
                "deep");
        refusedNaming(base + "\"weight_sampling\": \"soft\", \"depth_sampling\": \"uniform\"}",
                "single-path or sandwich");
    }

    @Test
    void weightPathsIsThetaOrUniformAndNeedsSampledPaths() {
        String base = "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"alpha\": 0, ";
        TrainConfig c = TrainConfig.parse("c", base + "\"epochs\": 3}");
        assertEquals("theta", c.weightPaths());
        assertEquals(WeightStep.Paths.THETA, SupernetTrainer.paths(c, 2, false, 0));
        TrainConfig u = TrainConfig.parse("c", base + "\"weight_sampling\": \"single-path\", \"weight_paths\": \"uniform\"}");
        assertEquals(WeightStep.Paths.UNIFORM, SupernetTrainer.paths(u, 5, false, 0));
        assertEquals(WeightStep.Paths.THETA, SupernetTrainer.paths(u, 0, true, 0), "the warm-up: θ is 0");
        TrainConfig d = u.with("depth_sampling", "uniform");
        assertEquals(WeightStep.Paths.DEPTH, SupernetTrainer.paths(d, 5, false, 0));
        assertEquals(WeightStep.Paths.DEPTH, SupernetTrainer.paths(d, 0, true, 0));
        assertEquals(WeightStep.Paths.THETA, SupernetTrainer.paths(d.with("weight_paths", "theta"), 5, false, 0));
        assertEquals(WeightStep.Paths.DENSE, SupernetTrainer.paths(d.with("warmup_epochs", 2)
                .with("progressive_epochs", 1), 0, true, 0));
        // mixed: after the warm-up θ's paths on even steps (counted over the run), the warm-up's on odd ones
        TrainConfig m = d.with("weight_paths", "mixed");
        assertEquals(WeightStep.Paths.THETA, SupernetTrainer.paths(m, 5, false, 1000));
        assertEquals(WeightStep.Paths.DEPTH, SupernetTrainer.paths(m, 5, false, 1001));
        assertEquals(WeightStep.Paths.UNIFORM, SupernetTrainer.paths(m.with("depth_sampling", "op"), 5, false, 7));
        assertEquals(WeightStep.Paths.DEPTH, SupernetTrainer.paths(m, 0, true, 1000), "the warm-up as ever");
        refusedNaming(base + "\"weight_sampling\": \"soft\", \"weight_paths\": \"mixed\"}", "weight_paths",
                "mixed needs weight_sampling single-path or sandwich");
        refusedNaming(base + "\"weight_sampling\": \"single-path\", \"weight_paths\": \"random\"}", "weight_paths",
                "random");
        refusedNaming(base + "\"weight_sampling\": \"soft\", \"weight_paths\": \"uniform\"}", "weight_paths",
                "single-path or sandwich");
    }

    @Test
    void boundsEveryIsZeroOrAtLeastTwoAndNeedsSinglePath() {
        String base = "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"alpha\": 0, ";
        assertEquals(0, TrainConfig.parse("c", base + "\"epochs\": 3}").boundsEvery());
        assertEquals(8, TrainConfig.parse("c", base + "\"weight_sampling\": \"single-path\", \"bounds_every\": 8}")
                .boundsEvery());
        refusedNaming(base + "\"weight_sampling\": \"single-path\", \"bounds_every\": 1}", "bounds_every", "1",
                "at least 2");
        refusedNaming(base + "\"weight_sampling\": \"single-path\", \"bounds_every\": -3}", "bounds_every", "-3");
        refusedNaming(base + "\"weight_sampling\": \"sandwich\", \"bounds_every\": 4}", "bounds_every",
                "needs weight_sampling single-path");
        refusedNaming(base + "\"weight_sampling\": \"soft\", \"bounds_every\": 4}", "bounds_every",
                "needs weight_sampling single-path");
        assertEquals(0.0, TrainConfig.parse("c", base + "\"epochs\": 3}").thetaFreezeEntropy());
        assertEquals(0.1, TrainConfig.parse("c", base + "\"theta_freeze_entropy\": 0.1}").thetaFreezeEntropy());
        refusedNaming(base + "\"theta_freeze_entropy\": -0.5}", "theta_freeze_entropy", "-0.5", "must be >= 0");
        assertEquals(0.0, TrainConfig.parse("c", base + "\"epochs\": 3}").labelSmoothing());
        assertEquals(0.1, TrainConfig.parse("c", base + "\"label_smoothing\": 0.1}").labelSmoothing());
        refusedNaming(base + "\"label_smoothing\": 1.0}", "label_smoothing", "1.0", "must be in [0, 1)");
        refusedNaming(base + "\"label_smoothing\": -0.1}", "label_smoothing", "-0.1", "must be in [0, 1)");
    }

    /** The config is refused with a message holding every part. */
    private static void refusedNaming(String json, String... parts) {
        HwnasException e = assertThrows(HwnasException.class, () -> TrainConfig.parse("cfg.json", json));
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), part + " not in: " + e.getMessage());
        }
    }

    record Holder(TrainConfig config) {}

    /** A run written before a field existed (its provenance.json copy of the config lacks it) stays readable. */
    @Test
    void aStoredConfigWithoutTheNewerFieldsTakesTheirDefaults() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode old = TrainConfig.defaults();
        old.put("space", "fbnet-fmnist-tiny");
        old.put("dataset", "fashion-mnist");
        old.put("alpha", 0);
        old.remove("progressive_epochs");
        old.remove("depth_sampling");
        old.remove("weight_paths");
        old.remove("bounds_every");
        old.remove("theta_freeze_entropy");
        old.remove("label_smoothing");
        String json = "{\"config\": " + old + "}";
        Holder h = io.hwnas.core.Json.mapper().readValue(json, Holder.class);
        assertEquals(0, h.config().progressiveEpochs());
        assertEquals("op", h.config().depthSampling());
        assertEquals("theta", h.config().weightPaths());
        assertEquals(0, h.config().boundsEvery());
        assertEquals(0.0, h.config().thetaFreezeEntropy());
        assertEquals(0.0, h.config().labelSmoothing());
        assertEquals(TrainConfig.parse("c", old), h.config());
        TrainConfig direct = io.hwnas.core.Json.mapper().readValue(old.toString(), TrainConfig.class);
        assertEquals(h.config(), direct);
        old.put("alpah", 1);
        Exception e = assertThrows(Exception.class, () -> io.hwnas.core.Json.mapper().readValue("{\"config\": " + old
                + "}", Holder.class));
        assertTrue(String.valueOf(e.getMessage()).contains("alpah"), e.getMessage());
    }

    @Test
    void latencyLossAndDeviceAreChecked() {
        String base = "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"alpha\": 0, ";
        HwnasException e = assertThrows(HwnasException.class, () -> TrainConfig.parse("cfg.json", base
                + "\"latency_loss\": \"sideways\"}"));
        assertTrue(e.getMessage().contains("latency_loss") && e.getMessage().contains("sideways"), e.getMessage());
        e = assertThrows(HwnasException.class, () -> TrainConfig.parse("cfg.json", base + "\"device\": \"tpu\"}"));
        assertTrue(e.getMessage().contains("device") && e.getMessage().contains("tpu"), e.getMessage());
        e = assertThrows(HwnasException.class, () -> TrainConfig.parse("cfg.json", base
                + "\"device\": \"gpu:99999999999\"}")); // no int overflow past the check
        assertTrue(e.getMessage().contains("gpu:99999999999") && e.getMessage().contains("GPU index"), e.getMessage());
        assertEquals(ai.djl.Device.cpu(), TrainConfig.parse("c", base + "\"device\": \"cpu\"}").resolveDevice());
        if (ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
            TrainConfig gpu = TrainConfig.parse("c", base + "\"device\": \"gpu:0\"}");
            e = assertThrows(HwnasException.class, () -> gpu.resolveDevice());
            assertTrue(e.getMessage().contains("device") && e.getMessage().contains("HWNAS_GPU"), e.getMessage());
            assertEquals(ai.djl.Device.cpu(),
                    TrainConfig.parse("c", base + "\"device\": \"auto\"}").resolveDevice());
            // refused before anything is written
            Path run = tmp.resolve("gpu-run");
            assertThrows(HwnasException.class, () -> TrainingRun.start(gpu, run,
                    io.hwnas.core.Progress.NONE, TrainingRun.Stopper.NEVER));
            assertTrue(!Files.exists(run), "a refused run left " + run);
        }
    }

    @Test
    void relativePathsResolveAgainstTheConfigFile() throws Exception {
        Path f = tmp.resolve("sub").resolve("c.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"lut\": \"l.json\"}");
        assertEquals(tmp.resolve("sub").resolve("l.json").toString(), TrainConfig.read(f).lut());
    }
}
