package io.hwnas.datasets;

import io.hwnas.core.HwnasException;
import java.util.Arrays;

/**
 * A labelled set of images held in memory: {@code pixels} are uint8 (stored in Java bytes, read
 * them with {@code & 0xFF}) in N*C*H*W order, {@code labels[i]} in {@code [0, classes)}.
 * The arrays are shared, not copied: treat them as read-only.
 */
public record ImageSet(String name, int channels, int height, int width, int classes, byte[] pixels, int[] labels) {
    public ImageSet {
        HwnasException.require(name != null && !name.isBlank(), "name", name, "must be a non-empty dataset name");
        HwnasException.require(channels >= 1 && channels <= 4, "channels", channels, "must be 1..4");
        HwnasException.require(height > 0, "height", height, "must be positive");
        HwnasException.require(width > 0, "width", width, "must be positive");
        HwnasException.require(classes > 0, "classes", classes, "must be positive");
        HwnasException.require(pixels != null, "pixels", null, "must not be null");
        HwnasException.require(labels != null, "labels", null, "must not be null");
        long expected = (long) labels.length * channels * height * width;
        HwnasException.require(pixels.length == expected, "pixels.length", pixels.length,
                "must be labels.length * C * H * W = " + labels.length + " * " + channels + " * " + height
                        + " * " + width + " = " + expected);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new HwnasException("field 'labels[" + i + "]' = " + labels[i] + ": must be in [0, " + classes
                        + ") for dataset '" + name + "'");
            }
        }
    }

    /**
     * sha256 of the labels (4 bytes each, big-endian), then the pixels: the identity of these images in this
     * order, so that another copy of the same set is told from another set of the same size and shape
     * (Fashion-MNIST from MNIST).
     */
    public String sha256() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Math.multiplyExact(labels.length, 4));
        b.asIntBuffer().put(labels);
        return io.hwnas.core.Hashes.sha256(b.array(), pixels);
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** Bytes per image: C*H*W. */
    public int imageBytes() {
        return channels * height * width;
    }

    /** The images at {@code indices}, in that order (copies the pixels). */
    public ImageSet subset(int[] indices) {
        int n = imageBytes();
        byte[] px = new byte[Math.multiplyExact(indices.length, n)];
        int[] lb = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int j = indices[i];
            if (j < 0 || j >= size()) {
                throw new HwnasException("field 'indices[" + i + "]' = " + j + ": must be in [0, " + size() + ")");
            }
            System.arraycopy(pixels, j * n, px, i * n, n);
            lb[i] = labels[j];
        }
        return new ImageSet(name, channels, height, width, classes, px, lb);
    }

    /** The first {@code n} images (all of them if {@code n >= size()}). */
    public ImageSet head(int n) {
        HwnasException.require(n >= 0, "n", n, "must be >= 0");
        int k = Math.min(n, size());
        return new ImageSet(name, channels, height, width, classes, Arrays.copyOf(pixels, k * imageBytes()),
                Arrays.copyOf(labels, k));
    }

    /** Images per class, index = label. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    /** Unsigned pixel value of image {@code i}, channel {@code c}, row {@code y}, column {@code x}. */
    public int pixel(int i, int c, int y, int x) {
        return pixels[((i * channels + c) * height + y) * width + x] & 0xFF;
    }

    @Override
    public String toString() {
        return "ImageSet[" + name + ", " + size() + " x " + channels + "x" + height + "x" + width + ", " + classes
                + " classes]";
    }
}
