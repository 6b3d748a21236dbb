package io.hwnas.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.HwnasException;
import io.hwnas.core.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    static Path dir;
    static ImageSet train;

    @BeforeAll
    static void load() {
        dir = SharedData.data("fashion-mnist");
        train = Datasets.fashionMnist(dir, true);
    }

    @Test
    void realTrainSetHas60kImages6000PerClass() {
        assertEquals(60_000, train.size());
        assertEquals(1, train.channels());
        assertEquals(28, train.height());
        assertEquals(28, train.width());
        assertEquals(10, train.classes());
        assertEquals(Datasets.FASHION_MNIST, train.name());
        int[] counts = train.classCounts();
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, counts[c], "class " + c);
        }
        // first training image is an ankle boot (label 9), a well-known fact of the dataset
        assertEquals(9, train.labels()[0]);
        // images are not blank
        long sum = 0;
        for (int k = 0; k < 784; k++) {
            sum += train.pixel(0, 0, k / 28, k % 28);
        }
        assertTrue(sum > 10_000, "first image sum " + sum);
    }

    @Test
    void realTestSetHas10kImages() {
        ImageSet test = Datasets.fashionMnist(dir, false);
        assertEquals(10_000, test.size());
        int[] counts = test.classCounts();
        for (int c = 0; c < 10; c++) {
            assertEquals(1000, counts[c], "class " + c);
        }
    }

    @Test
    void normalizationConstantsMatchTheData() {
        Normalization computed = Normalization.compute(train);
        assertEquals(Normalization.FASHION_MNIST.mean()[0], computed.mean()[0], 1e-3f, computed.toString());
        assertEquals(Normalization.FASHION_MNIST.std()[0], computed.std()[0], 1e-3f, computed.toString());
    }

    @Test
    void truncatedGzipIsReportedWithFileName(@TempDir Path tmp) throws IOException {
        copyLabels(tmp, "t10k");
        byte[] gz = Files.readAllBytes(dir.resolve("t10k-images-idx3-ubyte.gz"));
        Path cut = tmp.resolve("t10k-images-idx3-ubyte.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
        HwnasException e = assertThrows(HwnasException.class, () -> Datasets.fashionMnist(tmp, false));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void shortPayloadIsReportedWithExpectedAndFound(@TempDir Path tmp) throws IOException {
        // a valid gzip whose IDX payload is shorter than its header says
        writeGz(tmp.resolve("train-images-idx3-ubyte.gz"), idx(Idx.IMAGES_MAGIC, new int[] {3, 28, 28}, 2 * 784));
        writeGz(tmp.resolve("train-labels-idx1-ubyte.gz"), idx(Idx.LABELS_MAGIC, new int[] {3}, 3));
        HwnasException e = assertThrows(HwnasException.class, () -> Datasets.fashionMnist(tmp, true));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("2352") && e.getMessage().contains("1568"), e.getMessage());
    }

    @Test
    void corruptHeaderIsReportedWithFileName(@TempDir Path tmp) throws IOException {
        byte[] bad = idx(Idx.IMAGES_MAGIC, new int[] {2, 28, 28}, 2 * 784);
        bad[2] = 0x0D; // float type instead of unsigned byte
        writeGz(tmp.resolve("train-images-idx3-ubyte.gz"), bad);
        writeGz(tmp.resolve("train-labels-idx1-ubyte.gz"), idx(Idx.LABELS_MAGIC, new int[] {2}, 2));
        HwnasException e = assertThrows(HwnasException.class, () -> Datasets.fashionMnist(tmp, true));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void notGzipDespiteNameIsReported(@TempDir Path tmp) throws IOException {
        Files.write(tmp.resolve("train-images-idx3-ubyte.gz"), new byte[] {1, 2, 3, 4});
        writeGz(tmp.resolve("train-labels-idx1-ubyte.gz"), idx(Idx.LABELS_MAGIC, new int[] {1}, 1));
        HwnasException e = assertThrows(HwnasException.class, () -> Datasets.fashionMnist(tmp, true));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz") && e.getMessage().contains("gzip"),
                e.getMessage());
    }

    @Test
    void countMismatchAndBadLabelsAreReported(@TempDir Path tmp) throws IOException {
        writeGz(tmp.resolve("train-images-idx3-ubyte.gz"), idx(Idx.IMAGES_MAGIC, new int[] {3, 4, 4}, 48));
        writeGz(tmp.resolve("train-labels-idx1-ubyte.gz"), idx(Idx.LABELS_MAGIC, new int[] {2}, 2));
        HwnasException e = assertThrows(HwnasException.class, () -> Datasets.fashionMnist(tmp, true));
        assertTrue(e.getMessage().contains("3 images") && e.getMessage().contains("2 labels"), e.getMessage());

        byte[] labels = idx(Idx.LABELS_MAGIC, new int[] {3}, 3);
        labels[9] = 12;
        writeGz(tmp.resolve("train-labels-idx1-ubyte.gz"), labels);
        e = assertThrows(HwnasException.class, () -> Datasets.fashionMnist(tmp, true));
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte.gz") && e.getMessage().contains("12"),
                e.getMessage());
    }

    @Test
    void uncompressedFilesAndTinyFixturesLoad(@TempDir Path tmp) throws IOException {
        byte[] images = idx(Idx.IMAGES_MAGIC, new int[] {2, 3, 3}, 18);
        for (int i = 0; i < 18; i++) {
            images[16 + i] = (byte) (i * 14);
        }
        byte[] labels = idx(Idx.LABELS_MAGIC, new int[] {2}, 2);
        labels[8] = 7;
        labels[9] = 1;
        Files.write(tmp.resolve("t10k-images-idx3-ubyte"), images);
        Files.write(tmp.resolve("t10k-labels-idx1-ubyte"), labels);
        ImageSet s = Datasets.fashionMnist(tmp, false);
        assertEquals(2, s.size());
        assertArrayEquals(new int[] {7, 1}, s.labels());
        assertEquals(14 * 10, s.pixel(1, 0, 0, 1));
    }

    @Test
    void missingFolderExplainsHowToGetTheData(@TempDir Path tmp) {
        HwnasException e = assertThrows(HwnasException.class, () -> Datasets.fashionMnist(tmp, true));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void locateFindsTheRealData() throws IOException {
        Path p = Datasets.locate("fashion-mnist", null);
        assertTrue(Files.exists(p.resolve("train-images-idx3-ubyte.gz")), p.toString());
        // --data wins and may point at a parent holding fashion-mnist/
        assertEquals(dir, Datasets.locate("fmnist", dir));
        assertEquals(dir.toRealPath(), Datasets.locate("fashion-mnist", dir.getParent()).toRealPath());
        HwnasException e = assertThrows(HwnasException.class,
                () -> Datasets.locate("fashion-mnist", Path.of("/no/such/dir")));
        assertTrue(e.getMessage().contains("/no/such/dir"), e.getMessage());
        assertThrows(HwnasException.class, () -> Datasets.locate("imagenet", null));
    }

    private void copyLabels(Path tmp, String prefix) throws IOException {
        Files.copy(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), tmp.resolve(prefix + "-labels-idx1-ubyte.gz"));
    }

    static byte[] idx(int magic, int[] dims, int payload) {
        byte[] b = new byte[4 + 4 * dims.length + payload];
        putInt(b, 0, magic);
        for (int d = 0; d < dims.length; d++) {
            putInt(b, 4 + 4 * d, dims[d]);
        }
        return b;
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static void writeGz(Path file, byte[] content) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bos)) {
            out.write(content);
        }
        Files.write(file, bos.toByteArray());
    }
}
