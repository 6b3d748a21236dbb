package io.hwnas.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedDataTest {
    @TempDir
    Path dir;

    @Test
    void hwnasSharedIsUsedWhenItIsAFolderAndRefusedWhenItIsNot() {
        assertEquals(dir, SharedData.root(dir.toString()));
        Path missing = dir.resolve("nowhere");
        HwnasException e = assertThrows(HwnasException.class, () -> SharedData.root(missing.toString()));
        assertTrue(e.getMessage().contains("HWNAS_SHARED") && e.getMessage().contains(missing.toString())
                && e.getMessage().contains("no such folder"), e.getMessage());
        // callers with other places to look (the datasets) get null only when it is unset
        assertThrows(HwnasException.class, () -> SharedData.rootOrNull(missing.toString()));
        assertEquals(dir, SharedData.rootOrNull(dir.toString()));
    }
}
