package io.hwnas.search.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unusable latest checkpoint is named with the one the run keeps before it, and how to go on from there. */
class CheckpointsTest {
    @TempDir
    Path run;

    @Test
    void aMissingLatestCheckpointNamesTheOneKeptBeforeIt() throws Exception {
        Files.createDirectories(run.resolve("checkpoints/ckpt-e0000-p0-s000002"));
        Files.writeString(run.resolve("checkpoint.json"), "{\"schema\": 1, \"latest\": \"checkpoints/ckpt-e0000-p0-s000003\","
                + " \"epochs_done\": 0, \"phase\": 0, \"step_in_phase\": 3}");
        HwnasException e = assertThrows(HwnasException.class, () -> Checkpoints.latest(run));
        assertTrue(e.getMessage().contains("which does not exist") && e.getMessage().contains(
                "set \"latest\" in " + run.resolve("checkpoint.json") + " to \"checkpoints/ckpt-e0000-p0-s000002\""),
                e.getMessage());
    }

    @Test
    void withNoOtherCheckpointItSaysSo() throws Exception {
        Path only = Files.createDirectories(run.resolve("checkpoints/ckpt-e0001-p0-s000000"));
        assertEquals("; the run keeps no other checkpoint", Checkpoints.others(run, only));
        assertEquals("", Checkpoints.others(run.resolve("nowhere"), only));
    }
}
