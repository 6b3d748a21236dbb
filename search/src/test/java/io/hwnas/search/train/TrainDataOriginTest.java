package io.hwnas.search.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hwnas.core.HwnasException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A data location taken from a subnet's origin.json is named as that file's field, not as --data. */
class TrainDataOriginTest {
    private static final HwnasException MISSING = new HwnasException("--data /gone/fm: no such file or directory");

    @Test
    void aLocationFromOriginJsonIsNamedAsItsField() {
        Path sub = Path.of("subs", "a");
        HwnasException e = assertThrows(HwnasException.class, () -> TrainData.fromOrigin(sub, null, "/gone/fm", () -> {
            throw MISSING;
        }));
        assertEquals(sub.resolve("origin.json") + ": data_dir = \"/gone/fm\": no such file or directory (the data the"
                + " subnet was made from; give --data DIR to read it elsewhere)", e.getMessage());
        // --data given: its own message stays
        assertSame(MISSING, assertThrows(HwnasException.class, () -> TrainData.fromOrigin(sub, "/gone/fm", "/gone/fm",
                () -> {
                    throw MISSING;
                })));
        assertEquals("ok", TrainData.fromOrigin(sub, null, "/gone/fm", () -> "ok"));
    }
}
