package io.hwnas.search.specialize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
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

    private Map<String, Double> read(String... lines) throws Exception {
        Path f = dir.resolve("accuracy-pairs.jsonl");
        List<String> all = new ArrayList<>(List.of(HEADER));
        all.addAll(List.of(lines));
        Files.write(f, all);
        return Specialize.readPairs(f, HEADER, SPACE, s -> { });
    }

    @Test
    void goodPairsAndATornLastLineAreRead() throws Exception {
        Map<String, Double> m = read("{\"ops\":\"[0, 1, 2, 3, 4, 5, 8]\",\"accuracy\":81.5}",
                "{\"ops\":\"[8, 8, 8, 8, 8, 8, 8]\",\"accuracy\":40}", "{\"ops\":\"[0, 1");
        assertEquals(2, m.size());
        assertEquals(81.5, m.get("[0, 1, 2, 3, 4, 5, 8]"));
    }

    @Test
    void valuesNoCallWritesAreRefusedNamingLineAndField() {
        String[][] cases = {
            {"{\"ops\":\"[0, 1, 2, 3, 4, 5, 8]\",\"accuracy\":-5.0}", "line 2", "'accuracy' = -5.0"},
            {"{\"ops\":\"[0, 1, 2, 3, 4, 5, 8]\",\"accuracy\":100.5}", "line 2", "'accuracy' = 100.5"},
            {"{\"ops\":\"[0, 1, 2, 3, 4, 5, 8]\",\"accuracy\":\"high\"}", "line 2", "'accuracy'"},
            {"{\"ops\":\"[0, 1, 2, 3, 4, 5, 99]\",\"accuracy\":50}", "line 2", "'ops' = \"[0, 1, 2, 3, 4, 5, 99]\""},
            {"{\"ops\":\"[0, 1, 2]\",\"accuracy\":50}", "line 2", "7 op indices"},
        };
        for (String[] c : cases) {
            HwnasException e = assertThrows(HwnasException.class, () -> read(c[0]), c[0]);
            assertTrue(e.getMessage().contains("accuracy-pairs.jsonl: " + c[1]) && e.getMessage().contains(c[2])
                    && e.getMessage().contains("delete the file"), e.getMessage());
        }
    }
}
