package io.hwnas.search.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.Progress;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A long run must not grow in memory: every tensor a step makes is freed with the step. */
class TrainMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void liveArraysAfter200StepsEqualThoseAfter20() {
        Path spaceFile = SupernetTrainerTest.spaceFile();
        SearchSpace space = SpaceRegistry.resolve(spaceFile.toString());
        Path lut = TestLuts.write(TestLuts.macs(space, 0.2, 0.5, 0.01), tmp.resolve("lut.json"));
        // batch 2 on 200 images: 80 weight steps and 20 θ steps per epoch; epoch 1 is warm-up
        TrainConfig cfg = TrainConfig.parse("test", "{\"space\": \"" + spaceFile + "\", \"dataset\": \"fashion-mnist\","
                + " \"lut\": \"" + lut + "\", \"epochs\": 3, \"warmup_epochs\": 1, \"batch_size\": 2,"
                + " \"train_subset\": 200, \"final_samples\": 0, \"seed\": 3}");
        Map<Long, Integer> live = new HashMap<>();
        TrainingRun.start(cfg, tmp.resolve("run"), Progress.NONE, TrainingRun.Stopper.NEVER,
                (steps, root) -> {
                    if (steps == 20 || steps == 100 || steps == 200) {
                        live.put(steps, root.getManagedArrays().size());
                    }
                });
        assertEquals(3, live.size(), "steps seen: " + live.keySet());
        assertTrue(live.get(20L) > 0, "the count sees the trainer's arrays");
        // step 20: warm-up (weight steps); 100: after the first θ pass; 200: the second epoch with θ
        assertEquals(live.get(100L), live.get(200L), "live NDArrays grew between step 100 and 200: " + live);
        assertEquals(live.get(20L), live.get(200L), "live NDArrays grew between step 20 and 200: " + live);
    }
}
