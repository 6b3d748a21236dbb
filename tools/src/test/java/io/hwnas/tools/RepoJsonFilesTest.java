package io.hwnas.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.Json;
import io.hwnas.experiments.sweep.LatencySweep;
import io.hwnas.latency.LatencyModels;
import io.hwnas.latency.Lut;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The strict JSON reader still reads every JSON file of the repository, each with its own type where it has one. */
class RepoJsonFilesTest {
    @Test
    void everyJsonFileOfTheRepositoryParses() throws IOException {
        Path root = Path.of(System.getProperty("hwnas.root", "..")).toAbsolutePath().normalize();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".json") && Files.isRegularFile(p))
                    .filter(p -> !root.relativize(p).toString().matches("(.*/)?(target|\\.git|runs)/.*")).toList();
        }
        int spaces = 0;
        int luts = 0;
        for (Path p : files) {
            JsonNode n = Json.readTree(p); // duplicate keys, bounds, UTF-8
            String rel = root.relativize(p).toString();
            if (n.has("stages") && n.has("ops")) {
                SearchSpace sp = Json.read(p, SearchSpace.class);
                SpaceRegistry.checkIdentity(p, sp);
                spaces++;
            } else if (n.has("entries") && n.has("device")) {
                Lut lut = Lut.read(p);
                LatencyModels.read(p, SpaceRegistry.get(lut.space()));
                luts++;
            } else if (rel.endsWith("latency-sweep.json")) {
                LatencySweep.read(p);
            }
        }
        assertTrue(files.size() >= 15, files.toString());
        // the registered ones + 2 test spaces + 8 of the single-path diagnosis + 2 of the quickstart's space ablation
        // + 6 of the sharing-penalty diagnosis + 2 narrower quickstart candidates (experiments/results/quickstart/sharing-penalty)
        // + 1 stride layout tried for the quickstart (experiments/results/quickstart/intel-2026-12-07e)
        // + 1 without the grouped ops tried for it (experiments/results/quickstart/intel-2026-12-07f)
        // + 1 with wider late layers tried for it (experiments/results/quickstart/zen4-2026-12-07b)
        assertEquals(32, spaces, files.toString());
        assertTrue(luts >= 5, files.toString());
    }
}
