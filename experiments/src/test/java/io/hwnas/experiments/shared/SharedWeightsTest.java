package io.hwnas.experiments.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedWeightsTest {
    @TempDir
    Path tmp;

    /** The committed results were made with these experiment files: they must stay what --preset runs. */
    @Test
    void presetsAreTheCommittedExperimentFiles() {
        Path root = Path.of(System.getProperty("hwnas.root", ".."));
        for (String which : new String[] {"fmnist", "cifar10"}) {
            Path file = root.resolve("experiments/results/shared-weights/preset-" + which + ".json");
            SharedWeights stored = SharedWeights.read(file);
            SharedWeights preset = SharedWeights.preset(which, root.resolve("latency/luts/fbnet-"
                    + (which.equals("fmnist") ? "fmnist" : "cifar") + "-tiny-vm-1t-cpu.json"));
            ObjectNode t = ((ObjectNode) stored.train()).deepCopy();
            t.put("lut", ((ObjectNode) preset.train()).get("lut").asText()); // stored relative to the repository
            assertEquals(io.hwnas.search.train.TrainConfig.parse("preset", preset.train()),
                    io.hwnas.search.train.TrainConfig.parse(file.toString(), t), which);
            assertEquals(preset, new SharedWeights(stored.name(), preset.train(), stored.finetuneEpochs(),
                    stored.finetuneSubset(), stored.finetuneLr(), stored.randomArchs(), stored.recalibrateBatches(),
                    stored.testSubset(), stored.seed()), which + ": everything but the training config");
        }
    }

    @Test
    void smallExperimentWritesEveryRowAndResumes() {
        Path lut = Path.of(System.getProperty("hwnas.root", ".."), "latency", "luts", "fbnet-fmnist-tiny-vm-1t-cpu.json");
        SharedWeights p = SharedWeights.preset("fmnist", lut);
        ObjectNode t = ((ObjectNode) p.train()).deepCopy();
        t.put("epochs", 1);
        t.put("warmup_epochs", 1);
        t.put("train_subset", 192);
        t.put("batch_size", 32);
        t.put("supernet", "shared");
        SharedWeights c = new SharedWeights("small", t, 1, 128, 0.02, 1, 2, 256, 3);
        List<String> log = new ArrayList<>();
        SharedWeights.Result r = SharedWeights.run(c, tmp, "test", Progress.NONE, log::add);
        assertEquals(4, r.rows().size()); // largest, smallest, argmax, one random
        assertEquals("largest", r.rows().get(0).name());
        assertTrue(r.rows().get(0).arch().startsWith("k5_e6"));
        for (SharedWeights.Row row : r.rows()) {
            assertTrue(row.accExtracted() >= 0 && row.accExtracted() <= 100, row.toString());
            assertNotNull(row.accFinetuned());
            assertNotNull(row.accScratch());
            assertEquals(1, row.finetuneEpochs());
        }
        assertTrue(Files.isRegularFile(tmp.resolve("results.json")));
        assertTrue(Json.read(tmp.resolve("results.json"), com.fasterxml.jackson.databind.JsonNode.class).get("rows")
                .get(0).has("acc_extracted"));
        // run again: everything reused, same rows
        log.clear();
        SharedWeights.Result again = SharedWeights.run(c, tmp, "test", Progress.NONE, log::add);
        assertEquals(r.rows(), again.rows());
        assertTrue(log.stream().allMatch(s -> s.contains("reused")), log.toString());
    }
}
