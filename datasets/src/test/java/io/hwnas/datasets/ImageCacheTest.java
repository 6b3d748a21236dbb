package io.hwnas.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCacheTest {
    @TempDir
    Path dir;

    @Test
    void aSourceReachedThroughALinkIsCachedUnderItsRealPath() throws Exception {
        Path data = Files.createDirectories(dir.resolve("shared/data"));
        Path tar = Files.writeString(data.resolve("cifar.tar.gz"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("checkout-shared"), dir.resolve("shared"));
        Path viaLink = link.resolve("data/cifar.tar.gz");
        assertEquals(ImageCache.where(tar), ImageCache.where(viaLink));
        assertEquals(Cifar10.cacheKey(tar, "train"), Cifar10.cacheKey(viaLink, "train")); // what fromTar uses
        assertEquals(dir.resolve("none").toString(), ImageCache.where(dir.resolve("none"))); // not there: as given
    }
}
