package io.hwnas.datasets;

import static io.hwnas.datasets.ImageFolderTest.grey;
import static io.hwnas.datasets.ImageFolderTest.png;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders: train/ and test/ classes matched by name; no split, no evaluation. */
class FolderSplitTest {
    private static void has(HwnasException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "'" + p + "' not in: " + e.getMessage());
        }
    }

    @Test
    void classesAreMatchedByNameNotPosition(@TempDir Path tmp) throws IOException {
        // train: ant, bee, cat; test: ant, cat -- by position, test's "cat" would have become label 1 (bee)
        png(tmp.resolve("train/ant/1.png"), grey(4, 4, 10));
        png(tmp.resolve("train/bee/1.png"), grey(4, 4, 20));
        png(tmp.resolve("train/cat/1.png"), grey(4, 4, 30));
        png(tmp.resolve("test/ant/1.png"), grey(4, 4, 10));
        png(tmp.resolve("test/cat/1.png"), grey(4, 4, 30));
        HwnasException e = assertThrows(HwnasException.class, () -> Datasets.load("folder", tmp, false));
        has(e, tmp.resolve("test").toString(), "no class folder 'bee'", "matched by name");
        // the training side refuses as well: better before a training run than at its evaluation
        has(assertThrows(HwnasException.class, () -> Datasets.load("folder", tmp, true)), "'bee'");
        // a test class train/ does not have
        png(tmp.resolve("test/bee/1.png"), grey(4, 4, 20));
        png(tmp.resolve("test/dog/1.png"), grey(4, 4, 40));
        has(assertThrows(HwnasException.class, () -> Datasets.load("folder", tmp, false)), "'dog'", "is not in");
    }

    @Test
    void sameClassesGiveTheSameLabels(@TempDir Path tmp) throws IOException {
        for (String split : new String[] {"train", "test"}) {
            png(tmp.resolve(split + "/ant/1.png"), grey(4, 4, 10));
            png(tmp.resolve(split + "/cat/1.png"), grey(4, 4, 30));
        }
        ImageSet test = Datasets.load("folder", tmp, false);
        assertEquals(2, test.classes());
        assertEquals(30, test.pixel(1, 0, 0, 0));
        assertEquals(1, test.labels()[1]);
    }

    @Test
    void aFolderWithoutSplitIsTrainingDataOnly(@TempDir Path tmp) throws IOException {
        png(tmp.resolve("ant/1.png"), grey(4, 4, 10));
        png(tmp.resolve("cat/1.png"), grey(4, 4, 30));
        assertEquals(2, Datasets.load("folder", tmp, true).size());
        HwnasException e = assertThrows(HwnasException.class, () -> Datasets.load("folder", tmp, false));
        has(e, tmp.toString(), "no test/ folder", "training data", "<dir>/train/<class>/<image> and"
                + " <dir>/test/<class>/<image>");
    }

    @Test
    void onlyOneSideOfTheSplit(@TempDir Path tmp) throws IOException {
        png(tmp.resolve("test/ant/1.png"), grey(4, 4, 10));
        has(assertThrows(HwnasException.class, () -> Datasets.load("folder", tmp, false)), "no train/");
        has(assertThrows(HwnasException.class, () -> Datasets.load("folder", tmp, true)), "no train/");
    }
}
