package io.hwnas.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import io.hwnas.core.SharedData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
    /** A binary-release batch of {@code n} records: label = (first + r) % 10, pixel k = (r * 7 + k) % 256. */
    static byte[] batch(int n, int first) {
        byte[] b = new byte[n * Cifar10.RECORD];
        for (int r = 0; r < n; r++) {
            b[r * Cifar10.RECORD] = (byte) ((first + r) % 10);
            for (int k = 0; k < 3072; k++) {
                b[r * Cifar10.RECORD + 1 + k] = (byte) ((r * 7 + k + first) % 256);
            }
        }
        return b;
    }

    static Path binaryRelease(Path root) throws IOException {
        Path d = Files.createDirectories(root.resolve(Cifar10.BIN_DIR));
        for (int i = 1; i <= 5; i++) {
            Files.write(d.resolve("data_batch_" + i + ".bin"), batch(3, i * 3));
        }
        Files.write(d.resolve("test_batch.bin"), batch(4, 100));
        Files.writeString(d.resolve("batches.meta.txt"), "airplane\n");
        return d;
    }

    @Test
    void binaryReleaseFixture(@TempDir Path tmp) throws IOException {
        binaryRelease(tmp);
        for (Path p : new Path[] {tmp, tmp.resolve(Cifar10.BIN_DIR)}) {
            ImageSet train = Datasets.cifar10(p, true);
            assertEquals(15, train.size());
            assertEquals(3, train.channels());
            assertEquals(32, train.height());
            assertEquals(10, train.classes());
            assertEquals(3, train.labels()[0]); // batch 1 starts at label 3
            assertEquals(6, train.labels()[3]); // batch 2 starts at label 6
            // record r of batch 1, channel c, row y, col x = (r*7 + c*1024 + y*32 + x + 3) % 256
            assertEquals((7 + 1024 + 5 * 32 + 9 + 3) % 256, train.pixel(1, 1, 5, 9));
            ImageSet test = Datasets.cifar10(p, false);
            assertEquals(4, test.size());
            assertEquals(0, test.labels()[0]);
        }
        assertTrue(Datasets.looksLike(Datasets.CIFAR10, tmp));
        assertEquals(tmp, Datasets.locate("cifar-10", tmp));
    }

    @Test
    void truncatedBinaryBatchAndBadLabelAreReported(@TempDir Path tmp) throws IOException {
        Path d = binaryRelease(tmp);
        Path f = d.resolve("data_batch_3.bin");
        Files.write(f, Arrays.copyOf(batch(3, 0), 3 * Cifar10.RECORD - 100));
        HwnasException e = assertThrows(HwnasException.class, () -> Datasets.cifar10(tmp, true));
        assertTrue(e.getMessage().contains("data_batch_3.bin") && e.getMessage().contains("3073"), e.getMessage());
        byte[] bad = batch(3, 0);
        bad[Cifar10.RECORD] = 42;
        Files.write(f, bad);
        e = assertThrows(HwnasException.class, () -> Datasets.cifar10(tmp, true));
        assertTrue(e.getMessage().contains("data_batch_3.bin") && e.getMessage().contains("42"), e.getMessage());
        Files.delete(d.resolve("data_batch_5.bin"));
        e = assertThrows(HwnasException.class, () -> Datasets.cifar10(tmp, true));
        assertTrue(e.getMessage().contains("data_batch_5.bin"), e.getMessage());
    }

    @Test
    void tarGzOfBinaryReleaseEqualsTheFolder(@TempDir Path tmp) throws IOException {
        Path src = tmp.resolve("src");
        binaryRelease(src);
        Path tgz = tmp.resolve("cifar-10-binary.tar.gz");
        TarWriter.write(tgz, TarWriter.collect(src.resolve(Cifar10.BIN_DIR)), true);
        ImageSet a = Datasets.cifar10(src, true);
        ImageSet b = Datasets.cifar10(tgz, true);
        assertArrayEquals(a.pixels(), b.pixels());
        assertArrayEquals(a.labels(), b.labels());
        assertArrayEquals(Datasets.cifar10(src, false).pixels(), Datasets.cifar10(tgz, false).pixels());
    }

    /** Writes {root}/cifar10_jpg/{train,test}/{class}/000k.jpg: solid colours per (class, k). */
    static Path jpegFolder(Path root, int perClass) throws IOException {
        Path base = root.resolve("cifar10_jpg");
        for (String split : new String[] {"train", "test"}) {
            for (int c = 0; c < 10; c++) {
                Path d = Files.createDirectories(base.resolve(split).resolve(Datasets.CIFAR10_CLASSES.get(c)));
                for (int k = 0; k < perClass; k++) {
                    ImageIO.write(solid(32, 32, color(c, k)), "jpg", d.resolve(String.format("%04d.jpg", k)).toFile());
                }
            }
        }
        Files.writeString(base.resolve("README.md"), "fixture\n");
        return base;
    }

    static int[] color(int c, int k) {
        return new int[] {20 * c + 10, 200 - 15 * k, (c * 37 + k * 50) % 256};
    }

    static BufferedImage solid(int w, int h, int[] rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        return img;
    }

    @Test
    void imageFolderLayoutAndItsTarGiveTheSameImages(@TempDir Path tmp) throws IOException {
        Path base = jpegFolder(tmp, 3);
        ImageSet train = Datasets.cifar10(tmp, true); // finds cifar10_jpg/ below tmp
        assertEquals(30, train.size());
        assertEquals(3, train.channels());
        assertArrayEquals(new int[] {3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, train.classCounts());
        for (int i = 0; i < 30; i++) {
            int c = i / 3;
            int k = i % 3;
            assertEquals(c, train.labels()[i]);
            int[] rgb = color(c, k);
            for (int ch = 0; ch < 3; ch++) {
                assertEquals(rgb[ch], train.pixel(i, ch, 16, 16), 4, "image " + i + " channel " + ch);
            }
        }
        Path tar = tmp.resolve("cifar10-jpg.tar");
        // archive order deliberately shuffled: the reader sorts by class, then file name
        Map<String, byte[]> entries = TarWriter.collect(base);
        List<String> keys = new ArrayList<>(entries.keySet());
        java.util.Collections.reverse(keys);
        Map<String, byte[]> reversed = new LinkedHashMap<>();
        keys.forEach(key -> reversed.put(key, entries.get(key)));
        TarWriter.write(tar, reversed, false);
        ImageSet fromTar = Datasets.cifar10(tar, true);
        assertArrayEquals(train.labels(), fromTar.labels());
        assertArrayEquals(train.pixels(), fromTar.pixels());
        ImageSet test = Datasets.cifar10(base, false);
        assertArrayEquals(test.pixels(), Datasets.cifar10(tar, false).pixels());
    }

    @Test
    void wrongClassesAndCorruptImagesAreReported(@TempDir Path tmp) throws IOException {
        Path base = jpegFolder(tmp, 1);
        Path bad = base.resolve("train").resolve("cat").resolve("0000.jpg");
        Files.write(bad, new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        HwnasException e = assertThrows(HwnasException.class, () -> Datasets.cifar10(base, true));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        Files.createDirectories(base.resolve("test").resolve("zebra"));
        e = assertThrows(HwnasException.class, () -> Datasets.cifar10(base, false));
        assertTrue(e.getMessage().contains("zebra"), e.getMessage());
    }

    @Test
    void corruptAndTruncatedTarsAreReported(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("x/train/cat/0001.jpg", jpeg(solid(32, 32, new int[] {1, 2, 3})));
        byte[] t = TarWriter.tar(m);
        Path cut = tmp.resolve("cut.tar");
        Files.write(cut, Arrays.copyOf(t, 600));
        HwnasException e = assertThrows(HwnasException.class, () -> Datasets.cifar10(cut, true));
        assertTrue(e.getMessage().contains("cut.tar") && e.getMessage().contains("truncated"), e.getMessage());
        Path corrupt = tmp.resolve("corrupt.tar");
        t[10] ^= 0x55;
        Files.write(corrupt, t);
        e = assertThrows(HwnasException.class, () -> Datasets.cifar10(corrupt, true));
        assertTrue(e.getMessage().contains("corrupt.tar") && e.getMessage().contains("checksum"), e.getMessage());
        Path empty = tmp.resolve("empty.tar");
        TarWriter.write(empty, Map.of("README", new byte[3]), false);
        e = assertThrows(HwnasException.class, () -> Datasets.cifar10(empty, true));
        assertTrue(e.getMessage().contains("empty.tar"), e.getMessage());
    }

    @Test
    void realTarIsReadableAndComplete() throws IOException {
        Path tar = SharedData.data("cifar10/cifar10-jpg.tar");
        AtomicInteger train = new AtomicInteger();
        AtomicInteger test = new AtomicInteger();
        List<byte[]> firstTest = new ArrayList<>();
        Tar.read(tar, name -> name.endsWith(".jpg"), (name, bytes) -> {
            if (name.startsWith("cifar10_jpg/train/")) {
                train.incrementAndGet();
            } else if (name.startsWith("cifar10_jpg/test/")) {
                if (test.getAndIncrement() < 20) {
                    firstTest.add(bytes);
                }
            }
        });
        assertEquals(50_000, train.get());
        assertEquals(10_000, test.get());
        for (byte[] b : firstTest) {
            BufferedImage img = ImageDecoding.read(b, "real");
            assertEquals(32, img.getWidth());
            assertEquals(32, img.getHeight());
        }
        assertEquals(tar.getParent(), Datasets.locate("cifar10", null));
    }

    static byte[] jpeg(BufferedImage img) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", bos);
        return bos.toByteArray();
    }
}
