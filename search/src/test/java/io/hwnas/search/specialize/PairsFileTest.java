package io.hwnas.search.specialize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The accuracy pairs a stopped call left are reused only when every value is one a call could have written. */
class PairsFileTest {
    private static final String HEADER = "{\"run\":\"r\",\"seed\":0}";
    private static final SearchSpace SPACE = SpaceRegistry.get("fbnet-fmnist-tiny");

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    private Map<String, Double> read(String... lines) throws Exception {
        Path f = dir.resolve("accuracy-pairs.jsonl");
        List<String> all = new ArrayList<>(List.of(HEADER));
        all.addAll(List.of(lines));
        Files.write(f, all);
        log.clear();
        return Specialize.readPairs(f, HEADER, SPACE, log::add);
    }

    @Test
    void goodPairsAndATornLastLineAreRead() throws Exception {
        Map<String, Double> m = read("{\"ops\":\"[0, 1, 2, 3, 4, 5, 8]\",\"accuracy\":81.5}",
                "{\"ops\":\"[8, 8, 8, 8, 8, 8, 8]\",\"accuracy\":40}", "{\"ops\":\"[0, 1");
        assertEquals(2, m.size());
        assertEquals(81.5, m.get("[0, 1, 2, 3, 4, 5, 8]"));
        assertTrue(log.stream().noneMatch(l -> l.contains("warning")), log.toString());
    }

    /** A pair no call writes is left out with a warning naming its line (and measured again if needed). */
    @Test
    void valuesNoCallWritesAreLeftOutNamingTheLine() throws Exception {
        String good = "{\"ops\":\"[8, 8, 8, 8, 8, 8, 8]\",\"accuracy\":40}";
        String[][] cases = {
            {"{\"ops\":\"[0, 1, 2, 3, 4, 5, 8]\",\"accuracy\":-5.0}", "line 2 (accuracy -5.0)"},
            {"{\"ops\":\"[0, 1, 2, 3, 4, 5, 8]\",\"accuracy\":100.5}", "line 2 (accuracy 100.5)"},
            {"{\"ops\":\"[0, 1, 2, 3, 4, 5, 8]\",\"accuracy\":\"high\"}", "line 2 (accuracy \"high\")"},
            {"{\"ops\":\"[0, 1, 2, 3, 4, 5, 99]\",\"accuracy\":50}", "line 2 (ops [0, 1, 2, 3, 4, 5, 99])"},
            {"{\"ops\":\"[0, 1, 2]\",\"accuracy\":50}", "line 2 (ops [0, 1, 2])"},
        };
        for (String[] c : cases) {
            Map<String, Double> m = read(c[0], good);
            assertEquals(Map.of("[8, 8, 8, 8, 8, 8, 8]", 40.0), m, c[0]);
            assertTrue(log.stream().anyMatch(l -> l.startsWith("hwnas: warning: ") && l.contains("1 line(s)")
                    && l.contains(c[1])), c[0] + ": " + log);
        }
    }
}
