package io.hwnas.experiments.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.Progress;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedWeightsTest {
    @TempDir
    Path tmp;

    /**
     * The committed results were made with these experiment files: they must stay what --preset runs,
     * and their LUT path (relative to the file's folder) must name the committed LUT from any working folder.
     */
    @Test
    void presetsAreTheCommittedExperimentFiles() {
        Path root = Path.of(System.getProperty("hwnas.root", "..")).toAbsolutePath().normalize();
        for (String which : new String[] {"fmnist", "cifar10"}) {
            Path file = root.resolve("experiments/results/shared-weights/preset-" + which + ".json");
            SharedWeights stored = SharedWeights.read(file);
            Path lut = root.resolve("latency/luts/" + SharedWeights.presetSpace(which) + "-vm-1t-cpu.json");
            assertEquals(lut.toString(), stored.train().get("lut").asText(), which);
            assertTrue(Files.isRegularFile(Path.of(stored.train().get("lut").asText())), which);
            SharedWeights preset = SharedWeights.preset(which, lut);
            assertEquals(io.hwnas.search.train.TrainConfig.parse("preset", preset.train()),
                    io.hwnas.search.train.TrainConfig.parse(file.toString(), stored.train()), which);
            assertEquals(preset, new SharedWeights(stored.name(), preset.train(), stored.finetuneEpochs(),
                    stored.finetuneSubset(), stored.finetuneLr(), stored.randomArchs(), stored.recalibrateBatches(),
                    stored.testSubset(), stored.seed()), which + ": everything but the training config");
        }
    }

    /** Relative paths in an experiment file are read against its folder, as hwnas train reads a config. */
    @Test
    void relativePathsAreResolvedAgainstTheFilesFolder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cfg"));
        Files.writeString(dir.resolve("e.json"), "{\"name\": \"e\", \"train\": {\"space\": \"fbnet-fmnist-tiny\","
                + " \"dataset\": \"fashion-mnist\", \"lut\": \"luts/x.json\", \"data_dir\": \"../d\"},"
                + " \"finetune_epochs\": 1, \"finetune_subset\": 0, \"finetune_lr\": 0.05, \"random_archs\": 1,"
                + " \"recalibrate_batches\": 2, \"test_subset\": 0, \"seed\": 1}");
        SharedWeights c = SharedWeights.read(dir.resolve("e.json"));
        assertEquals(dir.toAbsolutePath().resolve("luts/x.json").toString(), c.train().get("lut").asText());
        assertEquals(tmp.toAbsolutePath().resolve("d").toString(), c.train().get("data_dir").asText());
        assertEquals("fbnet-fmnist-tiny", c.train().get("space").asText());
    }

    @Test
    void smallExperimentWritesEveryRowAndResumes() throws Exception {
        Path lut = Path.of(System.getProperty("hwnas.root", ".."), "latency", "luts", "fbnet-fmnist-tiny-shortcut-vm-1t-cpu.json");
        SharedWeights p = SharedWeights.preset("fmnist", lut);
        ObjectNode t = ((ObjectNode) p.train()).deepCopy();
        t.put("epochs", 2);
        t.put("warmup_epochs", 1);
        t.put("train_subset", 192);
        t.put("batch_size", 32);
        t.put("supernet", "shared");
        // a LUT path relative to the working folder: the run folder must still be readable afterwards
        t.put("lut", Path.of("").toAbsolutePath().relativize(lut.toAbsolutePath().normalize()).toString());
        SharedWeights c = new SharedWeights("small", t, 1, 128, 0.02, 1, 2, 256, 3);
        List<String> log = new ArrayList<>();
        SharedWeights.Result r = SharedWeights.run(c, tmp, "test", Progress.NONE, log::add);
        assertEquals(4, r.rows().size()); // largest, smallest, argmax, one random
        assertEquals("largest", r.rows().get(0).name());
        assertTrue(r.rows().get(0).arch().startsWith("k5_e6"));
        for (String plot : List.of("accuracy.png", "latency.png", "theta.png")) { // the run's pictures, as train draws
            assertTrue(Files.isRegularFile(tmp.resolve("run").resolve(plot)), plot);
        }
        for (SharedWeights.Row row : r.rows()) {
            assertTrue(row.accExtracted() >= 0 && row.accExtracted() <= 100, row.toString());
            assertNotNull(row.accFinetuned());
            assertNotNull(row.accScratch());
            assertEquals(1, row.finetuneEpochs());
        }
        assertTrue(Files.isRegularFile(tmp.resolve("results.json")));
        assertTrue(Json.read(tmp.resolve("results.json"), com.fasterxml.jackson.databind.JsonNode.class).get("rows")
                .get(0).has("acc_extracted"));
        BufferedImage png = ImageIO.read(tmp.resolve("results.png").toFile());
        assertNotNull(png, "results.png is not an image");
        assertEquals(900, png.getWidth());
        // run again: everything reused, same rows
        log.clear();
        SharedWeights.Result again = SharedWeights.run(c, tmp, "test", Progress.NONE, log::add);
        assertEquals(r.rows(), again.rows());
        assertTrue(log.stream().allMatch(s -> s.contains("reused")), log.toString());
        // with other fine-tuning or measuring settings the stored rows are not passed off as this config's
        SharedWeights other = new SharedWeights("small", t, 1, 128, 0.5, 1, 5, 256, 3);
        HwnasException e = assertThrows(HwnasException.class, () -> SharedWeights.run(other, tmp, "test", Progress.NONE,
                s -> {}));
        assertTrue(e.getMessage().contains("finetune_lr 0.02 (this config: 0.5)")
                && e.getMessage().contains("recalibrate_batches 2 (this config: 5)") && e.getMessage().contains("rows"),
                e.getMessage());
    }

    /** What cannot give a meaningful row is refused before any training: no θ epoch, no fine-tuning rate. */
    @Test
    void configsThatCannotMeasureAreRefusedFirst() {
        Path lut = Path.of(System.getProperty("hwnas.root", ".."), "latency", "luts", "fbnet-fmnist-tiny-shortcut-vm-1t-cpu.json");
        SharedWeights p = SharedWeights.preset("fmnist", lut);
        ObjectNode t = ((ObjectNode) p.train()).deepCopy();
        t.put("warmup_epochs", 10);
        SharedWeights allWarm = new SharedWeights("warm", t, 1, 100, 0.02, 1, 2, 0, 3);
        HwnasException e = assertThrows(HwnasException.class, () -> SharedWeights.checkStored(allWarm, tmp.resolve("w")));
        assertTrue(e.getMessage().contains("warm: train.warmup_epochs") && e.getMessage().contains("no θ epoch"),
                e.getMessage());
        e = assertThrows(HwnasException.class, () -> new SharedWeights("lr", p.train(), 1, 100, -1, 1, 2, 0, 3));
        assertTrue(e.getMessage().contains("finetune_lr") && e.getMessage().contains("-1"), e.getMessage());
        new SharedWeights("no-ft", p.train(), 0, 100, 0, 1, 2, 0, 3); // no fine-tuning: no rate needed
        ObjectNode noLut = ((ObjectNode) p.train()).deepCopy();
        noLut.put("lut", tmp.resolve("missing-lut.json").toString());
        SharedWeights missing = new SharedWeights("nolut", noLut, 1, 100, 0.02, 1, 2, 0, 3);
        e = assertThrows(HwnasException.class, () -> SharedWeights.checkStored(missing, tmp.resolve("w")));
        assertTrue(e.getMessage().startsWith("nolut: train: ") && e.getMessage().contains("missing-lut.json"),
                e.getMessage());
        assertFalse(Files.exists(tmp.resolve("w")));
    }

    /** A fine-tuning or test subset larger than the data is refused before the supernet trains, naming the field. */
    @Test
    void subsetsBeyondTheDataAreRefusedBeforeTraining() {
        Path lut = Path.of(System.getProperty("hwnas.root", ".."), "latency", "luts", "fbnet-fmnist-tiny-shortcut-vm-1t-cpu.json");
        SharedWeights p = SharedWeights.preset("fmnist", lut);
        SharedWeights ft = new SharedWeights("big", p.train(), 1, 999_999, 0.02, 1, 2, 0, 3);
        HwnasException e = assertThrows(HwnasException.class, () -> SharedWeights.run(ft, tmp.resolve("ft"), "test",
                Progress.NONE, s -> {}));
        assertTrue(e.getMessage().contains("big: field 'finetune_subset' = 999999") && e.getMessage().contains("60000 training images"),
                e.getMessage());
        SharedWeights test = new SharedWeights("big", p.train(), 1, 100, 0.02, 1, 2, 10_001, 3);
        e = assertThrows(HwnasException.class, () -> SharedWeights.checkStored(test, tmp.resolve("test")));
        assertTrue(e.getMessage().contains("big: field 'test_subset' = 10001") && e.getMessage().contains("10000 test images"),
                e.getMessage());
        assertFalse(Files.exists(tmp.resolve("ft")), "nothing written");
    }
}
