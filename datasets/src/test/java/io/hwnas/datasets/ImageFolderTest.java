package io.hwnas.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    static void png(Path file, BufferedImage img) throws IOException {
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    static BufferedImage grey(int w, int h, int v) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (v + x + y) % 256);
            }
        }
        return img;
    }

    @Test
    void rgbPngsExactSortedClassesAndResize(@TempDir Path tmp) throws IOException {
        png(tmp.resolve("zebra/b.png"), Cifar10Test.solid(6, 6, new int[] {1, 2, 3}));
        png(tmp.resolve("zebra/a.png"), Cifar10Test.solid(6, 6, new int[] {4, 5, 6}));
        png(tmp.resolve("ant/x.png"), Cifar10Test.solid(12, 9, new int[] {7, 8, 9}));
        Files.writeString(tmp.resolve("ant/notes.txt"), "ignored");
        assertEquals(List.of("ant", "zebra"), Datasets.folderClasses(tmp));
        ImageSet s = Datasets.imageFolder(tmp, 6, 6);
        assertEquals(3, s.size());
        assertEquals(2, s.classes());
        assertEquals(3, s.channels());
        assertArrayEquals(new int[] {0, 1, 1}, s.labels());
        assertEquals(7, s.pixel(0, 0, 3, 3)); // resized solid stays solid
        assertEquals(9, s.pixel(0, 2, 5, 5));
        assertEquals(4, s.pixel(1, 0, 0, 0)); // a.png before b.png
        assertEquals(3, s.pixel(2, 2, 0, 0));
        // 0x0 = size of the first image (ant/x.png: 12 wide, 9 high)
        ImageSet native0 = Datasets.imageFolder(tmp, 0, 0);
        assertEquals(9, native0.height());
        assertEquals(12, native0.width());
    }

    @Test
    void allGreyFolderGivesOneChannel(@TempDir Path tmp) throws IOException {
        png(tmp.resolve("a/1.png"), grey(5, 4, 10));
        png(tmp.resolve("b/1.png"), grey(5, 4, 100));
        ImageSet s = Datasets.imageFolder(tmp, 4, 5);
        assertEquals(1, s.channels());
        assertEquals(10 + 3 + 2, s.pixel(0, 0, 2, 3)); // y=2, x=3: exact grey values, no gamma change
        assertEquals(100, s.pixel(1, 0, 0, 0));
        // load("folder") picks train/ when present
        png(tmp.resolve("split/train/a/1.png"), grey(5, 4, 50));
        ImageSet t = Datasets.load("folder", tmp.resolve("split"), true);
        assertEquals(1, t.size());
        assertEquals(50, t.pixel(0, 0, 0, 0));
    }

    @Test
    void errorsNameTheFolder(@TempDir Path tmp) throws IOException {
        HwnasException e = assertThrows(HwnasException.class, () -> Datasets.imageFolder(tmp, 4, 4));
        assertTrue(e.getMessage().contains(tmp.toString()), e.getMessage());
        Files.createDirectories(tmp.resolve("empty"));
        e = assertThrows(HwnasException.class, () -> Datasets.imageFolder(tmp, 4, 4));
        assertTrue(e.getMessage().contains("no images"), e.getMessage());
        // a class folder without images beside ones with them: most likely not the dataset's folder
        png(tmp.resolve("good/1.png"), grey(4, 4, 1));
        e = assertThrows(HwnasException.class, () -> Datasets.imageFolder(tmp, 4, 4));
        assertTrue(e.getMessage().contains("1 of 2 class folders hold no images") && e.getMessage().contains(": empty;"),
                e.getMessage());
        assertThrows(HwnasException.class, () -> Datasets.imageFolder(tmp, 4, 0));
        assertThrows(HwnasException.class, () -> Datasets.locate("folder", null));
    }

    @Test
    void cacheRoundTripAndValidation(@TempDir Path tmp) throws IOException {
        ImageSet set = BatchesTest.rgb(5, 1);
        Path f = ImageCache.file(tmp, "t", "key-1");
        assertNull(ImageCache.read(f, "key-1"));
        ImageCache.write(f, "key-1", set);
        ImageSet back = ImageCache.read(f, "key-1");
        assertArrayEquals(set.pixels(), back.pixels());
        assertArrayEquals(set.labels(), back.labels());
        assertEquals(set.name(), back.name());
        assertNull(ImageCache.read(f, "key-2"), "other source");
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, bytes.length - 1));
        assertNull(ImageCache.read(f, "key-1"), "truncated");
        bytes[0] = 'X';
        Files.write(f, bytes);
        assertNull(ImageCache.read(f, "key-1"), "bad magic");
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temporary files left behind");
        }
    }
}
