package io.hwnas.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.search.train.TrainConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandwich's fields given to a run without sandwich steps, and weight_paths given to one with them, are named as ignored. */
class TrainUnreadFieldsTest {
    private static String warnings(Path cfg) throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            TrainCommands.unread(cfg, TrainConfig.read(cfg));
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sandwichFieldsWithoutSandwichStepsAreNamed(@TempDir Path tmp) throws Exception {
        String base = "{\"space\": \"fbnet-fmnist-tiny\", \"dataset\": \"fashion-mnist\", \"alpha\": 0, ";
        Path single = Files.writeString(tmp.resolve("single.json"), base
                + "\"weight_sampling\": \"single-path\", \"kd_weight\": 2, \"sandwich_random\": 3}");
        String w = warnings(single);
        assertTrue(w.contains("single.json: field 'kd_weight' is read only with weight_sampling sandwich")
                && w.contains("field 'sandwich_random'") && w.contains("(single-path) ignores it"), w);
        Path sandwich = Files.writeString(tmp.resolve("sandwich.json"), base
                + "\"weight_sampling\": \"sandwich\", \"kd_weight\": 2, \"sandwich_random\": 3}");
        assertEquals("", warnings(sandwich));
        // a sandwich draws its random subnets uniformly whatever weight_paths says
        Path sandwichPaths = Files.writeString(tmp.resolve("sandwich-paths.json"), base
                + "\"weight_sampling\": \"sandwich\", \"weight_paths\": \"uniform\"}");
        String wp = warnings(sandwichPaths);
        assertTrue(wp.contains("sandwich-paths.json: field 'weight_paths' is read only with weight_sampling single-path"),
                wp);
        Path singlePaths = Files.writeString(tmp.resolve("single-paths.json"), base
                + "\"weight_sampling\": \"single-path\", \"weight_paths\": \"uniform\"}");
        assertEquals("", warnings(singlePaths));
        Path plain = Files.writeString(tmp.resolve("plain.json"), base + "\"weight_sampling\": \"soft\"}");
        assertEquals("", warnings(plain));
        // a run's own config.json lists every field, the sandwich's at their defaults: no warning for those
        Path resolved = Files.writeString(tmp.resolve("resolved.json"), base
                + "\"weight_sampling\": \"soft\", \"sandwich_random\": 2, \"kd_weight\": 1.0}");
        assertEquals("", warnings(resolved));
    }
}
